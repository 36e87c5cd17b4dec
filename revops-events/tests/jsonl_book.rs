//! The shipped sample book of business (`examples/book.jsonl`): it imports
//! cleanly with exact counts, re-imports as a no-op, round-trips through
//! export byte for byte, and is internally consistent.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use revops_core::calendar::YearMonth;
use revops_core::terms::{LineKind, Recognition};
use revops_core::Currency;
use revops_events::event::{ApproverRole, ContractSigned};
use revops_events::jsonl::{export, import, EventReader, ImportOptions, ImportSummary};
use revops_events::{Event, EventLog, MemoryLog, StreamId};
use rust_decimal::Decimal;

const BOOK: &str = include_str!("../../examples/book.jsonl");

fn at() -> DateTime<Utc> {
    "2027-01-04T08:00:00Z".parse().unwrap()
}

fn import_book(batch_size: usize) -> (MemoryLog, ImportSummary) {
    let mut log = MemoryLog::default();
    let summary = import(&mut log, BOOK.as_bytes(), ImportOptions::new(at()).with_batch_size(batch_size)).unwrap();
    (log, summary)
}

fn export_string(log: &MemoryLog) -> String {
    let mut out = Vec::new();
    export(log, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn book_events() -> Vec<Event> {
    EventReader::new(BOOK.as_bytes()).map(|p| p.unwrap().event.event).collect()
}

/// Runs of consecutive events on one stream: the batches of an import with
/// a batch size larger than any run.
fn runs(events: &[Event]) -> usize {
    let streams: Vec<StreamId> = events.iter().map(Event::stream).collect();
    streams.windows(2).filter(|w| w[0] != w[1]).count() + usize::from(!streams.is_empty())
}

#[test]
fn the_book_imports_cleanly_with_exact_counts() {
    let (log, summary) = import_book(1_000);
    let events = book_events();
    assert_eq!(summary, ImportSummary { lines: 150, events: 150, appended: 150, repeats: 0, batches: 114 });
    assert_eq!(summary.batches as usize, runs(&events));
    assert_eq!(log.len(), 150);
    assert!(log.envelopes().iter().all(|e| e.recorded_at == at() && e.schema_version == 2));

    let mut by_type = BTreeMap::new();
    for e in &events {
        *by_type.entry(e.type_name()).or_insert(0) += 1;
    }
    let expected: BTreeMap<&str, i32> = [
        ("collection_step_taken", 4),
        ("commission_paid", 3),
        ("commission_plan_defined", 2),
        ("contract_renewed", 1),
        ("contract_signed", 6),
        ("credit_memo_issued", 1),
        ("customer_registered", 4),
        ("customer_updated", 1),
        ("dispute_opened", 1),
        ("dispute_resolved", 1),
        ("dispute_reviewed", 1),
        ("fx_rate_set", 2),
        ("invoice_dispatched", 3),
        ("invoice_issued", 29),
        ("line_delivered", 1),
        ("mdf_allocated", 1),
        ("mdf_spent", 1),
        ("milestone_accepted", 3),
        ("milestone_delivered", 3),
        ("partner_attributed", 1),
        ("payment_applied", 30),
        ("payment_received", 29),
        ("period_closed", 11),
        ("renewal_contact_logged", 1),
        ("spif_earned", 1),
        ("time_approved", 4),
        ("usage_recorded", 5),
    ]
    .into_iter()
    .collect();
    assert_eq!(by_type, expected);

    // Every billing frequency is there.
    let frequencies: BTreeSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::ContractSigned(c) => Some(serde_json::to_value(c.billing_frequency).unwrap().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(frequencies.len(), 6, "{frequencies:?}");
    // The whole year, 2026.
    assert!(events.iter().all(|e| e.business_date().to_string().starts_with("2026-")));
}

#[test]
fn reimporting_the_book_appends_nothing() {
    let (mut log, _) = import_book(1_000);
    let before = export_string(&log);
    for batch_size in [1, 7, 1_000] {
        let again = import(&mut log, BOOK.as_bytes(), ImportOptions::new(at()).with_batch_size(batch_size)).unwrap();
        assert_eq!((again.events, again.appended, again.repeats), (150, 0, 150));
        assert_eq!(export_string(&log), before);
    }
}

#[test]
fn the_book_round_trips_through_export_byte_for_byte() {
    let (log, _) = import_book(1_000);
    let first = export_string(&log);
    assert_eq!(first.lines().count(), 150);
    let mut copy = MemoryLog::default();
    let summary = import(&mut copy, first.as_bytes(), ImportOptions::new(at())).unwrap();
    assert_eq!(summary.appended, 150);
    assert_eq!(copy.envelopes(), log.envelopes());
    assert_eq!(export_string(&copy), first);
}

#[test]
fn the_batch_size_does_not_change_what_the_book_imports_to() {
    let (reference, _) = import_book(1_000);
    for batch_size in [1, 2, 3, 10_000] {
        let (log, summary) = import_book(batch_size);
        assert_eq!(log.envelopes(), reference.envelopes(), "batch size {batch_size}");
        if batch_size == 1 {
            assert_eq!(summary.batches, 150);
        }
    }
}

/// The book is internally consistent: every reference is to something
/// recorded before it, amounts add up, payments never exceed what is open,
/// and nothing is dated in a month already closed.
#[test]
fn the_book_is_internally_consistent() {
    struct Invoice {
        customer: String,
        currency: Currency,
        total: Decimal,
        open: Decimal,
        due_on: NaiveDate,
    }
    struct Payment {
        customer: String,
        currency: Currency,
        unapplied: Decimal,
    }
    let mut customers: HashMap<String, Currency> = HashMap::new();
    let mut contracts: HashMap<String, ContractSigned> = HashMap::new();
    let mut invoices: BTreeMap<String, Invoice> = BTreeMap::new();
    let mut payments: BTreeMap<String, Payment> = BTreeMap::new();
    let mut memos = BTreeSet::new();
    let mut disputes = BTreeSet::new();
    let mut plans: HashMap<String, Currency> = HashMap::new();
    let mut delivered = BTreeSet::new();
    let mut hours: HashMap<String, Decimal> = HashMap::new();
    let mut closed: BTreeSet<YearMonth> = BTreeSet::new();
    let mut last_date = NaiveDate::MIN;

    let contract_line = |contracts: &HashMap<String, ContractSigned>, contract: &str, line: &str| {
        let c = contracts.get(contract).unwrap_or_else(|| panic!("unknown contract {contract}"));
        c.lines.iter().find(|l| l.line == line).unwrap_or_else(|| panic!("{contract} has no line {line}")).clone()
    };

    for (n, event) in book_events().iter().enumerate() {
        let at = format!("line {}: {}", n + 1, event.type_name());
        let date = event.business_date();
        if !matches!(event, Event::CommissionPlanDefined(_)) {
            assert!(date >= last_date, "{at}: the book is in date order");
            last_date = date;
        }
        assert!(!closed.contains(&YearMonth::of(date)), "{at}: dated in a closed month");
        match event {
            Event::CustomerRegistered(e) => {
                assert!(customers.insert(e.customer.to_string(), e.currency).is_none(), "{at}");
            }
            Event::CustomerUpdated(e) => assert!(customers.contains_key(e.customer.as_str()), "{at}"),
            Event::ContractSigned(e) => {
                assert_eq!(customers.get(e.customer.as_str()), Some(&e.currency), "{at}: customer and currency");
                e.terms().validate().unwrap_or_else(|err| panic!("{at}: {err}"));
                assert!(!e.tax_exempt || e.tax_exemption_certificate.is_some(), "{at}: exemption certificate");
                assert_eq!(e.po_required, e.po_number.is_some(), "{at}: PO");
                if let Some(plan) = &e.commission_plan {
                    assert!(plans.contains_key(plan.as_str()), "{at}: plan");
                }
                assert!(contracts.insert(e.contract.to_string(), e.clone()).is_none(), "{at}");
            }
            Event::ContractRenewed(e) => {
                let c = &contracts[e.contract.as_str()];
                assert_eq!(e.start_date, c.end_date.succ_opt().unwrap(), "{at}: the renewal follows on");
            }
            Event::MilestoneDelivered(e) => {
                let line = contract_line(&contracts, e.contract.as_str(), e.line.as_str());
                assert!(line.milestones.iter().any(|m| m.milestone == e.milestone.as_str()), "{at}");
                delivered.insert((e.contract.to_string(), e.milestone.to_string()));
            }
            Event::MilestoneAccepted(e) => {
                assert!(
                    delivered.contains(&(e.contract.to_string(), e.milestone.to_string())),
                    "{at}: delivered first"
                );
            }
            Event::LineDelivered(e) => {
                let line = contract_line(&contracts, e.contract.as_str(), e.line.as_str());
                assert_eq!(line.kind, LineKind::PerpetualLicense, "{at}");
            }
            Event::TimeApproved(e) => {
                let line = contract_line(&contracts, e.contract.as_str(), e.line.as_str());
                assert_eq!(line.recognition, Recognition::TimeAndMaterials, "{at}");
                assert_eq!(e.rate, line.unit_price, "{at}: the contract rate");
                let total = hours.entry(e.contract.to_string()).or_default();
                *total += e.hours;
                assert!(*total <= line.not_to_exceed_hours.unwrap(), "{at}: within the cap");
            }
            Event::UsageRecorded(e) => {
                let line = contract_line(&contracts, e.contract.as_str(), e.line.as_str());
                assert_eq!(line.recognition, Recognition::Usage, "{at}");
            }
            Event::InvoiceIssued(e) => {
                let c = &contracts[e.contract.as_str()];
                assert_eq!((e.customer.as_str(), e.currency), (c.customer.as_str(), c.currency), "{at}");
                if c.po_required {
                    assert_eq!(e.po_number.as_deref(), c.po_number.as_deref(), "{at}: PO number");
                }
                assert_eq!(e.due_on, c.payment_terms.due_date(e.issued_on).unwrap(), "{at}: due date");
                for l in &e.lines {
                    if let Some(line) = &l.line {
                        contract_line(&contracts, e.contract.as_str(), line.as_str());
                    }
                    if c.tax_exempt {
                        assert!(l.tax.is_zero(), "{at}: exempt");
                    }
                    assert_eq!(l.amount.scale(), 2, "{at}: cents");
                    assert_eq!(l.tax.scale(), 2, "{at}: cents");
                }
                let total = e.total().amount;
                let invoice = Invoice {
                    customer: e.customer.to_string(),
                    currency: e.currency,
                    total,
                    open: total,
                    due_on: e.due_on,
                };
                assert!(invoices.insert(e.invoice.to_string(), invoice).is_none(), "{at}");
            }
            Event::InvoiceDispatched(e) => assert!(invoices.contains_key(e.invoice.as_str()), "{at}"),
            Event::PaymentReceived(e) => {
                assert_eq!(customers.get(e.customer.as_str()), Some(&e.currency), "{at}");
                let payment = Payment { customer: e.customer.to_string(), currency: e.currency, unapplied: e.amount };
                assert!(payments.insert(e.payment.to_string(), payment).is_none(), "{at}");
            }
            Event::PaymentApplied(e) => {
                let payment = payments.get_mut(e.payment.as_str()).unwrap();
                let invoice = invoices.get_mut(e.invoice.as_str()).unwrap();
                assert_eq!((&payment.customer, payment.currency), (&invoice.customer, invoice.currency), "{at}");
                assert_eq!(e.currency, invoice.currency, "{at}");
                assert!(e.amount <= payment.unapplied && e.amount <= invoice.open, "{at}: over-application");
                payment.unapplied -= e.amount;
                invoice.open -= e.amount;
            }
            Event::CreditMemoIssued(e) => {
                assert_eq!(e.approver_role, ApproverRole::VpRevenueOperations, "{at}");
                let invoice = invoices.get_mut(e.invoice.as_str()).unwrap();
                assert!(e.amount <= invoice.open && e.currency == invoice.currency, "{at}");
                invoice.open -= e.amount;
                memos.insert(e.memo.to_string());
            }
            Event::DisputeOpened(e) => {
                let invoice = &invoices[e.invoice.as_str()];
                assert!(e.amount <= invoice.open && e.currency == invoice.currency, "{at}");
                disputes.insert(e.dispute.to_string());
            }
            Event::DisputeReviewed(e) => assert!(disputes.contains(e.dispute.as_str()), "{at}"),
            Event::DisputeResolved(e) => {
                assert!(disputes.contains(e.dispute.as_str()), "{at}");
                if let Some(memo) = &e.credit_memo {
                    assert!(memos.contains(memo.as_str()), "{at}: the memo is issued first");
                }
            }
            Event::CollectionStepTaken(e) => {
                let invoice = &invoices[e.invoice.as_str()];
                assert!(invoice.open > Decimal::ZERO && e.taken_on > invoice.due_on, "{at}: overdue");
            }
            Event::CommissionPlanDefined(e) => {
                plans.insert(e.plan.to_string(), e.currency);
            }
            Event::CommissionPaid(e) => {
                assert!(plans.values().any(|c| *c == e.currency), "{at}");
                assert!(e.period.last_day() < e.paid_on, "{at}: paid after the period");
            }
            Event::RenewalContactLogged(e) => assert!(contracts.contains_key(e.contract.as_str()), "{at}"),
            Event::PartnerAttributed(e) => assert!(contracts.contains_key(e.contract.as_str()), "{at}"),
            Event::SpifEarned(e) => assert!(contracts.contains_key(e.contract.as_str()), "{at}"),
            Event::PeriodClosed(e) => {
                assert!(e.period.last_day() < e.closed_on, "{at}");
                closed.insert(e.period);
            }
            Event::FxRateSet(_) | Event::MdfAllocated(_) | Event::MdfSpent(_) => {}
            other => panic!("{at}: the book does not use {}", other.type_name()),
        }
    }
    // Every payment is applied in full; two invoices are open at year end.
    assert!(payments.values().all(|p| p.unapplied.is_zero()));
    let open: Vec<(&str, String)> = invoices
        .iter()
        .filter(|(_, i)| !i.open.is_zero())
        .map(|(id, i)| (id.as_str(), format!("{} {}", i.open, i.currency)))
        .collect();
    assert_eq!(open, [("INV-2026-0028", "7092.40 EUR".to_owned()), ("INV-2026-0029", "5443.75 USD".to_owned())]);
    let billed: Decimal = invoices.values().filter(|i| i.currency == Currency::USD).map(|i| i.total).sum();
    assert_eq!(billed, "299325.00".parse::<Decimal>().unwrap());
}
