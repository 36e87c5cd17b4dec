//! `GeneralLedger`: the double-entry journal derived from events and its trial balance.
