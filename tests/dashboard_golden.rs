//! The dashboard `revops demo` ends with, checked in as text: the demo book
//! (`SimulationConfig::default()`, what `revops demo` simulates) as of its
//! last day, in USD. Any change to a figure or to the layout shows here as a
//! diff of `golden/dashboard_demo.txt`.
//!
//! A deliberate change: regenerate with
//! `REVOPS_BLESS=1 cargo test --test dashboard_golden` and say why in the
//! commit.

use revops::core::Currency;
use revops::events::{Ledger, MemoryLog};
use revops::projections::RevenueOperations;
use revops::simulation::{simulate, SimulationConfig};

const GOLDEN: &str = "tests/golden/dashboard_demo.txt";

#[test]
fn the_demo_dashboard_is_the_checked_in_text() {
    let config = SimulationConfig::default();
    let mut ledger = Ledger::open(MemoryLog::default()).unwrap();
    simulate(&config, &mut ledger).unwrap();
    let desk = RevenueOperations::replay(&ledger.into_inner()).unwrap();
    let actual = desk.dashboard(config.last_day(), Currency::USD).unwrap().to_string();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("REVOPS_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap();
    assert_eq!(actual, golden, "the demo dashboard changed; see the module docs");
}
