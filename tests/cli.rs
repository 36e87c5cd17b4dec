//! The `revops` binary on the sample contracts in `examples/`.
//!
//! The expected amounts were worked out independently from DESIGN.md's rules
//! in exact rational arithmetic, not copied from the program's output:
//!
//! - Allocation of 36,000.00 by SSPs 14,400 / 6,600 / 18,600 (ratio 10/11):
//!   SUB 13,090.909… → 13,090.91 (largest remainder gets the leftover cent),
//!   IMP 6,000.00, LIC 16,909.090… → 16,909.09.
//! - SUB, monthly basis from 2026-01-15 (12 month-units: 17/31, 11 full, 14/31),
//!   cumulative half-up: Jan round(1,309,091 × (17/31) / 12) = 59,824 cents;
//!   Feb–Apr 109,091 each (to-date after Apr: 387,097).
//! - The prospective upgrade on 2026-05-01 (price 15,000, SSP 17,700) keeps
//!   the 10/11 ratio, so IMP and LIC are untouched and SUB becomes
//!   16,090.91; 16,090.91 − 3,870.97 = 12,219.94 is spread over May–Dec and
//!   14/31 of January 2027 (8 + 14/31 units): 1,445.87 a month, 1,445.88 in
//!   November, 652.97 in January.
//! - design is 2,400 of 6,000 milestone weight: 2,400.00 on 2026-03-06;
//!   go-live (3,600.00) is not accepted and stays deferred.
//! - As of 2026-06-30: SUB 598.24 + 3 × 1,090.91 + 2 × 1,445.87 = 6,762.71,
//!   plus LIC 16,909.09 and design 2,400.00: 26,071.80 recognized of
//!   39,000.00, 12,928.20 deferred.

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

/// The whitespace-separated fields of the output lines that start with
/// `first`.
fn rows(text: &str, first: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|fields| fields.first().is_some_and(|f| f == first))
        .collect()
}

fn row(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|&f| f.to_owned()).collect()
}

#[test]
fn text_schedule_as_of_mid_year() {
    let text = stdout(&revops(&["schedule", "examples/contract.json", "--as-of", "2026-06-30"]));
    assert!(text.starts_with("Revenue schedule of contract C-2026-0042 (customer NORTHWIND)\n"), "{text}");
    assert!(text.contains("\nService 2026-01-15 to 2027-01-14, amounts in USD, as of 2026-06-30\n"), "{text}");
    assert!(text.contains("\nModified 2026-05-01 (prospective): SUB\n"), "{text}");
    assert_eq!(rows(&text, "Total"), [row(&["Total", "39000.00"])]);
    assert_eq!(rows(&text, "Recognized"), [row(&["Recognized", "to", "date", "26071.80"])]);
    assert_eq!(rows(&text, "Deferred"), [row(&["Deferred", "12928.20"])]);

    let sub = rows(&text, "SUB");
    // The line summary, then 13 monthly entries.
    assert_eq!(sub.len(), 14, "{text}");
    assert_eq!(sub[0][sub[0].len() - 4..], ["16090.91", "6762.71", "9328.20", "0.00"]);
    let entries: Vec<&[String]> = sub[1..].iter().map(|r| &r[1..]).collect();
    assert_eq!(entries[0], ["2026-01-15", "2026-01-31", "recognition", "598.24", "recognized"]);
    assert_eq!(entries[1], ["2026-02-01", "2026-02-28", "recognition", "1090.91", "recognized"]);
    assert_eq!(entries[3], ["2026-04-01", "2026-04-30", "recognition", "1090.91", "recognized"]);
    assert_eq!(entries[4], ["2026-05-01", "2026-05-31", "recognition", "1445.87", "recognized"]);
    assert_eq!(entries[5], ["2026-06-01", "2026-06-30", "recognition", "1445.87", "recognized"]);
    assert_eq!(entries[6], ["2026-07-01", "2026-07-31", "recognition", "1445.87", "scheduled"]);
    assert_eq!(entries[10], ["2026-11-01", "2026-11-30", "recognition", "1445.88", "scheduled"]);
    assert_eq!(entries[12], ["2027-01-01", "2027-01-14", "recognition", "652.97", "scheduled"]);

    let imp = rows(&text, "IMP");
    assert_eq!(imp[0][imp[0].len() - 4..], ["6000.00", "2400.00", "3600.00", "3600.00"]);
    assert_eq!(imp[1][1..], ["2026-03-06", "2026-03-06", "recognition", "2400.00", "recognized"]);
    let lic = rows(&text, "LIC");
    assert_eq!(lic[0][lic[0].len() - 4..], ["16909.09", "16909.09", "0.00", "0.00"]);
    assert_eq!(lic[1][1..], ["2026-01-20", "2026-01-20", "recognition", "16909.09", "recognized"]);

    // The waterfall: month, amount, cumulative.
    assert_eq!(rows(&text, "2026-01"), [row(&["2026-01", "17507.33", "17507.33"])]);
    assert_eq!(rows(&text, "2026-03"), [row(&["2026-03", "3490.91", "22089.15"])]);
    assert_eq!(rows(&text, "2026-06"), [row(&["2026-06", "1445.87", "26071.80"])]);
    assert_eq!(rows(&text, "2027-01"), [row(&["2027-01", "652.97", "35400.00"])]);
}

#[test]
fn without_as_of_the_contract_end_date_is_used() {
    let text = stdout(&revops(&["schedule", "examples/contract.json"]));
    assert!(text.contains(", as of 2027-01-14\n"), "{text}");
    // Everything but the go-live milestone, which is not accepted.
    assert_eq!(rows(&text, "Recognized"), [row(&["Recognized", "to", "date", "35400.00"])]);
    assert_eq!(rows(&text, "Deferred"), [row(&["Deferred", "3600.00"])]);
    // Deterministic: the same input prints the same bytes.
    assert_eq!(text, stdout(&revops(&["schedule", "examples/contract.json"])));
}

#[test]
fn json_report() {
    let out = stdout(&revops(&["schedule", "examples/contract.json", "--as-of", "2026-06-30", "--json"]));
    let json: serde_json::Value = serde_json::from_str(&out).expect("--json prints JSON");
    assert_eq!(json["report"], "schedule");
    assert_eq!(json["version"], 1);
    assert_eq!(json["contract"], "C-2026-0042");
    assert_eq!(json["currency"], "USD");
    assert_eq!(json["as_of"], "2026-06-30");
    assert_eq!(json["total"], "39000.00");
    assert_eq!(json["recognized_to_date"], "26071.80");
    assert_eq!(json["deferred"], "12928.20");
    assert_eq!(json["modifications"][0]["treatment"], "prospective");

    let lines = json["lines"].as_array().unwrap();
    let ids: Vec<&str> = lines.iter().map(|l| l["line"].as_str().unwrap()).collect();
    assert_eq!(ids, ["SUB", "IMP", "LIC"]);
    assert_eq!(lines[0]["basis"], "monthly");
    assert_eq!(lines[0]["recognized_to_date"], "6762.71");
    assert_eq!(lines[1]["unscheduled"], "3600.00");
    assert_eq!(lines[2]["total"], "16909.09");

    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 15);
    for field in ["line", "period_start", "period_end", "kind", "amount", "recognized"] {
        assert!(entries.iter().all(|e| !e[field].is_null()), "every entry has {field}");
    }
    assert_eq!(entries[0]["amount"], "598.24");
    assert_eq!(entries[0]["period_start"], "2026-01-15");
    assert_eq!(entries[10]["amount"], "1445.88");
    assert_eq!(entries[6]["recognized"], false);
    let waterfall = json["waterfall"].as_array().unwrap();
    assert_eq!(waterfall.len(), 13);
    assert_eq!(waterfall[5]["month"], "2026-06");
    assert_eq!(waterfall[5]["cumulative"], "26071.80");
}

#[test]
fn a_malformed_file_exits_2_naming_the_field_and_line() {
    let output = revops(&["schedule", "examples/bad-contract.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: examples/bad-contract.json: contract.lines[0].price: "), "{stderr}");
    assert!(stderr.contains("\"12,000.00\""), "{stderr}");
    assert!(stderr.trim_end().ends_with(" at line 15 column 28"), "{stderr}");
}

#[test]
fn other_failures_exit_1_and_bad_arguments_2() {
    let missing = revops(&["schedule", "examples/no-such-contract.json"]);
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert!(stderr.starts_with("error: cannot read examples/no-such-contract.json: "), "{stderr}");

    let bad_date = revops(&["schedule", "examples/contract.json", "--as-of", "2026-02-30"]);
    assert_eq!(bad_date.status.code(), Some(2));
}

/// A fresh directory for one test's logs, removed when dropped.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

fn path(dir: &std::path::Path) -> &str {
    dir.to_str().expect("a UTF-8 temporary path")
}

/// Every file of a log directory with its bytes, to compare logs.
fn files(dir: &std::path::Path) -> Vec<(std::ffi::OsString, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

const AT: &str = "2026-12-31T18:00:00Z";

#[test]
fn import_appends_the_book_once_and_export_round_trips_it() {
    let dir = scratch();
    let log = dir.path().join("log");
    let import = |log: &std::path::Path| {
        stdout(&revops(&["import", "examples/book.jsonl", "--log", path(log), "--recorded-at", AT]))
    };
    assert_eq!(import(&log), "150 lines, 150 events: 150 appended, 0 already in the log; 114 batches\n");
    assert_eq!(import(&log), "150 lines, 150 events: 0 appended, 150 already in the log; 114 batches\n");

    let exported = stdout(&revops(&["export", "--log", path(&log)]));
    assert_eq!(exported.lines().count(), 150);
    // The book's lines carry no ids: the export adds the derived ones in front.
    let book = std::fs::read_to_string("examples/book.jsonl").unwrap();
    for (out, line) in exported.lines().zip(book.lines()) {
        let (envelope, event) = out.split_at(out.find(",\"type\":").unwrap());
        assert!(envelope.starts_with("{\"event_id\":\"") && envelope.ends_with(",\"schema_version\":2"), "{out}");
        let exported: revops::events::Event = serde_json::from_str(&format!("{{{}", &event[1..])).unwrap();
        assert_eq!(exported, serde_json::from_str(line).unwrap());
    }

    // An export imports into an empty log as the same events with the same ids.
    let copy = dir.path().join("copy");
    let export_file = dir.path().join("book-export.jsonl");
    std::fs::write(&export_file, &exported).unwrap();
    let summary = stdout(&revops(&["import", path(&export_file), "--log", path(&copy), "--recorded-at", AT]));
    assert_eq!(summary, "150 lines, 150 events: 150 appended, 0 already in the log; 114 batches\n");
    assert_eq!(stdout(&revops(&["export", "--log", path(&copy)])), exported);
    // Same events, same recorded time: the log files are byte-identical too.
    assert_eq!(files(&copy), files(&log));

    let tail = stdout(&revops(&["export", "--log", path(&log), "--from", "148"]));
    assert_eq!(tail, exported.lines().skip(148).map(|l| format!("{l}\n")).collect::<String>());
}

#[test]
fn a_refused_line_exits_2_naming_line_and_field_and_keeps_the_batches_before_it() {
    let dir = scratch();
    let log = dir.path().join("log");
    let book = std::fs::read_to_string("examples/book.jsonl").unwrap();
    // Line 3 is the second commission plan: break its quota. Line 1 was
    // appended when line 2 began another stream; line 2's batch was still
    // open when line 3 was refused, and is dropped with it.
    let mut lines: Vec<String> = book.lines().map(str::to_owned).collect();
    assert!(lines[2].contains("\"quota\":\"600000.00\""));
    lines[2] = lines[2].replace("\"quota\":\"600000.00\"", "\"quota\":\"600,000.00\"");
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, lines.join("\n")).unwrap();

    let output = revops(&["import", path(&bad), "--log", path(&log), "--recorded-at", AT]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: line 3: field quota: invalid value: string \"600,000.00\""), "{stderr}");
    let kept = stdout(&revops(&["export", "--log", path(&log)]));
    assert_eq!(kept.lines().count(), 1);
    assert!(kept.contains("\"type\":\"fx_rate_set\""), "{kept}");

    // Refused again: the files do not change by a byte.
    let before = files(&log);
    assert_eq!(revops(&["import", path(&bad), "--log", path(&log), "--recorded-at", AT]).status.code(), Some(2));
    assert_eq!(files(&log), before);
}

#[test]
fn export_of_a_missing_log_exits_2_and_creates_nothing() {
    let dir = scratch();
    let missing = dir.path().join("nothing-here");
    let output = revops(&["export", "--log", path(&missing)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr, format!("error: no event log at {}\n", missing.display()));
    assert!(!missing.exists());

    let unreadable = revops(&["import", "examples/no-such-book.jsonl", "--log", path(&missing)]);
    assert_eq!(unreadable.status.code(), Some(1));
    assert!(!missing.exists());
}

/// The sample book imported into a fresh log.
fn book_log(dir: &std::path::Path) -> std::path::PathBuf {
    let log = dir.join("log");
    stdout(&revops(&["import", "examples/book.jsonl", "--log", path(&log), "--recorded-at", AT]));
    log
}

#[test]
fn reports_replay_the_log_as_of_a_date() {
    let dir = scratch();
    let log = book_log(dir.path());
    let report = |kind: &str, json: bool| {
        let mut args = vec!["report", kind, "--log", path(&log), "--as-of", "2026-12-31"];
        if json {
            args.push("--json");
        }
        stdout(&revops(&args))
    };

    // The commission figures of the sample book (examples/README.md): maria
    // earned 23,760.00 and was paid 18,720.00 of it.
    let commissions = report("commissions", false);
    assert_eq!(
        rows(&commissions, "rep-maria")[0][..6],
        row(&["rep-maria", "USD", "23760.00", "18720.00", "0.00", "5040.00"])
    );

    // Open AR: only the December invoices are open, and aging agrees with
    // the ledger's accounts receivable in each currency.
    let aging: serde_json::Value = serde_json::from_str(&report("aging", true)).unwrap();
    let ledger: serde_json::Value = serde_json::from_str(&report("ledger", true)).unwrap();
    for (currency, open) in [("EUR", "7092.40"), ("USD", "5443.75")] {
        let buckets = aging["currencies"].as_array().unwrap().iter().find(|c| c["currency"] == currency).unwrap();
        assert_eq!(buckets["buckets"]["total"], open);
        let closing = ledger["trial_balance"]["closing"].as_array().unwrap();
        let accounts = closing.iter().find(|c| c["currency"] == currency).unwrap()["accounts"].as_array().unwrap();
        let ar = accounts.iter().find(|a| a["account"] == "accounts_receivable").unwrap();
        assert_eq!(ar["balance"], open);
    }

    let mrr = report("mrr", false);
    assert_eq!(rows(&mrr, "USD")[0], row(&["USD", "16500.00", "198000.00", "2"]));
    assert!(report("schedules", false).starts_with("Revenue schedules as of 2026-12-31\n"));
    assert!(report("ledger", false).contains("\nTrial balance, USD\n"));

    let missing = revops(&["report", "mrr", "--log", path(&dir.path().join("none")), "--as-of", "2026-12-31"]);
    assert_eq!(missing.status.code(), Some(2));
}

/// `revops report KIND` on `log` as of `as_of`, with `extra` arguments.
fn report_on(log: &std::path::Path, kind: &str, as_of: &str, extra: &[&str]) -> Output {
    let mut args = vec!["report", kind, "--log", path(log), "--as-of", as_of];
    args.extend(extra);
    revops(&args)
}

fn json_of(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).expect("--json prints JSON")
}

#[test]
fn the_desk_reports_in_text_and_json() {
    let dir = scratch();
    let log = book_log(dir.path());
    let report = |kind: &str, as_of: &str, extra: &[&str]| report_on(&log, kind, as_of, extra);

    // March 20: INITECH's annual invoice (75,000.00 open after its first
    // payment) is 19 days past due, 9 on the ladder before its dispute of
    // 3,000.00 paused it on March 10.
    let collections = stdout(&report("collections", "2026-03-20", &[]));
    assert!(
        collections.starts_with("Collections as of 2026-03-20\n1 invoices on the ladder (1 paused"),
        "{collections}"
    );
    assert_eq!(
        rows(&collections, "INITECH")[0][..9],
        row(&["INITECH", "INV-2026-0005", "USD", "2026-03-01", "75000.00", "19", "9", "paused", "day_7"])
    );
    let json = json_of(&report("collections", "2026-03-20", &["--json"]));
    assert_eq!((json["counts"]["invoices"].as_u64(), json["counts"]["paused"].as_u64()), (Some(1), Some(1)));
    assert_eq!(json["invoices"][0]["open"], "75000.00");

    let disputes = stdout(&report("disputes", "2026-03-20", &[]));
    assert_eq!(rows(&disputes, "USD"), [row(&["USD", "3000.00"])]);
    assert_eq!(
        rows(&disputes, "DSP-2026-001")[0][..7],
        row(&["DSP-2026-001", "INV-2026-0005", "INITECH", "pricing_error", "USD", "3000.00", "2026-03-10"])
    );
    let json = json_of(&report("disputes", "2026-03-31", &["--json"]));
    assert_eq!(json["counts"]["resolved_valid"], 1);
    assert_eq!(json["resolved"][0]["credit_memo"], "CM-2026-001");

    // November 30: ACME's and GLOBEX's contracts end on 2027-01-14 (45
    // days), INITECH's on 2027-02-28; none contacted in 30 days: yellow,
    // weighted 0.5. ARR: ACME 60,000.00, INITECH 138,000.00, GLOBEX
    // 55,200.00 EUR.
    let renewals = stdout(&report("renewals", "2026-11-30", &[]));
    assert_eq!(
        rows(&renewals, "USD")[0],
        row(&["USD", "2", "198000.00", "0.00", "198000.00", "0.00", "60000.00", "(1)", "99000.00"])
    );
    assert_eq!(
        rows(&renewals, "C-2001")[0][8..],
        row(&["yellow", "no_recent_contact", "yes", "-", "55200.00", "27600.00"])
    );
    let json = json_of(&report("renewals", "2026-11-30", &["--json"]));
    assert_eq!(json["totals"][0]["currency"], "EUR");
    assert_eq!(json["totals"][0]["arr_at_risk"], "55200.00");
    assert_eq!(json["renewals"][0]["reason"], "no_recent_contact");

    // SI-NORTH sourced INITECH's 138,000.00 ARR, earned a 1,500.00 SPIF and
    // spent 2,500.00 of 10,000.00 MDF in April.
    let partners = stdout(&report("partners", "2026-06-30", &[]));
    assert_eq!(
        rows(&partners, "USD")[0],
        row(&["USD", "198000.00", "138000.00", "0.00", "0.00", "1500.00", "1500.00", "10000.00", "2500.00", "25.00"])
    );
    let json = json_of(&report("partners", "2026-06-30", &["--json"]));
    assert_eq!(json["partners"][0]["partner"], "SI-NORTH");
    assert_eq!(json["partners"][0]["mdf_balance"], "7500.00");

    // The KPIs as of March 20 over the 90 days from December 21: USD
    // invoiced 172,331.25 in five invoices, 3,000.00 of it disputed.
    let kpis = stdout(&report("kpis", "2026-03-20", &[]));
    assert!(kpis.contains("; gross margin 0.80)\n"), "{kpis}");
    assert_eq!(
        rows(&kpis, "USD")[0],
        row(&["USD", "42.01", "26.00", "53.32", "172331.25", "(5)", "0.00", "(0)", "0.00", "3000.00", "(1)", "1.74"])
    );
    assert_eq!(rows(&kpis, "USD")[1], row(&["USD", "16500.00", "2", "8250.00", "0", "2", "0.00", "-", "-", "-"]));
    let json = json_of(&report("kpis", "2026-03-20", &["--json", "--gross-margin", "0.65"]));
    assert_eq!(json["gross_margin"], "0.65");
    assert_eq!(json["currencies"][0]["mrr"], "4600.00");
    assert_eq!(report("kpis", "2026-03-20", &["--gross-margin", "1.5"]).status.code(), Some(2));
}

#[test]
fn expansion_lists_a_modification_by_class() {
    let dir = scratch();
    // The book, and GLOBEX adding ten seats (6,000.00 for the six months
    // from July 15: 12,000.00 ARR) and repricing support from 7,200.00 to
    // 6,000.00 a year (−1,200.00 ARR).
    let seats = r#"{"line":"SEATS","product":"Revops Cloud Enterprise","kind":"subscription","quantity":"10","price":"6000.00","start_date":"2026-07-15","recognition":{"method":"ratable","basis":"monthly"}}"#;
    let modified = format!(
        r#"{{"type":"contract_modified","contract":"C-2001","effective_on":"2026-07-15","treatment":"prospective","changes":[{{"change":"add","line":{seats}}},{{"change":"amend","line":"SUPPORT","price":"6000.00"}}]}}"#
    );
    let book = format!("{}{modified}\n", std::fs::read_to_string("examples/book.jsonl").unwrap());
    let file = dir.path().join("book.jsonl");
    std::fs::write(&file, book).unwrap();
    let log = dir.path().join("log");
    stdout(&revops(&["import", path(&file), "--log", path(&log), "--recorded-at", AT]));

    let text = stdout(&report_on(&log, "expansion", "2026-12-31", &[]));
    assert_eq!(
        rows(&text, "EUR")[0],
        row(&["EUR", "2", "12000.00", "0.00", "0.00", "0.00", "-1200.00", "0.00", "12000.00", "10800.00"])
    );
    let support = &rows(&text, "2026-07-15")[1];
    assert_eq!(support[support.len() - 5..], row(&["contraction", "EUR", "7200.00", "6000.00", "-1200.00"]));
    // Before July 15 there is nothing to list.
    let json = json_of(&report_on(&log, "expansion", "2026-07-14", &["--json"]));
    assert_eq!(json["changes"].as_array().map(Vec::len), Some(0));

    // In USD at July's 1.0920: 13,104.00 and −1,310.40.
    let usd = stdout(&report_on(&log, "expansion", "2026-12-31", &["--currency", "USD"]));
    assert_eq!(
        rows(&usd, "TOTAL")[0],
        row(&["TOTAL", "2", "13104.00", "0.00", "0.00", "0.00", "-1310.40", "0.00", "13104.00", "11793.60"])
    );
}

#[test]
fn reports_in_a_reporting_currency_keep_the_original_figures() {
    let dir = scratch();
    let log = book_log(dir.path());
    let report = |kind: &str, as_of: &str, extra: &[&str]| report_on(&log, kind, as_of, extra);

    // At year end EUR → USD is 1.0920 (from July 1): GLOBEX's open
    // 7,092.40 EUR is 7,744.9008 → 7,744.90 USD; with ACME's 5,443.75 USD,
    // 13,188.65.
    let aging = stdout(&report("aging", "2026-12-31", &["--currency", "USD"]));
    assert!(
        aging.starts_with("AR aging as of 2026-12-31 in USD\nrate: 1 EUR = 1.0920 USD (set 2026-07-01)\n"),
        "{aging}"
    );
    assert_eq!(rows(&aging, "TOTAL"), [row(&["TOTAL", "0.00", "13188.65", "0.00", "0.00", "0.00", "13188.65"])]);
    // First the converted row, then the report as it is.
    let eur = rows(&aging, "EUR");
    assert_eq!(eur[0], row(&["EUR", "0.00", "7744.90", "0.00", "0.00", "0.00", "7744.90"]));
    assert_eq!(eur[1][..7], row(&["EUR", "0.00", "7092.40", "0.00", "0.00", "0.00", "7092.40"]));
    let json = json_of(&report("aging", "2026-12-31", &["--currency", "USD", "--json"]));
    assert_eq!(json["converted"]["total"]["total"], "13188.65");
    assert_eq!(json["converted"]["reporting"]["rates"][0]["rate"], "1.0920");
    assert_eq!(json["report"]["currencies"][0]["buckets"]["total"], "7092.40");

    // MRR: GLOBEX's 4,600.00 EUR is 5,023.20 USD.
    let mrr = stdout(&report("mrr", "2026-12-31", &["--currency", "USD"]));
    assert_eq!(rows(&mrr, "EUR")[0], row(&["EUR", "5023.20", "60278.40", "1"]));
    assert_eq!(rows(&mrr, "TOTAL"), [row(&["TOTAL", "21523.20", "258278.40", "3"])]);
    assert_eq!(rows(&mrr, "USD")[0], rows(&mrr, "USD")[1][..4]);

    // In EUR, the same rate inverted: ACME's 16,500.00 USD MRR is
    // 15,109.89 EUR (16,500 / 1.092 = 15,109.890…).
    let mrr = stdout(&report("mrr", "2026-12-31", &["--currency", "EUR"]));
    assert!(mrr.contains("\nrate: 1 EUR = 1.0920 USD (set 2026-07-01, used inverse)\n"), "{mrr}");
    assert_eq!(rows(&mrr, "TOTAL"), [row(&["TOTAL", "19709.89", "236518.68", "3"])]);

    // Renewals on November 30: GLOBEX's 55,200.00 EUR ARR is 60,278.40 USD,
    // its forecast 27,600.00 EUR 30,139.20.
    let renewals = stdout(&report("renewals", "2026-11-30", &["--currency", "USD"]));
    assert_eq!(
        rows(&renewals, "EUR")[0],
        row(&["EUR", "1", "60278.40", "0.00", "60278.40", "0.00", "60278.40", "(1)", "30139.20"])
    );
    assert_eq!(
        rows(&renewals, "TOTAL"),
        [row(&["TOTAL", "3", "258278.40", "0.00", "258278.40", "0.00", "120278.40", "(2)", "129139.20"])]
    );
    let json = json_of(&report("renewals", "2026-11-30", &["--currency", "USD", "--json"]));
    assert_eq!(json["converted"]["renewals"][1]["converted_forecast_arr"], "30139.20");
    assert_eq!(json["report"]["renewals"][1]["forecast_arr"], "27600.00");

    // The desk's other reports convert too.
    for kind in ["ledger", "schedules", "commissions", "collections", "disputes", "expansion", "partners", "kpis"] {
        let json = json_of(&report(kind, "2026-12-31", &["--currency", "USD", "--json"]));
        assert_eq!(json["converted"]["reporting"]["currency"], "USD", "{kind}");
    }
}

#[test]
fn a_reporting_currency_without_a_rate_exits_2_and_prints_nothing() {
    let dir = scratch();
    let log = book_log(dir.path());
    for kind in ["aging", "renewals", "kpis"] {
        let output = report_on(&log, kind, "2026-12-31", &["--currency", "JPY"]);
        assert_eq!(output.status.code(), Some(2), "{kind}");
        assert!(output.stdout.is_empty(), "{kind}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr, "error: no fx rate from EUR to JPY (nor from JPY to EUR) in force on 2026-12-31\n");
    }
    // Before the first EUR rate was set, USD has none either.
    let early = report_on(&log, "mrr", "2025-12-31", &["--currency", "USD", "--json"]);
    assert_eq!(early.status.code(), Some(0), "an empty book needs no rate");
}

/// The bill run of the sample book's log as of `as_of`, as JSON.
fn bill_run(log: &str, as_of: &str) -> serde_json::Value {
    let args = ["bill-run", "--log", log, "--as-of", as_of, "--tax-rates", "examples/tax_rates.json"];
    let mut args = args.to_vec();
    args.extend(["--recorded-at", "2027-01-01T06:00:00Z", "--json"]);
    serde_json::from_str(&stdout(&revops(&args))).expect("the bill run's JSON")
}

/// The sample book invoices its milestones and its perpetual license by
/// hand, without billing periods: a bill run must take those invoices as
/// billing the contract lines they name and issue nothing already billed.
#[test]
fn a_bill_run_over_a_hand_billed_book_issues_only_what_is_due_and_never_twice() {
    let dir = scratch();
    let log = book_log(dir.path());
    let log = path(&log);
    // Everything due by the end of 2026 was invoiced by hand, with and
    // without periods: nothing to issue.
    let run = bill_run(log, "2026-12-31");
    assert_eq!(run["issued"].as_array().map(Vec::len), Some(0), "{run:#}");
    assert_eq!(run["refused"].as_array().map(Vec::len), Some(0), "{run:#}");
    let before = stdout(&revops(&["export", "--log", log])).lines().count();
    assert_eq!(before, 150);
    // Again, and earlier: still nothing, and the log is unchanged.
    for as_of in ["2026-12-31", "2026-06-30"] {
        let again = bill_run(log, as_of);
        assert_eq!(again["issued"].as_array().map(Vec::len), Some(0), "{again:#}");
    }
    assert_eq!(stdout(&revops(&["export", "--log", log])).lines().count(), before);
}

#[test]
fn a_bill_run_needs_a_readable_rate_table() {
    let dir = scratch();
    let log = book_log(dir.path());
    let missing = dir.path().join("rates.json");
    std::fs::write(&missing, r#"{"US-NY": "high"}"#).expect("write the rate table");
    let output = revops(&["bill-run", "--log", path(&log), "--as-of", "2026-12-31", "--tax-rates", path(&missing)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rates.json") && stderr.contains("US-NY"), "{stderr}");
    assert!(log.is_dir());
}

#[test]
fn a_credit_check_states_the_rule_and_the_deposit() {
    let dir = scratch();
    let log = book_log(dir.path());
    let text = stdout(&revops(&[
        "credit-check",
        "--log",
        path(&log),
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
        revops(&["credit-check", "--log", path(&log), "--customer", "NOPE", "--order", "1", "--as-of", "2027-01-01"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown customer \"NOPE\""));
}

/// A collections run on the sample book's log as of `as_of`, as JSON.
fn collections_run(log: &str, as_of: &str) -> serde_json::Value {
    let args = ["collections-run", "--log", log, "--as-of", as_of, "--recorded-at", AT, "--json"];
    serde_json::from_str(&stdout(&revops(&args))).expect("the collections run's JSON")
}

#[test]
fn a_collections_run_records_the_due_steps_holds_at_day_60_and_lifts_the_hold_on_payment() {
    let dir = scratch();
    let log = book_log(dir.path());
    let log = path(&log);
    // ACME's INV-2026-0029 (due 2027-01-14) is at day 60 on 2027-03-15,
    // GLOBEX's INV-2026-0028 (due 2027-01-15) at day 59.
    let run = collections_run(log, "2027-03-15");
    let steps = |run: &serde_json::Value| -> Vec<String> {
        let steps = run["steps"].as_array().expect("steps");
        steps.iter().map(|s| format!("{} {}", s["invoice"].as_str().unwrap(), s["step"].as_str().unwrap())).collect()
    };
    let ladder = |invoice: &str, steps: &[&str]| steps.iter().map(|s| format!("{invoice} {s}")).collect::<Vec<_>>();
    let mut expected = ladder("INV-2026-0029", &["day_0", "day_7", "day_15", "day_30", "day_45", "day_60"]);
    expected.extend(ladder("INV-2026-0028", &["day_0", "day_7", "day_15", "day_30", "day_45"]));
    assert_eq!(steps(&run), expected);
    assert_eq!(run["holds_placed"], serde_json::json!(["ACME"]));
    // The same day again: everything it did is no longer due.
    let again = collections_run(log, "2027-03-15");
    assert!(steps(&again).is_empty() && again["holds_placed"] == serde_json::json!([]), "{again:#}");
    // ACME pays in full; GLOBEX reaches day 60.
    let payment = dir.path().join("payment.jsonl");
    std::fs::write(
        &payment,
        concat!(
            r#"{"type":"payment_received","payment":"PAY-2027-0001","customer":"ACME","amount":"5443.75","currency":"USD","received_on":"2027-03-20","method":"ach"}"#,
            "\n",
            r#"{"type":"payment_applied","payment":"PAY-2027-0001","invoice":"INV-2026-0029","amount":"5443.75","currency":"USD","applied_on":"2027-03-20"}"#,
            "\n"
        ),
    )
    .expect("write the payment");
    stdout(&revops(&["import", path(&payment), "--log", log, "--recorded-at", AT]));
    let later = collections_run(log, "2027-03-21");
    assert_eq!(steps(&later), ladder("INV-2026-0028", &["day_60"]));
    assert_eq!(later["holds_placed"], serde_json::json!(["GLOBEX"]));
    assert_eq!(later["holds_released"], serde_json::json!(["ACME"]));
    assert_eq!(later["refused"], serde_json::json!([]));
}

#[test]
fn the_demo_writes_a_log_replays_it_and_prints_the_five_reports() {
    let dir = scratch();
    let log = dir.path().join("demo");
    let text = stdout(&revops(&["demo", "--dir", path(&log), "--as-of", "2026-06-30"]));
    assert!(
        text.starts_with(&format!(
            "revops demo: 300 customers, 414 contracts and 30588 events from 2024-01-01 to 2026-12-31 (seed 42),\n\
             written to {} and replayed from it. Reports as of 2026-06-30.\n",
            log.display()
        )),
        "{text}"
    );
    for heading in [
        "General ledger as of 2026-06-30\n",
        "Revenue schedules as of 2026-06-30\n",
        "AR aging as of 2026-06-30",
        "MRR as of 2026-06-30\n",
        "Commissions as of 2026-06-30\n",
    ] {
        assert!(text.contains(heading), "{heading:?} missing");
    }
    // Every currency's trial balance balances.
    let balances: Vec<&str> = text.lines().filter(|l| l.starts_with("Debit balances ")).collect();
    assert_eq!(balances.len(), 3, "{text}");
    for line in balances {
        let (debits, credits) = line["Debit balances ".len()..].split_once(" = credit balances ").unwrap();
        assert_eq!(debits, credits);
    }
    // The log it wrote is an ordinary log: it exports every event.
    assert_eq!(stdout(&revops(&["export", "--log", path(&log)])).lines().count(), 30588);

    let again = revops(&["demo", "--dir", path(&log)]);
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8(again.stderr).unwrap();
    assert!(stderr.contains("is not empty"), "{stderr}");
}
