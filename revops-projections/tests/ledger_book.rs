//! The sample book of business (`examples/book.jsonl`) through the ledger:
//! the trial balance is zero per currency after every prefix, incremental
//! application equals a rebuild, and the ledger's deferred revenue and
//! contract asset equal the schedules' in an open month.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use revops_projections::ledger::{Account, GeneralLedger, TrialBalance};
use revops_projections::revops_core::{Currency, Decimal};
use revops_projections::revops_events::jsonl::{import, ImportOptions};
use revops_projections::revops_events::{Envelope, MemoryLog};
use revops_projections::Projection;

const BOOK: &str = include_str!("../../examples/book.jsonl");

fn book() -> Vec<Envelope> {
    let mut log = MemoryLog::default();
    let at = "2027-01-04T08:00:00Z".parse().unwrap();
    import(&mut log, BOOK.as_bytes(), ImportOptions::new(at)).unwrap();
    log.envelopes().to_vec()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn assert_zero(tb: &TrialBalance) {
    for c in &tb.closing {
        let sum: Decimal = c.accounts.iter().map(|a| a.balance.parse::<Decimal>().unwrap()).sum();
        assert!(sum.is_zero(), "{}: closing balances sum to {sum}", c.currency);
    }
}

#[test]
fn every_prefix_of_the_book_balances_and_incremental_equals_rebuild() {
    let envelopes = book();
    let mut incremental = GeneralLedger::default();
    for (n, envelope) in envelopes.iter().enumerate() {
        incremental.apply(envelope);
        let mut rebuilt = GeneralLedger::default();
        envelopes[..=n].iter().for_each(|e| rebuilt.apply(e));
        let report = incremental.report(d("2027-12-31"));
        assert_zero(&report.trial_balance);
        if n % 25 == 0 || n + 1 == envelopes.len() {
            assert_eq!(report, rebuilt.report(d("2027-12-31")), "after {n} events");
        }
    }
    assert!(incremental.report(d("2027-12-31")).unposted.is_empty());
}

#[test]
fn the_books_figures_at_year_end() {
    let gl = {
        let mut gl = GeneralLedger::default();
        book().iter().for_each(|e| gl.apply(e));
        gl
    };
    let tb = gl.trial_balance(d("2026-12-31"));
    // The commissions report's figures (`the_sample_book` in
    // tests/commissions.rs): rep-maria earned 23,760.00 (8 % of 84,000 +
    // 150,000 + the December renewal at 63,000), nothing clawed back, paid
    // 18,720.00, payable 5,040.00.
    assert_eq!(tb.balance(Currency::USD, Account::CommissionExpense), "23760.00");
    assert_eq!(tb.balance(Currency::USD, Account::CommissionsPayable), "-5040.00");
    // rep-jonas: earned 4,416.00 (8 % of 55,200.00), paid 4,416.00.
    assert_eq!(tb.balance(Currency::EUR, Account::CommissionExpense), "4416.00");
    assert_eq!(tb.balance(Currency::EUR, Account::CommissionsPayable), "0.00");
    // INITECH's credit memo came while its dispute was open.
    assert_eq!(tb.balance(Currency::USD, Account::ContraRevenueDisputes), "3000.00");
    assert_eq!(gl.closed_through().map(|m| m.to_string()).as_deref(), Some("2026-11"));
    assert_zero(&tb);
}

/// Per currency: the ledger's deferred revenue and contract asset against
/// the sums of the schedules' per-contract figures.
fn positions_agree(gl: &GeneralLedger, as_of: NaiveDate) {
    let tb = gl.trial_balance(as_of);
    let report = gl.schedules().report(as_of);
    let mut expected: BTreeMap<Currency, (Decimal, Decimal)> = BTreeMap::new();
    for c in &report.contracts {
        let slot = expected.entry(c.currency).or_default();
        slot.0 += c.deferred.parse::<Decimal>().unwrap();
        slot.1 += c.unbilled.parse::<Decimal>().unwrap();
    }
    for (currency, (deferred, unbilled)) in expected {
        let ledger_deferred: Decimal = tb.balance(currency, Account::DeferredRevenue).parse().unwrap();
        let ledger_asset: Decimal = tb.balance(currency, Account::ContractAsset).parse().unwrap();
        assert_eq!((-ledger_deferred, ledger_asset), (deferred, unbilled), "{currency} as of {as_of}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A prefix of the book read as of a day in December (the one month
    /// never closed): balanced, and netted positions as the schedules say.
    #[test]
    fn prefixes_balance_and_match_the_schedules(cut in 0usize..=150, day in 1u32..=31) {
        let envelopes = book();
        let mut gl = GeneralLedger::default();
        envelopes[..cut.min(envelopes.len())].iter().for_each(|e| gl.apply(e));
        let as_of = NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        assert_zero(&gl.trial_balance(as_of));
        positions_agree(&gl, as_of);
    }
}
