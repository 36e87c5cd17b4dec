//! The simulated book of business: deterministic, complete, valid, and
//! indifferent to the arrival order of independent streams.

use std::collections::BTreeMap;

use proptest::prelude::*;

use revops_events::{Envelope, Event, EventLog, FileLog, FileLogOptions, Ledger, MemoryLog, NewEvent};
use revops_simulation::{generate, interleave, jsonl, simulate, Book, Error, SimulationConfig};

fn export(log: &impl EventLog) -> String {
    let mut out = Vec::new();
    revops_events::jsonl::export(log, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn small(seed: u64) -> Book {
    generate(&SimulationConfig::small(seed)).unwrap()
}

/// Appends `envelopes` one command at a time to a fresh ledger: each must
/// pass the ledger's check against the state before it. Returns the ledger.
fn replay_as_commands(envelopes: &[Envelope]) -> Ledger<MemoryLog> {
    let mut ledger = Ledger::open(MemoryLog::default()).unwrap();
    for envelope in envelopes {
        if let Err(e) = ledger.check(&envelope.event) {
            panic!("event {} ({}) refused on replay: {e}", envelope.seq, envelope.event.type_name());
        }
        let new = NewEvent { event_id: Some(envelope.event_id), event: envelope.event.clone() };
        let range = ledger.execute_new(new, envelope.recorded_at).unwrap();
        assert_eq!(range.start, envelope.seq, "each event lands at its own position");
    }
    ledger
}

fn per_stream(envelopes: &[Envelope]) -> BTreeMap<String, Vec<uuid::Uuid>> {
    let mut streams: BTreeMap<String, Vec<uuid::Uuid>> = BTreeMap::new();
    for e in envelopes {
        streams.entry(e.stream.to_string()).or_default().push(e.event_id);
    }
    streams
}

#[test]
fn same_seed_gives_the_same_bytes_and_another_seed_another_book() {
    let first = jsonl(&SimulationConfig::small(42)).unwrap();
    let again = jsonl(&SimulationConfig::small(42)).unwrap();
    assert_eq!(first, again);
    assert!(!first.is_empty());
    assert_ne!(first, jsonl(&SimulationConfig::small(43)).unwrap());
    // recorded_at is part of the log too (the export leaves it out).
    let (a, b) = (small(7), small(7));
    assert_eq!(a.log.envelopes(), b.log.envelopes());
}

#[test]
fn demo_preset_holds_every_event_type_billing_kind_and_line_kind() {
    let book = generate(&SimulationConfig::demo(1)).unwrap();
    let s = &book.summary;
    let missing: Vec<&str> =
        Event::TYPES.iter().copied().filter(|t| s.by_type.get(t).copied().unwrap_or(0) == 0).collect();
    assert!(missing.is_empty(), "event types never generated: {missing:?}");
    assert_eq!(s.by_type.len(), Event::TYPES.len());
    let billing: Vec<&str> = s.contracts_by_billing.keys().copied().collect();
    assert_eq!(billing, ["annually", "milestone", "monthly", "quarterly", "time_and_materials", "usage"]);
    let kinds: Vec<&str> = s.lines_by_kind.keys().copied().collect();
    assert_eq!(kinds, ["milestone", "perpetual_license", "subscription", "time_and_materials", "usage"]);
    assert!(s.contracts_by_billing.values().chain(s.lines_by_kind.values()).all(|&n| n > 0));
    assert_eq!(s.customers, 300);
    assert_eq!(s.events, book.log.len());
    assert_eq!(s.events, s.by_type.values().sum::<u64>());
}

#[test]
fn the_generated_log_folds_and_every_event_passes_its_command_check_again() {
    for seed in [1, 2, 3, 42] {
        let book = small(seed);
        // Folding the log gives the state the generator's ledger had.
        let folded = Ledger::open(book.log.clone()).unwrap();
        let replayed = replay_as_commands(book.log.envelopes());
        assert_eq!(folded.state(), replayed.state());
        assert_eq!(export(replayed.log()), export(&book.log));
        assert_eq!(replayed.log().envelopes(), book.log.envelopes());
    }
    let demo = generate(&SimulationConfig::demo(5)).unwrap();
    let replayed = replay_as_commands(demo.log.envelopes());
    assert_eq!(replayed.log().envelopes(), demo.log.envelopes());
}

#[test]
fn the_small_preset_stays_small() {
    for seed in 0..20 {
        let book = small(seed);
        let s = &book.summary;
        assert_eq!(s.customers, 8);
        assert!((50..=2_000).contains(&s.events), "seed {seed}: {} events", s.events);
        assert!(s.contracts >= 8 && s.contracts <= 24, "seed {seed}: {} contracts", s.contracts);
        assert_eq!(s.days, 366);
        let last = book.log.envelopes().last().unwrap().event.business_date();
        assert!(last <= "2024-12-31".parse().unwrap());
    }
}

#[test]
fn recorded_at_follows_the_business_day_and_never_goes_back() {
    let book = small(11);
    let envelopes = book.log.envelopes();
    for pair in envelopes.windows(2) {
        assert!(pair[0].recorded_at < pair[1].recorded_at);
    }
    for e in envelopes {
        // Facts are recorded on their business day, never before it.
        assert!(e.event.business_date() <= e.recorded_at.date_naive() || is_forward_dated(&e.event));
    }
}

/// Events whose business date may lie after the day they are recorded: a
/// cancellation, a modification or a period close dated ahead.
fn is_forward_dated(event: &Event) -> bool {
    matches!(event, Event::ContractCancelled(_) | Event::ContractModified(_))
}

#[test]
fn interleaving_keeps_each_stream_in_order_and_every_event() {
    let book = generate(&SimulationConfig::demo(3)).unwrap();
    let original = book.log.envelopes();
    let shuffled = interleave(original, 99);
    assert_eq!(shuffled.len(), original.len());
    assert_eq!(interleave(original, 99), shuffled, "the same seed, the same order");
    assert_ne!(interleave(original, 100), shuffled);
    // The same multiset of events, each stream in its own order, each day
    // in its own place.
    assert_eq!(per_stream(&shuffled), per_stream(original));
    let mut ids: Vec<_> = shuffled.iter().map(|e| e.event_id).collect();
    let mut original_ids: Vec<_> = original.iter().map(|e| e.event_id).collect();
    ids.sort();
    original_ids.sort();
    assert_eq!(ids, original_ids);
    let days = |es: &[Envelope]| es.iter().map(|e| e.recorded_at.date_naive()).collect::<Vec<_>>();
    assert_eq!(days(&shuffled), days(original));
    // A close freezes what was recorded before it: nothing crosses one.
    let before_each_close = |es: &[Envelope]| {
        let mut seen = std::collections::BTreeSet::new();
        let mut sets = Vec::new();
        for e in es {
            if matches!(e.event, Event::PeriodClosed(_)) {
                sets.push((e.event_id, seen.clone()));
            }
            seen.insert(e.event_id);
        }
        sets
    };
    let closes = before_each_close(original);
    assert!(!closes.is_empty());
    assert!(before_each_close(&shuffled) == closes, "an event crossed a period close");
    let moved = shuffled.iter().zip(original).filter(|(a, b)| a.event_id != b.event_id).count();
    assert!(moved > original.len() / 10, "only {moved} of {} events moved", original.len());
    for (i, e) in shuffled.iter().enumerate() {
        assert_eq!(e.seq.0, i as u64);
    }
    // Independent means independent: the new order is accepted command by
    // command, and folds to the same ledger state.
    let replayed = replay_as_commands(&shuffled);
    let folded = Ledger::open(book.log.clone()).unwrap();
    assert_eq!(replayed.state(), folded.state());
}

#[test]
fn small_preset_seed_42_golden_counts() {
    let book = small(42);
    let actual: String = book.summary.by_type.iter().map(|(t, n)| format!("{t} {n}\n")).collect();
    let golden = include_str!("simulation_golden/small_42_counts.txt");
    assert_eq!(actual, golden, "event counts of SimulationConfig::small(42) changed; actual:\n{actual}");
}

#[test]
fn a_run_into_a_file_log_reopens_to_the_same_book() {
    let dir = std::env::temp_dir().join(format!("revops-simulation-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = FileLogOptions { durability: revops_events::Durability::OnClose, ..FileLogOptions::default() };
    let mut ledger = Ledger::open(FileLog::open(&dir, options).unwrap()).unwrap();
    let summary = simulate(&SimulationConfig::small(42), &mut ledger).unwrap();
    ledger.into_inner().close().unwrap();
    let reopened = FileLog::open(&dir, options).unwrap();
    assert_eq!(reopened.len(), summary.events);
    assert_eq!(export(&reopened), jsonl(&SimulationConfig::small(42)).unwrap());
    drop(reopened);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn limits_are_enforced() {
    let mut config = SimulationConfig::small(1);
    config.customers = 0;
    assert!(matches!(generate(&config), Err(Error::InvalidConfig { field: "customers", .. })));
    let mut config = SimulationConfig::small(1);
    config.months = 241;
    assert!(matches!(generate(&config), Err(Error::InvalidConfig { field: "months", .. })));
    let mut config = SimulationConfig::small(1);
    config.max_events = 10;
    assert!(matches!(generate(&config), Err(Error::EventLimit { limit: 10 })));
    // A simulation starts a book: it refuses a ledger that holds one.
    let mut ledger = Ledger::open(small(1).log).unwrap();
    assert!(matches!(simulate(&SimulationConfig::small(1), &mut ledger), Err(Error::LedgerNotEmpty { .. })));
}

/// The replay bench's input: `cargo test --release --test simulation --
/// --ignored` (a minute unoptimized, seconds in release).
#[test]
#[ignore = "large: run in release"]
fn the_bench_preset_reaches_a_million_events() {
    let book = generate(&SimulationConfig::bench(1)).unwrap();
    assert!(book.summary.events >= 1_000_000);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any seed gives a book the ledger accepts event by event, and so does
    /// any interleaving of it, folding to the same state.
    #[test]
    fn any_seed_and_any_interleaving_give_a_book_the_ledger_accepts(seed in any::<u64>(), order in any::<u64>()) {
        let book = generate(&SimulationConfig::small(seed)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let shuffled = interleave(book.log.envelopes(), order);
        let replayed = replay_as_commands(&shuffled);
        let folded = Ledger::open(book.log.clone()).unwrap();
        prop_assert_eq!(replayed.state(), folded.state());
    }
}
