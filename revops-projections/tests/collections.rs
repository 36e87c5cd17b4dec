//! `Collections` scenarios: an invoice walking the ladder day by day, a
//! dispute pausing it, credit holds placed and released, to the day and the
//! cent; and the ladder only advancing on generated books.

mod book;

use std::collections::BTreeSet;

use book::{acme_book, date, Book};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use revops_events::event::CollectionStep::{self, Day0, Day15, Day30, Day45, Day60, Day7, Day75, Day90};
use revops_events::jsonl::{import, ImportOptions};
use revops_events::MemoryLog;
use revops_projections::aging::{AgingBasis, AgingOptions, ArAging};
use revops_projections::collections::{Collections, CollectionsReport, LadderInvoice, LADDER};
use revops_projections::Projection;
use serde_json::json;

const ACME: (&str, &str) = ("ACME", "USD");
const C1: (&str, &str, &str) = ("ACME", "C-1", "USD");

fn step(book: &mut Book, invoice: &str, step: CollectionStep, on: &str) {
    let step = serde_json::to_value(step).unwrap();
    book.exec(json!({"type": "collection_step_taken", "invoice": invoice, "step": step, "taken_on": on}));
}

fn hold(book: &mut Book, customer: &str, on: &str) {
    book.exec(
        json!({"type": "credit_hold_placed", "customer": customer, "placed_on": on, "reason": "60 days past due"}),
    );
}

fn release(book: &mut Book, customer: &str, on: &str) {
    book.exec(json!({"type": "credit_hold_released", "customer": customer, "released_on": on}));
}

/// The ladder of a book with the aging it reads open amounts from.
struct Ladder {
    collections: Collections,
    aging: ArAging,
}

impl Ladder {
    /// Both folded from `book`, every envelope applied twice.
    fn of(book: &Book) -> Ladder {
        Ladder { collections: book.fold(), aging: book.fold() }
    }

    fn report(&self, as_of: NaiveDate) -> CollectionsReport {
        self.collections.report(as_of, &self.aging)
    }
}

fn row<'a>(report: &'a CollectionsReport, invoice: &str) -> &'a LadderInvoice {
    report.invoices.iter().find(|i| i.invoice == invoice).unwrap_or_else(|| panic!("{invoice} not on the ladder"))
}

/// (ladder days, steps due, next step and its date) of `invoice` as of `as_of`.
fn ladder(
    c: &Ladder,
    as_of: &str,
    invoice: &str,
) -> (i64, Vec<CollectionStep>, Option<CollectionStep>, Option<NaiveDate>) {
    let r = c.report(date(as_of));
    let i = row(&r, invoice);
    (i.ladder_days, i.due.clone(), i.next_step, i.next_step_on)
}

fn d(s: &str) -> Option<NaiveDate> {
    Some(date(s))
}

#[test]
fn an_invoice_walks_the_ladder_to_a_credit_hold_and_out_on_full_payment() {
    let mut book = acme_book();
    // Due on Saturday 2026-01-31: ladder day 0.
    book.invoice("INV-1", C1, ("2026-01-01", "2026-01-31"), "1000.00", "80.00");
    step(&mut book, "INV-1", Day0, "2026-02-01");
    step(&mut book, "INV-1", Day7, "2026-02-08");
    book.pay("PAY-1", ACME, "INV-1", "400.00", "2026-02-10");
    step(&mut book, "INV-1", Day15, "2026-02-16");
    step(&mut book, "INV-1", Day30, "2026-03-03");
    step(&mut book, "INV-1", Day45, "2026-03-17");
    hold(&mut book, "ACME", "2026-04-02");
    step(&mut book, "INV-1", Day60, "2026-04-02");
    book.pay("PAY-2", ACME, "INV-1", "680.00", "2026-04-20");
    release(&mut book, "ACME", "2026-04-21");
    let c = Ladder::of(&book);

    // Not due yet: not on the ladder.
    assert!(c.report(date("2026-01-30")).invoices.is_empty());
    assert_eq!(ladder(&c, "2026-01-31", "INV-1"), (0, vec![Day0], Some(Day7), d("2026-02-07")));
    // Day 0 recorded the next day: nothing due until day 7.
    assert_eq!(ladder(&c, "2026-02-01", "INV-1"), (1, vec![], Some(Day7), d("2026-02-07")));
    assert_eq!(ladder(&c, "2026-02-06", "INV-1"), (6, vec![], Some(Day7), d("2026-02-07")));
    // Day 7 is recorded on the 8th only: due on the 7th.
    assert_eq!(ladder(&c, "2026-02-07", "INV-1"), (7, vec![Day7], Some(Day15), d("2026-02-15")));
    assert_eq!(ladder(&c, "2026-02-08", "INV-1"), (8, vec![], Some(Day15), d("2026-02-15")));
    assert_eq!(ladder(&c, "2026-02-15", "INV-1"), (15, vec![Day15], Some(Day30), d("2026-03-02")));
    assert_eq!(ladder(&c, "2026-03-02", "INV-1"), (30, vec![Day30], Some(Day45), d("2026-03-17")));
    assert_eq!(ladder(&c, "2026-03-17", "INV-1"), (45, vec![], Some(Day60), d("2026-04-01")));

    let r = c.report(date("2026-03-17"));
    let i = row(&r, "INV-1");
    assert_eq!((i.open.as_str(), i.days_past_due, i.reached, i.paused), ("680.00", 45, Day45, false));
    let taken: Vec<(CollectionStep, NaiveDate)> = i.taken.iter().map(|t| (t.step, t.taken_on)).collect();
    assert_eq!(
        taken,
        [
            (Day0, date("2026-02-01")),
            (Day7, date("2026-02-08")),
            (Day15, date("2026-02-16")),
            (Day30, date("2026-03-03")),
            (Day45, date("2026-03-17"))
        ]
    );
    assert!(r.holds_to_place.is_empty());

    // Day 60, Wednesday April 1: the credit hold is due.
    let r = c.report(date("2026-04-01"));
    assert_eq!(row(&r, "INV-1").due, [Day60]);
    let [place] = &r.holds_to_place[..] else { panic!("{:?}", r.holds_to_place) };
    assert_eq!(
        (place.customer.as_str(), place.invoice.as_str(), place.ladder_days, place.open.as_str()),
        ("ACME", "INV-1", 60, "680.00")
    );
    assert_eq!((r.counts.invoices, r.counts.due_steps, r.counts.holds, r.counts.holds_to_place), (1, 1, 0, 1));

    // Placed the next day: in force, no longer an action.
    let r = c.report(date("2026-04-02"));
    assert!(r.holds_to_place.is_empty() && r.holds_to_release.is_empty());
    assert_eq!(r.holds.len(), 1);
    assert_eq!((r.holds[0].customer.as_str(), r.holds[0].placed_on), ("ACME", date("2026-04-02")));
    assert_eq!(r.holds[0].reason, "60 days past due");
    assert_eq!(ladder(&c, "2026-04-02", "INV-1"), (61, vec![], Some(Day75), d("2026-04-16")));
    assert_eq!(ladder(&c, "2026-04-19", "INV-1"), (78, vec![Day75], Some(Day90), d("2026-05-01")));

    // Paid in full on the 20th: off the ladder, and the hold is to release.
    let r = c.report(date("2026-04-20"));
    assert!(r.invoices.is_empty());
    let [free] = &r.holds_to_release[..] else { panic!("{:?}", r.holds_to_release) };
    assert_eq!((free.customer.as_str(), free.placed_on), ("ACME", date("2026-04-02")));
    assert_eq!(r.counts.holds, 1);

    // Released the next day: nothing left to do.
    let r = c.report(date("2026-04-21"));
    assert!(r.holds.is_empty() && r.holds_to_release.is_empty() && r.holds_to_place.is_empty());
}

#[test]
fn an_unrecorded_ladder_keeps_every_reached_step_due() {
    let mut book = acme_book();
    book.invoice("INV-1", C1, ("2026-01-01", "2026-01-31"), "500.00", "0.00");
    let c = Ladder::of(&book);
    assert_eq!(
        ladder(&c, "2026-05-01", "INV-1"),
        (90, vec![Day0, Day7, Day15, Day30, Day45, Day60, Day75, Day90], None, None)
    );
    let r = c.report(date("2026-05-01"));
    assert_eq!((r.counts.due_steps, row(&r, "INV-1").reached), (8, Day90));
}

#[test]
fn a_dispute_pauses_the_ladder_which_resumes_where_it_stopped() {
    let mut book = acme_book();
    book.invoice("INV-2", C1, ("2026-01-01", "2026-01-31"), "1000.00", "0.00");
    book.invoice("INV-4", C1, ("2026-01-29", "2026-02-28"), "300.00", "0.00");
    step(&mut book, "INV-2", Day0, "2026-01-31");
    step(&mut book, "INV-2", Day7, "2026-02-07");
    // Opened on ladder day 10, resolved 20 days later.
    book.exec(json!({"type": "dispute_opened", "dispute": "D-1", "invoice": "INV-2", "reason_code": "pricing_error",
                     "amount": "200.00", "currency": "USD", "opened_on": "2026-02-10"}));
    book.exec(json!({"type": "dispute_resolved", "dispute": "D-1", "resolved_on": "2026-03-02", "outcome": "invalid",
                     "evidence": "signed order form at the invoiced price"}));
    book.pay("PAY-4", ACME, "INV-4", "300.00", "2026-03-10");
    hold(&mut book, "ACME", "2026-04-22");
    // A second dispute past day 60: it pauses the ladder but does not lift the hold.
    book.exec(json!({"type": "dispute_opened", "dispute": "D-2", "invoice": "INV-2", "reason_code": "service_issue",
                     "amount": "1000.00", "currency": "USD", "opened_on": "2026-04-25"}));
    book.exec(json!({"type": "credit_memo_issued", "memo": "CM-1", "invoice": "INV-2", "amount": "1000.00",
                     "currency": "USD", "issued_on": "2026-05-05", "reason": "outage credit",
                     "approved_by": "Dana", "approver_role": "vp_revenue_operations"}));
    book.exec(json!({"type": "dispute_resolved", "dispute": "D-2", "resolved_on": "2026-05-05", "outcome": "valid",
                     "credit_memo": "CM-1"}));
    let c = Ladder::of(&book);

    assert_eq!(ladder(&c, "2026-02-09", "INV-2"), (9, vec![], Some(Day15), d("2026-02-15")));
    // Under dispute: the ladder stands at day 10, nothing is due.
    let r = c.report(date("2026-02-20"));
    let i = row(&r, "INV-2");
    assert_eq!((i.days_past_due, i.ladder_days, i.paused, i.reached), (20, 10, true, Day7));
    assert_eq!((i.due.clone(), i.next_step, i.next_step_on), (vec![], Some(Day15), None));
    assert_eq!((r.counts.paused, r.counts.invoices), (1, 1));
    // Resolved on March 2: day 10 again, day 15 five days later.
    assert_eq!(ladder(&c, "2026-03-02", "INV-2"), (10, vec![], Some(Day15), d("2026-03-07")));
    assert_eq!(ladder(&c, "2026-03-07", "INV-2"), (15, vec![Day15], Some(Day30), d("2026-03-22")));
    // The other invoice of the customer was never paused; it is paid on March 10.
    assert_eq!(ladder(&c, "2026-03-02", "INV-4"), (2, vec![Day0], Some(Day7), d("2026-03-07")));
    assert_eq!(ladder(&c, "2026-03-09", "INV-4"), (9, vec![Day0, Day7], Some(Day15), d("2026-03-15")));
    assert_eq!(c.report(date("2026-03-10")).counts.invoices, 1);

    // Day 60 comes 20 days late, on April 21, not on April 1.
    let r = c.report(date("2026-04-20"));
    assert_eq!(row(&r, "INV-2").ladder_days, 59);
    assert!(r.holds_to_place.is_empty());
    let r = c.report(date("2026-04-21"));
    assert_eq!(row(&r, "INV-2").ladder_days, 60);
    let [place] = &r.holds_to_place[..] else { panic!("{:?}", r.holds_to_place) };
    assert_eq!((place.invoice.as_str(), place.ladder_days, place.open.as_str()), ("INV-2", 60, "1000.00"));

    // On hold, then disputed again on ladder day 64: paused, and the open
    // invoice past day 60 keeps the hold.
    let r = c.report(date("2026-05-01"));
    let i = row(&r, "INV-2");
    assert_eq!((i.ladder_days, i.paused, i.due.len()), (64, true, 0));
    assert!(r.holds_to_release.is_empty() && r.holds_to_place.is_empty());
    assert_eq!(r.counts.holds, 1);

    // Credited in full on the valid resolution: off the ladder, hold to release.
    let r = c.report(date("2026-05-05"));
    assert!(r.invoices.is_empty());
    assert_eq!(r.holds_to_release.len(), 1);
    assert_eq!(r.holds_to_release[0].placed_on, date("2026-04-22"));
}

#[test]
fn the_report_serializes_with_stable_field_names() {
    let mut book = acme_book();
    book.invoice("INV-1", C1, ("2026-01-01", "2026-01-31"), "1000.00", "80.00");
    step(&mut book, "INV-1", Day0, "2026-01-31");
    let c = Ladder::of(&book);
    let json = serde_json::to_value(c.report(date("2026-04-01"))).unwrap();
    assert_eq!(json["as_of"], "2026-04-01");
    assert_eq!(json["counts"]["due_steps"], 5);
    let i = &json["invoices"][0];
    assert_eq!(
        (i["invoice"].as_str(), i["open"].as_str(), i["ladder_days"].as_i64()),
        (Some("INV-1"), Some("1080.00"), Some(60))
    );
    assert_eq!(i["due"], json!(["day_7", "day_15", "day_30", "day_45", "day_60"]));
    assert_eq!(i["taken"], json!([{"step": "day_0", "taken_on": "2026-01-31"}]));
    assert_eq!((i["reached"].as_str(), i["next_step"].as_str()), (Some("day_60"), Some("day_75")));
    assert_eq!(i["next_step_on"], "2026-04-16");
    assert_eq!(
        json["holds_to_place"][0],
        json!({"customer": "ACME", "invoice": "INV-1", "ladder_days": 60,
                                                 "currency": "USD", "open": "1080.00"})
    );
    let text = serde_json::to_string(&c.report(date("2026-04-01"))).unwrap();
    let again = serde_json::to_string(&Ladder::of(&book).report(date("2026-04-01"))).unwrap();
    assert_eq!(text, again);
}

/// The shipped sample book, every day of 2026: the ladder lists exactly the
/// invoices AR aging has open and past due, with the same open amounts.
#[test]
fn the_sample_book_ladder_agrees_with_the_aging_every_day() {
    let mut log = MemoryLog::default();
    let at = "2027-01-04T08:00:00Z".parse().unwrap();
    import(&mut log, include_str!("../../examples/book.jsonl").as_bytes(), ImportOptions::new(at)).unwrap();
    let (mut c, mut aging) = (Collections::default(), ArAging::default());
    for envelope in log.envelopes() {
        c.apply(envelope);
        aging.apply(envelope);
    }
    let mut seen_due = 0;
    for as_of in (0..365).map(day) {
        let r = c.report(as_of, &aging);
        let mut due: Vec<(String, String)> = aging
            .report(as_of, AgingOptions { basis: AgingBasis::DueDate, period_days: 1 })
            .invoices
            .into_iter()
            .filter(|i| i.age_days >= 0 && !i.open.starts_with('-'))
            .map(|i| (i.invoice, i.open))
            .collect();
        let mut ladder: Vec<(String, String)> =
            r.invoices.iter().map(|i| (i.invoice.clone(), i.open.clone())).collect();
        due.sort();
        ladder.sort();
        assert_eq!(ladder, due, "{as_of}");
        assert_eq!(r.counts.due_steps, r.invoices.iter().map(|i| i.due.len() as u64).sum::<u64>());
        seen_due += r.counts.due_steps;
    }
    assert!(seen_due > 0);
}

/// One generated invoice: issued `issued` days after 2026-01-01, due 30 days
/// later, `cents` in total; steps (index into the ladder, days after the due
/// date); payments in cents and days after issue; a dispute opened some days
/// after issue and resolved some days after that.
#[derive(Clone, Debug)]
struct Plan {
    issued: u64,
    cents: u64,
    steps: Vec<(usize, u64)>,
    payments: Vec<(u64, u64)>,
    dispute: Option<(u64, Option<u64>)>,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        0u64..30,
        10_000u64..100_000,
        prop::collection::vec((0usize..8, 0u64..120), 0..5),
        prop::collection::vec((1u64..60_000, 0u64..150), 0..3),
        prop::option::of((0u64..100, prop::option::of(1u64..40))),
    )
        .prop_map(|(issued, cents, steps, payments, dispute)| Plan { issued, cents, steps, payments, dispute })
}

fn day(offset: u64) -> NaiveDate {
    date("2026-01-01") + Days::new(offset)
}

fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The book of `plans` (every event valid for the ledger) and, per invoice,
/// its recorded steps with their dates.
fn generated(plans: &[Plan]) -> (Book, Vec<Vec<(CollectionStep, NaiveDate)>>) {
    let mut book = acme_book();
    let mut recorded = Vec::new();
    for (n, p) in plans.iter().enumerate() {
        let invoice = format!("INV-{n}");
        let (issued, due) = (day(p.issued), day(p.issued + 30));
        book.invoice(&invoice, C1, (&issued.to_string(), &due.to_string()), &money(p.cents), "0.00");
        let mut seen = BTreeSet::new();
        let mut steps = Vec::new();
        for &(s, after) in &p.steps {
            let (s, on) = (LADDER[s].0, due + Days::new(after));
            if seen.insert(s) {
                step(&mut book, &invoice, s, &on.to_string());
                steps.push((s, on));
            }
        }
        recorded.push(steps);
        if let Some((opened, resolved)) = p.dispute {
            let opened = issued + Days::new(opened);
            book.exec(json!({"type": "dispute_opened", "dispute": format!("D-{n}"), "invoice": invoice,
                             "reason_code": "quantity_error", "amount": "1.00", "currency": "USD",
                             "opened_on": opened.to_string()}));
            if let Some(after) = resolved {
                book.exec(json!({"type": "dispute_resolved", "dispute": format!("D-{n}"), "outcome": "invalid",
                                 "resolved_on": (opened + Days::new(after)).to_string(), "evidence": "usage log"}));
            }
        }
    }
    // Payments last, so that no step or dispute meets a settled invoice.
    for (n, p) in plans.iter().enumerate() {
        let mut left = p.cents;
        for (k, &(cents, after)) in p.payments.iter().enumerate() {
            let cents = cents.min(left);
            if cents > 0 {
                let on = day(p.issued + after).to_string();
                book.pay(&format!("PAY-{n}-{k}"), ACME, &format!("INV-{n}"), &money(cents), &on);
                left -= cents;
            }
        }
    }
    (book, recorded)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Ladder steps only advance: as the as-of date moves on, an open
    /// invoice's ladder days and highest reached step never go down, a step
    /// due stays due until it is recorded (unless a dispute pauses the
    /// ladder), and a recorded step is never due again.
    #[test]
    fn ladder_steps_only_advance(
        plans in prop::collection::vec(plan(), 1..4),
        dates in prop::collection::btree_set(0u64..220, 1..12),
    ) {
        let (book, recorded) = generated(&plans);
        let c = Ladder::of(&book);
        let mut before: Vec<Option<LadderInvoice>> = vec![None; plans.len()];
        for as_of in dates.into_iter().map(day) {
            let r = c.report(as_of);
            for (n, steps) in recorded.iter().enumerate() {
                let Some(now) = r.invoices.iter().find(|i| i.invoice == format!("INV-{n}")) else {
                    before[n] = None;
                    continue;
                };
                for &(s, on) in steps {
                    prop_assert!(on > as_of || !now.due.contains(&s), "{as_of}: {s:?} recorded on {on}");
                }
                prop_assert!(!now.paused || now.due.is_empty());
                if let Some(then) = &before[n] {
                    prop_assert!(now.ladder_days >= then.ladder_days, "{as_of}: {now:?} after {then:?}");
                    prop_assert!(now.reached >= then.reached, "{as_of}: {now:?} after {then:?}");
                    let recorded_now = |s: &CollectionStep| steps.iter().any(|&(r, on)| r == *s && on <= as_of);
                    for s in then.due.iter().filter(|s| !now.paused && !recorded_now(s)) {
                        prop_assert!(now.due.contains(s), "{as_of}: {s:?} no longer due in {now:?}");
                    }
                }
                before[n] = Some(now.clone());
            }
        }
    }
}
