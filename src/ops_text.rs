//! The text forms of what the desk's commands return — a bill run, a
//! credit decision, a collections run — as the CLI prints them. The JSON forms are the types
//! themselves.

use std::fmt::Write as _;

use revops_events::ledger::{BillRun, BillRunInvoice, CreditDecision};

use crate::desk::CollectionsRun;
use crate::table::{Align, Table};
use crate::text::name;

fn invoices_table(invoices: &[BillRunInvoice]) -> Table {
    let mut table = Table::new(&[
        ("INVOICE", Align::Left),
        ("CONTRACT", Align::Left),
        ("CUSTOMER", Align::Left),
        ("PERIOD", Align::Left),
        ("DUE", Align::Left),
        ("PO", Align::Left),
        ("CURRENCY", Align::Left),
        ("AMOUNT", Align::Right),
        ("TAX", Align::Right),
        ("TOTAL", Align::Right),
    ]);
    for i in invoices {
        table.row(vec![
            i.invoice.to_string(),
            i.contract.to_string(),
            i.customer.to_string(),
            format!("{} to {}", i.period_start, i.period_end),
            i.due_on.to_string(),
            crate::text::or_dash(&i.po_number),
            i.currency.to_string(),
            i.amount.clone(),
            i.tax.clone(),
            i.total.clone(),
        ]);
    }
    table
}

/// The invoices a bill run issued, withheld and refused.
pub(crate) fn bill_run(run: &BillRun, _detail: bool) -> String {
    let mut out = format!(
        "Bill run as of {}: {} issued, {} withheld (credit hold), {} refused\n",
        run.as_of,
        run.issued.len(),
        run.withheld.len(),
        run.refused.len()
    );
    for (title, invoices) in [("Issued", &run.issued), ("Withheld: customer on credit hold", &run.withheld)] {
        if !invoices.is_empty() {
            let _ = writeln!(out, "\n{title}");
            let _ = invoices_table(invoices).write(&mut out);
        }
    }
    if !run.refused.is_empty() {
        let _ = writeln!(out, "\nRefused");
        let mut table = Table::new(&[("CONTRACT", Align::Left), ("PERIOD START", Align::Left), ("WHY", Align::Left)]);
        for r in &run.refused {
            table.row(vec![r.contract.to_string(), crate::text::date_or_dash(r.period_start), r.error.clone()]);
        }
        let _ = table.write(&mut out);
    }
    out
}

/// A credit decision with the figures behind it.
pub(crate) fn credit_decision(decision: &CreditDecision, _detail: bool) -> String {
    let terms: Vec<String> = decision.payment_terms.iter().map(name).collect();
    let mut out = format!("Credit check of {} as of {}\n\n", decision.customer, decision.as_of);
    let mut table = Table::new(&[("", Align::Left), ("", Align::Right)]);
    let currency = decision.currency;
    for (label, value) in [
        ("Outcome", name(&decision.outcome)),
        ("Rule", name(&decision.rule)),
        ("Category", name(&decision.category)),
        ("ARR", format!("{} {currency}", decision.arr)),
        ("Credit limit", format!("{} {currency}", decision.credit_limit)),
        ("Open AR", format!("{} {currency}", decision.open_ar)),
        ("Order", format!("{} {currency}", decision.order)),
        ("Exposure", format!("{} {currency}", decision.exposure)),
        ("Deposit", format!("{} {currency}", decision.deposit)),
        ("Payment terms allowed", terms.join(", ")),
    ] {
        table.row(vec![label.to_owned(), value]);
    }
    let _ = table.write_body(&mut out);
    let _ = writeln!(out, "\n{}", decision.reason);
    out
}

/// The steps a collections run recorded and the holds it placed and lifted.
pub(crate) fn collections_run(run: &CollectionsRun, _detail: bool) -> String {
    let mut out = format!(
        "Collections run as of {}: {} steps recorded, {} holds placed, {} released, {} refused\n",
        run.as_of,
        run.steps.len(),
        run.holds_placed.len(),
        run.holds_released.len(),
        run.refused.len()
    );
    if !run.steps.is_empty() {
        let mut table = Table::new(&[("INVOICE", Align::Left), ("CUSTOMER", Align::Left), ("STEP", Align::Left)]);
        for s in &run.steps {
            table.row(vec![s.invoice.clone(), s.customer.clone(), name(&s.step)]);
        }
        out.push('\n');
        let _ = table.write(&mut out);
    }
    for (title, customers) in
        [("Credit holds placed", &run.holds_placed), ("Credit holds released", &run.holds_released)]
    {
        if !customers.is_empty() {
            let _ = writeln!(out, "\n{title}: {}", customers.join(", "));
        }
    }
    for r in &run.refused {
        let _ = writeln!(out, "\nRefused: {}: {}", r.action, r.error);
    }
    out
}
