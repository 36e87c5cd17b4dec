//! The file log: append throughput (fsync every 1,000 batches, and only on
//! close), full-replay throughput over 1,000,000 mixed events (owned
//! envelopes from `read`, and records visited in place by `replay`) and
//! the time to open the log.
//!
//! The events come from a deterministic generator (splitmix64): payments
//! received and applied, invoices with one to three lines, usage, T&M time,
//! milestones, collection steps, commission payouts, contracts with two lines
//! and a milestone, FX rates and period closes, in appends of 1–32 events of
//! one stream, each with its own event id.
//!
//! Run: `cargo bench -p revops-events --bench log`.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use revops_core::calendar::YearMonth;
use revops_core::terms::{
    BillingFrequency, ContractLine, LineKind, Milestone, PaymentTerms, RatableBasis, Recognition,
};
use revops_core::{Currency, Decimal};
use revops_events::event::*;
use revops_events::file_log::{Durability, FileLog, FileLogOptions};
use revops_events::ids::*;
use revops_events::{EventLog, ExpectedVersion, NewEvent, Seq, StreamId};
use uuid::Uuid;

const EVENTS: usize = 1_000_000;

#[path = "../tests/support/splitmix.rs"]
mod splitmix;

use splitmix::Rng;

impl Rng {
    fn amount(&mut self) -> Decimal {
        Decimal::new(self.below(10_000_000) as i64, 2)
    }

    fn date(&mut self) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(self.below(730))
    }

    fn uuid(&mut self) -> Uuid {
        Uuid::from_u64_pair(self.next(), self.next())
    }
}

struct Batch {
    stream: StreamId,
    events: Vec<NewEvent>,
}

fn line(id: &str, price: Decimal, recognition: Recognition, milestones: Vec<Milestone>) -> ContractLine {
    ContractLine {
        line: id.into(),
        product: "Platform".into(),
        kind: if milestones.is_empty() { LineKind::Subscription } else { LineKind::Milestone },
        quantity: Decimal::ONE,
        unit_price: None,
        price,
        ssp: Some(price),
        recognition,
        start_date: None,
        end_date: None,
        milestones,
        not_to_exceed_hours: None,
    }
}

/// One event of the kind `kind` for entity `n`; event `i` of its batch.
fn event(rng: &mut Rng, kind: u64, n: u64, i: usize) -> Event {
    let customer = CustomerId::new(format!("CUST-{}", n % 5_000)).unwrap();
    match kind {
        0 if i == 0 => Event::PaymentReceived(PaymentReceived {
            payment: PaymentId::new(format!("PAY-{n}")).unwrap(),
            customer,
            amount: rng.amount(),
            currency: Currency::USD,
            received_on: rng.date(),
            method: PaymentMethod::Wire,
        }),
        0 => Event::PaymentApplied(PaymentApplied {
            payment: PaymentId::new(format!("PAY-{n}")).unwrap(),
            invoice: InvoiceId::new(format!("INV-{}", rng.below(1_000_000))).unwrap(),
            amount: rng.amount(),
            currency: Currency::USD,
            applied_on: rng.date(),
        }),
        1 if i == 0 => {
            let lines = (0..1 + rng.below(3))
                .map(|l| InvoiceLine {
                    line: Some(LineId::new(format!("L-{l}")).unwrap()),
                    description: "Platform subscription, monthly".into(),
                    amount: rng.amount(),
                    tax: rng.amount(),
                    period_start: Some(rng.date()),
                    period_end: Some(rng.date()),
                })
                .collect();
            Event::InvoiceIssued(InvoiceIssued {
                invoice: InvoiceId::new(format!("INV-{n}")).unwrap(),
                customer,
                contract: ContractId::new(format!("C-{}", n % 20_000)).unwrap(),
                issued_on: rng.date(),
                due_on: rng.date(),
                currency: Currency::USD,
                po_number: Some(format!("PO-{n}").into()),
                lines,
            })
        }
        1 => Event::CollectionStepTaken(CollectionStepTaken {
            invoice: InvoiceId::new(format!("INV-{n}")).unwrap(),
            step: CollectionStep::Day7,
            taken_on: rng.date(),
        }),
        2 if i == 0 => {
            let m = |id: &str, amount| Milestone { milestone: id.into(), amount, due_on: None };
            Event::ContractSigned(ContractSigned {
                contract: ContractId::new(format!("C-{n}")).unwrap(),
                deal_id: Some(DealId::new(format!("D-{n}")).unwrap()),
                customer,
                signed_on: rng.date(),
                start_date: rng.date(),
                end_date: rng.date(),
                currency: Currency::EUR,
                billing_frequency: BillingFrequency::Monthly,
                payment_terms: PaymentTerms::Net30,
                po_required: false,
                po_number: None,
                tax_jurisdiction: Some("DE".into()),
                tax_exempt: false,
                tax_exemption_certificate: None,
                assigned_ae: Some(RepId::new("REP-1").unwrap()),
                commission_plan: None,
                lines: vec![
                    line("L-1", rng.amount(), Recognition::Ratable { basis: RatableBasis::Monthly }, vec![]),
                    line("L-2", rng.amount(), Recognition::Milestone, vec![m("M-1", rng.amount())]),
                ],
            })
        }
        2 if i % 3 == 0 => Event::TimeApproved(TimeApproved {
            contract: ContractId::new(format!("C-{n}")).unwrap(),
            line: LineId::new("L-3").unwrap(),
            hours: Decimal::new(rng.below(4_000) as i64, 1),
            rate: None,
            approved_on: rng.date(),
        }),
        2 if i % 3 == 1 => Event::MilestoneAccepted(MilestoneAccepted {
            contract: ContractId::new(format!("C-{n}")).unwrap(),
            line: LineId::new("L-2").unwrap(),
            milestone: MilestoneId::new("M-1").unwrap(),
            accepted_on: rng.date(),
        }),
        2 => Event::UsageRecorded(UsageRecorded {
            contract: ContractId::new(format!("C-{n}")).unwrap(),
            line: LineId::new("L-4").unwrap(),
            quantity: Decimal::from(rng.below(100_000)),
            unit_price: None,
            incurred_on: rng.date(),
        }),
        3 => Event::CommissionPaid(CommissionPaid {
            rep: RepId::new(format!("REP-{n}")).unwrap(),
            amount: rng.amount(),
            currency: Currency::USD,
            paid_on: rng.date(),
            period: YearMonth::new(2026, 1 + rng.below(12) as u32).unwrap(),
        }),
        _ if i % 2 == 0 => Event::FxRateSet(FxRateSet {
            from: Currency::EUR,
            to: Currency::USD,
            rate: Decimal::new(10_000 + rng.below(2_000) as i64, 4),
            on: rng.date(),
        }),
        _ => Event::PeriodClosed(PeriodClosed {
            period: YearMonth::new(2026, 1 + rng.below(12) as u32).unwrap(),
            closed_on: rng.date(),
        }),
    }
}

/// 1,000,000 events in appends of 1–32 events of one stream.
fn generate() -> Vec<Batch> {
    let mut rng = Rng(0x00C0_FFEE);
    let mut batches = Vec::new();
    let mut total = 0;
    let mut n = 0;
    while total < EVENTS {
        n += 1;
        let kind = match rng.below(100) {
            0..=34 => 0,
            35..=59 => 1,
            60..=89 => 2,
            90..=96 => 3,
            _ => 4,
        };
        let size = (1 + rng.below(32) as usize).min(EVENTS - total);
        let events: Vec<NewEvent> =
            (0..size).map(|i| NewEvent { event_id: Some(rng.uuid()), event: event(&mut rng, kind, n, i) }).collect();
        total += size;
        batches.push(Batch { stream: events[0].event.stream(), events });
    }
    batches
}

fn at() -> DateTime<Utc> {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

fn write(dir: &std::path::Path, batches: &[Batch], durability: Durability) -> FileLog {
    let mut log = FileLog::open(dir, FileLogOptions { durability, ..FileLogOptions::default() }).unwrap();
    for b in batches {
        log.append(&b.stream, ExpectedVersion::Any, &b.events, at()).unwrap();
    }
    log
}

fn bench(c: &mut Criterion) {
    let batches = generate();
    let mut group = c.benchmark_group("log");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(20));

    group.throughput(Throughput::Elements(EVENTS as u64));
    for (name, durability) in
        [("append_every_1000", Durability::EveryN(1000)), ("append_on_close", Durability::OnClose)]
    {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let dir = tempfile::tempdir().unwrap();
                    let start = Instant::now();
                    write(dir.path(), &batches, durability).close().unwrap();
                    spent += start.elapsed();
                }
                spent
            })
        });
    }

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &batches, Durability::OnClose).close().unwrap();
    let log = FileLog::open(dir.path(), FileLogOptions::default()).unwrap();
    let bytes: u64 = log.segment_paths().map(|p| std::fs::metadata(p).unwrap().len()).sum();
    eprintln!(
        "log: {EVENTS} events in {} appends, {bytes} bytes in {} segments",
        batches.len(),
        log.segment_paths().count()
    );
    let replay = |log: &FileLog| {
        let mut count = 0u64;
        for e in log.read(Seq(0)) {
            count += e.unwrap().stream_version & 1;
        }
        count
    };
    group.bench_function("replay_events", |b| b.iter(|| replay(&log)));
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("replay_bytes", |b| b.iter(|| replay(&log)));
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("replay_in_place_events", |b| {
        b.iter(|| {
            let mut count = 0u64;
            log.replay(Seq(0), |r| {
                // Touch the event too, as a projection would.
                let applied = matches!(r.archived_event(), Some(ArchivedEvent::PaymentApplied(_)));
                count += (r.stream_version() & 1) + u64::from(applied);
                Ok::<_, revops_events::Error>(())
            })
            .unwrap();
            count
        })
    });
    group.bench_function("open", |b| b.iter(|| FileLog::open(dir.path(), FileLogOptions::default()).unwrap().len()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
