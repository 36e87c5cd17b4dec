//! Revenue recognition: a contract's terms, what was performed and its
//! modifications in; its [`RevenueSchedule`] out.
//!
//! The transaction price (the sum of fixed line prices) is allocated to the
//! fixed-price lines by standalone selling price before anything is
//! recognized. Variable lines (time and materials, usage) keep their own
//! consideration: it is not known at signing and belongs to the line that
//! earns it.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::{DateRange, YearMonth};
use crate::modification::{LineChange, Modification, Treatment};
use crate::performance::{by_month, Performance};
use crate::ratable::ratable_into;
use crate::rounding::{allocate_minor, integer_weights_into, RoundingMode, SpreadRule};
use crate::schedule::{EntryKind, RevenueSchedule, ScheduleLine};
use crate::terms::{Contract, ContractLine, Milestone, Recognition, MAX_LINES};
use crate::{Currency, Error, Money, MAX_MINOR_UNITS};

/// The most modifications one contract's schedule is computed from.
pub const MAX_MODIFICATIONS: usize = 1_000;

/// The rounding choices of recognition, always named.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RecognitionSettings {
    /// How ratable amounts are spread over months.
    pub spread: SpreadRule,
    /// How hours × rate and quantity × unit price are rounded.
    pub extension: RoundingMode,
}

/// Computes revenue schedules, reusing its scratch buffers from one contract
/// to the next so that a batch of contracts allocates nothing per line.
///
/// ```
/// use revops_core::performance::Performance;
/// use revops_core::recognition::{Recognizer, RecognitionSettings};
/// use revops_core::schedule::RevenueSchedule;
/// use revops_core::terms::*;
/// use revops_core::{Currency, Decimal};
///
/// let contract = Contract {
///     contract: "C-1".into(),
///     customer: "ACME".into(),
///     currency: Currency::USD,
///     start_date: "2026-01-01".parse()?,
///     end_date: "2026-12-31".parse()?,
///     billing_frequency: BillingFrequency::Annually,
///     payment_terms: PaymentTerms::Net30,
///     lines: vec![ContractLine {
///         line: "L1".into(),
///         product: "Platform".into(),
///         kind: LineKind::Subscription,
///         quantity: Decimal::ONE,
///         unit_price: None,
///         price: Decimal::from(12_000),
///         ssp: None,
///         recognition: Recognition::Ratable { basis: RatableBasis::Monthly },
///         start_date: None,
///         end_date: None,
///         milestones: vec![],
///         not_to_exceed_hours: None,
///     }],
/// };
/// let mut recognizer = Recognizer::new(RecognitionSettings::default());
/// let mut schedule = RevenueSchedule::new(Currency::USD);
/// recognizer.schedule_into(&contract, &Performance::default(), &[], &mut schedule)?;
/// assert_eq!(schedule.recognized_as_of("2026-03-31".parse()?).to_string(), "3000.00 USD");
/// assert_eq!(schedule.deferred_as_of("2026-03-31".parse()?).to_string(), "9000.00 USD");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Recognizer {
    settings: RecognitionSettings,
    weights: Vec<u128>,
    allocated: Vec<i64>,
    parts: Vec<i64>,
    scratch: Vec<ScheduleLine>,
    priced: Vec<(NaiveDate, i64)>,
}

/// Computes the schedule of one contract with fresh buffers. Use a
/// [`Recognizer`] for many contracts.
pub fn schedule(
    contract: &Contract,
    performance: &Performance,
    modifications: &[Modification],
    settings: RecognitionSettings,
) -> Result<RevenueSchedule, Error> {
    let mut out = RevenueSchedule::new(contract.currency);
    Recognizer::new(settings).schedule_into(contract, performance, modifications, &mut out)?;
    Ok(out)
}

impl Recognizer {
    /// A recognizer with `settings`.
    pub fn new(settings: RecognitionSettings) -> Self {
        Recognizer { settings, ..Recognizer::default() }
    }

    /// The settings in force.
    pub fn settings(&self) -> RecognitionSettings {
        self.settings
    }

    /// Replaces `out` with the schedule of `contract` given what was
    /// `performance`d and its `modifications` (applied in effective-date
    /// order). On error `out` is left empty.
    pub fn schedule_into(
        &mut self,
        contract: &Contract,
        performance: &Performance,
        modifications: &[Modification],
        out: &mut RevenueSchedule,
    ) -> Result<(), Error> {
        out.clear(contract.currency);
        let result = if modifications.is_empty() {
            self.unmodified(contract, performance, out)
        } else {
            self.modified(contract, performance, modifications, out)
        };
        match result {
            // Line ids are overwritten in place; drop the ones past this contract.
            Ok(()) => out.line_ids.truncate(out.line_totals.len()),
            Err(_) => {
                out.clear(contract.currency);
                out.line_ids.clear();
            }
        }
        result
    }

    /// Allocates the fixed prices of `lines` (variable lines get zero) into
    /// `self.allocated`, in line order.
    fn allocate_lines<'a, I>(&mut self, currency: Currency, lines: I) -> Result<(), Error>
    where
        I: Iterator<Item = &'a ContractLine> + Clone,
    {
        self.allocated.clear();
        self.weights.clear();
        let fixed = lines.clone().filter(|l| !l.recognition.is_variable());
        let mut total = 0i64;
        let mut count = 0usize;
        for line in fixed.clone() {
            let price = Money::new(line.price, currency).to_minor()?;
            total = total.checked_add(price).ok_or(Error::MinorUnitsOutOfRange { minor: price })?;
            count += 1;
        }
        self.parts.clear();
        self.parts.resize(count, 0);
        if count == 1 {
            self.parts[0] = total;
        } else if count > 1 {
            integer_weights_into(fixed.clone().map(ContractLine::ssp_or_price), &mut self.weights)?;
            if self.weights.iter().all(|&w| w == 0) && total == 0 {
                // A contract of free lines: nothing to allocate.
            } else {
                allocate_minor(total, &self.weights, &mut self.parts).map_err(|e| {
                    let problem = match e {
                        Error::ZeroWeights => "all standalone selling prices are zero",
                        Error::WeightsOutOfRange => "standalone selling prices are too large to allocate by",
                        other => return other,
                    };
                    let line = fixed.clone().next().map(|l| l.line.clone()).unwrap_or_default();
                    Error::InvalidLine { line, field: "ssp", problem: problem.into() }
                })?;
            }
        }
        let mut parts = self.parts.iter();
        for line in lines {
            let part = if line.recognition.is_variable() { 0 } else { *parts.next().expect("one part per fixed line") };
            self.allocated.push(part);
        }
        assert_eq!(self.allocated.iter().sum::<i64>(), total, "allocation must sum to the transaction price");
        Ok(())
    }

    fn unmodified(
        &mut self,
        contract: &Contract,
        performance: &Performance,
        out: &mut RevenueSchedule,
    ) -> Result<(), Error> {
        contract.validate()?;
        performance.validate(&contract.lines)?;
        self.allocate_lines(contract.currency, contract.lines.iter())?;
        for (index, line) in contract.lines.iter().enumerate() {
            let range = contract.service_period(line)?;
            let plan = initial_plan(line, range, self.allocated[index], performance);
            self.emit_line(&plan, line, index as u32, contract.currency, performance, &[], &[], out)?;
        }
        check_contract_total(out)
    }

    /// Appends line `index` to `out`: its id, its `settled` entries, its
    /// plan's entries, its total and how that total changed over time.
    #[allow(clippy::too_many_arguments)]
    fn emit_line(
        &mut self,
        plan: &Plan,
        line: &ContractLine,
        index: u32,
        currency: Currency,
        performance: &Performance,
        settled: &[ScheduleLine],
        total_changes: &[(NaiveDate, i64)],
        out: &mut RevenueSchedule,
    ) -> Result<(), Error> {
        push_line_id(out, &line.line);
        out.entries.extend_from_slice(settled);
        let first = out.entries.len();
        self.emit_plan_entries(plan, line, index, currency, performance, &mut out.entries)?;
        let mut total = settled.iter().try_fold(0i64, |sum, e| checked_sum(sum, e.amount_minor))?;
        if let Plan::Variable { .. } = plan {
            // Variable consideration exists once performed: each entry adds to
            // the line's total on the day it is recognized.
            for e in &out.entries[first..] {
                total = checked_sum(total, e.amount_minor)?;
                out.total_changes.push((e.period_end, index, e.amount_minor));
            }
        } else {
            total = checked_sum(total, plan.amount())?;
        }
        out.total_changes.extend(total_changes.iter().map(|&(on, delta)| (on, index, delta)));
        out.line_totals.push(total);
        Ok(())
    }

    fn emit_plan_entries(
        &mut self,
        plan: &Plan,
        line: &ContractLine,
        index: u32,
        currency: Currency,
        performance: &Performance,
        entries: &mut Vec<ScheduleLine>,
    ) -> Result<(), Error> {
        match *plan {
            Plan::Done => {}
            Plan::Ratable { amount, range } => {
                let Recognition::Ratable { basis } = line.recognition else {
                    unreachable!("ratable plans belong to ratable lines")
                };
                ratable_into(amount, range, basis, self.settings.spread, index, entries)?;
            }
            Plan::PointInTime { amount, on } => entries.push(point(index, on, amount, EntryKind::Recognition)),
            Plan::Milestones { amount, since } => {
                let first = entries.len();
                let pending = |m: &&Milestone| pending_since(performance, line, m, since);
                self.milestone_parts(amount, line.milestones.iter().filter(pending).map(|m| m.amount))?;
                for (m, &part) in line.milestones.iter().filter(pending).zip(&self.parts) {
                    if let Some(on) = performance.acceptance(&line.line, &m.milestone) {
                        entries.push(point(index, on, part, EntryKind::Recognition));
                    }
                }
                entries[first..].sort_by_key(|e| e.period_end);
            }
            Plan::Variable { until } => self.emit_variable(line, index, currency, performance, until, entries)?,
        }
        Ok(())
    }

    /// Splits `amount` over milestone weights into `self.parts`.
    fn milestone_parts<I>(&mut self, amount: i64, weights: I) -> Result<(), Error>
    where
        I: Iterator<Item = Decimal> + Clone,
    {
        self.weights.clear();
        integer_weights_into(weights, &mut self.weights)?;
        self.parts.clear();
        self.parts.resize(self.weights.len(), 0);
        if amount != 0 {
            allocate_minor(amount, &self.weights, &mut self.parts)?;
        }
        Ok(())
    }

    fn emit_variable(
        &mut self,
        line: &ContractLine,
        index: u32,
        currency: Currency,
        performance: &Performance,
        until: Option<NaiveDate>,
        entries: &mut Vec<ScheduleLine>,
    ) -> Result<(), Error> {
        let mode = self.settings.extension;
        match line.recognition {
            Recognition::TimeAndMaterials => {
                performance.priced_time_into(line, currency, mode, until, &mut self.priced)?;
                entries
                    .extend(self.priced.iter().map(|&(on, amount)| point(index, on, amount, EntryKind::Recognition)));
            }
            Recognition::Usage => {
                performance.priced_usage_into(line, currency, mode, until, &mut self.priced)?;
                by_month(&self.priced, |month, sum| {
                    entries.push(month_entry(index, month, sum));
                    Ok(())
                })?;
            }
            _ => unreachable!("only variable lines have variable plans"),
        }
        Ok(())
    }
}

/// Sets the id of the next line (the one whose total is pushed next),
/// reusing the String the previous contract left there: no allocation per
/// contract once the buffers are warm.
fn push_line_id(out: &mut RevenueSchedule, id: &str) {
    let index = out.line_totals.len();
    match out.line_ids.get_mut(index) {
        Some(slot) => {
            slot.clear();
            slot.push_str(id);
        }
        None => out.line_ids.push(id.to_owned()),
    }
}

fn point(line: u32, on: NaiveDate, amount: i64, kind: EntryKind) -> ScheduleLine {
    ScheduleLine { period_start: on, period_end: on, amount_minor: amount, line, kind }
}

fn month_entry(line: u32, month: YearMonth, amount: i64) -> ScheduleLine {
    ScheduleLine {
        period_start: month.first_day(),
        period_end: month.last_day(),
        amount_minor: amount,
        line,
        kind: EntryKind::Recognition,
    }
}

/// What is left to recognize on a line, and by which rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// `amount` spread over `range`.
    Ratable { amount: i64, range: DateRange },
    /// `amount` on `on`.
    PointInTime { amount: i64, on: NaiveDate },
    /// `amount` over the milestones not accepted before `since` (all of them
    /// when `None`), each recognized when accepted.
    Milestones { amount: i64, since: Option<NaiveDate> },
    /// Priced as performed, up to `until` (the line was removed then).
    Variable { until: Option<NaiveDate> },
    /// Nothing more to recognize.
    Done,
}

impl Plan {
    fn amount(&self) -> i64 {
        match *self {
            Plan::Ratable { amount, .. } | Plan::PointInTime { amount, .. } | Plan::Milestones { amount, .. } => amount,
            Plan::Variable { .. } | Plan::Done => 0,
        }
    }
}

fn initial_plan(line: &ContractLine, range: DateRange, amount: i64, performance: &Performance) -> Plan {
    match line.recognition {
        Recognition::Ratable { .. } => Plan::Ratable { amount, range },
        Recognition::PointInTime => {
            Plan::PointInTime { amount, on: performance.delivery(&line.line).unwrap_or(range.start()) }
        }
        Recognition::Milestone => Plan::Milestones { amount, since: None },
        Recognition::TimeAndMaterials | Recognition::Usage => Plan::Variable { until: None },
    }
}

/// True when milestone `m` of `line` was not accepted before `since`.
fn pending_since(performance: &Performance, line: &ContractLine, m: &Milestone, since: Option<NaiveDate>) -> bool {
    match (since, performance.acceptance(&line.line, &m.milestone)) {
        (None, _) | (Some(_), None) => true,
        (Some(since), Some(accepted)) => accepted >= since,
    }
}

/// One line's recognition state while modifications are applied.
#[derive(Clone, Debug)]
struct LineState {
    line: ContractLine,
    /// Lines are allocated together within their group: the original
    /// contract is group 0, each separate contract gets the next number.
    group: u32,
    removed: bool,
    /// Entries recognized before the last effective date; never recomputed.
    settled: Vec<ScheduleLine>,
    plan: Plan,
    /// How the line's total changed, and from when.
    total_changes: Vec<(NaiveDate, i64)>,
}

impl LineState {
    fn settled_sum(&self) -> i64 {
        self.settled.iter().map(|e| e.amount_minor).sum()
    }

    /// Records the change of the line's total from `before`, effective on
    /// `effective`.
    fn record_change(&mut self, effective: NaiveDate, before: i64) {
        let delta = self.total() - before;
        if delta != 0 {
            self.total_changes.push((effective, delta));
        }
    }

    /// What the line will recognize under its current plan.
    fn total(&self) -> i64 {
        self.settled_sum() + self.plan.amount()
    }
}

fn invalid_modification(m: &Modification, problem: impl Into<String>) -> Error {
    Error::InvalidModification { effective_on: m.effective_on, problem: problem.into() }
}

impl Recognizer {
    fn modified(
        &mut self,
        contract: &Contract,
        performance: &Performance,
        modifications: &[Modification],
        out: &mut RevenueSchedule,
    ) -> Result<(), Error> {
        contract.validate()?;
        if modifications.len() > MAX_MODIFICATIONS {
            return Err(Error::TooManyParts { count: modifications.len(), limit: MAX_MODIFICATIONS });
        }
        let mut order: Vec<&Modification> = modifications.iter().collect();
        order.sort_by_key(|m| m.effective_on);
        let mut all_lines = contract.lines.clone();
        let mut added_on = Vec::new();
        for m in &order {
            for change in &m.changes {
                if let LineChange::Add { line } = change {
                    line.validate(contract.currency)?;
                    if all_lines.iter().any(|l| l.line == line.line) {
                        return Err(invalid_modification(m, format!("line {:?} already exists", line.line)));
                    }
                    all_lines.push(line.clone());
                    added_on.push((line.line.as_str(), m.effective_on));
                }
            }
        }
        if all_lines.len() > MAX_LINES {
            return Err(Error::TooManyParts { count: all_lines.len(), limit: MAX_LINES });
        }
        performance.validate(&all_lines)?;
        performance.check_not_before(&added_on)?;

        self.allocate_lines(contract.currency, contract.lines.iter())?;
        let mut states = Vec::with_capacity(all_lines.len());
        for (index, line) in contract.lines.iter().enumerate() {
            let range = contract.service_period(line)?;
            states.push(LineState {
                line: line.clone(),
                group: 0,
                removed: false,
                settled: Vec::new(),
                plan: initial_plan(line, range, self.allocated[index], performance),
                total_changes: Vec::new(),
            });
        }
        let mut groups = 1;
        for m in order {
            match m.treatment {
                Treatment::SeparateContract => self.separate(contract, performance, m, &mut states, &mut groups)?,
                Treatment::Prospective | Treatment::CumulativeCatchUp => {
                    self.blend(contract, performance, m, &mut states)?
                }
            }
        }
        for (index, state) in states.iter().enumerate() {
            let (plan, line, changes) = (&state.plan, &state.line, &state.total_changes);
            self.emit_line(plan, line, index as u32, contract.currency, performance, &state.settled, changes, out)?;
        }
        check_contract_total(out)
    }

    /// Adds the lines of a separate contract, allocated among themselves.
    fn separate(
        &mut self,
        contract: &Contract,
        performance: &Performance,
        m: &Modification,
        states: &mut Vec<LineState>,
        groups: &mut u32,
    ) -> Result<(), Error> {
        let mut added = Vec::with_capacity(m.changes.len());
        for change in &m.changes {
            let LineChange::Add { line } = change else {
                return Err(invalid_modification(m, "a separate contract only adds lines"));
            };
            if line.start_date.is_some_and(|start| start < m.effective_on) {
                return Err(Error::InvalidLine {
                    line: line.line.clone(),
                    field: "start_date",
                    problem: format!("a separate contract cannot start before its effective date {}", m.effective_on),
                });
            }
            added.push(starting_on(line, m.effective_on));
        }
        let group = *groups;
        *groups += 1;
        self.allocate_lines(contract.currency, added.iter())?;
        for (line, &amount) in added.into_iter().zip(&self.allocated) {
            let range = contract.service_period(&line)?;
            let plan = initial_plan(&line, range, amount, performance);
            let total_changes = if amount == 0 { Vec::new() } else { vec![(m.effective_on, amount)] };
            states.push(LineState { line, group, removed: false, settled: Vec::new(), plan, total_changes });
        }
        Ok(())
    }

    /// Applies a prospective or cumulative catch-up modification to the
    /// lines it touches (all within one group).
    fn blend(
        &mut self,
        contract: &Contract,
        performance: &Performance,
        m: &Modification,
        states: &mut Vec<LineState>,
    ) -> Result<(), Error> {
        let effective = m.effective_on;
        let mut group = None;
        let mut changed = vec![false; states.len()];
        let mut price_delta = vec![0i64; states.len()];
        let first_added = states.len();
        for change in &m.changes {
            let id = match change {
                LineChange::Add { .. } => continue,
                LineChange::Amend { line, .. } | LineChange::Remove { line } => line,
            };
            let index = states
                .iter()
                .position(|s| s.line.line == *id)
                .ok_or_else(|| Error::UnknownLine { line: id.clone() })?;
            if states[index].removed {
                return Err(invalid_modification(m, format!("line {id:?} was removed")));
            }
            if group.is_some_and(|g| g != states[index].group) {
                return Err(invalid_modification(m, "changes lines of more than one separate contract"));
            }
            group = Some(states[index].group);
            let state = &mut states[index];
            match change {
                LineChange::Amend { price, ssp, end_date, .. } => {
                    if state.line.recognition.is_variable() {
                        return Err(invalid_modification(
                            m,
                            format!("line {id:?} is priced as performed: remove it and add a new line instead"),
                        ));
                    }
                    let old_price = Money::new(state.line.price, contract.currency).to_minor()?;
                    state.line.price = price.unwrap_or(state.line.price);
                    state.line.ssp = ssp.or(state.line.ssp);
                    state.line.end_date = end_date.or(state.line.end_date);
                    state.line.validate(contract.currency)?;
                    contract.service_period(&state.line)?;
                    price_delta[index] += Money::new(state.line.price, contract.currency).to_minor()? - old_price;
                }
                LineChange::Remove { .. } => {
                    state.removed = true;
                    if state.line.recognition.is_variable() {
                        // Time and usage from the effective date on no longer count.
                        state.plan = Plan::Variable { until: Some(effective) };
                    }
                }
                LineChange::Add { .. } => unreachable!("skipped above"),
            }
            changed[index] = true;
        }
        let group = group.unwrap_or(0);
        for change in &m.changes {
            if let LineChange::Add { line } = change {
                let line = starting_on(line, effective);
                contract.service_period(&line)?;
                states.push(LineState {
                    line,
                    group,
                    removed: false,
                    settled: Vec::new(),
                    plan: Plan::Done,
                    total_changes: Vec::new(),
                });
                changed.push(true);
            }
        }

        let mut new_amounts: Vec<(usize, Option<i64>)> = Vec::new();
        match m.treatment {
            Treatment::CumulativeCatchUp => {
                // Recomputed with the new terms: the group's new transaction
                // price is allocated again across all its lines.
                let members: Vec<usize> =
                    (0..states.len()).filter(|&i| states[i].group == group && !states[i].removed).collect();
                self.allocate_lines(contract.currency, members.iter().map(|&i| &states[i].line))?;
                new_amounts.extend(members.iter().zip(&self.allocated).map(|(&i, &a)| (i, Some(a))));
            }
            _ => {
                // Prospective: satisfied obligations keep their revenue. An
                // amended line gets its unrecognized remainder plus the added
                // price; added lines share their own prices by SSP.
                for i in (0..first_added).filter(|&i| changed[i] && !states[i].removed) {
                    new_amounts.push((i, Some(states[i].settled_sum() + states[i].plan.amount() + price_delta[i])));
                }
                self.allocate_lines(contract.currency, states[first_added..].iter().map(|s| &s.line))?;
                new_amounts.extend(self.allocated.iter().enumerate().map(|(k, &a)| (first_added + k, Some(a))));
            }
        }
        new_amounts.extend((0..states.len()).filter(|&i| states[i].removed && changed[i]).map(|i| (i, None)));

        for (index, amount) in new_amounts {
            let state = &mut states[index];
            if state.line.recognition.is_variable() {
                continue;
            }
            let before = state.total();
            if !changed[index] && amount == Some(before) {
                continue;
            }
            self.settle_before(state, index as u32, contract.currency, performance, effective)?;
            let Some(amount) = amount else {
                state.plan = Plan::Done;
                state.record_change(effective, before);
                continue;
            };
            let range = contract.service_period(&state.line)?;
            if m.treatment == Treatment::CumulativeCatchUp {
                let fresh = initial_plan(&state.line, range, amount, performance);
                let due = self.recognized_before(
                    &fresh,
                    &state.line,
                    index as u32,
                    contract.currency,
                    performance,
                    effective,
                )?;
                let catch_up = due - state.settled_sum();
                if catch_up != 0 {
                    state.settled.push(point(index as u32, effective, catch_up, EntryKind::CatchUp));
                }
            }
            let remaining = amount - state.settled_sum();
            state.plan = remaining_plan(state, range, remaining, performance, effective);
            if let Plan::Done = state.plan {
                if remaining != 0 {
                    state.settled.push(point(index as u32, effective, remaining, EntryKind::Remainder));
                }
            }
            state.record_change(effective, before);
        }
        Ok(())
    }

    /// Moves the entries of `state`'s plan that end before `effective` into
    /// its settled entries.
    fn settle_before(
        &mut self,
        state: &mut LineState,
        index: u32,
        currency: Currency,
        performance: &Performance,
        effective: NaiveDate,
    ) -> Result<(), Error> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let result = self.emit_plan_entries(&state.plan, &state.line, index, currency, performance, &mut scratch);
        state.settled.extend(scratch.iter().filter(|e| e.period_end < effective));
        self.scratch = scratch;
        result
    }

    /// What `plan` recognizes before `effective`.
    fn recognized_before(
        &mut self,
        plan: &Plan,
        line: &ContractLine,
        index: u32,
        currency: Currency,
        performance: &Performance,
        effective: NaiveDate,
    ) -> Result<i64, Error> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let result = self.emit_plan_entries(plan, line, index, currency, performance, &mut scratch);
        let due = scratch.iter().filter(|e| e.period_end < effective).map(|e| e.amount_minor).sum();
        self.scratch = scratch;
        result.map(|()| due)
    }
}

/// `line`, starting on `effective` unless it names its own start.
fn starting_on(line: &ContractLine, effective: NaiveDate) -> ContractLine {
    let mut line = line.clone();
    line.start_date.get_or_insert(effective);
    line
}

/// The plan that recognizes `remaining` from `effective` on, or
/// [`Plan::Done`] when the obligation has nothing left to recognize over.
fn remaining_plan(
    state: &LineState,
    range: DateRange,
    remaining: i64,
    performance: &Performance,
    effective: NaiveDate,
) -> Plan {
    match state.line.recognition {
        // The month of the effective date is not recognized yet (a month is
        // recognized on its last day), so the new terms take it whole: a
        // modification never changes what was recognized before it.
        Recognition::Ratable { .. } => {
            match DateRange::new(range.start().max(first_of_month(effective)), range.end()) {
                Ok(rest) if rest.end() >= effective => Plan::Ratable { amount: remaining, range: rest },
                _ => Plan::Done,
            }
        }
        Recognition::PointInTime => {
            let on = performance.delivery(&state.line.line).unwrap_or(range.start());
            if on < effective {
                Plan::Done
            } else {
                Plan::PointInTime { amount: remaining, on }
            }
        }
        Recognition::Milestone => {
            let since = Some(effective);
            let mut pending =
                state.line.milestones.iter().filter(|m| pending_since(performance, &state.line, m, since));
            if pending.any(|m| !m.amount.is_zero()) {
                Plan::Milestones { amount: remaining, since }
            } else {
                Plan::Done
            }
        }
        Recognition::TimeAndMaterials | Recognition::Usage => state.plan,
    }
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    YearMonth::of(date).first_day()
}

fn checked_sum(sum: i64, amount: i64) -> Result<i64, Error> {
    sum.checked_add(amount)
        .filter(|s| s.unsigned_abs() <= MAX_MINOR_UNITS.unsigned_abs())
        .ok_or(Error::MinorUnitsOutOfRange { minor: amount })
}

/// Keeps every sum a schedule's queries make inside `i64`: the contract's
/// total, and so every line's, is at most [`MAX_MINOR_UNITS`].
fn check_contract_total(out: &RevenueSchedule) -> Result<(), Error> {
    out.line_totals.iter().try_fold(0i64, |sum, &t| checked_sum(sum, t)).map(|_| ())
}
