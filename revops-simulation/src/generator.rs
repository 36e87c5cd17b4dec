//! The generator's world: what it remembers between days, its agenda, and
//! the one door every event goes through.
//!
//! The world is a model of the book the generator is writing, kept beside
//! the ledger so that decisions (who pays when, which line to remove) can be
//! made without reading the log back. Balances are still read from the
//! ledger's state ([`LedgerState`](revops_events::LedgerState)), so the
//! generator can never believe an invoice is open when the ledger says it
//! is paid.
//!
//! Everything is kept in `Vec`s and `BTreeMap`s and decided by one [`Prng`]
//! in a fixed order, which is what makes a seed reproduce its book byte for
//! byte.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use revops_core::billing::{billing_schedule, BillingSettings};
use revops_core::calendar::YearMonth;
use revops_core::performance::Performance;
use revops_core::terms::{BillingFrequency, Contract, ContractLine, LineKind, PaymentTerms, Recognition};
use revops_core::{Currency, Money};
use revops_events::envelope::SCHEMA_VERSION;
use revops_events::event::{InvoiceLine, PaymentMethod};
use revops_events::ids::*;
use revops_events::{Envelope, Event, EventLog, Ledger, NewEvent};
use revops_projections::{Commissions, Projection};
use rust_decimal::Decimal;
use uuid::Builder;

use super::catalog::Jurisdiction;
use super::prng::Prng;
use super::{Error, SimulationConfig, Summary};

/// The most events one business day may record: `recorded_at` counts them
/// in milliseconds from 08:00 UTC, and the day has 16 hours left.
pub const MAX_EVENTS_PER_DAY: u32 = 16 * 60 * 60 * 1000;

/// When the `index`-th event of business day `date` is recorded: 08:00 UTC
/// plus `index` milliseconds. Derived from the business date alone, so no
/// clock is read and a seed's log is the same wherever it is generated.
pub fn recorded_at(date: NaiveDate, index: u32) -> DateTime<Utc> {
    assert!(index < MAX_EVENTS_PER_DAY, "more than {MAX_EVENTS_PER_DAY} events on {date}");
    let eight = date.and_hms_opt(8, 0, 0).expect("08:00:00 exists every day").and_utc();
    eight + Duration::milliseconds(i64::from(index))
}

/// How a customer pays its invoices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Payer {
    /// A few days before the due date.
    Prompt,
    /// Days to weeks after the due date; now and then past the credit hold.
    Late,
    /// In two parts, sometimes leaving a small balance.
    Partial,
    /// More than the invoice: the rest is unapplied cash.
    Over,
    /// Not at all: collections, credit hold, cancellation, write-off.
    Deadbeat,
}

/// A customer as the generator knows it.
#[derive(Debug)]
pub(super) struct Customer {
    pub id: CustomerId,
    pub currency: Currency,
    pub jurisdiction: &'static Jurisdiction,
    pub terms: PaymentTerms,
    pub method: PaymentMethod,
    pub email: String,
    pub payer: Payer,
    pub exemption: Option<String>,
    pub po_customer: bool,
    pub on_hold: bool,
    /// Bills that fell due while on credit hold: issued on release.
    pub deferred: Vec<Bill>,
    /// Invoices (indices) that may still be open.
    pub open: BTreeSet<usize>,
    pub deals: Vec<usize>,
    /// Written off and gone: no more business.
    pub closed: bool,
}

/// The kind of deal, by billing frequency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DealKind {
    Monthly,
    Quarterly,
    Annual,
    Milestone,
    TimeAndMaterials,
    Usage,
}

impl DealKind {
    pub fn frequency(self) -> BillingFrequency {
        match self {
            DealKind::Monthly => BillingFrequency::Monthly,
            DealKind::Quarterly => BillingFrequency::Quarterly,
            DealKind::Annual => BillingFrequency::Annually,
            DealKind::Milestone => BillingFrequency::Milestone,
            DealKind::TimeAndMaterials => BillingFrequency::TimeAndMaterials,
            DealKind::Usage => BillingFrequency::Usage,
        }
    }

    /// Subscriptions billed in advance by period: the deals that are
    /// modified, and renewed (with usage deals).
    pub fn is_subscription(self) -> bool {
        matches!(self, DealKind::Monthly | DealKind::Quarterly | DealKind::Annual)
    }

    /// Months per billing period of a subscription.
    pub fn period_months(self) -> i32 {
        match self {
            DealKind::Quarterly => 3,
            DealKind::Annual => 12,
            _ => 1,
        }
    }
}

/// A contract line of any term, with what the generator needs about it.
#[derive(Clone, Debug)]
pub(super) struct DealLine {
    pub line: ContractLine,
    /// The term (0 = signed, then one per renewal) it belongs to.
    pub term: u32,
    /// First and last day of the term it belongs to.
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    /// List price per year of a subscription line, whole units: what a
    /// renewal reprices from.
    pub annual: i64,
    /// First day without the line after a downgrade.
    pub removed_on: Option<NaiveDate>,
}

/// A contract as the generator knows it.
#[derive(Debug)]
pub(super) struct Deal {
    pub id: ContractId,
    pub customer: usize,
    pub kind: DealKind,
    pub terms: PaymentTerms,
    pub currency: Currency,
    pub po_number: Option<String>,
    pub rep: Option<usize>,
    pub term_months: u32,
    pub term: u32,
    pub first_start: NaiveDate,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub lines: Vec<DealLine>,
    pub next_line: u32,
    pub performance: Performance,
    pub cancelled_on: Option<NaiveDate>,
    pub last_performance_bill: Option<NaiveDate>,
}

impl Deal {
    /// True while the deal can still be modified, renewed or cancelled.
    pub fn is_live(&self, today: NaiveDate) -> bool {
        self.cancelled_on.is_none() && today <= self.term_end
    }

    /// The last day of service: cancellation or the end of the term.
    pub fn service_end(&self) -> NaiveDate {
        match self.cancelled_on {
            Some(on) => on.pred_opt().unwrap_or(on).min(self.term_end),
            None => self.term_end,
        }
    }

    /// A fresh line id, unique across every term of the deal.
    pub fn new_line_id(&mut self) -> String {
        self.next_line += 1;
        format!("L{}", self.next_line)
    }

    /// The lines of the current term that are still in force.
    pub fn current_lines(&self) -> impl Iterator<Item = &DealLine> {
        self.lines.iter().filter(move |l| l.term == self.term && l.removed_on.is_none())
    }
}

/// One invoice to issue: a billing-schedule installment, or a rebill.
#[derive(Clone, Debug)]
pub(super) struct Bill {
    pub deal: usize,
    /// Contract line id and amount before tax.
    pub lines: Vec<(String, Money)>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

/// An invoice as the generator knows it (balances live in the ledger).
#[derive(Debug)]
pub(super) struct Invoice {
    pub id: InvoiceId,
    pub customer: usize,
    pub deal: usize,
    pub due_on: NaiveDate,
    pub lines: Vec<InvoiceLine>,
    pub total: Decimal,
    /// The dispute open on it, if any.
    pub dispute: Option<usize>,
    /// The next rung of the collections ladder to take.
    pub next_step: usize,
}

/// An invoice dispute as the generator knows it.
#[derive(Debug)]
pub(super) struct Dispute {
    pub id: DisputeId,
    pub invoice: usize,
    /// Part of the invoice disputed, per mille.
    pub per_mille: i64,
    pub escalated: bool,
}

/// A sales rep.
#[derive(Debug)]
pub(super) struct Rep {
    pub id: RepId,
    pub name: String,
    pub currency: Currency,
    pub payout_day: u32,
    /// Plans by fiscal (calendar) year.
    pub plans: BTreeMap<i32, PlanId>,
}

/// What a scheduled payment pays.
#[derive(Clone, Copy, Debug)]
pub(super) enum PayPart {
    /// The whole open amount.
    Full,
    /// This share (per mille) of the open amount; the rest later.
    Share(i64),
    /// What is open less `short` minor units, left to be written off.
    Remainder { short: i64 },
    /// The open amount plus `extra` minor units.
    Over { extra: i64 },
}

/// Something to do on a day. Each task re-checks the world when it runs: a
/// contract may have been cancelled or renewed since it was scheduled.
#[derive(Clone, Debug)]
pub(super) enum Task {
    /// A new customer registers.
    Arrive,
    Sign {
        customer: usize,
        kind: DealKind,
    },
    UpdateCustomer(usize),
    Reactivate(usize),
    Bill(Bill),
    BillPerformance(usize),
    RecordUsage(usize),
    ApproveTime(usize),
    DeliverMilestone {
        deal: usize,
        line: usize,
        milestone: usize,
    },
    AcceptMilestone {
        deal: usize,
        line: usize,
        milestone: usize,
    },
    DeliverLicense {
        deal: usize,
        line: usize,
    },
    RenewalContact {
        deal: usize,
        term: u32,
    },
    RenewalDecision {
        deal: usize,
        term: u32,
    },
    TermEnded {
        deal: usize,
        term: u32,
    },
    Modify {
        deal: usize,
        term: u32,
    },
    Cancel {
        deal: usize,
        term: u32,
    },
    EarnSpif {
        deal: usize,
        partner: usize,
    },
    Dispatch(usize),
    Pay {
        invoice: usize,
        part: PayPart,
    },
    SettleUnapplied {
        payment: PaymentId,
        customer: usize,
    },
    Collect(usize),
    WriteOff {
        invoice: usize,
        reason: &'static str,
    },
    OpenDispute(usize),
    ReviewDispute(usize),
    EscalateDispute(usize),
    ResolveDispute(usize),
    ServiceCredit(usize),
    OpenCommissionDispute(usize),
    ResolveCommissionDispute {
        dispute: CommissionDisputeId,
        rep: usize,
        amount: Decimal,
    },
}

/// The generator: the world, the agenda, and the ledger it writes through.
pub(super) struct Generator<'a, L> {
    pub config: &'a SimulationConfig,
    pub ledger: &'a mut Ledger<L>,
    /// Every decision.
    pub rng: Prng,
    /// Event ids only, so that they never shift a decision.
    ids: Prng,
    pub today: NaiveDate,
    pub last_day: NaiveDate,
    in_day: u32,
    agenda: BTreeMap<NaiveDate, Vec<Task>>,
    pub customers: Vec<Customer>,
    pub deals: Vec<Deal>,
    pub invoices: Vec<Invoice>,
    pub disputes: Vec<Dispute>,
    pub reps: Vec<Rep>,
    pub partners: Vec<PartnerId>,
    /// Days on which commission plans are defined: no contract is signed
    /// then, so that no contract and the plan it names share a day (see
    /// [`super::interleave`]).
    pub plan_days: BTreeSet<NaiveDate>,
    pub fx: BTreeMap<Currency, i64>,
    pub counters: Counters,
    pub summary: Summary,
    /// The commission statement of every rep, fed with each event as it is
    /// appended: payouts pay what it shows payable.
    pub commissions: Commissions,
}

/// Sequence numbers of generated ids.
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub invoice: u64,
    pub payment: u64,
    pub memo: u64,
    pub dispute: u64,
    pub commission_dispute: u64,
    pub contract: u64,
    pub po: u64,
}

/// Builds an id, which is valid by construction.
pub(super) fn id<T>(make: impl FnOnce(String) -> Result<T, revops_events::Error>, text: String) -> T {
    make(text).expect("generated ids are short and printable")
}

impl<'a, L: EventLog> Generator<'a, L> {
    pub fn new(config: &'a SimulationConfig, ledger: &'a mut Ledger<L>, last_day: NaiveDate) -> Self {
        Generator {
            config,
            ledger,
            rng: Prng::new(config.seed, 0),
            ids: Prng::new(config.seed, 1),
            today: config.start,
            last_day,
            in_day: 0,
            agenda: BTreeMap::new(),
            customers: Vec::new(),
            deals: Vec::new(),
            invoices: Vec::new(),
            disputes: Vec::new(),
            reps: Vec::new(),
            partners: Vec::new(),
            plan_days: BTreeSet::new(),
            fx: BTreeMap::new(),
            counters: Counters::default(),
            summary: Summary::default(),
            commissions: Commissions::default(),
        }
    }

    /// Runs the book day by day from the first day to the last.
    pub fn run(mut self) -> Result<Summary, Error> {
        self.setup();
        let mut day = self.config.start;
        // Bounded by the configured number of months.
        while day <= self.last_day {
            self.today = day;
            self.in_day = 0;
            self.company_day()?;
            // Tasks may schedule more tasks for today; each round drains
            // what is there. Bounded: every task schedules finitely many.
            while let Some(tasks) = self.agenda.remove(&day) {
                for task in tasks {
                    self.handle(task)?;
                }
            }
            self.summary.days += 1;
            day = day.succ_opt().expect("simulated dates are far from the end of the calendar");
        }
        self.summary.customers = self.customers.len() as u64;
        self.summary.contracts = self.deals.len() as u64;
        Ok(self.summary)
    }

    /// Schedules `task` on `date`; dates after the run are dropped.
    pub fn at(&mut self, date: NaiveDate, task: Task) {
        debug_assert!(date >= self.today, "task scheduled in the past: {date} < {}", self.today);
        let date = date.max(self.today);
        if date <= self.last_day {
            self.agenda.entry(date).or_default().push(task);
        }
    }

    /// `today` plus `days`.
    pub fn in_days(&self, days: i64) -> NaiveDate {
        self.today + Duration::days(days)
    }

    /// `today` plus a random number of days in `lo..=hi`.
    pub fn in_random_days(&mut self, lo: i64, hi: i64) -> NaiveDate {
        let days = self.rng.range(lo, hi);
        self.in_days(days)
    }

    /// Validates and appends `event`, recorded on the current business day.
    ///
    /// The generator only proposes events the ledger accepts: a refusal is a
    /// bug in the generator and stops the run with the ledger's reason.
    pub fn emit(&mut self, event: impl Into<Event>) -> Result<(), Error> {
        let event = event.into();
        if self.summary.events >= self.config.max_events {
            return Err(Error::EventLimit { limit: self.config.max_events });
        }
        let event_type = event.type_name();
        if let Err(source) = self.ledger.check(&event) {
            return Err(Error::Refused { date: self.today, event_type, source: Box::new(source) });
        }
        self.count(&event);
        let at = recorded_at(self.today, self.in_day);
        let event_id = Some(Builder::from_random_bytes(self.ids.bytes16()).into_uuid());
        let before = self.ledger.log().len();
        let new = NewEvent { event_id, event };
        let range = self.ledger.execute_new(new.clone(), at).map_err(|source| Error::Log(Box::new(source)))?;
        if range.start.0 != before || range.end.0 != before + 1 {
            return Err(Error::Repeated { date: self.today, event_type });
        }
        let stream = new.event.stream();
        self.commissions.apply(&Envelope {
            seq: range.start,
            event_id: new.id(),
            stream_version: self.ledger.state().stream_version(&stream),
            stream,
            recorded_at: at,
            schema_version: SCHEMA_VERSION,
            event: new.event,
        });
        self.in_day += 1;
        Ok(())
    }

    fn count(&mut self, event: &Event) {
        *self.summary.by_type.entry(event.type_name()).or_default() += 1;
        self.summary.events += 1;
        let lines: Vec<&ContractLine> = match event {
            Event::ContractSigned(e) => {
                *self.summary.contracts_by_billing.entry(frequency_name(e.billing_frequency)).or_default() += 1;
                e.lines.iter().collect()
            }
            Event::ContractRenewed(e) => e.lines.iter().collect(),
            Event::ContractModified(e) => e
                .changes
                .iter()
                .filter_map(|c| match c {
                    revops_core::modification::LineChange::Add { line } => Some(line),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for line in lines {
            *self.summary.lines_by_kind.entry(kind_name(line.kind)).or_default() += 1;
        }
    }

    fn handle(&mut self, task: Task) -> Result<(), Error> {
        match task {
            Task::Arrive => self.arrive(),
            Task::Sign { customer, kind } => self.sign(customer, kind),
            Task::UpdateCustomer(customer) => self.update_customer(customer),
            Task::Reactivate(customer) => self.reactivate(customer),
            Task::Bill(bill) => self.bill(bill),
            Task::BillPerformance(deal) => self.bill_performance(deal),
            Task::RecordUsage(deal) => self.record_usage(deal),
            Task::ApproveTime(deal) => self.approve_time(deal),
            Task::DeliverMilestone { deal, line, milestone } => self.deliver_milestone(deal, line, milestone),
            Task::AcceptMilestone { deal, line, milestone } => self.accept_milestone(deal, line, milestone),
            Task::DeliverLicense { deal, line } => self.deliver_license(deal, line),
            Task::RenewalContact { deal, term } => self.renewal_contact(deal, term),
            Task::RenewalDecision { deal, term } => self.renewal_decision(deal, term),
            Task::TermEnded { deal, term } => self.term_ended(deal, term),
            Task::Modify { deal, term } => self.modify(deal, term),
            Task::Cancel { deal, term } => self.cancel(deal, term, None),
            Task::EarnSpif { deal, partner } => self.earn_spif(deal, partner),
            Task::Dispatch(invoice) => self.dispatch(invoice),
            Task::Pay { invoice, part } => self.pay(invoice, part),
            Task::SettleUnapplied { payment, customer } => self.settle_unapplied(payment, customer),
            Task::Collect(invoice) => self.collect(invoice),
            Task::WriteOff { invoice, reason } => self.write_off(invoice, reason),
            Task::OpenDispute(invoice) => self.open_dispute(invoice),
            Task::ReviewDispute(dispute) => self.review_dispute(dispute),
            Task::EscalateDispute(dispute) => self.escalate_dispute(dispute),
            Task::ResolveDispute(dispute) => self.resolve_dispute(dispute),
            Task::ServiceCredit(invoice) => self.service_credit(invoice),
            Task::OpenCommissionDispute(rep) => self.open_commission_dispute(rep),
            Task::ResolveCommissionDispute { dispute, rep, amount } => {
                self.resolve_commission_dispute(dispute, rep, amount)
            }
        }
    }

    /// Schedules every customer's arrival: a first cohort in the first
    /// month, the rest spread over the run, none in its last two months (a
    /// newcomer needs time to be billed).
    fn setup(&mut self) {
        let span = (self.last_day - self.config.start).num_days();
        let late = (span - 60).max(1);
        let first_month = span.clamp(1, 30);
        for _ in 0..self.config.customers {
            let offset = if self.rng.chance(350) { self.rng.range(0, first_month) } else { self.rng.range(0, late) };
            let day = self.config.start + Duration::days(offset);
            self.agenda.entry(day).or_default().push(Task::Arrive);
        }
    }

    /// Billing schedule installments of `contract` (fixed lines) as bills
    /// of `deal`, each scheduled on its invoice date.
    pub fn schedule_fixed_billing(&mut self, deal: usize, contract: &Contract) -> Result<(), Error> {
        let schedule = billing_schedule(contract, &Performance::default(), BillingSettings::default())
            .map_err(|source| Error::Core { date: self.today, source })?;
        for installment in schedule.installments {
            let bill = Bill {
                deal,
                lines: installment.lines.into_iter().map(|l| (l.line, l.amount)).collect(),
                period_start: installment.period_start,
                period_end: installment.period_end,
            };
            self.at(installment.invoice_date, Task::Bill(bill));
        }
        Ok(())
    }

    /// Today's installments of the lines billed as performed (milestones,
    /// time, usage) of `deal`, from revops-core's billing schedule over
    /// every such line of every term and everything performed.
    pub fn performance_bills(&self, deal: usize) -> Result<Vec<Bill>, Error> {
        let d = &self.deals[deal];
        let lines: Vec<ContractLine> = d
            .lines
            .iter()
            .filter(|l| !matches!(l.line.recognition, Recognition::Ratable { .. } | Recognition::PointInTime))
            .map(|l| ContractLine {
                start_date: Some(l.line.start_date.unwrap_or(l.term_start)),
                end_date: Some(l.line.end_date.unwrap_or(l.term_end)),
                ..l.line.clone()
            })
            .collect();
        if lines.is_empty() {
            return Ok(Vec::new());
        }
        let view = Contract {
            contract: d.id.to_string(),
            customer: String::new(),
            currency: d.currency,
            start_date: d.first_start,
            end_date: d.term_end,
            billing_frequency: d.kind.frequency(),
            payment_terms: d.terms,
            lines,
        };
        let schedule = billing_schedule(&view, &d.performance, BillingSettings::default())
            .map_err(|source| Error::Core { date: self.today, source })?;
        Ok(schedule
            .installments
            .into_iter()
            .filter(|i| i.invoice_date == self.today)
            .map(|i| Bill {
                deal,
                lines: i.lines.into_iter().map(|l| (l.line, l.amount)).collect(),
                period_start: i.period_start,
                period_end: i.period_end,
            })
            .collect())
    }
}

/// The snake_case name of a billing frequency, as in `contract_signed`.
pub fn frequency_name(frequency: BillingFrequency) -> &'static str {
    match frequency {
        BillingFrequency::Monthly => "monthly",
        BillingFrequency::Quarterly => "quarterly",
        BillingFrequency::Annually => "annually",
        BillingFrequency::Milestone => "milestone",
        BillingFrequency::TimeAndMaterials => "time_and_materials",
        BillingFrequency::Usage => "usage",
    }
}

/// The snake_case name of a line kind, as in `contract_signed`.
pub fn kind_name(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Subscription => "subscription",
        LineKind::Milestone => "milestone",
        LineKind::TimeAndMaterials => "time_and_materials",
        LineKind::PerpetualLicense => "perpetual_license",
        LineKind::Usage => "usage",
    }
}

/// `minor` minor units of `currency` as money.
pub fn minor(minor: i64, currency: Currency) -> Money {
    Money::from_minor(minor, currency)
}

/// A whole number of units (seats, hours, API calls).
pub fn units(count: i64) -> Decimal {
    Decimal::from(count)
}

/// A whole amount of a two-decimal currency, written with its cents
/// (`16000.00`) as invoices and contracts show money.
pub fn whole(amount: i64) -> Decimal {
    Decimal::new(amount * 100, 2)
}

/// The first day of the month after the one containing `date`.
pub fn next_month_start(date: NaiveDate) -> NaiveDate {
    YearMonth::of(date).next().first_day()
}
