//! The credit-risk policy table.
