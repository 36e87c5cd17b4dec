//! The text forms of the five reports of revops-projections, as the CLI
//! prints them: a headline section per report, and with `detail` the rows
//! behind it. The JSON forms are the report types themselves.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use revops_projections::aging::AgingReport;
use revops_projections::commissions::CommissionsReport;
use revops_projections::ledger::LedgerReport;
use revops_projections::mrr::MrrReport;
use revops_projections::schedules::SchedulesReport;
use revops_projections::Reports;
use serde::Serialize;

use crate::table::{Align, Table};

/// How many months of the MRR bridge a text report shows.
const MRR_MONTHS: usize = 12;

/// The snake_case name a value serializes to (an account, a bucket, a basis).
pub(crate) fn name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

fn or_dash(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "-".into())
}

/// A table whose first `left` columns (names, ids, dates) are aligned left
/// and the rest (amounts, counts) right.
fn columns(left: usize, headers: &[&str]) -> Table {
    let specs: Vec<(&str, Align)> =
        headers.iter().enumerate().map(|(i, &h)| (h, if i < left { Align::Left } else { Align::Right })).collect();
    Table::new(&specs)
}

/// The trial balance by currency (closing balances by account) and, with
/// `detail`, every period's movements.
pub fn ledger(report: &LedgerReport, detail: bool) -> String {
    let mut out = format!("General ledger as of {}\n", report.as_of);
    let _ = writeln!(out, "{} journal entries, {} events unposted", report.entries.len(), report.unposted.len());
    for currency in &report.trial_balance.closing {
        let _ = writeln!(out, "\nTrial balance, {}", currency.currency);
        let mut table = Table::new(&[
            ("CODE", Align::Left),
            ("ACCOUNT", Align::Left),
            ("DEBITS", Align::Right),
            ("CREDITS", Align::Right),
            ("BALANCE", Align::Right),
        ]);
        for a in &currency.accounts {
            table.row(vec![
                a.code.to_string(),
                name(&a.account),
                a.debits.clone(),
                a.credits.clone(),
                a.balance.clone(),
            ]);
        }
        let _ = table.write(&mut out);
        let _ = writeln!(out, "Debit balances {} = credit balances {}", currency.debits, currency.credits);
    }
    if detail {
        for period in &report.trial_balance.periods {
            let closed = if period.closed { " (closed)" } else { "" };
            let _ = writeln!(out, "\n{} {}{closed}", period.period, period.currency);
            let mut table = columns(1, &["ACCOUNT", "DEBITS", "CREDITS", "BALANCE"]);
            for a in &period.accounts {
                table.row(vec![name(&a.account), a.debits.clone(), a.credits.clone(), a.balance.clone()]);
            }
            let _ = table.write(&mut out);
        }
        for u in &report.unposted {
            let _ = writeln!(out, "unposted: #{} {} ({}): {}", u.seq, u.event_type, u.event_id, u.reason);
        }
    }
    out
}

/// Totals per currency and, with `detail`, one row per contract.
pub fn schedules(report: &SchedulesReport, detail: bool) -> String {
    let mut out = format!("Revenue schedules as of {}\n\n", report.as_of);
    let mut totals =
        columns(1, &["CURRENCY", "TOTAL", "RECOGNIZED", "REMAINING", "BILLED", "CREDITED", "DEFERRED", "UNBILLED"]);
    for t in &report.totals {
        totals.row(vec![
            t.currency.to_string(),
            t.total.clone(),
            t.recognized.clone(),
            t.remaining.clone(),
            t.billed.clone(),
            t.credited.clone(),
            t.deferred.clone(),
            t.unbilled.clone(),
        ]);
    }
    let _ = totals.write(&mut out);
    if detail {
        out.push('\n');
        let mut table = columns(
            3,
            &[
                "CONTRACT",
                "CUSTOMER",
                "CURRENCY",
                "TOTAL",
                "RECOGNIZED",
                "REMAINING",
                "BILLED NET",
                "DEFERRED",
                "UNBILLED",
            ],
        );
        for c in &report.contracts {
            table.row(vec![
                c.contract.clone(),
                c.customer.clone(),
                c.currency.to_string(),
                c.total.clone(),
                c.recognized.clone(),
                c.remaining.clone(),
                c.billed_net.clone(),
                c.deferred.clone(),
                c.unbilled.clone(),
            ]);
        }
        let _ = table.write(&mut out);
    }
    out
}

/// Buckets, DSO, days to pay and collection rate per currency and, with
/// `detail`, the open invoices.
pub fn aging(report: &AgingReport, detail: bool) -> String {
    let mut out = format!(
        "AR aging as of {} ({} basis; rates over the {} days from {})\n\n",
        report.as_of,
        name(&report.basis).replace('_', " "),
        report.period_days,
        report.period_start
    );
    let mut table = columns(
        1,
        &["CURRENCY", "NOT DUE", "0-30", "31-60", "61-90", "91+", "TOTAL", "DSO", "DAYS TO PAY", "COLLECTED %"],
    );
    for c in &report.currencies {
        let b = &c.buckets;
        table.row(vec![
            c.currency.to_string(),
            b.not_due.clone(),
            b.days_0_30.clone(),
            b.days_31_60.clone(),
            b.days_61_90.clone(),
            b.days_91_plus.clone(),
            b.total.clone(),
            or_dash(&c.dso_days),
            or_dash(&c.average_days_to_pay),
            or_dash(&c.collection_rate_pct),
        ]);
    }
    let _ = table.write(&mut out);
    if detail {
        out.push('\n');
        let mut table =
            columns(5, &["INVOICE", "CUSTOMER", "CURRENCY", "ISSUED", "DUE", "TOTAL", "OPEN", "AGE", "BUCKET"]);
        for i in &report.invoices {
            table.row(vec![
                i.invoice.clone(),
                i.customer.clone(),
                i.currency.to_string(),
                i.issued_on.to_string(),
                i.due_on.to_string(),
                i.total.clone(),
                i.open.clone(),
                i.age_days.to_string(),
                name(&i.bucket),
            ]);
        }
        let _ = table.write(&mut out);
    }
    out
}

/// MRR and ARR per currency, the bridge of the last months and, with
/// `detail`, MRR per customer.
pub fn mrr(report: &MrrReport, detail: bool) -> String {
    let mut out = format!("MRR as of {}\n\n", report.as_of);
    let mut totals = columns(1, &["CURRENCY", "MRR", "ARR", "CUSTOMERS"]);
    for t in &report.totals {
        totals.row(vec![t.currency.to_string(), t.mrr.clone(), t.arr.clone(), t.customers.to_string()]);
    }
    let _ = totals.write(&mut out);
    let months: BTreeSet<_> = report.months.iter().map(|m| m.month).collect();
    let shown: Vec<_> = months.into_iter().rev().take(MRR_MONTHS).collect();
    out.push('\n');
    let mut bridge = columns(
        2,
        &["MONTH", "CURRENCY", "START", "NEW", "EXPANSION", "REACTIVATION", "CONTRACTION", "CHURN", "END", "NET %"],
    );
    for m in report.months.iter().filter(|m| shown.contains(&m.month)) {
        bridge.row(vec![
            m.month.to_string(),
            m.currency.to_string(),
            m.start_mrr.clone(),
            m.new.clone(),
            m.expansion.clone(),
            m.reactivation.clone(),
            m.contraction.clone(),
            m.churn.clone(),
            m.end_mrr.clone(),
            or_dash(&m.net_change_pct),
        ]);
    }
    let _ = bridge.write(&mut out);
    if detail {
        out.push('\n');
        let mut table = columns(2, &["CUSTOMER", "CURRENCY", "MRR", "ARR"]);
        for c in &report.customers {
            table.row(vec![c.customer.clone(), c.currency.to_string(), c.mrr.clone(), c.arr.clone()]);
        }
        let _ = table.write(&mut out);
    }
    out
}

/// Per rep: earned, paid, clawed back, payable, next payout and open
/// disputes; with `detail`, attainment per plan.
pub fn commissions(report: &CommissionsReport, detail: bool) -> String {
    let mut out = format!("Commissions as of {}\n\n", report.as_of);
    let mut table =
        columns(2, &["REP", "CURRENCY", "EARNED", "PAID", "CLAWED BACK", "PAYABLE", "NEXT PAYOUT", "OPEN DISPUTES"]);
    for r in &report.reps {
        table.row(vec![
            r.rep.clone(),
            r.currency.to_string(),
            r.totals.earned.clone(),
            r.totals.paid.clone(),
            r.totals.clawed_back.clone(),
            r.totals.payable.clone(),
            r.next_payout_on.map_or_else(|| "-".into(), |d| d.to_string()),
            format!("{} ({})", r.open_disputes.len(), r.disputed),
        ]);
    }
    let _ = table.write(&mut out);
    if detail {
        out.push('\n');
        let mut plans = columns(4, &["REP", "PLAN", "BASIS", "YEAR FROM", "QUOTA", "CREDITED", "ATTAINMENT %"]);
        for r in &report.reps {
            for p in &r.plans {
                plans.row(vec![
                    r.rep.clone(),
                    p.plan.clone(),
                    name(&p.basis),
                    p.year_start.to_string(),
                    p.quota.clone(),
                    p.credited.clone(),
                    p.attainment_pct.clone(),
                ]);
            }
        }
        let _ = plans.write(&mut out);
    }
    out
}

/// The headline sections of all five reports, one after another.
pub fn summary(reports: &Reports) -> String {
    [
        ledger(&reports.ledger, false),
        schedules(&reports.schedules, false),
        aging(&reports.aging, false),
        mrr(&reports.mrr, false),
        commissions(&reports.commissions, false),
    ]
    .join("\n")
}
