//! General-ledger scenarios: hand-written logs replayed into the ledger,
//! exact balances and entries to the cent, by date.

mod ledger_support;

use chrono::NaiveDate;
use ledger_support::*;
use revops_projections::ledger::{Account, GeneralLedger, JournalEntry, JournalKind, TrialBalance};
use revops_projections::revops_core::calendar::YearMonth;
use revops_projections::revops_core::{Currency, Decimal};
use serde_json::json;

const USD: Currency = Currency::USD;

fn balance(gl: &GeneralLedger, on: &str, account: Account) -> String {
    gl.trial_balance(d(on)).balance(USD, account)
}

/// Every currency's closing balances sum to zero, and so does every period.
fn assert_zero(tb: &TrialBalance) {
    for c in &tb.closing {
        let sum: Decimal = c.accounts.iter().map(|a| a.balance.parse::<Decimal>().unwrap()).sum();
        assert!(sum.is_zero(), "{}: closing balances sum to {sum}", c.currency);
        assert_eq!(c.debits, c.credits);
    }
    for p in &tb.periods {
        let sum: Decimal = p.accounts.iter().map(|a| a.balance.parse::<Decimal>().unwrap()).sum();
        assert!(sum.is_zero(), "{} {}: balances sum to {sum}", p.currency, p.period);
        assert_eq!(p.debits, p.credits);
    }
}

/// (account, debit, credit) of an entry's lines.
fn lines(entry: &JournalEntry) -> Vec<(Account, &str, &str)> {
    entry.lines.iter().map(|l| (l.account, l.debit.as_str(), l.credit.as_str())).collect()
}

fn entries_of(gl: &GeneralLedger, on: &str, kind: JournalKind) -> Vec<JournalEntry> {
    gl.journal(d(on)).into_iter().filter(|e| e.kind == kind).collect()
}

#[test]
fn annual_upfront_subscription_is_recognized_a_twelfth_a_month() {
    let envelopes = log(&[
        customer("ACME"),
        subscription("C-1", "1000.00"),
        invoice("INV-1", "C-1", "2026-01-01", "SUB", "1000.00", "88.75"),
    ]);
    let gl = general_ledger(&envelopes);
    // Cumulative rounding: months 2, 5, 8 and 11 take the extra cent.
    let recognized = [
        "83.33", "166.67", "250.00", "333.33", "416.67", "500.00", "583.33", "666.67", "750.00", "833.33", "916.67",
        "1000.00",
    ];
    let deferred = [
        "916.67", "833.33", "750.00", "666.67", "583.33", "500.00", "416.67", "333.33", "250.00", "166.67", "83.33",
        "0.00",
    ];
    for (k, (rec, def)) in recognized.iter().zip(deferred).enumerate() {
        let month_end = YearMonth::new(2026, k as u32 + 1).unwrap().last_day().to_string();
        let tb = gl.trial_balance(d(&month_end));
        assert_eq!(tb.balance(USD, Account::RevenueRatable), format!("-{rec}"), "{month_end}");
        let def = if def == "0.00" { def.to_owned() } else { format!("-{def}") };
        assert_eq!(tb.balance(USD, Account::DeferredRevenue), def, "{month_end}");
        assert_eq!(tb.balance(USD, Account::ContractAsset), "0.00");
        assert_eq!(tb.balance(USD, Account::AccountsReceivable), "1088.75");
        assert_eq!(tb.balance(USD, Account::TaxPayable), "-88.75");
        assert_zero(&tb);
    }
    // The day before a month ends, that month is not recognized yet.
    assert_eq!(balance(&gl, "2026-02-27", Account::RevenueRatable), "-83.33");

    let invoice = &entries_of(&gl, "2026-01-31", JournalKind::Invoice)[0];
    assert_eq!(
        lines(invoice),
        [
            (Account::AccountsReceivable, "1088.75", "0.00"),
            (Account::DeferredRevenue, "0.00", "1000.00"),
            (Account::TaxPayable, "0.00", "88.75"),
        ]
    );
    assert_eq!((invoice.seq, invoice.event_id), (envelopes[2].seq.0, envelopes[2].event_id));
    let january = &entries_of(&gl, "2026-01-31", JournalKind::Recognition)[0];
    assert_eq!(
        lines(january),
        [(Account::DeferredRevenue, "83.33", "0.00"), (Account::RevenueRatable, "0.00", "83.33")]
    );
    assert_eq!((january.date, january.contract.as_deref()), (d("2026-01-31"), Some("C-1")));
    assert_eq!((january.seq, january.event_type.as_str()), (envelopes[1].seq.0, "contract_signed"));
}

#[test]
fn milestone_revenue_waits_for_acceptance_and_nets_against_billing() {
    let envelopes = log(&[
        customer("ACME"),
        contract("C-2", "milestone", json!([milestone_line()])),
        milestone("milestone_delivered", "C-2", "design", "2026-02-10"),
        milestone("milestone_accepted", "C-2", "design", "2026-02-20"),
        milestone("milestone_delivered", "C-2", "build", "2026-03-20"),
        invoice("INV-1", "C-2", "2026-02-25", "IMP", "4000.00", "0.00"),
    ]);
    let gl = general_ledger(&envelopes);
    // Delivered is not enough.
    assert_eq!(balance(&gl, "2026-02-19", Account::RevenueMilestone), "0.00");
    // Accepted and not yet billed: a contract asset.
    assert_eq!(balance(&gl, "2026-02-20", Account::RevenueMilestone), "-4000.00");
    assert_eq!(balance(&gl, "2026-02-20", Account::ContractAsset), "4000.00");
    assert_eq!(balance(&gl, "2026-02-20", Account::DeferredRevenue), "0.00");
    // Billed on the 25th: the invoice clears the contract asset.
    let invoice = &entries_of(&gl, "2026-02-28", JournalKind::Invoice)[0];
    assert_eq!(
        lines(invoice),
        [(Account::AccountsReceivable, "4000.00", "0.00"), (Account::DeferredRevenue, "0.00", "4000.00")]
    );
    for on in ["2026-02-28", "2026-03-31", "2026-12-31"] {
        assert_eq!(balance(&gl, on, Account::RevenueMilestone), "-4000.00", "{on}");
        assert_eq!(balance(&gl, on, Account::ContractAsset), "0.00", "{on}");
        assert_eq!(balance(&gl, on, Account::DeferredRevenue), "0.00", "{on}");
        assert_zero(&gl.trial_balance(d(on)));
    }
}

#[test]
fn time_and_materials_is_recognized_on_approval_and_billed_in_arrears() {
    let envelopes = log(&[
        customer("ACME"),
        time_and_materials("C-3", "150.00"),
        json!({"type": "time_approved", "contract": "C-3", "line": "TM", "hours": "10", "approved_on": "2026-03-15"}),
        json!({"type": "time_approved", "contract": "C-3", "line": "TM", "hours": "2.5", "rate": "200.00", "approved_on": "2026-03-28"}),
        invoice("INV-1", "C-3", "2026-04-01", "TM", "2000.00", "0.00"),
    ]);
    let gl = general_ledger(&envelopes);
    assert_eq!(balance(&gl, "2026-03-14", Account::RevenueTimeAndMaterials), "0.00");
    assert_eq!(balance(&gl, "2026-03-15", Account::RevenueTimeAndMaterials), "-1500.00");
    assert_eq!(balance(&gl, "2026-03-31", Account::RevenueTimeAndMaterials), "-2000.00");
    assert_eq!(balance(&gl, "2026-03-31", Account::ContractAsset), "2000.00");
    let april = gl.trial_balance(d("2026-04-01"));
    assert_eq!(april.balance(USD, Account::ContractAsset), "0.00");
    assert_eq!(april.balance(USD, Account::DeferredRevenue), "0.00");
    assert_eq!(april.balance(USD, Account::AccountsReceivable), "2000.00");
    let invoice = &entries_of(&gl, "2026-04-01", JournalKind::Invoice)[0];
    assert_eq!(
        lines(invoice),
        [(Account::AccountsReceivable, "2000.00", "0.00"), (Account::ContractAsset, "0.00", "2000.00")]
    );
    assert_zero(&april);
}

#[test]
fn mid_term_upgrade_is_recognized_prospectively() {
    let envelopes = log(&[
        customer("ACME"),
        subscription("C-4", "12000.00"),
        invoice("INV-1", "C-4", "2026-01-01", "SUB", "12000.00", "0.00"),
        json!({"type": "contract_modified", "contract": "C-4", "effective_on": "2026-07-01", "treatment": "prospective",
               "changes": [{"change": "amend", "line": "SUB", "price": "18000.00"}]}),
        invoice("INV-2", "C-4", "2026-07-01", "SUB", "6000.00", "0.00"),
    ]);
    let gl = general_ledger(&envelopes);
    // 1,000.00 a month to June; then the 6,000.00 left plus the 6,000.00
    // added over the six months left: 2,000.00 a month.
    for (on, revenue, deferred) in [
        ("2026-06-30", "-6000.00", "-6000.00"),
        ("2026-07-31", "-8000.00", "-10000.00"),
        ("2026-09-30", "-12000.00", "-6000.00"),
        ("2026-12-31", "-18000.00", "0.00"),
    ] {
        let tb = gl.trial_balance(d(on));
        assert_eq!(tb.balance(USD, Account::RevenueRatable), revenue, "{on}");
        assert_eq!(tb.balance(USD, Account::DeferredRevenue), deferred, "{on}");
        assert_zero(&tb);
    }
    let july = entries_of(&gl, "2026-07-31", JournalKind::Recognition).pop().unwrap();
    assert_eq!((july.date, july.event_type.as_str()), (d("2026-07-31"), "contract_modified"));
    assert_eq!(
        lines(&july),
        [(Account::DeferredRevenue, "2000.00", "0.00"), (Account::RevenueRatable, "0.00", "2000.00")]
    );
}

#[test]
fn credit_memo_after_two_months_is_contra_revenue_and_tax() {
    let envelopes = log(&[
        customer("ACME"),
        subscription("C-5", "12000.00"),
        invoice("INV-1", "C-5", "2026-01-01", "SUB", "12000.00", "1065.00"),
        json!({"type": "credit_memo_issued", "memo": "CM-1", "invoice": "INV-1", "amount": "1306.50", "currency": "USD",
               "issued_on": "2026-03-05", "reason": "goodwill", "approved_by": "Dana",
               "approver_role": "vp_revenue_operations"}),
    ]);
    let gl = general_ledger(&envelopes);
    let memo = &entries_of(&gl, "2026-03-31", JournalKind::CreditMemo)[0];
    // 1,306.50 in the invoice's proportion 12,000 : 1,065.
    assert_eq!(
        lines(memo),
        [
            (Account::ContraRevenueCreditMemos, "1200.00", "0.00"),
            (Account::TaxPayable, "106.50", "0.00"),
            (Account::AccountsReceivable, "0.00", "1306.50"),
        ]
    );
    assert_eq!((memo.date, memo.contract.as_deref()), (d("2026-03-05"), Some("C-5")));
    let tb = gl.trial_balance(d("2026-03-31"));
    assert_eq!(tb.balance(USD, Account::RevenueRatable), "-3000.00");
    assert_eq!(tb.balance(USD, Account::ContraRevenueCreditMemos), "1200.00");
    // The schedule is unchanged: deferred revenue is billed − recognized.
    assert_eq!(tb.balance(USD, Account::DeferredRevenue), "-9000.00");
    assert_eq!(tb.balance(USD, Account::AccountsReceivable), "11758.50");
    assert_eq!(tb.balance(USD, Account::TaxPayable), "-958.50");
    assert_zero(&tb);
}

#[test]
fn payment_received_then_applied_then_refunded() {
    let envelopes = log(&[
        customer("ACME"),
        subscription("C-6", "1200.00"),
        invoice("INV-1", "C-6", "2026-01-01", "SUB", "1200.00", "0.00"),
        json!({"type": "payment_received", "payment": "P-1", "customer": "ACME", "amount": "1500.00", "currency": "USD",
               "received_on": "2026-02-10", "method": "wire"}),
        json!({"type": "payment_applied", "payment": "P-1", "invoice": "INV-1", "amount": "1200.00", "currency": "USD",
               "applied_on": "2026-02-12"}),
        json!({"type": "payment_refunded", "payment": "P-1", "amount": "300.00", "currency": "USD",
               "refunded_on": "2026-02-20", "reason": "overpaid"}),
    ]);
    let gl = general_ledger(&envelopes);
    let received = gl.trial_balance(d("2026-02-10"));
    assert_eq!(received.balance(USD, Account::Cash), "1500.00");
    assert_eq!(received.balance(USD, Account::UnappliedCash), "-1500.00");
    assert_eq!(received.balance(USD, Account::AccountsReceivable), "1200.00");
    let applied = gl.trial_balance(d("2026-02-12"));
    assert_eq!(applied.balance(USD, Account::UnappliedCash), "-300.00");
    assert_eq!(applied.balance(USD, Account::AccountsReceivable), "0.00");
    let apply = &entries_of(&gl, "2026-02-28", JournalKind::PaymentApplied)[0];
    assert_eq!(
        lines(apply),
        [(Account::UnappliedCash, "1200.00", "0.00"), (Account::AccountsReceivable, "0.00", "1200.00")]
    );
    let refund = &entries_of(&gl, "2026-02-28", JournalKind::PaymentRefunded)[0];
    assert_eq!(lines(refund), [(Account::UnappliedCash, "300.00", "0.00"), (Account::Cash, "0.00", "300.00")]);
    let end = gl.trial_balance(d("2026-02-28"));
    assert_eq!(end.balance(USD, Account::Cash), "1200.00");
    assert_eq!(end.balance(USD, Account::UnappliedCash), "0.00");
    assert_zero(&end);
}

#[test]
fn write_off_moves_the_open_amount_to_bad_debt() {
    let envelopes = log(&[
        customer("ACME"),
        subscription("C-7", "1200.00"),
        invoice("INV-1", "C-7", "2026-01-01", "SUB", "1200.00", "0.00"),
        json!({"type": "payment_received", "payment": "P-1", "customer": "ACME", "amount": "400.00", "currency": "USD",
               "received_on": "2026-02-10", "method": "check"}),
        json!({"type": "payment_applied", "payment": "P-1", "invoice": "INV-1", "amount": "400.00", "currency": "USD",
               "applied_on": "2026-02-10"}),
        json!({"type": "invoice_written_off", "invoice": "INV-1", "amount": "800.00", "currency": "USD",
               "written_off_on": "2026-06-30", "reason": "insolvent"}),
    ]);
    let gl = general_ledger(&envelopes);
    let write_off = &entries_of(&gl, "2026-06-30", JournalKind::WriteOff)[0];
    assert_eq!(
        lines(write_off),
        [(Account::BadDebtExpense, "800.00", "0.00"), (Account::AccountsReceivable, "0.00", "800.00")]
    );
    let tb = gl.trial_balance(d("2026-06-30"));
    assert_eq!(tb.balance(USD, Account::AccountsReceivable), "0.00");
    assert_eq!(tb.balance(USD, Account::BadDebtExpense), "800.00");
    assert_eq!(balance(&gl, "2026-06-29", Account::AccountsReceivable), "800.00");
    assert_zero(&tb);
}

/// rep-jane's booking plan: 10 % up to the 50,000.00 quota, 15 % above.
fn jane_plan() -> serde_json::Value {
    booking_plan("FY26", "rep-jane", "2026-01-01", "50000.00", ("0.10", "0.15"))
}

/// C-8, 60,000.00 over 2026, sold by rep-jane under FY26.
fn jane_signs_60000() -> serde_json::Value {
    jane_signs("C-8", "60000.00", "2026-01-01")
}

/// `contract` for `price` over 2026, signed on `signed_on` by rep-jane under FY26.
fn jane_signs(contract: &str, price: &str, signed_on: &str) -> serde_json::Value {
    let mut signed = sold_by("rep-jane", contract, price, signed_on);
    signed["commission_plan"] = json!("FY26");
    signed
}

/// `contract` for `price` over 2026, signed on `signed_on`, with `rep` as
/// its account executive and no plan named: it counts under the rep's plan
/// in force on the signing date.
fn sold_by(rep: &str, contract: &str, price: &str, signed_on: &str) -> serde_json::Value {
    let mut signed = subscription(contract, price);
    signed["signed_on"] = json!(signed_on);
    signed["assigned_ae"] = json!(rep);
    signed
}

/// A booking plan of `rep` in USD from `effective_on`: `rate` up to
/// `quota`, `above` beyond it.
fn booking_plan(
    plan: &str,
    rep: &str,
    effective_on: &str,
    quota: &str,
    (rate, above): (&str, &str),
) -> serde_json::Value {
    json!({"type": "commission_plan_defined", "plan": plan, "rep": rep, "quota": quota, "currency": "USD",
           "basis": "booking",
           "tiers": [{"from_attainment": "0", "rate": rate}, {"from_attainment": "1.0", "rate": above}],
           "clawback_months": 6, "payout_day": 15, "effective_on": effective_on})
}

/// (date, original date, event type, expense debit, expense credit) of
/// the commission entries as of `on`, of `kind`.
fn commission_entries(
    gl: &GeneralLedger,
    on: &str,
    kind: JournalKind,
) -> Vec<(NaiveDate, Option<NaiveDate>, String, String, String)> {
    entries_of(gl, on, kind)
        .into_iter()
        .map(|e| {
            let expense = e.lines.iter().find(|l| l.account == Account::CommissionExpense).expect("an expense line");
            (e.date, e.original_date, e.event_type, expense.debit.clone(), expense.credit.clone())
        })
        .collect()
}

#[test]
fn commission_is_earned_on_the_booking_and_paid() {
    let envelopes = log(&[
        customer("ACME"),
        jane_plan(),
        jane_signs_60000(),
        json!({"type": "commission_paid", "rep": "rep-jane", "amount": "6500.00", "currency": "USD",
               "paid_on": "2026-02-15", "period": "2026-01"}),
    ]);
    let gl = general_ledger(&envelopes);
    // 10 % of the first 50,000.00 and 15 % of the 10,000.00 above quota.
    let earned = &entries_of(&gl, "2026-01-31", JournalKind::CommissionEarned)[0];
    assert_eq!(
        lines(earned),
        [(Account::CommissionExpense, "6500.00", "0.00"), (Account::CommissionsPayable, "0.00", "6500.00")]
    );
    assert_eq!((earned.date, earned.event_type.as_str()), (d("2026-01-01"), "contract_signed"));
    assert_eq!(balance(&gl, "2026-01-31", Account::CommissionsPayable), "-6500.00");
    let paid = &entries_of(&gl, "2026-02-28", JournalKind::CommissionPaid)[0];
    assert_eq!(lines(paid), [(Account::CommissionsPayable, "6500.00", "0.00"), (Account::Cash, "0.00", "6500.00")]);
    let tb = gl.trial_balance(d("2026-02-28"));
    assert_eq!(tb.balance(USD, Account::CommissionsPayable), "0.00");
    assert_eq!(tb.balance(USD, Account::CommissionExpense), "6500.00");
    assert_eq!(tb.balance(USD, Account::Cash), "-6500.00");
    assert_zero(&tb);
}

/// The ledger books what the commissions report computes: an amendment's
/// price difference is credited, an adjustment and a granted dispute count
/// once each, and a backdated adjustment after a close is a catch-up in the
/// first open month.
#[test]
fn commission_follows_the_commissions_report_and_catches_up_after_a_close() {
    let envelopes = log(&[
        customer("ACME"),
        jane_plan(),
        jane_signs_60000(),
        close("2026-01", "2026-02-03"),
        json!({"type": "commission_adjusted", "rep": "rep-jane", "amount": "250.00", "currency": "USD",
               "adjusted_on": "2026-01-20", "reason": "SPIF"}),
        json!({"type": "contract_modified", "contract": "C-8", "effective_on": "2026-02-10", "treatment": "prospective",
               "changes": [{"change": "amend", "line": "SUB", "price": "70000.00"}]}),
        json!({"type": "commission_paid", "rep": "rep-jane", "amount": "6500.00", "currency": "USD",
               "paid_on": "2026-02-15", "period": "2026-01"}),
        json!({"type": "commission_dispute_opened", "dispute": "CD-1", "rep": "rep-jane", "amount": "300.00",
               "currency": "USD", "opened_on": "2026-02-16", "reason": "split deal"}),
        json!({"type": "commission_dispute_resolved", "dispute": "CD-1", "resolved_on": "2026-02-20",
               "granted": "100.00", "currency": "USD"}),
    ]);
    let gl = general_ledger(&envelopes);
    let mut commissions = revops_projections::Commissions::default();
    envelopes.iter().for_each(|e| revops_projections::Projection::apply(&mut commissions, e));
    let report = commissions.report(d("2026-02-28")).unwrap();
    let jane = &report.reps[0].totals;
    // The report: 6,500.00 on the signing (as above), 1,500.00 on the
    // amendment (10,000.00 more, above quota at 15 %), the 250.00
    // adjustment and the 100.00 granted: 8,350.00 earned, 6,500.00 paid.
    assert_eq!((jane.earned.as_str(), jane.clawed_back.as_str()), ("8350.00", "0.00"));
    assert_eq!((jane.paid.as_str(), jane.payable.as_str()), ("6500.00", "1850.00"));
    let tb = gl.trial_balance(d("2026-02-28"));
    assert_eq!(tb.balance(USD, Account::CommissionExpense), "8350.00");
    assert_eq!(tb.balance(USD, Account::CommissionsPayable), "-1850.00");
    assert_zero(&tb);

    // January was closed with the signing's 6,500.00 only; the adjustment
    // dated January 20th is booked on February 1st, pointing to it.
    let january = YearMonth::new(2026, 1).unwrap();
    assert_eq!(tb.period_balance(USD, january, Account::CommissionExpense), "6500.00");
    let catch_up = &entries_of(&gl, "2026-02-28", JournalKind::CommissionCatchUp)[0];
    assert_eq!((catch_up.date, catch_up.original_date), (d("2026-02-01"), Some(d("2026-01-20"))));
    assert_eq!((catch_up.seq, catch_up.event_type.as_str()), (envelopes[4].seq.0, "commission_adjusted"));
    assert_eq!(
        lines(catch_up),
        [(Account::CommissionExpense, "250.00", "0.00"), (Account::CommissionsPayable, "0.00", "250.00")]
    );
    // The amendment and the grant, each once, on their own dates.
    let earned = entries_of(&gl, "2026-02-28", JournalKind::CommissionEarned);
    let amendment = earned.iter().find(|e| e.event_type == "contract_modified").unwrap();
    assert_eq!(
        (amendment.date, lines(amendment)[0]),
        (d("2026-02-10"), (Account::CommissionExpense, "1500.00", "0.00"))
    );
    let adjusted = entries_of(&gl, "2026-02-28", JournalKind::CommissionAdjusted);
    let granted: Vec<_> = adjusted.iter().map(|e| (e.event_type.as_str(), e.date, lines(e)[0])).collect();
    assert_eq!(
        granted,
        [("commission_dispute_resolved", d("2026-02-20"), (Account::CommissionExpense, "100.00", "0.00"))]
    );
}

/// Each close freezes the commission of the month it closes, walking on
/// from the last close: a credit and a dispute grant recorded late into
/// closed months change the tiers of the credits after them, which the
/// next close books as one catch-up; closes after it walk on again, with
/// the clawbacks taken from the credits still standing.
#[test]
fn commission_closes_walk_on_and_catch_up_late_credits() {
    let envelopes = log(&[
        customer("ACME"),
        jane_plan(),
        jane_signs("C-8", "40000.00", "2026-01-01"),
        json!({"type": "commission_dispute_opened", "dispute": "CD-1", "rep": "rep-jane", "amount": "500.00",
               "currency": "USD", "opened_on": "2026-01-25", "reason": "split deal"}),
        close("2026-01", "2026-02-03"),
        jane_signs("C-10", "20000.00", "2026-02-10"),
        close("2026-02", "2026-03-03"),
        // Late into January: attainment reaches the quota before C-10.
        jane_signs("C-11", "10000.00", "2026-01-20"),
        json!({"type": "commission_dispute_resolved", "dispute": "CD-1", "resolved_on": "2026-02-20",
               "granted": "300.00", "currency": "USD"}),
        json!({"type": "contract_cancelled", "contract": "C-8", "effective_on": "2026-03-10", "reason": "acquired"}),
        close("2026-03", "2026-04-03"),
        json!({"type": "contract_cancelled", "contract": "C-10", "effective_on": "2026-04-15", "reason": "merged"}),
        close("2026-04", "2026-05-05"),
    ]);
    let gl = general_ledger(&envelopes);
    assert_eq!(gl.closed_through(), YearMonth::new(2026, 4).ok());
    let month = |m| YearMonth::new(2026, m).unwrap();
    let expense = |m| gl.trial_balance(d("2026-04-30")).period_balance(USD, month(m), Account::CommissionExpense);

    // Closing balances: January closed with C-8's 4,000.00 (10 %), February
    // added C-10's 2,500.00 (10,000.00 to quota at 10 %, 10,000.00 above at
    // 15 %).
    assert_eq!((expense(1), expense(2)), ("4000.00".to_owned(), "6500.00".to_owned()));
    // Now C-11 earns 1,000.00 and C-10 3,000.00, all at 15 %, and the grant
    // 300.00: the closed months hold 1,800.00 more, booked on March 1st,
    // pointing to the latest late event. March's cancellation of C-8 takes
    // its 40,000.00 back from attainment 70,000.00: 20,000.00 at 15 % and
    // 20,000.00 at 10 %.
    let march = (d("2026-03-01"), Some(d("2026-02-20")), "commission_dispute_resolved".to_owned());
    let catch_up = commission_entries(&gl, "2026-04-30", JournalKind::CommissionCatchUp);
    assert_eq!(catch_up, [(march.0, march.1, march.2, "1800.00".to_owned(), "0.00".to_owned())]);
    let clawbacks = commission_entries(&gl, "2026-04-30", JournalKind::CommissionClawback);
    let clawback =
        |on: &str, amount: &str| (d(on), None, "contract_cancelled".to_owned(), "0.00".to_owned(), amount.to_owned());
    // April's walks on from March's close: C-10's 20,000.00 back from
    // attainment 30,000.00, at 10 %.
    assert_eq!(clawbacks, [clawback("2026-03-10", "5000.00"), clawback("2026-04-15", "2000.00")]);
    assert_eq!((expense(3), expense(4)), ("3300.00".to_owned(), "1300.00".to_owned()));

    // The commissions report agrees: 8,300.00 earned, 7,000.00 clawed back.
    let report = gl.commissions().report(d("2026-04-30")).unwrap();
    let jane = &report.reps[0].totals;
    assert_eq!((jane.earned.as_str(), jane.clawed_back.as_str()), ("8300.00", "7000.00"));
    let tb = gl.trial_balance(d("2026-04-30"));
    assert_eq!(tb.balance(USD, Account::CommissionExpense), "1300.00");
    assert_zero(&tb);
}

/// A plan defined after a close re-routes contracts signed before it: from
/// the rep's year plan to a plan in force on their signing date, and to a
/// rep who had no plan when the month closed. The next close books each
/// rep's difference as a catch-up pointing to the definition.
#[test]
fn a_plan_defined_after_a_close_re_routes_closed_credits() {
    let envelopes = log(&[
        customer("ACME"),
        jane_plan(),
        jane_signs("C-8", "40000.00", "2026-01-01"),
        sold_by("rep-jane", "C-13", "20000.00", "2026-01-20"),
        sold_by("rep-kim", "C-14", "10000.00", "2026-01-25"),
        close("2026-01", "2026-02-03"),
        booking_plan("FY26-Q1", "rep-jane", "2026-01-15", "10000.00", ("0.20", "0.25")),
        booking_plan("FY26-KIM", "rep-kim", "2026-01-01", "100000.00", ("0.05", "0.05")),
        jane_signs("C-15", "10000.00", "2026-02-12"),
        close("2026-02", "2026-03-03"),
    ]);
    let gl = general_ledger(&envelopes);
    let january = YearMonth::new(2026, 1).unwrap();
    let tb = gl.trial_balance(d("2026-02-28"));
    // January closed with C-8's 4,000.00 and C-13's 2,500.00 under FY26;
    // rep-kim had no plan, so C-14 earned nothing.
    assert_eq!(tb.period_balance(USD, january, Account::CommissionExpense), "6500.00");

    // C-13 now counts under FY26-Q1 (in force from January 15th): 10,000.00
    // at 20 % and 10,000.00 at 25 %, 2,000.00 more than under FY26; C-14
    // under FY26-KIM at 5 %. C-15, under FY26 by name, is February's, at
    // 10 % from attainment 40,000.00.
    let catch_ups = commission_entries(&gl, "2026-02-28", JournalKind::CommissionCatchUp);
    let defined = |on: &str, amount: &str| {
        (d("2026-02-01"), Some(d(on)), "commission_plan_defined".to_owned(), amount.to_owned(), "0.00".to_owned())
    };
    assert_eq!(catch_ups, [defined("2026-01-15", "2000.00"), defined("2026-01-01", "500.00")]);
    let reps: Vec<_> = entries_of(&gl, "2026-02-28", JournalKind::CommissionCatchUp)
        .into_iter()
        .map(|e| (e.seq, e.event_id))
        .collect();
    assert_eq!(reps, [(envelopes[6].seq.0, envelopes[6].event_id), (envelopes[7].seq.0, envelopes[7].event_id)]);
    let earned = commission_entries(&gl, "2026-02-28", JournalKind::CommissionEarned);
    assert_eq!(earned.last().map(|e| (e.0, e.3.as_str())), Some((d("2026-02-12"), "1000.00")));
    assert_eq!(tb.balance(USD, Account::CommissionExpense), "10000.00");
    assert_zero(&tb);
}

#[test]
fn late_events_after_a_close_land_in_the_first_open_month() {
    let base = vec![
        customer("ACME"),
        time_and_materials("C-9", "100.00"),
        json!({"type": "time_approved", "contract": "C-9", "line": "TM", "hours": "5", "approved_on": "2026-01-10"}),
        close("2026-01", "2026-02-03"),
    ];
    let before = general_ledger(&log(&base));
    let mut late = base.clone();
    late.push(
        json!({"type": "time_approved", "contract": "C-9", "line": "TM", "hours": "3", "approved_on": "2026-01-20"}),
    );
    late.push(invoice("INV-1", "C-9", "2026-01-31", "TM", "800.00", "0.00"));
    let envelopes = log(&late);
    let after = general_ledger(&envelopes);

    // January, closed, reads the same before and after the late events.
    let january = |gl: &GeneralLedger| {
        let tb = gl.trial_balance(d("2026-03-31"));
        tb.periods.into_iter().filter(|p| p.period == YearMonth::new(2026, 1).unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(january(&before), january(&after));
    assert!(january(&after)[0].closed);
    assert_eq!(after.trial_balance(d("2026-01-31")), before.trial_balance(d("2026-01-31")));
    assert_eq!(balance(&after, "2026-01-31", Account::RevenueTimeAndMaterials), "-500.00");

    // The late approval is a catch-up on February 1st, pointing to it. The
    // late invoice, posted the same day, came first: it cleared January's
    // 500.00 of contract asset and left 300.00 deferred, which the catch-up
    // recognizes.
    let catch_up = &entries_of(&after, "2026-02-28", JournalKind::RecognitionCatchUp)[0];
    assert_eq!((catch_up.date, catch_up.original_date), (d("2026-02-01"), Some(d("2026-01-20"))));
    assert_eq!((catch_up.seq, catch_up.event_id), (envelopes[4].seq.0, envelopes[4].event_id));
    assert_eq!(
        lines(catch_up),
        [(Account::DeferredRevenue, "300.00", "0.00"), (Account::RevenueTimeAndMaterials, "0.00", "300.00")]
    );
    // The late invoice too, with its own date kept as the original.
    let invoice = &entries_of(&after, "2026-02-28", JournalKind::Invoice)[0];
    assert_eq!((invoice.date, invoice.period), (d("2026-02-01"), YearMonth::new(2026, 2).unwrap()));
    assert_eq!(invoice.original_date, Some(d("2026-01-31")));
    let tb = after.trial_balance(d("2026-02-28"));
    assert_eq!(tb.balance(USD, Account::RevenueTimeAndMaterials), "-800.00");
    assert_eq!(tb.balance(USD, Account::ContractAsset), "0.00");
    assert_eq!(tb.balance(USD, Account::AccountsReceivable), "800.00");
    assert_eq!(tb.period_balance(USD, YearMonth::new(2026, 1).unwrap(), Account::ContractAsset), "500.00");
    assert_zero(&tb);
}

#[test]
fn reapplying_an_envelope_changes_nothing() {
    let envelopes = log(&[
        customer("ACME"),
        subscription("C-1", "1200.00"),
        invoice("INV-1", "C-1", "2026-01-01", "SUB", "1200.00", "0.00"),
    ]);
    let once = general_ledger(&envelopes);
    let mut twice = general_ledger(&envelopes);
    use revops_projections::Projection;
    envelopes.iter().for_each(|e| twice.apply(e));
    assert_eq!(once.report(d("2026-12-31")), twice.report(d("2026-12-31")));
}

/// A T&M contract approved in January, February and March, closed monthly:
/// the ledger freezes each month as the schedule held it at the close,
/// whether it computes that at the close or later (see `ledger::freeze`).
fn approvals_closed_monthly() -> Vec<serde_json::Value> {
    let approved = |hours: &str, on: &str| json!({"type": "time_approved", "contract": "C-9", "line": "TM", "hours": hours, "approved_on": on});
    vec![
        customer("ACME"),
        time_and_materials("C-9", "100.00"),
        approved("5", "2026-01-10"),
        close("2026-01", "2026-02-03"),
        approved("4", "2026-02-12"),
        close("2026-02", "2026-03-03"),
        approved("1", "2026-03-05"),
    ]
}

fn revenue_by_month(gl: &GeneralLedger) -> Vec<String> {
    ["2026-01-31", "2026-02-28", "2026-03-31"]
        .iter()
        .map(|on| balance(gl, on, Account::RevenueTimeAndMaterials))
        .collect()
}

#[test]
fn closes_freeze_each_month_as_the_schedule_held_it_then() {
    let mut events = approvals_closed_monthly();
    let gl = general_ledger(&log(&events));
    assert_eq!(revenue_by_month(&gl), ["-500.00", "-900.00", "-1000.00"]);

    // A backdated approval changes a closed month: the months closed
    // before it stay as they were, and it is caught up on March 1st.
    events.push(
        json!({"type": "time_approved", "contract": "C-9", "line": "TM", "hours": "2", "approved_on": "2026-02-20"}),
    );
    events.push(close("2026-03", "2026-04-02"));
    let envelopes = log(&events);
    let gl = general_ledger(&envelopes);
    assert_eq!(revenue_by_month(&gl), ["-500.00", "-900.00", "-1200.00"]);
    let recognized =
        |kind| entries_of(&gl, "2026-03-31", kind).iter().map(|e| (e.date, e.original_date, e.seq)).collect::<Vec<_>>();
    let seq = |i: usize| envelopes[i].seq.0;
    assert_eq!(
        recognized(JournalKind::Recognition),
        [(d("2026-01-31"), None, seq(2)), (d("2026-02-28"), None, seq(4)), (d("2026-03-31"), None, seq(7))]
    );
    assert_eq!(recognized(JournalKind::RecognitionCatchUp), [(d("2026-03-01"), Some(d("2026-02-20")), seq(7))]);
    assert_zero(&gl.trial_balance(d("2026-03-31")));
}

#[test]
fn closes_stay_frozen_when_later_usage_breaks_the_schedule() {
    // Negative hours (the command API refuses them; an import does not)
    // make the term's schedule fail to compute: the closed months keep what
    // the schedule held at their closes, and the first close after the bad
    // record reverses what the term had recognized, as for any schedule
    // that stops computing.
    let mut events = approvals_closed_monthly();
    events.push(
        json!({"type": "time_approved", "contract": "C-9", "line": "TM", "hours": "-1", "approved_on": "2026-03-20"}),
    );
    let gl = general_ledger(&imported(&events));
    assert_eq!(revenue_by_month(&gl)[..2], ["-500.00", "-900.00"]);

    events.push(
        json!({"type": "time_approved", "contract": "C-9", "line": "TM", "hours": "2", "approved_on": "2026-02-20"}),
    );
    events.push(close("2026-03", "2026-04-02"));
    let gl = general_ledger(&imported(&events));
    assert_eq!(revenue_by_month(&gl), ["-500.00", "-900.00", "0.00"]);
    let catch_up = &entries_of(&gl, "2026-03-31", JournalKind::RecognitionCatchUp)[0];
    assert_eq!((catch_up.date, catch_up.original_date), (d("2026-03-01"), Some(d("2026-02-20"))));
    assert_eq!(
        lines(catch_up),
        [(Account::ContractAsset, "0.00", "900.00"), (Account::RevenueTimeAndMaterials, "900.00", "0.00")]
    );
    assert_zero(&gl.trial_balance(d("2026-03-31")));
}

#[test]
fn a_renewal_line_starting_in_a_closed_month_is_caught_up_not_frozen() {
    // Usage in January, closed; then a renewal for April on whose license
    // line starts on January 10th (the command API refuses such a line; an
    // import takes it): January stays as closed, the license is caught up
    // on February 1st.
    let mut signed = contract(
        "C-1",
        "monthly",
        json!([{"line": "U", "kind": "usage", "unit_price": "1.00", "recognition": {"method": "usage"}}]),
    );
    signed["end_date"] = json!("2026-03-31");
    let events = [
        customer("ACME"),
        signed,
        json!({"type": "usage_recorded", "contract": "C-1", "line": "U", "quantity": "100", "incurred_on": "2026-01-15"}),
        close("2026-01", "2026-02-03"),
        json!({"type": "contract_renewed", "contract": "C-1", "renewed_on": "2026-03-01",
               "start_date": "2026-04-01", "end_date": "2026-12-31",
               "lines": [{"line": "LIC", "kind": "perpetual_license", "price": "1000.00", "start_date": "2026-01-10",
                          "recognition": {"method": "point_in_time"}}]}),
    ];
    let envelopes = imported(&events);
    let gl = general_ledger(&envelopes);
    assert_eq!(balance(&gl, "2026-01-31", Account::RevenueUsage), "-100.00");
    assert_eq!(balance(&gl, "2026-01-31", Account::RevenuePointInTime), "0.00");
    let catch_up = &entries_of(&gl, "2026-04-30", JournalKind::RecognitionCatchUp)[0];
    assert_eq!((catch_up.date, catch_up.original_date), (d("2026-02-01"), Some(d("2026-03-01"))));
    assert_eq!(catch_up.seq, envelopes[4].seq.0);
    assert_eq!(
        lines(catch_up),
        [(Account::ContractAsset, "1000.00", "0.00"), (Account::RevenuePointInTime, "0.00", "1000.00")]
    );
    assert_zero(&gl.trial_balance(d("2026-04-30")));
}
