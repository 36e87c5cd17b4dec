//! The hot path: recognition schedules for 100,000 generated contracts.
//!
//! (a) single-line ratable, monthly basis; (b) the same on the daily basis;
//! (c) 3-line bundles allocated by SSP (subscription, milestone
//! implementation, perpetual license). Terms run 12–36 months with partial
//! first and last months. Throughput is reported in schedule lines per
//! second; one `Recognizer` and one `RevenueSchedule` are reused, so the
//! measured loop allocates nothing per line.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use revops::core::calendar::add_months;
use revops::core::performance::{MilestoneAcceptance, Performance};
use revops::core::recognition::{RecognitionSettings, Recognizer};
use revops::core::schedule::RevenueSchedule;
use revops::core::terms::*;
use revops::core::{Currency, Decimal, NaiveDate};
use revops::simulation::Prng;

const CONTRACTS: usize = 100_000;

fn line(id: &str, kind: LineKind, recognition: Recognition, price: Decimal, ssp: Decimal) -> ContractLine {
    ContractLine {
        line: id.into(),
        product: String::new(),
        kind,
        quantity: Decimal::ONE,
        unit_price: None,
        price,
        ssp: Some(ssp),
        recognition,
        start_date: None,
        end_date: None,
        milestones: Vec::new(),
        not_to_exceed_hours: None,
    }
}

fn money(seed: &mut Prng) -> Decimal {
    Decimal::new(100_000 + seed.below(50_000_000) as i64, 2)
}

fn book(basis: RatableBasis, bundle: bool) -> Vec<(Contract, Performance)> {
    // A fixed seed gives the same book every run.
    let mut seed = Prng::new(0x5EED_0000, bundle as u64 * 2 + basis as u64);
    let epoch = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    (0..CONTRACTS)
        .map(|i| {
            let start = epoch + chrono::Days::new(seed.below(1_000));
            let months = 12 + seed.below(25) as i32;
            // Ends mid-month unless the start is the 1st: partial first and last months.
            let end = add_months(start, months).unwrap().pred_opt().unwrap();
            let ratable = Recognition::Ratable { basis };
            let mut lines = vec![line("SUB", LineKind::Subscription, ratable, money(&mut seed), money(&mut seed))];
            let mut performance = Performance::default();
            if bundle {
                let mut imp =
                    line("IMP", LineKind::Milestone, Recognition::Milestone, money(&mut seed), money(&mut seed));
                imp.milestones = vec![
                    Milestone { milestone: "design".into(), amount: Decimal::from(60), due_on: None },
                    Milestone { milestone: "go-live".into(), amount: Decimal::from(40), due_on: None },
                ];
                lines.push(imp);
                let license = Recognition::PointInTime;
                lines.push(line("LIC", LineKind::PerpetualLicense, license, money(&mut seed), money(&mut seed)));
                performance.milestones_accepted.push(MilestoneAcceptance {
                    line: "IMP".into(),
                    milestone: "design".into(),
                    accepted_on: start + chrono::Days::new(45),
                });
            }
            let contract = Contract {
                contract: format!("C-{i}"),
                customer: format!("CUST-{}", i % 5_000),
                currency: Currency::USD,
                start_date: start,
                end_date: end,
                billing_frequency: BillingFrequency::Monthly,
                payment_terms: PaymentTerms::Net30,
                lines,
            };
            (contract, performance)
        })
        .collect()
}

/// Schedule lines the book produces (the throughput unit).
fn lines_of(book: &[(Contract, Performance)]) -> u64 {
    let mut recognizer = Recognizer::new(RecognitionSettings::default());
    let mut out = RevenueSchedule::new(Currency::USD);
    book.iter()
        .map(|(c, p)| {
            recognizer.schedule_into(c, p, &[], &mut out).unwrap();
            out.entries().len() as u64
        })
        .sum()
}

fn bench(c: &mut Criterion, name: &str, basis: RatableBasis, bundle: bool) {
    let book = book(basis, bundle);
    let lines = lines_of(&book);
    let mut group = c.benchmark_group("recognition");
    group.throughput(Throughput::Elements(lines));
    group.sample_size(10);
    group.bench_function(name, |b| {
        let mut recognizer = Recognizer::new(RecognitionSettings::default());
        let mut out = RevenueSchedule::new(Currency::USD);
        b.iter_batched_ref(
            || (),
            |()| {
                let mut checksum = 0i64;
                for (contract, performance) in &book {
                    recognizer.schedule_into(contract, performance, &[], &mut out).unwrap();
                    checksum += out.entries().last().map_or(0, |e| e.amount_minor);
                }
                black_box(checksum)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn recognition(c: &mut Criterion) {
    bench(c, "a_ratable_monthly_single_line", RatableBasis::Monthly, false);
    bench(c, "b_ratable_daily_single_line", RatableBasis::Daily, false);
    bench(c, "c_bundle_three_lines_ssp", RatableBasis::Monthly, true);
}

criterion_group!(benches, recognition);
criterion_main!(benches);
