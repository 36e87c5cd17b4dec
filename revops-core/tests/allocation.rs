//! The hot path allocates nothing per schedule line: once a `Recognizer` and
//! a `RevenueSchedule` are warm, computing further schedules of the same
//! shape makes no heap allocation at all.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use revops_core::performance::{MilestoneAcceptance, Performance, TimeApproval, UsageRecord};
use revops_core::recognition::{RecognitionSettings, Recognizer};
use revops_core::schedule::RevenueSchedule;
use revops_core::terms::*;
use revops_core::{Currency, Decimal, NaiveDate};

/// Counts allocations made by the thread running the test: the test
/// harness's own threads allocate too (more often on a loaded machine).
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if COUNTED.with(Cell::get) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards every call unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn line(id: &str, recognition: Recognition, price: i64, ssp: i64) -> ContractLine {
    ContractLine {
        line: id.into(),
        product: String::new(),
        kind: LineKind::Subscription,
        quantity: Decimal::ONE,
        unit_price: None,
        price: Decimal::new(price, 2),
        ssp: Some(Decimal::new(ssp, 2)),
        recognition,
        start_date: None,
        end_date: None,
        milestones: Vec::new(),
        not_to_exceed_hours: None,
    }
}

fn contracts(bundle: bool, basis: RatableBasis) -> Vec<Contract> {
    (0..200)
        .map(|i| {
            let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(i * 7);
            let end = revops_core::calendar::add_months(start, 12 + (i % 25) as i32).unwrap().pred_opt().unwrap();
            let mut lines = vec![line("SUB", Recognition::Ratable { basis }, 1_200_000 + i as i64, 1_440_000)];
            if bundle {
                let mut imp = line("IMP", Recognition::Milestone, 600_000, 660_000);
                imp.milestones = vec![
                    Milestone { milestone: "design".into(), amount: Decimal::from(40), due_on: None },
                    Milestone { milestone: "go-live".into(), amount: Decimal::from(60), due_on: None },
                ];
                lines.push(imp);
                lines.push(line("LIC", Recognition::PointInTime, 1_800_000, 1_860_000));
            }
            Contract {
                contract: format!("C-{i}"),
                customer: "ACME".into(),
                currency: Currency::USD,
                start_date: start,
                end_date: end,
                billing_frequency: BillingFrequency::Monthly,
                payment_terms: PaymentTerms::Net30,
                lines,
            }
        })
        .collect()
}

fn allocations_after_warm_up(book: &[Contract], performance: &Performance) -> usize {
    let mut recognizer = Recognizer::new(RecognitionSettings::default());
    let mut out = RevenueSchedule::new(Currency::USD);
    for contract in book {
        recognizer.schedule_into(contract, performance, &[], &mut out).unwrap();
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTED.with(|c| c.set(true));
    let mut lines = 0;
    for contract in book {
        recognizer.schedule_into(contract, performance, &[], &mut out).unwrap();
        lines += out.entries().len();
    }
    COUNTED.with(|c| c.set(false));
    assert!(lines > 2_000, "the book must produce real schedules, got {lines} lines");
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

// One test function: the allocation counter is global to the binary, and
// tests in one binary run on parallel threads.
#[test]
fn warm_recognizer_allocates_nothing() {
    assert_eq!(allocations_after_warm_up(&contracts(false, RatableBasis::Monthly), &Performance::default()), 0);
    assert_eq!(allocations_after_warm_up(&contracts(false, RatableBasis::Daily), &Performance::default()), 0);
    let accepted = Performance {
        milestones_accepted: vec![MilestoneAcceptance {
            line: "IMP".into(),
            milestone: "design".into(),
            accepted_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        }],
        ..Performance::default()
    };
    assert_eq!(allocations_after_warm_up(&contracts(true, RatableBasis::Monthly), &accepted), 0);
    let mut time_and_usage = contracts(false, RatableBasis::Monthly);
    for c in &mut time_and_usage {
        let mut tm = line("TM", Recognition::TimeAndMaterials, 0, 0);
        tm.unit_price = Some(Decimal::new(15_000, 2));
        let mut usage = line("API", Recognition::Usage, 0, 0);
        usage.unit_price = Some(Decimal::new(15, 4));
        c.lines.extend([tm, usage]);
    }
    let performed = Performance {
        time_approved: (1..=6)
            .map(|m| TimeApproval {
                line: "TM".into(),
                hours: Decimal::from(10 * m),
                rate: None,
                approved_on: NaiveDate::from_ymd_opt(2026, m, 5).unwrap(),
            })
            .collect(),
        usage_recorded: (1..=6)
            .map(|m| UsageRecord {
                line: "API".into(),
                quantity: Decimal::from(100_000 * m),
                unit_price: None,
                incurred_on: NaiveDate::from_ymd_opt(2026, m, 12).unwrap(),
            })
            .collect(),
        ..Performance::default()
    };
    assert_eq!(allocations_after_warm_up(&time_and_usage, &performed), 0);
}
