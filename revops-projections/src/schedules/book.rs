//! One contract as the schedules know it: its terms, modifications and
//! performance as compact records, what was billed and credited, and its
//! revenue schedule, computed on first read after a change.

use core::hash::BuildHasher;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use compact_str::CompactString;
use revops_core::modification::{LineChange, Modification, Treatment};
use revops_core::performance::{Delivery, MilestoneAcceptance, Performance, TimeApproval, UsageRecord};
use revops_core::recognition::Recognizer;
use revops_core::schedule::{RevenueSchedule, ScheduleLine};
use revops_core::terms::{Contract, ContractLine};
use revops_core::{Currency, Decimal};
use revops_events::{Envelope, Event};
use rustc_hash::FxBuildHasher;
use uuid::Uuid;

use super::RecognitionMethod;

/// The event behind a change of the schedule: what a recognition entry
/// points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Source {
    pub(crate) seq: u64,
    pub(crate) event_id: Uuid,
    pub(crate) on: NaiveDate,
    /// The type's position in [`Event::TYPES`]: a byte where its name
    /// would take sixteen, in a struct that books and journals keep by
    /// the hundred thousand.
    type_index: u8,
}

// Every journal entry, commission fact and schedule change holds one.
const _: () = assert!(core::mem::size_of::<Source>() == 32);
const _: () = assert!(Event::TYPES.len() <= u8::MAX as usize);

impl Source {
    /// The source of `envelope`'s event, dated on its business date.
    pub(crate) fn of(envelope: &Envelope) -> Source {
        Source {
            seq: envelope.seq.0,
            event_id: envelope.event_id,
            on: envelope.event.business_date(),
            type_index: envelope.event.type_index() as u8,
        }
    }

    /// The event's type name (`contract_signed`, …).
    pub(crate) fn event_type(&self) -> &'static str {
        Event::TYPES[usize::from(self.type_index)]
    }
}

/// A contract line of any term.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    /// Inline for the short ids books use, so that checking a match reads
    /// no other allocation.
    pub(crate) id: CompactString,
    /// The hash of `id`: finding a line by id compares these, and the id
    /// of the one that matches only.
    key: u64,
    pub(crate) method: RecognitionMethod,
    /// Index of the term (0 = as signed, then one per renewal).
    pub(crate) term: u32,
    /// The separate contract within its term the line belongs to, as
    /// revops-core groups lines: 0 for the term's own lines, one group per
    /// `separate_contract` modification, and a line added by any other
    /// modification joins the group of the lines that modification changes.
    group: u32,
    /// The effective date of the modification that added the line; `None`
    /// for lines signed or renewed with their term.
    added_on: Option<NaiveDate>,
    removed: bool,
}

fn line_key(id: &str) -> u64 {
    FxBuildHasher.hash_one(id)
}

/// A performance record; the line is an index into [`ContractBook::lines`]
/// so that the hot path stores no strings for time and usage.
#[derive(Clone, Debug)]
enum Record {
    Accepted { line: u32, milestone: Box<str>, on: NaiveDate },
    Delivered { line: u32, on: NaiveDate },
    Time { line: u32, hours: Decimal, rate: Option<Decimal>, on: NaiveDate },
    Usage { line: u32, quantity: Decimal, unit_price: Option<Decimal>, on: NaiveDate },
}

/// A change of the schedule's inputs: the event behind it and, for
/// performance, what it recorded. One vector holds both, in log order, so
/// that recording usage or time writes to one place of the book's memory.
#[derive(Clone, Debug)]
pub(crate) struct Input {
    pub(crate) source: Source,
    record: Option<Record>,
}

// One per change of a contract; usage and time make most of them.
const _: () = assert!(core::mem::size_of::<Input>() == 80);

/// One term of the contract: as signed, or a renewal. Each term has its own
/// schedule; a renewal never changes what an earlier term recognized.
#[derive(Clone, Debug)]
struct Term {
    contract: Contract,
    modifications: Vec<Modification>,
    /// The log position of the signing or renewal that opened it.
    opened: u64,
}

/// Billing movements of the contract, in minor units of its currency:
/// invoice amounts before tax, and the revenue part of credit memos.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Billing {
    pub(crate) on: NaiveDate,
    pub(crate) billed: i64,
    pub(crate) credited: i64,
}

/// The computed schedule of one term, with the book line of each schedule
/// line (`lines[i]` belongs to `schedule.line_ids()[i]`).
#[derive(Clone, Debug)]
pub(crate) struct TermSchedule {
    pub(crate) schedule: RevenueSchedule,
    pub(crate) lines: Vec<u32>,
    /// The entries summed per (period end, method), in that order: what a
    /// period close reads, from the horizon on, instead of every entry of
    /// every line each month.
    pub(crate) recognized: Vec<Recognized>,
}

impl TermSchedule {
    /// The latest period end of its entries: a close past it has nothing
    /// left of the term to post.
    pub(crate) fn last(&self) -> Option<NaiveDate> {
        self.recognized.last().map(|r| r.on)
    }
}

/// What a term recognizes on one date by one method, in minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Recognized {
    pub(crate) on: NaiveDate,
    pub(crate) method: RecognitionMethod,
    pub(crate) amount: i64,
}

// A term keeps one per month and method it recognizes in.
const _: () = assert!(core::mem::size_of::<Recognized>() == 16);

/// Buffers for computing schedules: the recognizer's, and the performance
/// records handed to it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    recognizer: Recognizer,
    performance: Performance,
}

/// The `*used`-th element of `items`, pushing `new()` if there is none yet;
/// counts it as used.
fn reuse<'a, T>(items: &'a mut Vec<T>, used: &mut usize, new: impl FnOnce() -> T) -> &'a mut T {
    if items.len() == *used {
        items.push(new());
    }
    *used += 1;
    &mut items[*used - 1]
}

/// Sets `s` to `with`; the scratch strings mostly hold it already (line
/// ids repeat from contract to contract).
fn overwrite(s: &mut String, with: &str) {
    if s != with {
        s.clear();
        s.push_str(with);
    }
}

/// A term's schedule, or why revops-core could not compute it.
pub(crate) type Computed = Result<TermSchedule, String>;

/// A contract's fold.
#[derive(Clone, Debug)]
pub(crate) struct ContractBook {
    pub(crate) customer: Box<str>,
    pub(crate) currency: Currency,
    /// Set by `contract_signed`; a book opened by an invoice for an unknown
    /// contract has none and no schedule.
    pub(crate) signed_on: Option<NaiveDate>,
    terms: Vec<Term>,
    pub(crate) lines: Vec<Line>,
    inputs: Vec<Input>,
    pub(crate) billing: Vec<Billing>,
    /// The last group handed out to a separate contract.
    groups: u32,
    /// One per term, reset by every change of that term: schedules are
    /// computed when read, never per performance event, and a change of one
    /// term (usage in the current one) leaves the others' as they are.
    computed: Vec<OnceLock<Computed>>,
    /// The schedule a change reset, kept for its buffers: the next
    /// [`ContractBook::refresh`] computes into it rather than allocating.
    /// Boxed: most books hold none, and a book is read on every
    /// performance event, so it stays small.
    spare: Option<Box<TermSchedule>>,
}

// Twelve thousand books of the bench book sit in one array.
const _: () = assert!(core::mem::size_of::<ContractBook>() == 160);

impl ContractBook {
    pub(crate) fn new(customer: &str, currency: Currency) -> Self {
        ContractBook {
            customer: customer.into(),
            currency,
            signed_on: None,
            terms: Vec::new(),
            lines: Vec::new(),
            inputs: Vec::new(),
            billing: Vec::new(),
            groups: 0,
            computed: Vec::new(),
            spare: None,
        }
    }

    /// Records that `source` changed the inputs of term `term`'s schedule,
    /// with what it performed if anything. A term's schedule depends only
    /// on the term, the records of its own lines and the book's line ids
    /// (which only grow), so the others stay.
    fn changed(&mut self, source: Source, record: Option<Record>, term: u32) {
        self.inputs.push(Input { source, record });
        self.computed.resize_with(self.terms.len(), OnceLock::new);
        if let Some(Ok(old)) = self.computed.get_mut(term as usize).and_then(OnceLock::take) {
            self.spare = Some(Box::new(old));
        }
    }

    fn add_lines<'a>(
        &mut self,
        lines: impl Iterator<Item = &'a ContractLine>,
        term: u32,
        group: u32,
        added_on: Option<NaiveDate>,
    ) {
        for line in lines {
            if self.line(&line.line).is_none() {
                let method = RecognitionMethod::of(line.recognition);
                let (id, key) = (CompactString::new(&line.line), line_key(&line.line));
                self.lines.push(Line { id, key, method, term, group, added_on, removed: false });
            }
        }
    }

    /// The book index of line `id`.
    pub(crate) fn line(&self, id: &str) -> Option<u32> {
        let key = line_key(id);
        self.lines.iter().position(|l| l.key == key && l.id == id).map(|i| i as u32)
    }

    fn current_term(&self) -> Option<u32> {
        self.terms.len().checked_sub(1).map(|t| t as u32)
    }

    /// `contract_signed`: the first term. A second signing of the same id is
    /// a repeated fact and changes nothing.
    pub(crate) fn sign(&mut self, contract: Contract, signed_on: NaiveDate, source: Source) {
        if self.signed_on.is_some() {
            return;
        }
        self.signed_on = Some(signed_on);
        self.customer = contract.customer.as_str().into();
        self.currency = contract.currency;
        self.add_lines(contract.lines.iter(), 0, 0, None);
        self.terms.push(Term { contract, modifications: Vec::new(), opened: source.seq });
        self.changed(source, None, 0);
    }

    /// `contract_modified`: new terms for the current term.
    pub(crate) fn modify(&mut self, modification: Modification, source: Source) {
        if let Some(term) = self.record_modification(modification) {
            self.changed(source, None, term);
        }
    }

    /// Adds `modification` to the current term and returns that term; `None`
    /// when there is none.
    fn record_modification(&mut self, modification: Modification) -> Option<u32> {
        let term = self.current_term()?;
        let group = if modification.treatment == Treatment::SeparateContract {
            self.groups += 1;
            self.groups
        } else {
            let changed = modification.changes.iter().find_map(|change| match change {
                LineChange::Amend { line, .. } | LineChange::Remove { line } => self.line(line),
                LineChange::Add { .. } => None,
            });
            changed.map_or(0, |i| self.lines[i as usize].group)
        };
        for change in &modification.changes {
            match change {
                LineChange::Add { line } => {
                    self.add_lines(std::iter::once(line), term, group, Some(modification.effective_on))
                }
                LineChange::Remove { line } => {
                    if let Some(i) = self.line(line) {
                        self.lines[i as usize].removed = true;
                    }
                }
                LineChange::Amend { .. } => {}
            }
        }
        self.terms[term as usize].modifications.push(modification);
        Some(term)
    }

    /// `contract_renewed`: a further term with its own lines and schedule.
    pub(crate) fn renew(&mut self, start: NaiveDate, end: NaiveDate, lines: &[ContractLine], source: Source) {
        let Some(current) = self.terms.last() else { return };
        let contract = Contract { start_date: start, end_date: end, lines: lines.to_vec(), ..current.contract.clone() };
        let term = self.terms.len() as u32;
        self.add_lines(lines.iter(), term, 0, None);
        self.terms.push(Term { contract, modifications: Vec::new(), opened: source.seq });
        self.changed(source, None, term);
    }

    /// `contract_cancelled`: every live line of the current term is removed
    /// on the effective date, prospectively, which is what a cancellation
    /// means for revenue: what was recognized before it stays, nothing more
    /// is recognized. One removal per separate contract and date: revops-core
    /// refuses a modification that changes lines of more than one separate
    /// contract, or removes a line before the modification that adds it
    /// takes effect — such a line is removed on its own first day, so it
    /// recognizes nothing.
    pub(crate) fn cancel(&mut self, effective_on: NaiveDate, source: Source) {
        let Some(term) = self.current_term() else { return };
        let mut groups: BTreeMap<(u32, NaiveDate), Vec<LineChange>> = BTreeMap::new();
        for l in self.lines.iter().filter(|l| l.term == term && !l.removed) {
            let on = l.added_on.map_or(effective_on, |added| added.max(effective_on));
            groups.entry((l.group, on)).or_default().push(LineChange::Remove { line: l.id.to_string() });
        }
        if groups.is_empty() {
            return;
        }
        for ((_, effective_on), changes) in groups {
            self.record_modification(Modification { effective_on, treatment: Treatment::Prospective, changes });
        }
        self.changed(source, None, term);
    }

    /// Records a milestone acceptance on line `line` (a book index).
    pub(crate) fn accept(&mut self, line: u32, milestone: &str, on: NaiveDate, source: Source) {
        let record = Record::Accepted { line, milestone: milestone.into(), on };
        self.changed(source, Some(record), self.lines[line as usize].term);
    }

    /// Records the delivery of a point-in-time line.
    pub(crate) fn deliver(&mut self, line: u32, on: NaiveDate, source: Source) {
        self.changed(source, Some(Record::Delivered { line, on }), self.lines[line as usize].term);
    }

    /// Records approved time.
    pub(crate) fn approve_time(
        &mut self,
        line: u32,
        hours: Decimal,
        rate: Option<Decimal>,
        on: NaiveDate,
        source: Source,
    ) {
        self.changed(source, Some(Record::Time { line, hours, rate, on }), self.lines[line as usize].term);
    }

    /// Records usage.
    pub(crate) fn record_usage(
        &mut self,
        line: u32,
        quantity: Decimal,
        unit_price: Option<Decimal>,
        on: NaiveDate,
        source: Source,
    ) {
        let record = Record::Usage { line, quantity, unit_price, on };
        self.changed(source, Some(record), self.lines[line as usize].term);
    }

    /// The schedules of every term, each computed now if a change reset it.
    pub(crate) fn computed(&self) -> impl Iterator<Item = &Computed> {
        self.computed_with(&mut Scratch::default())
    }

    /// [`ContractBook::computed`] with buffers kept across contracts, for a
    /// fold that recomputes many schedules.
    pub(crate) fn computed_with(&self, scratch: &mut Scratch) -> impl Iterator<Item = &Computed> {
        for (t, computed) in self.computed.iter().enumerate() {
            computed.get_or_init(|| self.compute(t as u32, scratch, None, u64::MAX));
        }
        self.computed.iter().filter_map(OnceLock::get)
    }

    /// Computes the schedules a change reset, into the buffers of the one
    /// it reset last: a fold that recomputes a book every month allocates
    /// for it once.
    pub(crate) fn refresh(&mut self, scratch: &mut Scratch) {
        for t in 0..self.computed.len() {
            if self.computed[t].get().is_none() {
                let spare = self.spare.take().map(|spare| *spare);
                let computed = self.compute(t as u32, scratch, spare, u64::MAX);
                let _ = self.computed[t].set(computed);
            }
        }
    }

    /// Whether a change reset the schedule of a term since it was last
    /// computed.
    pub(crate) fn needs_compute(&self) -> bool {
        self.computed.iter().any(|c| c.get().is_none())
    }

    /// The schedule of every term as it stood when the log ended at
    /// position `through`, given that no term opened before it has changed
    /// since: the terms opened and the performance recorded after it left
    /// out.
    pub(crate) fn computed_through(&self, through: u64, scratch: &mut Scratch) -> Vec<Computed> {
        let opened = self.terms.iter().filter(|t| t.opened <= through).count() as u32;
        (0..opened).map(|t| self.compute(t, scratch, None, through)).collect()
    }

    /// The changes of the schedule's inputs, in log order.
    pub(crate) fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// The changes up to log position `through`.
    pub(crate) fn inputs_through(&self, through: u64) -> &[Input] {
        &self.inputs[..self.inputs.partition_point(|i| i.source.seq <= through)]
    }

    /// Term `t`'s schedule from the performance recorded up to log position
    /// `through`.
    fn compute(&self, t: u32, scratch: &mut Scratch, reuse: Option<TermSchedule>, through: u64) -> Computed {
        let Scratch { recognizer, performance } = scratch;
        let term = &self.terms[t as usize];
        let (mut schedule, mut lines, mut recognized) = match reuse {
            Some(TermSchedule { schedule, lines, recognized, .. }) => (schedule, lines, recognized),
            None => (RevenueSchedule::new(term.contract.currency), Vec::new(), Vec::new()),
        };
        self.performance_into(t, performance, through);
        recognizer
            .schedule_into(&term.contract, performance, &term.modifications, &mut schedule)
            .map_err(|e| e.to_string())?;
        lines.clear();
        lines.extend(schedule.line_ids().iter().map(|id| self.line(id).expect("a line of the book")));
        recognized.clear();
        recognized.extend(schedule.entries().iter().map(|e| Recognized {
            on: e.period_end,
            method: self.lines[lines[e.line as usize] as usize].method,
            amount: e.amount_minor,
        }));
        recognized.sort_unstable_by_key(|r| (r.on, r.method));
        recognized.dedup_by(|next, kept| {
            let same = (next.on, next.method) == (kept.on, kept.method);
            if same {
                // Overflow here would be one past the schedule's own checks.
                kept.amount = kept.amount.checked_add(next.amount).expect("a day's recognition fits in i64");
            }
            same
        });
        Ok(TermSchedule { schedule, lines, recognized })
    }

    /// Fills `p` with what was performed on the lines of term `term`, as
    /// revops-core reads it, overwriting the records (and line id strings)
    /// a previous contract left there rather than allocating new ones.
    fn performance_into(&self, term: u32, p: &mut Performance, through: u64) {
        let of_term = |line: u32| self.lines[line as usize].term == term;
        let id = |line: u32| self.lines[line as usize].id.as_str();
        let mut counts = [0usize; 4];
        for record in self.inputs_through(through).iter().filter_map(|i| i.record.as_ref()) {
            match *record {
                Record::Accepted { line, ref milestone, on } if of_term(line) => {
                    let slot = reuse(&mut p.milestones_accepted, &mut counts[0], || MilestoneAcceptance {
                        line: String::new(),
                        milestone: String::new(),
                        accepted_on: on,
                    });
                    overwrite(&mut slot.line, id(line));
                    overwrite(&mut slot.milestone, milestone);
                    slot.accepted_on = on;
                }
                Record::Delivered { line, on } if of_term(line) => {
                    let slot =
                        reuse(&mut p.deliveries, &mut counts[1], || Delivery { line: String::new(), delivered_on: on });
                    overwrite(&mut slot.line, id(line));
                    slot.delivered_on = on;
                }
                Record::Time { line, hours, rate, on } if of_term(line) => {
                    let slot = reuse(&mut p.time_approved, &mut counts[2], || TimeApproval {
                        line: String::new(),
                        hours,
                        rate,
                        approved_on: on,
                    });
                    overwrite(&mut slot.line, id(line));
                    (slot.hours, slot.rate, slot.approved_on) = (hours, rate, on);
                }
                Record::Usage { line, quantity, unit_price, on } if of_term(line) => {
                    let slot = reuse(&mut p.usage_recorded, &mut counts[3], || UsageRecord {
                        line: String::new(),
                        quantity,
                        unit_price,
                        incurred_on: on,
                    });
                    overwrite(&mut slot.line, id(line));
                    (slot.quantity, slot.unit_price, slot.incurred_on) = (quantity, unit_price, on);
                }
                _ => {}
            }
        }
        p.milestones_accepted.truncate(counts[0]);
        p.deliveries.truncate(counts[1]);
        p.time_approved.truncate(counts[2]);
        p.usage_recorded.truncate(counts[3]);
    }

    /// Every schedule entry of every computed term with its method.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (RecognitionMethod, &ScheduleLine)> {
        self.computed().flatten().flat_map(move |t| {
            t.schedule.entries().iter().map(move |e| (self.lines[t.lines[e.line as usize] as usize].method, e))
        })
    }

    /// How many times the schedule's inputs changed: equal counts mean the
    /// same schedule.
    pub(crate) fn changes(&self) -> usize {
        self.inputs.len()
    }

    /// Invoice amounts before tax dated on or before `date`.
    pub(crate) fn billed_through(&self, date: NaiveDate) -> i128 {
        self.billing.iter().filter(|b| b.on <= date).map(|b| i128::from(b.billed)).sum()
    }

    /// The revenue part of credit memos dated on or before `date`.
    pub(crate) fn credited_through(&self, date: NaiveDate) -> i128 {
        self.billing.iter().filter(|b| b.on <= date).map(|b| i128::from(b.credited)).sum()
    }

    /// The error of the first term revops-core could not schedule.
    pub(crate) fn error(&self) -> Option<&str> {
        self.computed().find_map(|t| t.as_ref().err().map(String::as_str))
    }
}
