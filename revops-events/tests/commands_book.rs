//! The shipped example book (`examples/book.jsonl`) is a book the command
//! API accepts: every line, executed as a command in file order, passes
//! every rule, and the state folded while writing equals a replay.

use revops_events::jsonl::parse_line;
use revops_events::ledger::Ledger;
use revops_events::{EventLog, MemoryLog};

const BOOK: &str = include_str!("../../examples/book.jsonl");

#[test]
fn every_line_of_the_example_book_passes_the_command_rules() {
    let at = "2026-01-01T00:00:00Z".parse().unwrap();
    let mut ledger = Ledger::open(MemoryLog::default()).unwrap();
    let mut events = 0u64;
    for (index, text) in BOOK.lines().enumerate() {
        let line = index as u64 + 1;
        let Some(event) = parse_line(text, line).unwrap_or_else(|e| panic!("line {line}: {e}")) else {
            continue;
        };
        ledger.execute_new(event, at).unwrap_or_else(|e| panic!("line {line} refused: {e}\n{text}"));
        events += 1;
    }
    assert!(events > 0);
    assert_eq!(ledger.log().len(), events);
    let replayed = Ledger::open(ledger.log().clone()).unwrap();
    assert_eq!(replayed.state(), ledger.state());
}
