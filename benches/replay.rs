//! Replay: 1,000,000+ simulated events read back from a `FileLog` and folded
//! into all five projections (`ReadModels`), single thread.
//!
//! The book is `SimulationConfig::bench(1)` (9,000 customers over four
//! years, every billing kind), generated once through the command API and
//! written to a temporary log before measuring. Two figures: reading the
//! log alone, and reading it into the projections. Before measuring, the
//! bench prints the heap the projections hold after a replay, per contract,
//! from a counting allocator.
//!
//! Run: `cargo bench --bench replay`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use revops::events::file_log::{Durability, FileLog, FileLogOptions};
use revops::events::{EventLog, Ledger, Seq};
use revops::projections::ReadModels;
use revops::simulation::{simulate, SimulationConfig};

/// Counts the bytes live on the heap while `COUNTING` is set, to report
/// what the projections keep. Off while measuring: an atomic add on every
/// allocation is a cost an embedding service does not pay.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);

fn count(bytes: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE.fetch_add(bytes, Ordering::Relaxed);
    }
}

// SAFETY: every call forwards to the system allocator unchanged; the counter
// only observes sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn replay(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = SimulationConfig::bench(1);
    let options = FileLogOptions { durability: Durability::OnClose, ..FileLogOptions::default() };
    let mut ledger = Ledger::open(FileLog::open(dir.path(), options).unwrap()).unwrap();
    let summary = simulate(&config, &mut ledger).unwrap();
    ledger.into_inner().close().unwrap();
    let log = FileLog::open(dir.path(), options).unwrap();
    let events = log.len();
    assert!(events >= 1_000_000, "the bench book holds {events} events");

    COUNTING.store(true, Ordering::Relaxed);
    let models = ReadModels::replay(&log).unwrap();
    let held = LIVE.load(Ordering::Relaxed);
    COUNTING.store(false, Ordering::Relaxed);
    eprintln!(
        "replay: {events} events, {} contracts; the projections hold {} bytes, {} per contract",
        summary.contracts,
        held,
        held / summary.contracts.max(1) as isize
    );
    drop(models);

    let mut group = c.benchmark_group("replay");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(events));
    group.bench_function("read_log", |b| {
        b.iter(|| log.read(Seq(0)).map(|e| e.unwrap().seq.0).fold(0u64, |acc, s| acc ^ s))
    });
    // The models are dropped outside the measurement: freeing a third of a
    // gigabyte is not replaying.
    group.bench_function("into_five_projections", |b| b.iter_with_large_drop(|| ReadModels::replay(&log).unwrap()));
    group.finish();
}

criterion_group!(benches, replay);
criterion_main!(benches);
