//! Billing schedules: invoice dates, periods and amounts from billing frequency.
