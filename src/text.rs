//! The text forms of the reports of revops-projections, as the CLI prints
//! them: a headline section per report, and with `detail` the rows behind
//! it; and of their views in a reporting currency ([`revops_projections::fx::views`]):
//! the rates used and the converted headline, one row per original currency
//! and a total. The JSON forms are the report and view types themselves.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::NaiveDate;
use revops_projections::aging::{AgingReport, Buckets};
use revops_projections::collections::CollectionsReport;
use revops_projections::commissions::{CommissionSums, CommissionsReport};
use revops_projections::disputes::DisputesReport;
use revops_projections::expansion::{ExpansionReport, ExpansionTotals};
use revops_projections::fx::views::{
    ConvertedAging, ConvertedCollections, ConvertedCommissions, ConvertedDisputes, ConvertedExpansion, ConvertedKpis,
    ConvertedLedger, ConvertedMrr, ConvertedPartners, ConvertedRenewals, ConvertedSchedules, KpiAmounts, Reporting,
};
use revops_projections::kpis::KpiReport;
use revops_projections::ledger::LedgerReport;
use revops_projections::mrr::{CurrencyMrr, MrrReport};
use revops_projections::partners::{PartnerTotals, PartnersReport};
use revops_projections::renewals::{RenewalTotals, RenewalsReport};
use revops_projections::schedules::{ScheduleTotals, SchedulesReport};
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

pub(crate) fn or_dash(value: &Option<String>) -> String {
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
        totals.row(with_label(t.currency.to_string(), schedule_cells(t)));
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
        let mut cells = with_label(c.currency.to_string(), bucket_cells(&c.buckets));
        cells.extend([&c.dso_days, &c.average_days_to_pay, &c.collection_rate_pct].map(or_dash));
        table.row(cells);
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
        totals.row(with_label(t.currency.to_string(), mrr_cells(t)));
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
        let mut cells = vec![r.rep.clone(), r.currency.to_string()];
        cells.extend(commission_cells(&r.totals));
        cells.extend([date_or_dash(r.next_payout_on), format!("{} ({})", r.open_disputes.len(), r.disputed)]);
        table.row(cells);
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

pub(crate) fn date_or_dash(date: Option<NaiveDate>) -> String {
    date.map_or_else(|| "-".into(), |d| d.to_string())
}

/// `label` followed by `cells`.
fn with_label(label: String, cells: impl IntoIterator<Item = String>) -> Vec<String> {
    std::iter::once(label).chain(cells).collect()
}

/// The five buckets and the total.
fn bucket_cells(b: &Buckets) -> [String; 6] {
    [&b.not_due, &b.days_0_30, &b.days_31_60, &b.days_61_90, &b.days_91_plus, &b.total].map(String::clone)
}

/// Total, recognized, remaining, billed, credited, deferred, unbilled.
fn schedule_cells(t: &ScheduleTotals) -> [String; 7] {
    [&t.total, &t.recognized, &t.remaining, &t.billed, &t.credited, &t.deferred, &t.unbilled].map(String::clone)
}

/// MRR, ARR, customers.
fn mrr_cells(t: &CurrencyMrr) -> [String; 3] {
    [t.mrr.clone(), t.arr.clone(), t.customers.to_string()]
}

/// Earned, paid, clawed back, payable.
fn commission_cells(t: &CommissionSums) -> [String; 4] {
    [&t.earned, &t.paid, &t.clawed_back, &t.payable].map(String::clone)
}

/// Contracts, ARR, by status, at risk, forecast.
fn renewal_cells(t: &RenewalTotals) -> [String; 7] {
    [
        t.contracts.to_string(),
        t.arr.clone(),
        t.green_arr.clone(),
        t.yellow_arr.clone(),
        t.red_arr.clone(),
        format!("{} ({})", t.arr_at_risk, t.at_risk_contracts),
        t.forecast_arr.clone(),
    ]
}

const RENEWAL_HEADERS: [&str; 8] =
    ["CURRENCY", "CONTRACTS", "ARR", "GREEN", "YELLOW", "RED", "AT RISK (CONTRACTS)", "FORECAST"];

/// Changes and the ARR effect of each class, expansion and net.
fn expansion_cells(t: &ExpansionTotals) -> [String; 9] {
    [
        t.changes.to_string(),
        t.seat_expansion.clone(),
        t.module_upsell.clone(),
        t.usage_overage.clone(),
        t.contract_uplift.clone(),
        t.contraction.clone(),
        t.term_change.clone(),
        t.expansion.clone(),
        t.net.clone(),
    ]
}

const EXPANSION_HEADERS: [&str; 10] =
    ["CURRENCY", "CHANGES", "SEATS", "MODULES", "USAGE", "UPLIFT", "CONTRACTION", "TERM", "EXPANSION", "NET"];

/// Total, sourced, influenced and co-sell ARR, SPIF, MDF.
fn partner_cells(t: &PartnerTotals) -> [String; 9] {
    [
        t.total_arr.clone(),
        t.sourced_arr.clone(),
        t.influenced_arr.clone(),
        t.co_sell_arr.clone(),
        t.spif_earned.clone(),
        t.spif_payable.clone(),
        t.mdf_allocated.clone(),
        t.mdf_spent.clone(),
        or_dash(&t.mdf_utilization_pct),
    ]
}

const PARTNER_HEADERS: [&str; 10] = [
    "CURRENCY",
    "TOTAL ARR",
    "SOURCED",
    "INFLUENCED",
    "CO-SELL",
    "SPIF EARNED",
    "SPIF PAYABLE",
    "MDF ALLOCATED",
    "MDF SPENT",
    "MDF USED %",
];

/// The collections ladder: counts and, with `detail`, the invoices on the
/// ladder and the credit holds in force, to place and to release.
pub fn collections(report: &CollectionsReport, detail: bool) -> String {
    let c = &report.counts;
    let mut out = format!("Collections as of {}\n", report.as_of);
    let _ = writeln!(
        out,
        "{} invoices on the ladder ({} paused by a dispute), {} steps due; \
         {} credit holds in force, {} to place, {} to release",
        c.invoices, c.paused, c.due_steps, c.holds, c.holds_to_place, c.holds_to_release
    );
    if detail {
        out.push('\n');
        let mut table = columns(
            4,
            &[
                "CUSTOMER",
                "INVOICE",
                "CURRENCY",
                "DUE",
                "OPEN",
                "PAST DUE",
                "LADDER",
                "REACHED",
                "STEPS DUE",
                "NEXT",
                "ON",
            ],
        );
        for i in &report.invoices {
            let due: Vec<String> = i.due.iter().map(name).collect();
            table.row(vec![
                i.customer.clone(),
                i.invoice.clone(),
                i.currency.to_string(),
                i.due_on.to_string(),
                i.open.clone(),
                i.days_past_due.to_string(),
                if i.paused { format!("{} paused", i.ladder_days) } else { i.ladder_days.to_string() },
                name(&i.reached),
                if due.is_empty() { "-".into() } else { due.join(",") },
                i.next_step.as_ref().map_or_else(|| "-".into(), name),
                date_or_dash(i.next_step_on),
            ]);
        }
        let _ = table.write(&mut out);
        for h in &report.holds {
            let _ = writeln!(out, "on hold: {} since {} ({})", h.customer, h.placed_on, h.reason);
        }
        for h in &report.holds_to_place {
            let _ = writeln!(
                out,
                "hold to place: {} ({} {} {}, {} ladder days)",
                h.customer, h.invoice, h.open, h.currency, h.ladder_days
            );
        }
        for h in &report.holds_to_release {
            let _ = writeln!(out, "hold to release: {} (placed {})", h.customer, h.placed_on);
        }
    }
    out
}

/// Disputes: counts and the amount under open disputes per currency; with
/// `detail`, the open and resolved disputes and the SLA breaches.
pub fn disputes(report: &DisputesReport, detail: bool) -> String {
    let c = &report.counts;
    let mut out = format!("Disputes as of {}\n", report.as_of);
    let _ = writeln!(
        out,
        "{} open ({} awaiting review, {} escalations due), {} resolved valid, {} invalid, {} SLA breaches\n",
        c.open, c.awaiting_review, c.escalations_due, c.resolved_valid, c.resolved_invalid, c.breaches
    );
    let mut table = columns(1, &["CURRENCY", "OPEN AMOUNT"]);
    for a in &report.open_amounts {
        table.row(vec![a.currency.to_string(), a.amount.clone()]);
    }
    let _ = table.write(&mut out);
    if detail {
        out.push('\n');
        let mut open = columns(
            5,
            &[
                "DISPUTE",
                "INVOICE",
                "CUSTOMER",
                "REASON",
                "CURRENCY",
                "AMOUNT",
                "OPENED",
                "AGE",
                "REVIEWED",
                "ESCALATED",
            ],
        );
        for d in &report.open {
            let f = &d.facts;
            open.row(vec![
                f.dispute.clone(),
                f.invoice.clone(),
                f.customer.clone(),
                name(&f.reason_code),
                f.currency.to_string(),
                f.amount.clone(),
                f.opened_on.to_string(),
                d.age_days.to_string(),
                date_or_dash(d.reviewed_on),
                date_or_dash(d.escalated_on),
            ]);
        }
        let _ = open.write(&mut out);
        out.push('\n');
        let mut resolved = columns(
            5,
            &["DISPUTE", "INVOICE", "CUSTOMER", "OUTCOME", "CURRENCY", "AMOUNT", "OPENED", "RESOLVED", "MEMO"],
        );
        for r in &report.resolved {
            let f = &r.facts;
            resolved.row(vec![
                f.dispute.clone(),
                f.invoice.clone(),
                f.customer.clone(),
                name(&r.outcome),
                f.currency.to_string(),
                f.amount.clone(),
                f.opened_on.to_string(),
                r.resolved_on.to_string(),
                or_dash(&r.credit_memo),
            ]);
        }
        let _ = resolved.write(&mut out);
        for b in &report.breaches {
            let _ = writeln!(
                out,
                "breach: {} {} due {}, done {}, {} days late",
                b.dispute,
                name(&b.kind).replace('_', " "),
                b.due_on,
                date_or_dash(b.done_on),
                b.days_late
            );
        }
    }
    out
}

/// The renewal pipeline's sums per currency and, with `detail`, every
/// contract up for renewal.
pub fn renewals(report: &RenewalsReport, detail: bool) -> String {
    let w = &report.weights;
    let mut out = format!(
        "Renewal pipeline as of {} (forecast weights green {}, yellow {}, red {})\n\n",
        report.as_of, w.green, w.yellow, w.red
    );
    let mut table = columns(1, &RENEWAL_HEADERS);
    for t in &report.totals {
        table.row(with_label(t.currency.to_string(), renewal_cells(t)));
    }
    let _ = table.write(&mut out);
    if detail {
        out.push('\n');
        let mut table = columns(
            10,
            &[
                "CONTRACT",
                "CUSTOMER",
                "OWNER",
                "CURRENCY",
                "ENDS",
                "ALERT",
                "STATUS",
                "REASON",
                "AT RISK",
                "LAST CONTACT",
                "ARR",
                "FORECAST",
            ],
        );
        for r in &report.renewals {
            table.row(vec![
                r.contract.clone(),
                r.customer.clone(),
                or_dash(&r.owner),
                r.currency.to_string(),
                r.end_date.to_string(),
                format!("{} ({} days)", name(&r.alert), r.days_to_end),
                name(&r.status),
                name(&r.reason),
                if r.at_risk { "yes" } else { "no" }.into(),
                date_or_dash(r.last_contact),
                r.arr.clone(),
                r.forecast_arr.clone(),
            ]);
        }
        let _ = table.write(&mut out);
    }
    out
}

/// The ARR effects by class per currency and, with `detail`, every change.
pub fn expansion(report: &ExpansionReport, detail: bool) -> String {
    let mut out = format!("Expansion as of {}\n\n", report.as_of);
    let mut table = columns(1, &EXPANSION_HEADERS);
    for t in &report.totals {
        table.row(with_label(t.currency.to_string(), expansion_cells(t)));
    }
    let _ = table.write(&mut out);
    if detail {
        out.push('\n');
        let mut table = columns(
            7,
            &[
                "EFFECTIVE",
                "CONTRACT",
                "CUSTOMER",
                "LINE",
                "PRODUCT",
                "CLASS",
                "CURRENCY",
                "BEFORE",
                "AFTER",
                "ARR EFFECT",
            ],
        );
        for c in &report.changes {
            table.row(vec![
                c.effective_on.to_string(),
                c.contract.clone(),
                c.customer.clone(),
                c.line.clone(),
                c.product.clone(),
                name(&c.class),
                c.currency.to_string(),
                or_dash(&c.price_before),
                or_dash(&c.price_after),
                c.arr_effect.clone(),
            ]);
        }
        let _ = table.write(&mut out);
    }
    out
}

/// The partner desk's sums per currency and, with `detail`, every partner,
/// attribution and sourcing conflict.
pub fn partners(report: &PartnersReport, detail: bool) -> String {
    let mut out = format!("Partners as of {}\n\n", report.as_of);
    let mut table = columns(1, &PARTNER_HEADERS);
    for t in &report.totals {
        table.row(with_label(t.currency.to_string(), partner_cells(t)));
    }
    let _ = table.write(&mut out);
    if detail {
        out.push('\n');
        let mut desks = columns(
            2,
            &["PARTNER", "CURRENCY", "SOURCED", "INFLUENCED", "CO-SELL", "SPIF PAYABLE", "MDF BALANCE", "MDF USED %"],
        );
        for p in &report.partners {
            desks.row(vec![
                p.partner.clone(),
                p.currency.to_string(),
                format!("{} ({})", p.sourced_arr, p.sourced_contracts),
                format!("{} ({})", p.influenced_arr, p.influenced_contracts),
                format!("{} ({})", p.co_sell_arr, p.co_sell_contracts),
                p.spif_payable.clone(),
                p.mdf_balance.clone(),
                or_dash(&p.mdf_utilization_pct),
            ]);
        }
        let _ = desks.write(&mut out);
        out.push('\n');
        let mut rows =
            columns(5, &["CONTRACT", "PARTNER", "KIND", "ATTRIBUTED", "CURRENCY", "SHARE", "CONTRACT ARR", "CREDITED"]);
        for a in &report.attributions {
            rows.row(vec![
                a.contract.clone(),
                a.partner.clone(),
                name(&a.kind),
                a.attributed_on.to_string(),
                a.currency.to_string(),
                a.share.to_string(),
                a.contract_arr.clone(),
                if a.counted { a.credited_arr.clone() } else { format!("{} (repeat)", a.credited_arr) },
            ]);
        }
        let _ = rows.write(&mut out);
        for c in &report.conflicts {
            let _ = writeln!(
                out,
                "not counted: {} sourced by {} on {}, already sourced by {} on {}",
                c.contract, c.partner, c.attributed_on, c.sourced_by, c.sourced_on
            );
        }
    }
    out
}

/// The KPIs per currency (receivables, then subscriptions) and, with
/// `detail`, retention per signup cohort.
pub fn kpis(report: &KpiReport, detail: bool) -> String {
    let mut out = format!(
        "KPIs as of {} (receivables from {}; churn and retention from the end of {}; gross margin {})\n",
        report.as_of, report.period_start, report.window_start, report.gross_margin
    );
    let _ = writeln!(out, "Average days to pay, all currencies: {}\n", or_dash(&report.average_days_to_pay));
    let mut receivables = columns(
        1,
        &[
            "CURRENCY",
            "DSO",
            "DAYS TO PAY",
            "COLLECTED %",
            "INVOICED (N)",
            "CREDITED (N)",
            "CREDIT %",
            "DISPUTED (N)",
            "DISPUTE %",
        ],
    );
    let mut subscriptions = columns(
        1,
        &["CURRENCY", "MRR", "CUSTOMERS", "ARPA", "CHURNED", "CUSTOMER-MONTHS", "CHURN %", "LTV", "GRR %", "NRR %"],
    );
    for k in &report.currencies {
        receivables.row(vec![
            k.currency.to_string(),
            or_dash(&k.dso_days),
            or_dash(&k.average_days_to_pay),
            or_dash(&k.collection_rate_pct),
            format!("{} ({})", k.invoiced, k.invoices_issued),
            format!("{} ({})", k.credited, k.credit_memos),
            or_dash(&k.credit_memo_rate_pct),
            format!("{} ({})", k.disputed, k.disputes),
            or_dash(&k.dispute_rate_pct),
        ]);
        subscriptions.row(vec![
            k.currency.to_string(),
            k.mrr.clone(),
            k.customers.to_string(),
            or_dash(&k.arpa),
            k.churned_customers.to_string(),
            k.customer_months.to_string(),
            or_dash(&k.monthly_churn_rate_pct),
            or_dash(&k.lifetime_value),
            or_dash(&k.grr_pct),
            or_dash(&k.nrr_pct),
        ]);
    }
    let w = &report.renewal_weights;
    let mut renewals = columns(1, &["CURRENCY", "RENEWALS IN 90 DAYS", "ARR", "FORECAST ARR"]);
    for k in &report.currencies {
        renewals.row(vec![
            k.currency.to_string(),
            k.renewals_in_90_days.to_string(),
            k.renewal_arr.clone(),
            k.renewal_forecast_arr.clone(),
        ]);
    }
    let _ = receivables.write(&mut out);
    out.push('\n');
    let _ = subscriptions.write(&mut out);
    let _ = writeln!(out, "\nRenewal forecast (weights green {}, yellow {}, red {})", w.green, w.yellow, w.red);
    let _ = renewals.write(&mut out);
    if detail {
        out.push('\n');
        let mut cohorts = columns(
            2,
            &[
                "CURRENCY",
                "COHORT",
                "CUSTOMERS",
                "AT START",
                "START MRR",
                "EXPANSION",
                "REACTIVATION",
                "CONTRACTION",
                "CHURN",
                "END MRR",
                "GRR %",
                "NRR %",
            ],
        );
        for c in &report.cohorts {
            cohorts.row(vec![
                c.currency.to_string(),
                c.cohort.to_string(),
                c.customers.to_string(),
                c.customers_at_start.to_string(),
                c.start_mrr.clone(),
                c.expansion.clone(),
                c.reactivation.clone(),
                c.contraction.clone(),
                c.churn.clone(),
                c.end_mrr.clone(),
                or_dash(&c.grr_pct),
                or_dash(&c.nrr_pct),
            ]);
        }
        let _ = cohorts.write(&mut out);
    }
    out
}

/// The heading of a report in a reporting currency: the title, and the rate
/// used for each other currency.
fn converted_heading(title: &str, reporting: &Reporting) -> String {
    let mut out = format!("{title} as of {} in {}\n", reporting.as_of, reporting.currency);
    for r in reporting.rates.iter().filter(|r| r.from != r.to) {
        let set = date_or_dash(r.on);
        let _ = if r.inverse {
            writeln!(out, "rate: 1 {} = {} {} (set {set}, used inverse)", r.to, r.rate, r.from)
        } else {
            writeln!(out, "rate: 1 {} = {} {} (set {set})", r.from, r.rate, r.to)
        };
    }
    out.push('\n');
    out
}

/// A converted headline: `headers`, one row per original currency (the
/// converted figures) and the total row.
fn converted_table(
    mut out: String,
    headers: &[&str],
    rows: impl IntoIterator<Item = (String, Vec<String>)>,
    total: Vec<String>,
) -> String {
    let mut table = columns(1, headers);
    for (label, cells) in rows {
        table.row(with_label(label, cells));
    }
    table.row(with_label("TOTAL".into(), total));
    let _ = table.write(&mut out);
    out
}

/// The AR aging buckets in the reporting currency.
pub fn converted_aging(view: &ConvertedAging) -> String {
    converted_table(
        converted_heading("AR aging", &view.reporting),
        &["FROM", "NOT DUE", "0-30", "31-60", "61-90", "91+", "TOTAL"],
        view.currencies.iter().map(|c| (c.currency.to_string(), bucket_cells(&c.converted).to_vec())),
        bucket_cells(&view.total).to_vec(),
    )
}

/// The consolidated closing balances in the reporting currency.
pub fn converted_ledger(view: &ConvertedLedger) -> String {
    let mut out = converted_heading("Trial balance", &view.reporting);
    let mut table = columns(2, &["CODE", "ACCOUNT", "BALANCE"]);
    for a in &view.consolidated {
        table.row(vec![a.code.to_string(), name(&a.account), a.converted.clone()]);
    }
    let _ = table.write(&mut out);
    for c in &view.currencies {
        let _ = writeln!(out, "From {}: debit balances {} = credit balances {}", c.currency, c.debits, c.credits);
    }
    let _ = writeln!(out, "Debit balances {} = credit balances {}", view.debits, view.credits);
    out
}

/// The schedule totals in the reporting currency.
pub fn converted_schedules(view: &ConvertedSchedules) -> String {
    converted_table(
        converted_heading("Revenue schedules", &view.reporting),
        &["FROM", "TOTAL", "RECOGNIZED", "REMAINING", "BILLED", "CREDITED", "DEFERRED", "UNBILLED"],
        view.currencies.iter().map(|c| (c.original.currency.to_string(), schedule_cells(&c.converted).to_vec())),
        schedule_cells(&view.total).to_vec(),
    )
}

/// MRR and ARR in the reporting currency.
pub fn converted_mrr(view: &ConvertedMrr) -> String {
    converted_table(
        converted_heading("MRR", &view.reporting),
        &["FROM", "MRR", "ARR", "CUSTOMERS"],
        view.currencies.iter().map(|c| (c.original.currency.to_string(), mrr_cells(&c.converted).to_vec())),
        mrr_cells(&view.total).to_vec(),
    )
}

/// Commissions per rep in the reporting currency.
pub fn converted_commissions(view: &ConvertedCommissions) -> String {
    converted_table(
        converted_heading("Commissions", &view.reporting),
        &["REP", "FROM", "EARNED", "PAID", "CLAWED BACK", "PAYABLE"],
        view.reps.iter().map(|r| (r.rep.clone(), with_label(r.currency.to_string(), commission_cells(&r.converted)))),
        with_label("-".into(), commission_cells(&view.total)),
    )
}

/// The ladder's open amounts in the reporting currency.
pub fn converted_collections(view: &ConvertedCollections) -> String {
    let cells = |a: &revops_projections::fx::views::CollectionsAmounts| {
        vec![a.invoices.to_string(), a.open.clone(), a.holds_to_place.to_string(), a.holds_to_place_open.clone()]
    };
    converted_table(
        converted_heading("Collections", &view.reporting),
        &["FROM", "INVOICES", "OPEN", "HOLDS TO PLACE", "THEIR OPEN"],
        view.currencies.iter().map(|c| (c.currency.to_string(), cells(&c.converted))),
        cells(&view.total),
    )
}

/// The amounts under open disputes in the reporting currency.
pub fn converted_disputes(view: &ConvertedDisputes) -> String {
    let disputes = view.currencies.iter().map(|c| c.disputes).sum::<u64>();
    converted_table(
        converted_heading("Open disputes", &view.reporting),
        &["FROM", "DISPUTES", "OPEN AMOUNT"],
        view.currencies
            .iter()
            .map(|c| (c.currency.to_string(), vec![c.disputes.to_string(), c.converted_open.clone()])),
        vec![disputes.to_string(), view.total_open.clone()],
    )
}

/// The renewal pipeline's sums in the reporting currency.
pub fn converted_renewals(view: &ConvertedRenewals) -> String {
    converted_table(
        converted_heading("Renewal pipeline", &view.reporting),
        &RENEWAL_HEADERS,
        view.currencies.iter().map(|c| (c.original.currency.to_string(), renewal_cells(&c.converted).to_vec())),
        renewal_cells(&view.total).to_vec(),
    )
}

/// The ARR effects by class in the reporting currency.
pub fn converted_expansion(view: &ConvertedExpansion) -> String {
    converted_table(
        converted_heading("Expansion", &view.reporting),
        &EXPANSION_HEADERS,
        view.currencies.iter().map(|c| (c.original.currency.to_string(), expansion_cells(&c.converted).to_vec())),
        expansion_cells(&view.total).to_vec(),
    )
}

/// The partner desk's sums in the reporting currency.
pub fn converted_partners(view: &ConvertedPartners) -> String {
    converted_table(
        converted_heading("Partners", &view.reporting),
        &PARTNER_HEADERS,
        view.currencies.iter().map(|c| (c.original.currency.to_string(), partner_cells(&c.converted).to_vec())),
        partner_cells(&view.total).to_vec(),
    )
}

/// The KPIs' amounts in the reporting currency.
pub fn converted_kpis(view: &ConvertedKpis) -> String {
    let cells = |a: &KpiAmounts| {
        vec![
            a.invoiced.clone(),
            a.credited.clone(),
            a.disputed.clone(),
            a.mrr.clone(),
            a.customers.to_string(),
            or_dash(&a.arpa),
            or_dash(&a.lifetime_value),
            a.renewal_arr.clone(),
            a.renewal_forecast_arr.clone(),
        ]
    };
    converted_table(
        converted_heading("KPIs", &view.reporting),
        &["FROM", "INVOICED", "CREDITED", "DISPUTED", "MRR", "CUSTOMERS", "ARPA", "LTV", "RENEWAL ARR", "FORECAST ARR"],
        view.currencies.iter().map(|c| (c.currency.to_string(), cells(&c.converted))),
        cells(&view.total),
    )
}
