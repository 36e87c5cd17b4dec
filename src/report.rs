//! The schedule report of a contract as of a date: a serializable struct with
//! stable field names (amounts as strings in the contract's minor units), and
//! its text rendering.

use std::fmt;

use revops_core::modification::{LineChange, Treatment};
use revops_core::schedule::{EntryKind, RevenueSchedule};
use revops_core::terms::{RatableBasis, Recognition};
use revops_core::{Currency, Money, NaiveDate};
use serde::Serialize;

use crate::contract_file::ContractFile;
use crate::table::{Align, Table};

/// The version of the JSON report's shape; raised whenever a field is renamed
/// or removed (adding a field does not raise it).
pub const REPORT_VERSION: u32 = 1;

/// A contract's revenue schedule as of a date, ready to print or serialize.
///
/// Every amount is a string with exactly the currency's minor places
/// (`"1000.00"` in USD, `"1000"` in JPY); dates are `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduleReport {
    /// Always `"schedule"`.
    pub report: &'static str,
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// The contract id.
    pub contract: String,
    /// The customer id.
    pub customer: String,
    /// The contract currency (ISO 4217 code).
    pub currency: Currency,
    /// First day of service, inclusive.
    pub start_date: NaiveDate,
    /// Last day of service, inclusive.
    pub end_date: NaiveDate,
    /// The date the figures are as of: entries whose period ends on or before
    /// it are recognized.
    pub as_of: NaiveDate,
    /// What the contract recognizes in total under the terms in force on
    /// `as_of` (modifications effective later are left out).
    pub total: String,
    /// What the contract recognizes in total once every modification in the
    /// file has taken effect.
    pub final_total: String,
    /// Revenue recognized as of `as_of`.
    pub recognized_to_date: String,
    /// What remains to be recognized as of `as_of` (`total` less
    /// `recognized_to_date`).
    pub deferred: String,
    /// The contract modifications, in effective-date order.
    pub modifications: Vec<ModificationReport>,
    /// One summary per line, in schedule order (lines added by modifications
    /// last).
    pub lines: Vec<LineReport>,
    /// Every schedule entry, grouped by line, each line in date order.
    pub entries: Vec<EntryReport>,
    /// Revenue per calendar month of recognition, months without entries
    /// left out.
    pub waterfall: Vec<MonthReport>,
}

/// A contract modification, in brief.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModificationReport {
    /// The first day the new terms apply.
    pub effective_on: NaiveDate,
    /// `separate_contract`, `prospective` or `cumulative_catch_up`.
    pub treatment: Treatment,
    /// The ids of the lines it adds, amends or removes, in its order.
    pub lines: Vec<String>,
}

/// One line's figures as of the report date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineReport {
    /// The line id.
    pub line: String,
    /// The product sold (empty when the file does not say).
    pub product: String,
    /// The recognition method: `ratable`, `milestone`,
    /// `time_and_materials`, `point_in_time` or `usage`.
    pub method: &'static str,
    /// The month weighting of a ratable line (`monthly` or `daily`), else
    /// null.
    pub basis: Option<RatableBasis>,
    /// What the line recognizes in total under the terms in force on `as_of`
    /// (its allocated price, or the variable consideration performed by then).
    pub total: String,
    /// Revenue of the line recognized as of the report date.
    pub recognized_to_date: String,
    /// What remains to be recognized on the line as of the report date.
    pub deferred: String,
    /// The part of `total` that has no schedule entry yet because it waits
    /// for performance (a milestone not yet accepted).
    pub unscheduled: String,
}

/// One schedule entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntryReport {
    /// The line id.
    pub line: String,
    /// First day the entry covers.
    pub period_start: NaiveDate,
    /// Last day the entry covers; the day it is recognized.
    pub period_end: NaiveDate,
    /// `recognition`, `catch_up` or `remainder`.
    pub kind: EntryKind,
    /// The amount.
    pub amount: String,
    /// True when `period_end` is on or before the report date.
    pub recognized: bool,
}

/// One month of the waterfall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthReport {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Revenue recognized in the month.
    pub amount: String,
    /// Revenue recognized through the end of the month.
    pub cumulative: String,
}

/// An amount with exactly the currency's minor places.
fn amount(money: Money) -> String {
    let mut value = money.amount;
    if value.scale() != money.currency.minor_units() {
        value.rescale(money.currency.minor_units());
    }
    value.to_string()
}

const fn treatment_name(treatment: Treatment) -> &'static str {
    match treatment {
        Treatment::SeparateContract => "separate_contract",
        Treatment::Prospective => "prospective",
        Treatment::CumulativeCatchUp => "cumulative_catch_up",
    }
}

const fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Recognition => "recognition",
        EntryKind::CatchUp => "catch_up",
        EntryKind::Remainder => "remainder",
    }
}

impl ScheduleReport {
    /// The report of `schedule`, the schedule of `file`, as of `as_of`.
    pub fn new(file: &ContractFile, schedule: &RevenueSchedule, as_of: NaiveDate) -> Self {
        let currency = schedule.currency();
        let money = |minor: i64| Money::from_minor(minor, currency);
        let ids = schedule.line_ids();

        let mut modifications: Vec<ModificationReport> = file
            .modifications
            .iter()
            .map(|m| ModificationReport {
                effective_on: m.effective_on,
                treatment: m.treatment,
                lines: m
                    .changes
                    .iter()
                    .map(|change| match change {
                        LineChange::Add { line } => line.line.clone(),
                        LineChange::Amend { line, .. } | LineChange::Remove { line } => line.clone(),
                    })
                    .collect(),
            })
            .collect();
        // The order modifications apply in (a stable sort keeps same-day ones
        // in file order).
        modifications.sort_by_key(|m| m.effective_on);

        let lines = ids
            .iter()
            .enumerate()
            .map(|(index, id)| {
                let terms = file.line(id);
                let recognition = terms.map(|l| l.recognition);
                let scheduled = money(schedule.line_entries(index).map(|e| e.amount_minor).sum());
                let total = schedule.line_total(index);
                let unscheduled = Money::new(total.amount - scheduled.amount, currency);
                LineReport {
                    line: id.clone(),
                    product: terms.map(|l| l.product.clone()).unwrap_or_default(),
                    method: recognition.map_or("", Recognition::name),
                    basis: match recognition {
                        Some(Recognition::Ratable { basis }) => Some(basis),
                        _ => None,
                    },
                    total: amount(schedule.line_total_as_of(index, as_of)),
                    recognized_to_date: amount(schedule.line_recognized_as_of(index, as_of)),
                    deferred: amount(schedule.line_deferred_as_of(index, as_of)),
                    unscheduled: amount(unscheduled),
                }
            })
            .collect();

        let entries = schedule
            .entries()
            .iter()
            .map(|e| EntryReport {
                line: ids[e.line as usize].clone(),
                period_start: e.period_start,
                period_end: e.period_end,
                kind: e.kind,
                amount: amount(money(e.amount_minor)),
                recognized: e.period_end <= as_of,
            })
            .collect();

        let mut cumulative = Money::zero(currency).amount;
        let waterfall = schedule
            .by_month()
            .into_iter()
            .map(|(month, money)| {
                cumulative += money.amount;
                MonthReport {
                    month: month.to_string(),
                    amount: amount(money),
                    cumulative: amount(Money::new(cumulative, currency)),
                }
            })
            .collect();

        ScheduleReport {
            report: "schedule",
            version: REPORT_VERSION,
            contract: file.contract.contract.clone(),
            customer: file.contract.customer.clone(),
            currency,
            start_date: file.contract.start_date,
            end_date: file.contract.end_date,
            as_of,
            total: amount(schedule.total_as_of(as_of)),
            final_total: amount(schedule.total()),
            recognized_to_date: amount(schedule.recognized_as_of(as_of)),
            deferred: amount(schedule.deferred_as_of(as_of)),
            modifications,
            lines,
            entries,
            waterfall,
        }
    }

    /// The report as pretty-printed JSON, ending in a newline. The output is
    /// byte-identical for the same input.
    pub fn to_json(&self) -> Result<String, crate::Error> {
        let mut json = serde_json::to_string_pretty(self).map_err(crate::Error::Serialize)?;
        json.push('\n');
        Ok(json)
    }

    /// The report as text tables: a summary, the lines, the schedule entries
    /// and the monthly waterfall.
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ScheduleReport {
    /// The text form; see [`ScheduleReport::to_text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let customer = if self.customer.is_empty() { String::new() } else { format!(" (customer {})", self.customer) };
        writeln!(f, "Revenue schedule of contract {}{customer}", self.contract)?;
        writeln!(
            f,
            "Service {} to {}, amounts in {}, as of {}",
            self.start_date, self.end_date, self.currency, self.as_of
        )?;
        for m in &self.modifications {
            writeln!(
                f,
                "Modified {} ({}): {}",
                m.effective_on,
                treatment_name(m.treatment).replace('_', " "),
                m.lines.join(", ")
            )?;
        }
        writeln!(f)?;

        let mut summary = Table::new(&[("", Align::Left), ("", Align::Right)]);
        summary.row(vec!["Total".into(), self.total.clone()]);
        if self.final_total != self.total {
            summary.row(vec!["Total after later modifications".into(), self.final_total.clone()]);
        }
        summary.row(vec!["Recognized to date".into(), self.recognized_to_date.clone()]);
        summary.row(vec!["Deferred".into(), self.deferred.clone()]);
        summary.write_body(f)?;

        writeln!(f, "\nLines")?;
        let mut lines = Table::new(&[
            ("LINE", Align::Left),
            ("PRODUCT", Align::Left),
            ("METHOD", Align::Left),
            ("TOTAL", Align::Right),
            ("RECOGNIZED", Align::Right),
            ("DEFERRED", Align::Right),
            ("UNSCHEDULED", Align::Right),
        ]);
        for l in &self.lines {
            let method = match l.basis {
                Some(RatableBasis::Monthly) => format!("{} monthly", l.method),
                Some(RatableBasis::Daily) => format!("{} daily", l.method),
                None => l.method.to_owned(),
            };
            lines.row(vec![
                l.line.clone(),
                l.product.clone(),
                method,
                l.total.clone(),
                l.recognized_to_date.clone(),
                l.deferred.clone(),
                l.unscheduled.clone(),
            ]);
        }
        lines.write(f)?;

        writeln!(f, "\nSchedule")?;
        let as_of = format!("AS OF {}", self.as_of);
        let mut entries = Table::new(&[
            ("LINE", Align::Left),
            ("PERIOD START", Align::Left),
            ("PERIOD END", Align::Left),
            ("KIND", Align::Left),
            ("AMOUNT", Align::Right),
            (as_of.as_str(), Align::Left),
        ]);
        for e in &self.entries {
            entries.row(vec![
                e.line.clone(),
                e.period_start.to_string(),
                e.period_end.to_string(),
                kind_name(e.kind).into(),
                e.amount.clone(),
                if e.recognized { "recognized" } else { "scheduled" }.into(),
            ]);
        }
        entries.write(f)?;

        writeln!(f, "\nWaterfall")?;
        let mut waterfall =
            Table::new(&[("MONTH", Align::Left), ("AMOUNT", Align::Right), ("CUMULATIVE", Align::Right)]);
        for m in &self.waterfall {
            waterfall.row(vec![m.month.clone(), m.amount.clone(), m.cumulative.clone()]);
        }
        waterfall.write(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{
  "contract": {
    "contract": "C-7", "customer": "ACME", "currency": "JPY",
    "start_date": "2026-01-01", "end_date": "2026-03-31",
    "billing_frequency": "monthly", "payment_terms": "upfront",
    "lines": [
      { "line": "L1", "product": "Platform", "kind": "subscription", "price": "100000",
        "recognition": { "method": "ratable", "basis": "monthly" } },
      { "line": "M1", "kind": "milestone", "price": "50000",
        "recognition": { "method": "milestone" },
        "milestones": [ { "milestone": "a", "amount": "1" }, { "milestone": "b", "amount": "1" } ] }
    ]
  },
  "performance": { "milestones_accepted": [ { "line": "M1", "milestone": "a", "accepted_on": "2026-02-10" } ] }
}"#;

    fn report(as_of: &str) -> ScheduleReport {
        ContractFile::from_json_str(FILE).unwrap().report(Some(as_of.parse().unwrap())).unwrap()
    }

    #[test]
    fn a_modification_effective_later_does_not_change_earlier_figures() {
        let file = r#"{
  "contract": {
    "contract": "C-8", "currency": "USD", "start_date": "2026-01-01", "end_date": "2026-12-31",
    "billing_frequency": "monthly", "payment_terms": "net_30",
    "lines": [ { "line": "L1", "kind": "subscription", "price": "12000.00", "recognition": { "method": "ratable" } } ]
  },
  "modifications": [ { "effective_on": "2026-07-01", "treatment": "prospective",
    "changes": [ { "change": "amend", "line": "L1", "price": "18000.00" } ] } ]
}"#;
        let r = ContractFile::from_json_str(file).unwrap().report(Some("2026-03-31".parse().unwrap())).unwrap();
        let figures = (r.total.as_str(), r.final_total.as_str(), r.recognized_to_date.as_str(), r.deferred.as_str());
        assert_eq!(figures, ("12000.00", "18000.00", "3000.00", "9000.00"));
        assert_eq!(r.lines[0].total, "12000.00");
    }

    #[test]
    fn figures_as_of_a_date() {
        let r = report("2026-02-28");
        assert_eq!(
            (r.total.as_str(), r.recognized_to_date.as_str(), r.deferred.as_str()),
            ("150000", "91667", "58333")
        );
        assert_eq!(r.lines[0].method, "ratable");
        assert_eq!(r.lines[0].basis, Some(RatableBasis::Monthly));
        assert_eq!(r.lines[1].unscheduled, "25000");
        assert_eq!(r.entries.iter().filter(|e| e.recognized).count(), 3);
        let months: Vec<(&str, &str, &str)> =
            r.waterfall.iter().map(|m| (m.month.as_str(), m.amount.as_str(), m.cumulative.as_str())).collect();
        assert_eq!(
            months,
            [("2026-01", "33333", "33333"), ("2026-02", "58334", "91667"), ("2026-03", "33333", "125000")]
        );
    }

    #[test]
    fn json_has_stable_names_and_string_amounts() {
        let json: serde_json::Value = serde_json::from_str(&report("2026-01-31").to_json().unwrap()).unwrap();
        assert_eq!(json["report"], "schedule");
        assert_eq!(json["version"], 1);
        assert_eq!(json["currency"], "JPY");
        assert_eq!(json["as_of"], "2026-01-31");
        assert_eq!(json["recognized_to_date"], "33333");
        assert_eq!(json["entries"][0]["kind"], "recognition");
        assert_eq!(json["entries"][0]["period_end"], "2026-01-31");
        assert_eq!(json["lines"][1]["basis"], serde_json::Value::Null);
    }

    #[test]
    fn text_tables_are_aligned_without_trailing_spaces() {
        let text = report("2026-02-28").to_text();
        assert!(text.contains("\nRecognized to date   91667\n"), "{text}");
        assert!(text.contains("\nL1    2026-02-01    2026-02-28  recognition   33334  recognized\n"), "{text}");
        assert!(text.contains("\nM1    2026-02-10    2026-02-10  recognition   25000  recognized\n"), "{text}");
        assert!(text.contains("\nL1    2026-03-01    2026-03-31  recognition   33333  scheduled\n"), "{text}");
        assert!(text.lines().all(|l| !l.ends_with(' ')));
    }

    #[test]
    fn amounts_keep_the_minor_places() {
        assert_eq!(amount(Money::from_minor(120_000, Currency::USD)), "1200.00");
        assert_eq!(amount(Money::parse("5", Currency::BHD).unwrap()), "5.000");
        assert_eq!(amount(Money::from_minor(-1, Currency::USD)), "-0.01");
    }
}
