//! One generated case: a prefix of a simulated book, and the wrapper that
//! turns any failure (an `Err` or a panic inside a projection) into a
//! message that carries the prefix as JSON Lines.

use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::Index;
use revops::simulation::{generate, SimulationConfig};
use revops_events::{Envelope, EventLog, ExpectedVersion, MemoryLog, NewEvent};
use revops_projections::{Projection, ReadModels, Reports};

/// What a property returns: `Err` says what does not hold.
pub type Checked = Result<(), String>;

/// Fails the check with a formatted message.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Every property runs this many cases (the issue asks for at least 256).
pub const CASES: u32 = 256;

/// The configuration every property runs under.
pub fn config() -> ProptestConfig {
    // Shrinking regenerates a book per step; 2,000 steps is a few seconds
    // and enough to walk a prefix down by bisection.
    ProptestConfig { cases: CASES, max_shrink_iters: 2_000, ..ProptestConfig::default() }
}

/// A seed and where to cut its book. The tuple shrinks the seed first, then
/// the cut towards the empty prefix: a failure ends as the shortest prefix
/// proptest could find that still fails.
pub fn cases() -> impl Strategy<Value = (u64, Index)> {
    (any::<u64>(), any::<Index>())
}

/// The first `envelopes.len()` of `total` events of `SimulationConfig::small(seed)`.
#[derive(Clone, Debug)]
pub struct Case {
    /// The simulation seed.
    pub seed: u64,
    /// Events in the whole book.
    pub total: usize,
    /// The prefix under test, in log order.
    pub envelopes: Vec<Envelope>,
    /// The last simulated day.
    pub last_day: NaiveDate,
}

impl Case {
    /// The book of `seed`, cut by `cut` (anywhere from empty to whole).
    pub fn new(seed: u64, cut: Index) -> Case {
        Case::first(seed, |total| cut.index(total + 1))
    }

    /// The first `n(total)` events of the book of `seed`.
    pub fn first(seed: u64, n: impl FnOnce(usize) -> usize) -> Case {
        let config = SimulationConfig::small(seed);
        let book = generate(&config).unwrap_or_else(|e| panic!("seed {seed}: the simulation failed: {e}"));
        let all = book.log.envelopes();
        let n = n(all.len()).min(all.len());
        Case { seed, total: all.len(), envelopes: all[..n].to_vec(), last_day: config.last_day() }
    }

    /// The prefix as JSON Lines, `revops import` ready.
    pub fn jsonl(&self) -> String {
        self.envelopes.iter().map(revops_events::jsonl::to_line).collect()
    }

    /// The read models folded over the prefix.
    pub fn models(&self) -> ReadModels {
        fold(&self.envelopes)
    }

    /// The business date of the last event (the start of the year when the
    /// prefix is empty).
    pub fn today(&self) -> NaiveDate {
        self.envelopes
            .last()
            .map_or(NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date"), |e| e.recorded_at.date_naive())
    }

    /// A few as-of dates: a quarter end, the day of the last event, and the
    /// last day of the year (a month end with recognition still ahead).
    pub fn as_of_dates(&self) -> Vec<NaiveDate> {
        let mut dates = vec![NaiveDate::from_ymd_opt(2024, 3, 31).expect("a date"), self.today(), self.last_day];
        dates.sort();
        dates.dedup();
        dates
    }
}

/// Appends `envelopes` to `log` one by one (same ids, positions and
/// recording times); returns how many.
pub fn to_log_onto(log: &mut MemoryLog, envelopes: &[Envelope]) -> u64 {
    for e in envelopes {
        let new = NewEvent { event_id: Some(e.event_id), event: e.event.clone() };
        let range = log
            .append(&e.stream, ExpectedVersion::Any, &[new], e.recorded_at)
            .unwrap_or_else(|err| panic!("event {} does not append again: {err}", e.seq));
        assert_eq!(range.start, e.seq, "each envelope lands at its own position");
    }
    envelopes.len() as u64
}

/// [`ReadModels`] fed `envelopes` in order.
pub fn fold(envelopes: &[Envelope]) -> ReadModels {
    let mut models = ReadModels::default();
    for e in envelopes {
        models.apply(e);
    }
    models
}

/// The reports of `models` as of `as_of`, as JSON.
pub fn reports_json(models: &ReadModels, as_of: NaiveDate) -> Result<String, String> {
    let reports: Reports = models.reports(as_of).map_err(|e| format!("reports as of {as_of}: {e}"))?;
    serde_json::to_string(&reports).map_err(|e| e.to_string())
}

/// Runs `check` on the case of `(seed, cut)`. Any failure, including a panic
/// in a projection, fails the case with the prefix as JSON Lines, so that the
/// shrunk case proptest reports last is a log to import and replay.
pub fn check(seed: u64, cut: Index, check: impl FnOnce(&Case) -> Checked) -> Result<(), TestCaseError> {
    let case = Case::new(seed, cut);
    let outcome = catch_unwind(AssertUnwindSafe(|| check(&case))).unwrap_or_else(|panic| {
        let text = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic without a message".to_owned());
        Err(format!("panicked: {text}"))
    });
    outcome.map_err(|why| TestCaseError::fail(failure(&case, &why)))
}

fn failure(case: &Case, why: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{why}\n\nthe first {} of the {} events of SimulationConfig::small({}) reproduce it; as JSON Lines:\n",
        case.envelopes.len(),
        case.total,
        case.seed
    );
    out.push_str(&case.jsonl());
    out
}
