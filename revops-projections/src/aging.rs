//! `ArAging`: open invoices by age bucket, days to pay, DSO and collection rate.
