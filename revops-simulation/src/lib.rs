//! A deterministic simulation of a book of business.
//!
//! [`simulate`] drives the [`Ledger`] command API day by day over a
//! simulated company: customers arrive (mostly USD, some EUR and GBP),
//! sign contracts of every billing frequency and line kind, are invoiced
//! from revops-core's billing schedules with tax from a small
//! per-jurisdiction table, and pay on time, late, in part or too much;
//! collections, credit holds, disputes, credit memos, write-offs,
//! modifications, renewals, churn and comebacks, commission plans and
//! payouts, partner attributions, MDF, SPIFs, FX rates and monthly closes
//! follow. Every event passed the ledger's validation when it was appended;
//! a refusal is a bug in the generator and stops the run
//! ([`Error::Refused`]).
//!
//! In the manner of deterministic simulation testing, the run is a pure
//! function of its [`SimulationConfig`]: one seeded [`Prng`] makes every
//! decision, the world is kept in ordered collections, event ids come from
//! their own seeded stream and `recorded_at` is derived from the business
//! date. The same seed gives the same log, byte for byte.
//!
//! [`interleave`] gives the same facts in another order that could have
//! happened (independent streams permuted within a day), for properties
//! that must not depend on arrival order.
//!
//! ```
//! use revops_simulation::{generate, jsonl, SimulationConfig};
//!
//! let config = SimulationConfig::small(42);
//! let book = generate(&config)?;
//! assert!(book.summary.events > 0);
//! assert_eq!(book.summary.events, book.log.envelopes().len() as u64);
//! // The same seed, the same book: a failing case is reproduced from its seed.
//! assert_eq!(jsonl(&config)?, jsonl(&SimulationConfig::small(42))?);
//! # Ok::<(), revops_simulation::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cash;
mod catalog;
mod company;
mod deals;
mod generator;
mod interleave;
mod prng;

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use revops_core::calendar::add_months;
use revops_events::{EventLog, Ledger, MemoryLog};

pub use generator::{recorded_at, MAX_EVENTS_PER_DAY};
pub use interleave::interleave;
pub use prng::Prng;

/// The most customers one run may have.
pub const MAX_CUSTOMERS: usize = 100_000;
/// The longest run, in months.
pub const MAX_MONTHS: u32 = 240;
/// The most sales reps one run may have.
pub const MAX_REPS: usize = 1_000;
/// The most channel partners one run may have.
pub const MAX_PARTNERS: usize = 100;
/// The largest event budget a run may be given.
pub const MAX_EVENTS: u64 = 100_000_000;

/// The seed of [`SimulationConfig::default`]: the demo book.
pub const DEFAULT_SEED: u64 = 42;

/// What to simulate. Every field has a limit ([`SimulationConfig::validate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulationConfig {
    /// The seed every decision derives from.
    pub seed: u64,
    /// How many customers arrive over the run (some 35 % in the first
    /// month, the rest spread over all but the last two months).
    pub customers: usize,
    /// The first simulated business day.
    pub start: NaiveDate,
    /// How many months are simulated from `start`.
    pub months: u32,
    /// Sales reps, each with a commission plan per calendar year; half
    /// sell in USD, a quarter each in EUR and GBP.
    pub reps: usize,
    /// Channel partners with MDF, attributions and SPIFs.
    pub partners: usize,
    /// The most events the run may append: a run that would append more
    /// stops with [`Error::EventLimit`].
    pub max_events: u64,
}

impl Default for SimulationConfig {
    /// The demo book of [`DEFAULT_SEED`].
    fn default() -> Self {
        SimulationConfig::demo(DEFAULT_SEED)
    }
}

impl SimulationConfig {
    /// The demo book: about 300 customers over the three years from
    /// 2024-01-01, with a dozen reps and eight partners; every event type
    /// and every billing and line kind occurs.
    pub fn demo(seed: u64) -> Self {
        SimulationConfig {
            seed,
            customers: 300,
            start: NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date"),
            months: 36,
            reps: 12,
            partners: 8,
            max_events: 2_000_000,
        }
    }

    /// A small book for property tests: eight customers over a year from
    /// 2024-01-01, generated in milliseconds.
    pub fn small(seed: u64) -> Self {
        SimulationConfig {
            seed,
            customers: 8,
            start: NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date"),
            months: 12,
            reps: 3,
            partners: 2,
            max_events: 20_000,
        }
    }

    /// A large book for replay benchmarks: over a million events (9,000
    /// customers over four years).
    pub fn bench(seed: u64) -> Self {
        SimulationConfig {
            seed,
            customers: 9_000,
            start: NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date"),
            months: 48,
            reps: 200,
            partners: 30,
            max_events: 5_000_000,
        }
    }

    /// Checks the limits: 1 to [`MAX_CUSTOMERS`] customers, 1 to
    /// [`MAX_MONTHS`] months starting between 1970 and 2200, at most
    /// [`MAX_REPS`] reps and [`MAX_PARTNERS`] partners, an event budget of 1
    /// to [`MAX_EVENTS`].
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |field, problem: String| Err(Error::InvalidConfig { field, problem });
        if !(1..=MAX_CUSTOMERS).contains(&self.customers) {
            return invalid("customers", format!("must be 1 to {MAX_CUSTOMERS}, got {}", self.customers));
        }
        if !(1..=MAX_MONTHS).contains(&self.months) {
            return invalid("months", format!("must be 1 to {MAX_MONTHS}, got {}", self.months));
        }
        let (earliest, latest) = (
            NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date"),
            NaiveDate::from_ymd_opt(2200, 12, 31).expect("a valid date"),
        );
        if !(earliest..=latest).contains(&self.start) {
            return invalid("start", format!("must be between {earliest} and {latest}, got {}", self.start));
        }
        if self.reps > MAX_REPS {
            return invalid("reps", format!("must be at most {MAX_REPS}, got {}", self.reps));
        }
        if self.partners > MAX_PARTNERS {
            return invalid("partners", format!("must be at most {MAX_PARTNERS}, got {}", self.partners));
        }
        if !(1..=MAX_EVENTS).contains(&self.max_events) {
            return invalid("max_events", format!("must be 1 to {MAX_EVENTS}, got {}", self.max_events));
        }
        Ok(())
    }

    /// The last simulated day: the day before `start` plus `months`.
    pub fn last_day(&self) -> NaiveDate {
        let end = add_months(self.start, self.months as i32).expect("validated dates are in range");
        end - Duration::days(1)
    }
}

/// What a run generated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Events appended.
    pub events: u64,
    /// Events appended, by type name.
    pub by_type: BTreeMap<&'static str, u64>,
    /// Contracts signed, by billing frequency (snake_case, as in the event).
    pub contracts_by_billing: BTreeMap<&'static str, u64>,
    /// Contract lines signed, renewed or added, by line kind (snake_case).
    pub lines_by_kind: BTreeMap<&'static str, u64>,
    /// Customers registered.
    pub customers: u64,
    /// Contracts signed.
    pub contracts: u64,
    /// Business days simulated.
    pub days: u64,
}

/// Why a simulation stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration outside the limits.
    #[error("invalid simulation config: {field} {problem}")]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// The ledger given already holds events; a run starts a book from
    /// nothing.
    #[error("the ledger already holds {events} events: a simulation starts from an empty log")]
    LedgerNotEmpty {
        /// How many events it holds.
        events: u64,
    },
    /// The ledger refused an event the generator proposed: a bug in the
    /// generator, reported with the ledger's reason.
    #[error("generator bug: the ledger refused {event_type} on {date}: {source}")]
    Refused {
        /// The business day.
        date: NaiveDate,
        /// The event type.
        event_type: &'static str,
        /// The ledger's reason.
        #[source]
        source: Box<revops_events::Error>,
    },
    /// The log took an event for a repeat of one it holds and appended
    /// nothing: a bug in the generator (event ids are meant to be unique).
    #[error("generator bug: {event_type} on {date} was taken for a repeat and not appended")]
    Repeated {
        /// The business day.
        date: NaiveDate,
        /// The event type.
        event_type: &'static str,
    },
    /// The commission statement the generator pays from could not be
    /// read: a bug in the generator or in the projection.
    #[error("generator bug: no commission statement on {date}: {source}")]
    Statement {
        /// The business day.
        date: NaiveDate,
        /// The projection's reason.
        #[source]
        source: Box<revops_projections::Error>,
    },
    /// revops-core refused a calculation the generator asked for (a billing
    /// schedule, a commission): a bug in the generator.
    #[error("generator bug: revops-core refused a calculation on {date}: {source}")]
    Core {
        /// The business day.
        date: NaiveDate,
        /// revops-core's reason.
        #[source]
        source: revops_core::Error,
    },
    /// The log failed to append or read (I/O, a poisoned file log).
    #[error("the event log failed: {0}")]
    Log(#[source] Box<revops_events::Error>),
    /// The run would append more than its configured budget.
    #[error("the run reached its limit of {limit} events")]
    EventLimit {
        /// The configured limit.
        limit: u64,
    },
}

/// Runs the simulation `config` describes through `ledger`, which must be
/// empty; returns what was generated.
///
/// Each event is validated by the ledger's rules before it is appended (the
/// generator proposes only what the ledger accepts, and stops with
/// [`Error::Refused`] otherwise) and recorded at a time derived
/// from its business day ([`recorded_at`]).
pub fn simulate<L: EventLog>(config: &SimulationConfig, ledger: &mut Ledger<L>) -> Result<Summary, Error> {
    config.validate()?;
    let events = ledger.log().len();
    if events != 0 {
        return Err(Error::LedgerNotEmpty { events });
    }
    generator::Generator::new(config, ledger, config.last_day()).run()
}

/// A generated book held in memory.
#[derive(Clone, Debug)]
pub struct Book {
    /// The log.
    pub log: MemoryLog,
    /// What was generated.
    pub summary: Summary,
}

/// Runs `config` into a fresh [`MemoryLog`].
pub fn generate(config: &SimulationConfig) -> Result<Book, Error> {
    let mut ledger = Ledger::open(MemoryLog::default()).map_err(|e| Error::Log(Box::new(e)))?;
    let summary = simulate(config, &mut ledger)?;
    Ok(Book { log: ledger.into_inner(), summary })
}

/// The JSON Lines export ([`revops_events::jsonl::export`]) of the book
/// `config` generates: the form to print for a failing seed.
pub fn jsonl(config: &SimulationConfig) -> Result<String, Error> {
    let book = generate(config)?;
    let mut out = Vec::new();
    revops_events::jsonl::export(&book.log, &mut out).map_err(|e| Error::Log(Box::new(e)))?;
    Ok(String::from_utf8(out).expect("the export is UTF-8"))
}
