//! The desk's commands through the `revops` binary, on the sample book
//! (`examples/book.jsonl`): the bill run, the credit check and the
//! dashboard.
//!
//! The sample book invoices its milestones and its perpetual license by
//! hand, without billing periods; a bill run must take those invoices as
//! billing the contract lines they name, and issue nothing the book already
//! billed.

use std::path::Path;
use std::process::{Command, Output};

fn revops(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_revops"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the revops binary runs")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "revops failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// A file log holding the sample book, in a new temporary directory.
fn book() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = dir.path().join("log");
    stdout(&revops(&[
        "import",
        "examples/book.jsonl",
        "--log",
        log.to_str().expect("UTF-8 path"),
        "--recorded-at",
        "2026-12-31T00:00:00Z",
    ]));
    dir
}

fn log(dir: &tempfile::TempDir) -> String {
    dir.path().join("log").to_str().expect("UTF-8 path").to_owned()
}

fn bill_run(log: &str, as_of: &str) -> serde_json::Value {
    let args = ["bill-run", "--log", log, "--as-of", as_of, "--tax-rates", "examples/tax_rates.json"];
    let mut args = args.to_vec();
    args.extend(["--recorded-at", "2027-01-01T06:00:00Z", "--json"]);
    serde_json::from_str(&stdout(&revops(&args))).expect("the bill run's JSON")
}

#[test]
fn a_bill_run_over_a_hand_billed_book_issues_only_what_is_due_and_never_twice() {
    let dir = book();
    let log = log(&dir);
    // Everything due by the end of 2026 was invoiced by hand, with and
    // without periods: nothing to issue.
    let run = bill_run(&log, "2026-12-31");
    assert_eq!(run["issued"].as_array().map(Vec::len), Some(0), "{run:#}");
    assert_eq!(run["refused"].as_array().map(Vec::len), Some(0), "{run:#}");
    let before = stdout(&revops(&["export", "--log", &log])).lines().count();
    assert_eq!(before, 150);
    // Again, and earlier: still nothing, and the log is unchanged.
    for as_of in ["2026-12-31", "2026-06-30"] {
        let again = bill_run(&log, as_of);
        assert_eq!(again["issued"].as_array().map(Vec::len), Some(0), "{again:#}");
    }
    assert_eq!(stdout(&revops(&["export", "--log", &log])).lines().count(), before);
}

#[test]
fn a_bill_run_needs_a_readable_rate_table() {
    let dir = book();
    let missing = dir.path().join("rates.json");
    std::fs::write(&missing, r#"{"US-NY": "high"}"#).expect("write the rate table");
    let output = revops(&[
        "bill-run",
        "--log",
        &log(&dir),
        "--as-of",
        "2026-12-31",
        "--tax-rates",
        missing.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rates.json") && stderr.contains("US-NY"), "{stderr}");
    assert!(Path::new(&log(&dir)).is_dir());
}

#[test]
fn a_credit_check_states_the_rule_and_the_deposit() {
    let dir = book();
    let text = stdout(&revops(&[
        "credit-check",
        "--log",
        &log(&dir),
        "--customer",
        "ACME",
        "--order",
        "50000",
        "--as-of",
        "2027-01-01",
    ]));
    assert!(text.starts_with("Credit check of ACME as of 2027-01-01\n"), "{text}");
    for expected in [
        "Outcome                   deposit_required",
        "Rule                   exposure_over_limit",
        "Category                               smb",
        "Exposure                      55443.75 USD",
        "Deposit                       30443.75 USD",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from\n{text}");
    }
    let unknown =
        revops(&["credit-check", "--log", &log(&dir), "--customer", "NOPE", "--order", "1", "--as-of", "2027-01-01"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown customer \"NOPE\""));
}
