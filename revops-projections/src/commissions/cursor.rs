//! Commission entries at a period close, walked on from where the last
//! close left each plan.
//!
//! A close freezes the entries of the months it closes and books as a
//! catch-up what changed in the months closed before; both follow from the
//! walk of each plan's facts in business-date order (`Commissions::walk`),
//! and walking the whole history at every close costs more every month.
//! An entry depends only on the facts before it in its plan's walk, so the
//! cursor keeps each plan's walk where the last close left it and walks on
//! through the facts dated after that close's horizon: as long as nothing
//! dated on or before the horizon was added or re-routed, that is exactly
//! what the whole walk gives.
//!
//! A rep for whom something may have changed a closed month since the last
//! close — a fact, an adjustment or a dispute grant dated in one, a
//! contract that its plans gained or lost (a plan defined since re-routes
//! it), a change of the rep's currency — is walked again from its first
//! fact. Only such a rep can owe a catch-up: the others' closed months
//! still hold what was frozen.

use chrono::NaiveDate;
use revops_core::Currency;

use super::{Commissions, PlanState, RepAmountKind, RepEntry};
use crate::schedules::Source;

/// Each plan's walk as the last close left it; see the module docs.
#[derive(Clone, Debug, Default)]
pub(crate) struct EntryCursor {
    /// The day every plan was walked through: the horizon's last day after
    /// a close. `None` before the first close and after a failed one (a
    /// failed walk stops half-way): the next close walks every rep again.
    through: Option<NaiveDate>,
    /// How many of the projection's facts are in `plans`.
    facts_seen: usize,
    /// How many of its payouts and adjustments were looked at.
    amounts_seen: usize,
    /// How many plans were defined when `routes` were taken.
    plans_defined: usize,
    /// Per contract index, the plan whose walk takes its facts.
    routes: Vec<Option<u32>>,
    /// Per rep, its currency at the last close: adjustments and grants in
    /// another one do not count.
    currencies: Vec<Option<Currency>>,
    /// Per plan id.
    plans: Vec<PlanCursor>,
    /// Per rep, walked again from its first fact by the last `advance`.
    again: Vec<bool>,
}

#[derive(Clone, Debug, Default)]
struct PlanCursor {
    /// Every fact routed to the plan, by index, in log order.
    facts: Vec<u32>,
    /// Those dated after `through`, not walked yet.
    pending: Vec<u32>,
    state: PlanState,
}

impl EntryCursor {
    /// Walks every plan on through `until`, the last day of the month being
    /// closed. `horizon` is the last day of the months closed before and
    /// the position of the close that closed them.
    ///
    /// Hands `out` the entries dated after the horizon through `until`, and
    /// every entry through `until` of the reps walked again (see
    /// [`EntryCursor::walked_again`]), in no particular order. On failure,
    /// the first event in the whole walk's order whose commission could not
    /// be computed: plans in id order, and each plan's facts in the order
    /// of the whole walk.
    pub(crate) fn advance(
        &mut self,
        c: &Commissions,
        horizon: Option<(NaiveDate, u64)>,
        until: NaiveDate,
        out: &mut Vec<RepEntry>,
    ) -> Result<(), (Source, revops_core::Error)> {
        let resumed = self.through.filter(|&t| horizon.is_some_and(|(h, _)| h == t));
        self.through = None;
        self.again.clear();
        self.again.resize(c.rep_ids.len(), resumed.is_none());
        match resumed.zip(horizon) {
            Some((through, (_, close_seq))) => self.take_changes(c, through, close_seq),
            None => self.restart(c),
        }
        debug_assert_eq!(self.facts_seen, c.facts.len());

        // Each due fact's walk key, looked up once: comparing keys then
        // only compares dates and, on a tie, contract ids.
        let mut batch = Vec::new();
        for (id, plan) in self.plans.iter_mut().enumerate() {
            let Some(definition) = &c.plans[id] else { continue };
            if self.again[definition.rep as usize] {
                plan.state = PlanState::default();
                plan.pending.clone_from(&plan.facts);
            }
            batch.clear();
            plan.pending.retain(|&i| {
                let due = c.facts[i as usize].on <= until;
                if due {
                    batch.push(c.walk_key(i, |k| c.contract_ids.name(k)));
                }
                !due
            });
            // Keys end with the fact's index, so no two are equal.
            batch.sort_unstable();
            for &(_, _, i) in &batch {
                out.extend(c.step(id as u32, i, &mut plan.state)?.and_then(|change| change.entry()));
            }
        }
        let after = resumed.unwrap_or(NaiveDate::MIN);
        let again = &self.again;
        c.rep_changes(|on| on <= until, &mut |change| {
            if change.on > after || again[change.rep as usize] {
                out.extend(change.entry());
            }
        });
        self.through = Some(until);
        Ok(())
    }

    /// Whether the last [`EntryCursor::advance`] walked `rep` again from
    /// its first fact: only then did it hand out the rep's entries in
    /// closed months.
    pub(crate) fn walked_again(&self, rep: u32) -> bool {
        self.again.get(rep as usize).copied().unwrap_or(true)
    }

    /// Takes every fact from the start: every rep is walked again.
    fn restart(&mut self, c: &Commissions) {
        self.routes = (0..c.contracts.len() as u32).map(|k| c.route(k)).collect();
        self.plans_defined = defined(c);
        self.currencies = (0..c.rep_ids.len() as u32).map(|r| c.rep_currency(r)).collect();
        self.plans.clear();
        self.plans.resize_with(c.plans.len(), PlanCursor::default);
        self.regroup(c);
        self.amounts_seen = c.rep_amounts.len();
    }

    /// Takes what was recorded since the close at `close_seq`, which left
    /// every plan walked through `through`, and marks the reps it may have
    /// changed a closed month of.
    fn take_changes(&mut self, c: &Commissions, through: NaiveDate, close_seq: u64) {
        let known = self.routes.len();
        self.routes.extend((known as u32..c.contracts.len() as u32).map(|k| c.route(k)));
        self.plans.resize_with(c.plans.len(), PlanCursor::default);
        let rep_of = |plan: u32| c.plans[plan as usize].as_ref().map(|p| p.rep as usize);

        let mut rerouted = false;
        let defined = defined(c);
        if defined != self.plans_defined {
            self.plans_defined = defined;
            for k in 0..known {
                let route = c.route(k as u32);
                if route != self.routes[k] {
                    for rep in [self.routes[k], route].into_iter().flatten().filter_map(rep_of) {
                        self.again[rep] = true;
                    }
                    self.routes[k] = route;
                    rerouted = true;
                }
            }
        }
        for rep in 0..c.rep_ids.len() {
            let currency = c.rep_currency(rep as u32);
            if self.currencies.get(rep).copied().flatten() != currency {
                self.again[rep] = true;
            }
        }
        self.currencies = (0..c.rep_ids.len() as u32).map(|r| c.rep_currency(r)).collect();

        let first_new = self.facts_seen;
        if rerouted {
            self.regroup(c);
            for plan in &mut self.plans {
                plan.pending.retain(|&i| c.facts[i as usize].on > through);
            }
        } else {
            for i in first_new..c.facts.len() {
                let fact = &c.facts[i];
                if let Some(plan) = self.routes[fact.contract as usize] {
                    let plan = &mut self.plans[plan as usize];
                    plan.facts.push(i as u32);
                    if fact.on > through {
                        plan.pending.push(i as u32);
                    }
                }
            }
            self.facts_seen = c.facts.len();
        }
        for fact in c.facts.range(first_new, c.facts.len()).filter(|f| f.on <= through) {
            if let Some(rep) = self.routes[fact.contract as usize].and_then(rep_of) {
                self.again[rep] = true;
            }
        }

        for a in &c.rep_amounts[self.amounts_seen..] {
            if a.kind == RepAmountKind::Adjusted && a.on <= through {
                self.again[a.rep as usize] = true;
            }
        }
        self.amounts_seen = c.rep_amounts.len();
        for d in c.disputes.iter().flatten() {
            if d.resolved.is_some_and(|(on, _, source)| source.seq > close_seq && on <= through) {
                self.again[d.rep as usize] = true;
            }
        }
    }

    /// Groups every fact under the plan its contract routes to; nothing is
    /// walked yet.
    fn regroup(&mut self, c: &Commissions) {
        for plan in &mut self.plans {
            plan.facts.clear();
            plan.pending.clear();
        }
        for (i, fact) in c.facts.iter().enumerate() {
            if let Some(plan) = self.routes[fact.contract as usize] {
                let plan = &mut self.plans[plan as usize];
                plan.facts.push(i as u32);
                plan.pending.push(i as u32);
            }
        }
        self.facts_seen = c.facts.len();
    }
}

/// How many plans are defined: a new one may re-route contracts.
fn defined(c: &Commissions) -> usize {
    c.plans.iter().flatten().count()
}
