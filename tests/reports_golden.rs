//! The five reports over simulated books stay byte for byte what they were
//! when this file was written: a guard for the optimisations of the
//! projections (incremental closes, compact state), which must never change
//! a figure. Each line of `golden/reports_fnv1a.txt` is a book, an as-of date
//! and the FNV-1a 64 hash of `ReadModels::reports(as_of)` as JSON.
//!
//! A deliberate change of the reports changes the hashes: regenerate them with
//! `REVOPS_BLESS=1 cargo test --test reports_golden` and say why in the commit.

use revops::events::{Ledger, MemoryLog};
use revops::projections::ReadModels;
use revops::simulation::{simulate, SimulationConfig};

const GOLDEN: &str = "tests/golden/reports_fnv1a.txt";

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn hashes(name: &str, config: &SimulationConfig, dates: &[&str], out: &mut String) {
    let mut ledger = Ledger::open(MemoryLog::default()).unwrap();
    simulate(config, &mut ledger).unwrap();
    let models = ReadModels::replay(&ledger.into_inner()).unwrap();
    for date in dates {
        let json = serde_json::to_vec(&models.reports(date.parse().unwrap()).unwrap()).unwrap();
        out.push_str(&format!("{name} {date} {:016x}\n", fnv1a(&json)));
    }
}

#[test]
fn reports_of_simulated_books_are_unchanged() {
    let mut actual = String::new();
    for seed in 0..4 {
        hashes(&format!("small({seed})"), &SimulationConfig::small(seed), &["2024-06-30", "2024-12-31"], &mut actual);
    }
    hashes("demo(42)", &SimulationConfig::demo(42), &["2025-06-30", "2025-11-17", "2026-12-31"], &mut actual);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("REVOPS_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap();
    assert_eq!(actual, golden, "the reports changed; see the module docs");
}
