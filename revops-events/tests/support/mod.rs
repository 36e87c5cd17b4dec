//! Generators of events for property tests, shared by the test files.
//!
//! Batches are what one append carries: one to four events of the same
//! stream, drawn from a small pool of entity ids so that streams grow over
//! several appends. Amounts have random mantissas and scales, dates span a
//! century and a half, optional fields are sometimes absent, texts may hold
//! any printable Unicode.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use revops_core::calendar::YearMonth;
use revops_core::commission::{CommissionBasis, CommissionTier};
use revops_core::modification::{LineChange, Treatment};
use revops_core::terms::{
    BillingFrequency, ContractLine, LineKind, Milestone, PaymentTerms, RatableBasis, Recognition,
};
use revops_core::{Currency, Decimal};
use revops_events::event::*;
use revops_events::ids::*;
use revops_events::{Event, ExpectedVersion, NewEvent, StreamId};
use uuid::Uuid;

/// An entity id from a pool of five, so that streams repeat.
fn pool_id(prefix: &'static str) -> impl Strategy<Value = String> {
    (0..5u8).prop_map(move |n| format!("{prefix}-{n}"))
}

fn id_text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._/-]{0,15}"
}

/// Free text: any printable characters, sometimes empty.
fn text() -> impl Strategy<Value = String> {
    "\\PC{0,24}"
}

/// An exact amount: a random mantissa with 0–6 decimal places.
pub fn decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (-1_000_000_000_000i64..1_000_000_000_000, 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s)),
        (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        Just(Decimal::ZERO),
    ]
}

/// A date between 1900 and 2100.
pub fn date() -> impl Strategy<Value = NaiveDate> {
    (693_596i32..766_645).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).expect("in range"))
}

/// A recorded-at timestamp to the microsecond (the file log's precision).
pub fn timestamp() -> impl Strategy<Value = DateTime<Utc>> {
    (946_684_800_000_000i64..4_102_444_800_000_000)
        .prop_map(|us| DateTime::from_timestamp_micros(us).expect("in range"))
}

pub fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::ALL.to_vec())
}

fn month() -> impl Strategy<Value = YearMonth> {
    (1i32..=9999, 1u32..=12).prop_map(|(y, m)| YearMonth::new(y, m).expect("valid month"))
}

fn payment_terms() -> impl Strategy<Value = PaymentTerms> {
    prop::sample::select(vec![
        PaymentTerms::Net15,
        PaymentTerms::Net30,
        PaymentTerms::Net45,
        PaymentTerms::Net60,
        PaymentTerms::Upfront,
    ])
}

fn payment_method() -> impl Strategy<Value = PaymentMethod> {
    prop::sample::select(vec![
        PaymentMethod::Ach,
        PaymentMethod::Wire,
        PaymentMethod::Card,
        PaymentMethod::Check,
        PaymentMethod::Unknown,
    ])
}

fn recognition() -> impl Strategy<Value = Recognition> {
    prop_oneof![
        Just(Recognition::Ratable { basis: RatableBasis::Monthly }),
        Just(Recognition::Ratable { basis: RatableBasis::Daily }),
        Just(Recognition::Milestone),
        Just(Recognition::TimeAndMaterials),
        Just(Recognition::PointInTime),
        Just(Recognition::Usage),
    ]
}

fn line_kind() -> impl Strategy<Value = LineKind> {
    prop::sample::select(vec![
        LineKind::Subscription,
        LineKind::Milestone,
        LineKind::TimeAndMaterials,
        LineKind::PerpetualLicense,
        LineKind::Usage,
    ])
}

fn milestone() -> impl Strategy<Value = Milestone> {
    (id_text(), decimal(), option::of(date())).prop_map(|(milestone, amount, due_on)| Milestone {
        milestone,
        amount,
        due_on,
    })
}

/// A contract line of any kind, with milestones on some.
pub fn contract_line() -> impl Strategy<Value = ContractLine> {
    (
        (id_text(), text(), line_kind(), decimal(), option::of(decimal()), decimal()),
        (option::of(decimal()), recognition(), option::of(date()), option::of(date())),
        (vec(milestone(), 0..3), option::of(decimal())),
    )
        .prop_map(
            |(
                (line, product, kind, quantity, unit_price, price),
                (ssp, recognition, start_date, end_date),
                (milestones, not_to_exceed_hours),
            )| ContractLine {
                line,
                product,
                kind,
                quantity,
                unit_price,
                price,
                ssp,
                recognition,
                start_date,
                end_date,
                milestones,
                not_to_exceed_hours,
            },
        )
}

fn line_change() -> impl Strategy<Value = LineChange> {
    prop_oneof![
        contract_line().prop_map(|line| LineChange::Add { line }),
        (id_text(), option::of(decimal()), option::of(decimal()), option::of(date()))
            .prop_map(|(line, price, ssp, end_date)| LineChange::Amend { line, price, ssp, end_date }),
        id_text().prop_map(|line| LineChange::Remove { line }),
    ]
}

fn address() -> impl Strategy<Value = Address> {
    (text(), option::of(text()), text(), option::of(text()), text(), "[A-Z]{2}").prop_map(
        |(line1, line2, city, region, postal_code, country)| Address {
            line1,
            line2,
            city,
            region,
            postal_code,
            country,
        },
    )
}

fn contact() -> impl Strategy<Value = Contact> {
    (text(), text(), option::of(text())).prop_map(|(name, email, phone)| Contact { name, email, phone })
}

fn customer_events(customer: String) -> BoxedStrategy<Event> {
    let c = CustomerId::new(customer).expect("valid id");
    (
        (text(), address(), contact(), option::of(text()), payment_method(), payment_terms()),
        (decimal(), currency(), date()),
    )
        .prop_map(
            move |(
                (legal_entity, billing_address, billing_contact, tax_registration, payment_method, payment_terms),
                (credit_limit, currency, registered_on),
            )| {
                Event::CustomerRegistered(CustomerRegistered {
                    customer: c.clone(),
                    legal_entity,
                    billing_address,
                    billing_contact,
                    tax_registration,
                    payment_method,
                    payment_terms,
                    credit_limit,
                    currency,
                    registered_on,
                })
            },
        )
        .boxed()
}

fn contract_events(contract: String) -> BoxedStrategy<Event> {
    let id = ContractId::new(contract).expect("valid id");
    let signed = {
        let id = id.clone();
        (
            (option::of(id_text()), id_text(), date(), date(), date(), currency()),
            (
                prop::sample::select(vec![
                    BillingFrequency::Monthly,
                    BillingFrequency::Quarterly,
                    BillingFrequency::Annually,
                    BillingFrequency::Milestone,
                    BillingFrequency::TimeAndMaterials,
                    BillingFrequency::Usage,
                ]),
                payment_terms(),
                any::<bool>(),
                option::of(text()),
                option::of(text()),
                any::<bool>(),
            ),
            (option::of(text()), option::of(id_text()), option::of(id_text()), vec(contract_line(), 1..4)),
        )
            .prop_map(
                move |(
                    (deal, customer, signed_on, start_date, end_date, currency),
                    (billing_frequency, payment_terms, po_required, po_number, tax_jurisdiction, tax_exempt),
                    (tax_exemption_certificate, ae, plan, lines),
                )| {
                    Event::ContractSigned(ContractSigned {
                        contract: id.clone(),
                        deal_id: deal.map(|d| DealId::new(d).expect("valid id")),
                        customer: CustomerId::new(customer).expect("valid id"),
                        signed_on,
                        start_date,
                        end_date,
                        currency,
                        billing_frequency,
                        payment_terms,
                        po_required,
                        po_number,
                        tax_jurisdiction,
                        tax_exempt,
                        tax_exemption_certificate,
                        assigned_ae: ae.map(|r| RepId::new(r).expect("valid id")),
                        commission_plan: plan.map(|p| PlanId::new(p).expect("valid id")),
                        lines,
                    })
                },
            )
    };
    let modified = {
        let id = id.clone();
        (
            date(),
            prop::sample::select(vec![
                Treatment::SeparateContract,
                Treatment::Prospective,
                Treatment::CumulativeCatchUp,
            ]),
            vec(line_change(), 1..4),
        )
            .prop_map(move |(effective_on, treatment, changes)| {
                Event::ContractModified(ContractModified { contract: id.clone(), effective_on, treatment, changes })
            })
    };
    let usage = (id_text(), decimal(), option::of(decimal()), date()).prop_map(
        move |(line, quantity, unit_price, incurred_on)| {
            Event::UsageRecorded(UsageRecorded {
                contract: id.clone(),
                line: LineId::new(line).expect("valid id"),
                quantity,
                unit_price,
                incurred_on,
            })
        },
    );
    prop_oneof![2 => signed, 1 => modified, 1 => usage].boxed()
}

fn invoice_events(invoice: String) -> BoxedStrategy<Event> {
    let id = InvoiceId::new(invoice).expect("valid id");
    let line = (option::of(id_text()), text(), decimal(), decimal(), option::of(date()), option::of(date())).prop_map(
        |(line, description, amount, tax, period_start, period_end)| InvoiceLine {
            line: line.map(|l| LineId::new(l).expect("valid id")),
            description: description.into(),
            amount,
            tax,
            period_start,
            period_end,
        },
    );
    let issued = {
        let id = id.clone();
        (id_text(), id_text(), date(), date(), currency(), option::of(text()), vec(line, 0..5)).prop_map(
            move |(customer, contract, issued_on, due_on, currency, po_number, lines)| {
                Event::InvoiceIssued(InvoiceIssued {
                    invoice: id.clone(),
                    customer: CustomerId::new(customer).expect("valid id"),
                    contract: ContractId::new(contract).expect("valid id"),
                    issued_on,
                    due_on,
                    currency,
                    po_number: po_number.map(Into::into),
                    lines,
                })
            },
        )
    };
    let step = (
        prop::sample::select(vec![
            CollectionStep::Day0,
            CollectionStep::Day7,
            CollectionStep::Day15,
            CollectionStep::Day30,
            CollectionStep::Day45,
            CollectionStep::Day60,
            CollectionStep::Day75,
            CollectionStep::Day90,
        ]),
        date(),
    )
        .prop_map(move |(step, taken_on)| {
            Event::CollectionStepTaken(CollectionStepTaken { invoice: id.clone(), step, taken_on })
        });
    prop_oneof![3 => issued, 1 => step].boxed()
}

fn payment_events(payment: String) -> BoxedStrategy<Event> {
    let id = PaymentId::new(payment).expect("valid id");
    let received = {
        let id = id.clone();
        (id_text(), decimal(), currency(), date(), payment_method()).prop_map(
            move |(customer, amount, currency, received_on, method)| {
                Event::PaymentReceived(PaymentReceived {
                    payment: id.clone(),
                    customer: CustomerId::new(customer).expect("valid id"),
                    amount,
                    currency,
                    received_on,
                    method,
                })
            },
        )
    };
    let applied =
        (id_text(), decimal(), currency(), date()).prop_map(move |(invoice, amount, currency, applied_on)| {
            Event::PaymentApplied(PaymentApplied {
                payment: id.clone(),
                invoice: InvoiceId::new(invoice).expect("valid id"),
                amount,
                currency,
                applied_on,
            })
        });
    prop_oneof![received, applied].boxed()
}

fn rep_events(rep: String) -> BoxedStrategy<Event> {
    let id = RepId::new(rep).expect("valid id");
    let plan = {
        let id = id.clone();
        (
            id_text(),
            decimal(),
            currency(),
            prop::sample::select(vec![CommissionBasis::Booking, CommissionBasis::Collection]),
            vec((decimal(), decimal()).prop_map(|(a, r)| CommissionTier::new(a, r)), 0..4),
            any::<u32>(),
            1u32..=28,
            date(),
        )
            .prop_map(
                move |(plan, quota, currency, basis, tiers, clawback_months, payout_day, effective_on)| {
                    Event::CommissionPlanDefined(CommissionPlanDefined {
                        plan: PlanId::new(plan).expect("valid id"),
                        rep: id.clone(),
                        quota,
                        currency,
                        basis,
                        tiers,
                        clawback_months,
                        payout_day,
                        effective_on,
                    })
                },
            )
    };
    let paid = (decimal(), currency(), date(), month()).prop_map(move |(amount, currency, paid_on, period)| {
        Event::CommissionPaid(CommissionPaid { rep: id.clone(), amount, currency, paid_on, period })
    });
    prop_oneof![plan, paid].boxed()
}

fn dispute_events(dispute: String) -> BoxedStrategy<Event> {
    let id = DisputeId::new(dispute).expect("valid id");
    (
        date(),
        prop::sample::select(vec![DisputeOutcome::Valid, DisputeOutcome::Invalid]),
        option::of(id_text()),
        option::of(id_text()),
        option::of(text()),
    )
        .prop_map(move |(resolved_on, outcome, memo, rebill, evidence)| {
            Event::DisputeResolved(DisputeResolved {
                dispute: id.clone(),
                resolved_on,
                outcome,
                credit_memo: memo.map(|m| CreditMemoId::new(m).expect("valid id")),
                rebill_invoice: rebill.map(|i| InvoiceId::new(i).expect("valid id")),
                evidence,
            })
        })
        .boxed()
}

fn books_events() -> BoxedStrategy<Event> {
    let fx = (currency(), currency(), decimal(), date())
        .prop_map(|(from, to, rate, on)| Event::FxRateSet(FxRateSet { from, to, rate, on }));
    let close =
        (month(), date()).prop_map(|(period, closed_on)| Event::PeriodClosed(PeriodClosed { period, closed_on }));
    prop_oneof![fx, close].boxed()
}

/// Events of one stream: `kind` picks the entity kind.
fn stream_events(kind: u8, id: String) -> BoxedStrategy<Event> {
    match kind {
        0 => customer_events(id),
        1 => contract_events(id),
        2 => invoice_events(id),
        3 => payment_events(id),
        4 => rep_events(id),
        5 => dispute_events(id),
        _ => books_events(),
    }
}

/// One event of any generated type.
pub fn event() -> impl Strategy<Value = Event> {
    (0u8..7, pool_id("E")).prop_flat_map(|(kind, id)| stream_events(kind, id))
}

/// A new event with a random id, or none (the id is then derived from the
/// content).
fn new_event(events: BoxedStrategy<Event>) -> impl Strategy<Value = NewEvent> {
    (events, option::weighted(0.7, any::<u128>()))
        .prop_map(|(event, id)| NewEvent { event_id: id.map(Uuid::from_u128), event })
}

/// One append: a stream, what the writer expects of it, 1–4 events of it,
/// and when.
#[derive(Clone, Debug)]
pub struct Batch {
    pub stream: StreamId,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
    pub recorded_at: DateTime<Utc>,
}

pub fn batch() -> impl Strategy<Value = Batch> {
    (0u8..7, pool_id("S"))
        .prop_flat_map(|(kind, id)| {
            let events = vec(new_event(stream_events(kind, id)), 1..5);
            let expected = prop_oneof![
                6 => Just(ExpectedVersion::Any),
                1 => Just(ExpectedVersion::NoStream),
                1 => (0u64..4).prop_map(ExpectedVersion::Exact),
            ];
            (events, expected, timestamp())
        })
        .prop_map(|(events, expected, recorded_at)| Batch {
            stream: events[0].event.stream(),
            expected,
            events,
            recorded_at,
        })
}

/// A run of appends.
pub fn batches(max: usize) -> impl Strategy<Value = Vec<Batch>> {
    vec(batch(), 1..max)
}
