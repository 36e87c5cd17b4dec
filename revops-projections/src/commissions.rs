//! `Commissions`: earned, payable, paid and clawed-back commission per rep and period.
