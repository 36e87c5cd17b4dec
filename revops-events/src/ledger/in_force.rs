//! A contract's terms as in force on a date: what the bill run bills and the
//! credit check counts.
//!
//! revops-core's billing schedule and the ARR arithmetic take one set of
//! lines; a term is its signed (or renewed) lines plus the modifications made
//! during it. This folds the modifications effective by the date into the
//! lines, the way revops-projections' `Mrr` reads them:
//!
//! - an added line joins, starting on its own start date, else on the
//!   effective date;
//! - an amendment replaces the line's price, SSP or end date: the new price
//!   is for the line's whole term, so the periods not yet billed are billed
//!   at the new rate and what was billed stays (no true-up; a difference is
//!   a credit memo or an invoice of its own);
//! - a removal keeps the line, whose periods before the effective date
//!   stay billable, and records from when it is gone.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use revops_core::modification::{LineChange, Modification};
use revops_core::terms::Contract;

use super::state::ContractState;

/// One term's lines on a date.
#[derive(Clone, Debug)]
pub(crate) struct InForce {
    /// The term with the modifications effective by the date applied.
    pub(crate) terms: Contract,
    /// Lines removed by then, with the first day they are gone.
    pub(crate) removed: BTreeMap<String, NaiveDate>,
}

impl InForce {
    /// The day `line` is removed from, if it is.
    pub(crate) fn removed_on(&self, line: &str) -> Option<NaiveDate> {
        self.removed.get(line).copied()
    }
}

/// `terms` with the `modifications` effective on or before `as_of` applied,
/// in effective-date order (log order on the same day).
pub(crate) fn in_force(terms: &Contract, modifications: &[Modification], as_of: NaiveDate) -> InForce {
    let mut order: Vec<&Modification> = modifications.iter().filter(|m| m.effective_on <= as_of).collect();
    order.sort_by_key(|m| m.effective_on);
    let mut out = InForce { terms: terms.clone(), removed: BTreeMap::new() };
    for m in order {
        for change in &m.changes {
            match change {
                LineChange::Add { line } => {
                    if out.terms.lines.iter().all(|l| l.line != line.line) {
                        let mut line = line.clone();
                        line.start_date.get_or_insert(m.effective_on);
                        out.terms.lines.push(line);
                    }
                }
                LineChange::Amend { line, price, ssp, end_date } => {
                    if let Some(l) = out.terms.lines.iter_mut().find(|l| l.line == *line) {
                        l.price = price.unwrap_or(l.price);
                        l.ssp = ssp.or(l.ssp);
                        l.end_date = end_date.or(l.end_date);
                    }
                }
                LineChange::Remove { line } => {
                    out.removed.entry(line.clone()).or_insert(m.effective_on);
                }
            }
        }
    }
    out
}

/// Every term of `contract` as in force on `as_of`, the earliest first.
pub(crate) fn terms_in_force(contract: &ContractState, as_of: NaiveDate) -> impl Iterator<Item = InForce> + '_ {
    let earlier = contract.earlier_terms.iter().map(move |t| in_force(&t.terms, &t.modifications, as_of));
    earlier.chain(std::iter::once(in_force(&contract.terms, &contract.modifications, as_of)))
}
