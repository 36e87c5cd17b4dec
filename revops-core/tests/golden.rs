//! Golden vectors: every `tests/golden/*.json` file is one contract with its
//! expected recognition schedule, written so finance people can read and
//! extend them (see `tests/golden/README.md`). This test runs each through
//! `revops_core::recognition::schedule` and compares entry by entry.
#![cfg(feature = "serde")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use revops_core::modification::Modification;
use revops_core::performance::Performance;
use revops_core::recognition::{schedule, RecognitionSettings};
use revops_core::schedule::{EntryKind, RevenueSchedule};
use revops_core::terms::Contract;
use revops_core::{Money, NaiveDate};
use serde::Deserialize;

/// One golden file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case shows, in words.
    #[allow(dead_code)]
    description: String,
    contract: Contract,
    #[serde(default)]
    performance: Performance,
    #[serde(default)]
    modifications: Vec<Modification>,
    /// Cumulative HalfUp spreading and HalfUp extension when absent.
    #[serde(default)]
    settings: Option<RecognitionSettings>,
    expected: Expected,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    /// What the contract recognizes in total.
    total: String,
    line_totals: Vec<LineTotal>,
    /// Every entry, in the schedule's order (by line, then by date).
    schedule: Vec<Entry>,
    #[serde(default)]
    as_of: Vec<AsOf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineTotal {
    line: String,
    total: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Entry {
    line: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    kind: EntryKind,
    amount: String,
}

/// Recognized and deferred as of a date, for the contract or one line, and
/// optionally (contract only) the total under the terms in force on the date.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AsOf {
    date: NaiveDate,
    #[serde(default)]
    line: Option<String>,
    recognized: String,
    deferred: String,
    /// `RevenueSchedule::total_as_of`: modifications effective after `date`
    /// left out.
    #[serde(default)]
    total: Option<String>,
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("golden")
}

fn golden_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .expect("tests/golden exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

/// An amount as the files write it: the currency's places, no currency code.
fn text(money: Money) -> String {
    money.amount.to_string()
}

/// Runs one case and returns every difference from its expectations.
fn check(case: &Case) -> Result<Vec<String>, String> {
    let settings = case.settings.unwrap_or_default();
    let s: RevenueSchedule = schedule(&case.contract, &case.performance, &case.modifications, settings)
        .map_err(|e| format!("schedule failed: {e}"))?;
    let currency = s.currency();
    let mut problems = Vec::new();

    let actual: Vec<Entry> = s
        .entries()
        .iter()
        .map(|e| Entry {
            line: s.line_ids()[e.line as usize].clone(),
            period_start: e.period_start,
            period_end: e.period_end,
            kind: e.kind,
            amount: text(Money::from_minor(e.amount_minor, currency)),
        })
        .collect();
    let expected = &case.expected.schedule;
    if actual.len() != expected.len() {
        problems.push(format!("schedule has {} entries, expected {}", actual.len(), expected.len()));
    }
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        if a != e {
            problems.push(format!("entry {i}: got {a:?}, expected {e:?}"));
        }
    }
    for (i, a) in actual.iter().enumerate().skip(expected.len()) {
        problems.push(format!("entry {i}: unexpected {a:?}"));
    }

    if text(s.total()) != case.expected.total {
        problems.push(format!("total: got {}, expected {}", text(s.total()), case.expected.total));
    }
    let ids: Vec<&str> = case.expected.line_totals.iter().map(|l| l.line.as_str()).collect();
    if s.line_ids() != ids.as_slice() {
        problems.push(format!("line ids: got {:?}, expected {:?}", s.line_ids(), ids));
    }
    for l in &case.expected.line_totals {
        match s.line_index(&l.line) {
            Ok(index) if text(s.line_total(index)) == l.total => {}
            Ok(index) => {
                problems.push(format!("line {} total: got {}, expected {}", l.line, text(s.line_total(index)), l.total))
            }
            Err(e) => problems.push(format!("line {}: {e}", l.line)),
        }
    }

    for a in &case.expected.as_of {
        let (recognized, deferred) = match &a.line {
            None => (s.recognized_as_of(a.date), s.deferred_as_of(a.date)),
            Some(id) => match s.line_index(id) {
                Ok(index) => (s.line_recognized_as_of(index, a.date), s.line_deferred_as_of(index, a.date)),
                Err(e) => {
                    problems.push(format!("as of {}: {e}", a.date));
                    continue;
                }
            },
        };
        let scope = a.line.as_deref().map_or(String::from("contract"), |l| format!("line {l}"));
        if text(recognized) != a.recognized {
            problems.push(format!(
                "{scope} recognized as of {}: got {}, expected {}",
                a.date,
                text(recognized),
                a.recognized
            ));
        }
        if text(deferred) != a.deferred {
            problems.push(format!(
                "{scope} deferred as of {}: got {}, expected {}",
                a.date,
                text(deferred),
                a.deferred
            ));
        }
        match (&a.total, &a.line) {
            (None, _) => {}
            (Some(_), Some(_)) => problems.push(format!("{scope} as of {}: `total` is for the contract only", a.date)),
            (Some(total), None) => {
                let actual = text(s.total_as_of(a.date));
                if actual != *total {
                    problems.push(format!("contract total as of {}: got {actual}, expected {total}", a.date));
                }
            }
        }
    }
    Ok(problems)
}

#[test]
fn golden_vectors() {
    let files = golden_files();
    assert!(
        files.len() >= 12,
        "expected at least 12 golden files in {}, found {}",
        golden_dir().display(),
        files.len()
    );
    let mut report = String::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        let json = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: cannot read: {e}"));
        let case: Case = match serde_json::from_str(&json) {
            Ok(case) => case,
            Err(e) => {
                writeln!(report, "{name}: malformed golden file: {e}").unwrap();
                continue;
            }
        };
        match check(&case) {
            Ok(problems) => {
                for p in problems {
                    writeln!(report, "{name}: {p}").unwrap();
                }
            }
            Err(e) => writeln!(report, "{name}: {e}").unwrap(),
        }
    }
    assert!(report.is_empty(), "golden vectors disagree with revops_core:\n{report}");
}
