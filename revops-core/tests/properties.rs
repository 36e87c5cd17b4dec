//! Property tests of the rounding primitives and recognition schedules,
//! checked against the plain reference model in `reference/mod.rs`.
//!
//! Every property runs 64–256 generated cases so the file stays fast in a
//! debug build.

mod reference;

use chrono::{Datelike, Days, Months};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use revops_core::calendar::DateRange;
use revops_core::modification::{LineChange, Modification, Treatment};
use revops_core::performance::{Delivery, MilestoneAcceptance, Performance};
use revops_core::ratable::ratable_into;
use revops_core::recognition::{schedule, RecognitionSettings, Recognizer};
use revops_core::rounding::{allocate, extend, extend_minor, spread, RoundingMode, SpreadRule};
use revops_core::schedule::{EntryKind, RevenueSchedule, ScheduleLine};
use revops_core::terms::*;
use revops_core::{Currency, Decimal, Error, Money, NaiveDate, MAX_MINOR_UNITS};

use reference::{first_of_month, ref_allocate, ref_ratable, ref_spread, RefEntry};

// ---------------------------------------------------------------- strategies

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec![Currency::USD, Currency::JPY, Currency::BHD])
}

/// A total in minor units: zero, tiny, moderate, large and up to the limit
/// of 10^18 minor units, either sign.
fn any_total() -> impl Strategy<Value = i64> {
    prop_oneof![
        1 => Just(0i64),
        2 => -5i64..=5,
        3 => -100_000i64..=100_000,
        4 => -1_000_000_000_000i64..=1_000_000_000_000,
        1 => prop_oneof![Just(MAX_MINOR_UNITS), Just(-MAX_MINOR_UNITS), -MAX_MINOR_UNITS..=MAX_MINOR_UNITS],
    ]
}

/// A price in minor units: zero, tiny, moderate and large, never negative.
fn price() -> impl Strategy<Value = i64> {
    prop_oneof![
        1 => Just(0i64),
        2 => 1i64..=5,
        3 => 0i64..=100_000,
        4 => 0i64..=1_000_000_000_000,
    ]
}

/// A price up to the limit of 10^18 minor units, for one-line contracts.
fn any_price() -> impl Strategy<Value = i64> {
    prop_oneof![5 => price(), 1 => prop_oneof![Just(MAX_MINOR_UNITS), 0..=MAX_MINOR_UNITS]]
}

fn mode() -> impl Strategy<Value = RoundingMode> {
    prop_oneof![Just(RoundingMode::HalfUp), Just(RoundingMode::HalfEven)]
}

fn rule() -> impl Strategy<Value = SpreadRule> {
    prop_oneof![
        2 => mode().prop_map(SpreadRule::Cumulative),
        1 => Just(SpreadRule::RemainderLast),
    ]
}

fn basis() -> impl Strategy<Value = RatableBasis> {
    prop_oneof![Just(RatableBasis::Monthly), Just(RatableBasis::Daily)]
}

/// Decimal weights with up to three places; some zero, never all zero.
fn weights() -> impl Strategy<Value = Vec<Decimal>> {
    let weight = prop_oneof![
        1 => Just(Decimal::ZERO),
        4 => (0i64..=10_000_000, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (1i64..=3).prop_map(Decimal::from),
    ];
    vec(weight, 1..=40).prop_map(|mut w| {
        if w.iter().all(|x| x.is_zero()) {
            let last = w.len() - 1;
            w[last] = Decimal::ONE;
        }
        w
    })
}

/// Integer period units; some zero, never all zero.
fn units() -> impl Strategy<Value = Vec<u64>> {
    let unit = prop_oneof![1 => Just(0u64), 4 => 1u64..=31, 2 => 1u64..=1_000, 1 => 1u64..=10_000_000];
    // Few small units make exact half-unit ties (HalfUp and HalfEven differ) common.
    let few_small = vec(0u64..=2, 1..=6);
    prop_oneof![3 => vec(unit, 1..=40), 1 => few_small].prop_map(|mut u| {
        if u.iter().all(|&x| x == 0) {
            u[0] = 1;
        }
        u
    })
}

fn day(n: i64) -> Days {
    Days::new(n.unsigned_abs())
}

fn plus_days(date: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        date.checked_add_days(day(n)).unwrap()
    } else {
        date.checked_sub_days(day(n)).unwrap()
    }
}

fn first_day_2020() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
}

/// A start date in 2020–2035: any day, or the first of a month.
fn start_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        3 => (0i64..5_844).prop_map(|n| plus_days(first_day_2020(), n)),
        1 => (0u32..192).prop_map(|m| first_day_2020().checked_add_months(Months::new(m)).unwrap()),
    ]
}

/// An inclusive service period: 1 day to 60 months, often an anniversary
/// term ("2026-01-15 to 2027-01-14") give or take a couple of days.
fn service_period() -> impl Strategy<Value = (NaiveDate, NaiveDate)> {
    let by_days = (0i64..=1_826).prop_map(|n| (n, 0u32));
    let by_months = (1u32..=60, -2i64..=2).prop_map(|(m, offset)| (offset, m));
    (start_date(), prop_oneof![by_days, by_months]).prop_map(|(start, (days, months))| {
        let end = if months == 0 {
            plus_days(start, days)
        } else {
            let anniversary = start.checked_add_months(Months::new(months)).unwrap().pred_opt().unwrap();
            plus_days(anniversary, days).max(start)
        };
        (start, end)
    })
}

// ------------------------------------------------------------------- helpers

fn money(minor: i64, currency: Currency) -> Money {
    Money::from_minor(minor, currency)
}

fn amount(minor: i64, currency: Currency) -> Decimal {
    money(minor, currency).amount
}

fn settings(spread: SpreadRule) -> RecognitionSettings {
    RecognitionSettings { spread, extension: RoundingMode::HalfUp }
}

fn line(id: &str, kind: LineKind, recognition: Recognition, price: Decimal) -> ContractLine {
    ContractLine {
        line: id.into(),
        product: String::new(),
        kind,
        quantity: Decimal::ONE,
        unit_price: None,
        price,
        ssp: None,
        recognition,
        start_date: None,
        end_date: None,
        milestones: vec![],
        not_to_exceed_hours: None,
    }
}

fn contract(currency: Currency, start: NaiveDate, end: NaiveDate, lines: Vec<ContractLine>) -> Contract {
    Contract {
        contract: "C-PROP".into(),
        customer: "PROP".into(),
        currency,
        start_date: start,
        end_date: end,
        billing_frequency: BillingFrequency::Monthly,
        payment_terms: PaymentTerms::Net30,
        lines,
    }
}

fn one_line_ratable(currency: Currency, start: NaiveDate, end: NaiveDate, price: i64, basis: RatableBasis) -> Contract {
    let l = line("L1", LineKind::Subscription, Recognition::Ratable { basis }, amount(price, currency));
    contract(currency, start, end, vec![l])
}

/// (start, end, amount, kind) of production entries, amounts in money.
fn rows<'a, I>(entries: I, currency: Currency) -> Vec<(NaiveDate, NaiveDate, Decimal, EntryKind)>
where
    I: IntoIterator<Item = &'a ScheduleLine>,
{
    entries.into_iter().map(|e| (e.period_start, e.period_end, amount(e.amount_minor, currency), e.kind)).collect()
}

/// The same shape for reference entries, all of one kind.
fn ref_rows(entries: &[RefEntry], kind: EntryKind) -> Vec<(NaiveDate, NaiveDate, Decimal, EntryKind)> {
    entries.iter().map(|e| (e.start, e.end, e.amount, kind)).collect()
}

fn is_month_end(date: NaiveDate) -> bool {
    date.succ_opt().unwrap().day() == 1
}

/// The periods cover `start ..= end` exactly: the first starts on `start`,
/// each next one the day after the previous ends, the last ends on `end`,
/// and each is one calendar month cut to the range.
fn check_covers(periods: &[(NaiveDate, NaiveDate)], start: NaiveDate, end: NaiveDate) -> Result<(), TestCaseError> {
    prop_assert!(!periods.is_empty());
    prop_assert_eq!(periods[0].0, start);
    prop_assert_eq!(periods[periods.len() - 1].1, end);
    for pair in periods.windows(2) {
        prop_assert_eq!(pair[1].0, pair[0].1.succ_opt().unwrap(), "gap or overlap between {:?}", pair);
    }
    for &(s, e) in periods {
        prop_assert!(s <= e);
        prop_assert_eq!((s.year(), s.month()), (e.year(), e.month()), "period {} to {} spans months", s, e);
        prop_assert!(s == start || s.day() == 1, "period starts mid-month on {}", s);
        prop_assert!(e == end || is_month_end(e), "period ends mid-month on {}", e);
    }
    Ok(())
}

fn sum_minor<'a, I: IntoIterator<Item = &'a ScheduleLine>>(entries: I) -> i64 {
    entries.into_iter().map(|e| e.amount_minor).sum()
}

// --------------------------------------------------------------- allocate

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn allocate_sums_exactly_stays_within_one_unit_and_matches_the_reference(
        currency in currency(),
        total in any_total(),
        weights in weights(),
    ) {
        let places = currency.minor_units();
        let whole = money(total, currency);
        let parts = allocate(whole, &weights).unwrap();
        prop_assert_eq!(parts.len(), weights.len());
        prop_assert_eq!(Money::sum(currency, parts.iter().copied()).unwrap(), whole);

        // |part − total × w / W| < 1 minor unit, in exact integers: the
        // weights brought to a common scale, then |part × W − total × w| < W.
        let scale = weights.iter().map(|w| w.scale()).max().unwrap();
        let integer: Vec<i128> = weights
            .iter()
            .map(|w| {
                let mut w = *w;
                w.rescale(scale);
                w.mantissa()
            })
            .collect();
        let sum: i128 = integer.iter().sum();
        for (i, (part, w)) in parts.iter().zip(&integer).enumerate() {
            let part_minor = i128::from(part.to_minor().unwrap());
            prop_assert!(
                (part_minor * sum - i128::from(total) * w).abs() < sum,
                "part {} = {} is not within one minor unit of {} x {} / {}", i, part, whole, weights[i], sum
            );
        }

        let expected = ref_allocate(whole.amount, places, &weights);
        let actual: Vec<Decimal> = parts.iter().map(|p| p.amount).collect();
        prop_assert_eq!(&actual, &expected);

        // A reversal is the mirror of the original, part by part.
        let mirrored = allocate(-whole, &weights).unwrap();
        for (m, p) in mirrored.iter().zip(&parts) {
            prop_assert_eq!(m.amount, -p.amount);
        }
    }
}

// ----------------------------------------------------------------- spread

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn cumulative_spread_is_exact_to_date_within_half_a_unit_and_matches_the_reference(
        currency in currency(),
        total in any_total(),
        units in units(),
        mode in mode(),
    ) {
        let places = currency.minor_units();
        let whole = money(total, currency);
        let rule = SpreadRule::Cumulative(mode);
        let parts = spread(whole, &units, rule).unwrap();
        prop_assert_eq!(parts.len(), units.len());
        prop_assert_eq!(Money::sum(currency, parts.iter().copied()).unwrap(), whole);

        // Every recognized-to-date figure within half a minor unit of exact:
        // 2 × |to_date × W − total × through| ≤ W.
        let sum: i128 = units.iter().map(|&u| i128::from(u)).sum();
        let (mut through, mut to_date) = (0i128, 0i128);
        for (k, (part, &u)) in parts.iter().zip(&units).enumerate() {
            through += i128::from(u);
            to_date += i128::from(part.to_minor().unwrap());
            let error = (to_date * sum - i128::from(total) * through).abs();
            prop_assert!(
                2 * error <= sum,
                "to-date after period {} is {} minor units, off by {}/{}", k, to_date, error, sum
            );
            if u == 0 {
                prop_assert!(part.is_zero(), "a period of zero units got {}", part);
            }
        }

        let weights: Vec<Decimal> = units.iter().map(|&u| Decimal::from(u)).collect();
        let expected = ref_spread(whole.amount, places, &weights, rule);
        let actual: Vec<Decimal> = parts.iter().map(|p| p.amount).collect();
        prop_assert_eq!(&actual, &expected);

        let mirrored = spread(-whole, &units, rule).unwrap();
        for (m, p) in mirrored.iter().zip(&parts) {
            prop_assert_eq!(m.amount, -p.amount);
        }
    }

    #[test]
    fn remainder_last_spread_sums_exactly_and_matches_the_reference(
        currency in currency(),
        total in any_total(),
        units in units(),
    ) {
        let places = currency.minor_units();
        let whole = money(total, currency);
        let parts = spread(whole, &units, SpreadRule::RemainderLast).unwrap();
        prop_assert_eq!(Money::sum(currency, parts.iter().copied()).unwrap(), whole);
        let weights: Vec<Decimal> = units.iter().map(|&u| Decimal::from(u)).collect();
        let expected = ref_spread(whole.amount, places, &weights, SpreadRule::RemainderLast);
        let actual: Vec<Decimal> = parts.iter().map(|p| p.amount).collect();
        prop_assert_eq!(&actual, &expected);
    }
}

// --------------------------------------------------------- ratable schedules

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ratable_into_covers_the_period_and_matches_the_reference(
        currency in currency(),
        total in any_total(),
        (start, end) in service_period(),
        basis in basis(),
        rule in rule(),
    ) {
        let mut out = Vec::new();
        ratable_into(total, DateRange::new(start, end).unwrap(), basis, rule, 3, &mut out).unwrap();
        let periods: Vec<(NaiveDate, NaiveDate)> = out.iter().map(|e| (e.period_start, e.period_end)).collect();
        check_covers(&periods, start, end)?;
        prop_assert!(out.iter().all(|e| e.line == 3 && e.kind == EntryKind::Recognition));
        prop_assert_eq!(sum_minor(&out), total);
        let expected = ref_ratable(amount(total, currency), currency.minor_units(), start, end, basis, rule);
        prop_assert_eq!(rows(&out, currency), ref_rows(&expected, EntryKind::Recognition));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn one_line_ratable_schedule_is_exact_monotone_and_complete(
        currency in currency(),
        price in any_price(),
        (start, end) in service_period(),
        basis in basis(),
        rule in rule(),
    ) {
        let c = one_line_ratable(currency, start, end, price, basis);
        let s = schedule(&c, &Performance::default(), &[], settings(rule)).unwrap();
        let entries = s.entries();
        let periods: Vec<(NaiveDate, NaiveDate)> = entries.iter().map(|e| (e.period_start, e.period_end)).collect();
        check_covers(&periods, start, end)?;
        let expected = ref_ratable(amount(price, currency), currency.minor_units(), start, end, basis, rule);
        prop_assert_eq!(rows(entries, currency), ref_rows(&expected, EntryKind::Recognition));

        let full = money(price, currency);
        let zero = Money::zero(currency);
        prop_assert_eq!(s.total(), full);
        prop_assert_eq!(s.line_total(0), full);
        prop_assert_eq!(s.recognized_as_of(end), full);
        prop_assert_eq!(s.deferred_as_of(end), zero);
        let first_end = entries[0].period_end;
        prop_assert_eq!(s.recognized_as_of(first_end.pred_opt().unwrap()), zero);
        prop_assert_eq!(s.recognized_as_of(start.pred_opt().unwrap()), zero);

        // Monotone day by day, from the day before the start to the day after the end.
        let mut previous = zero;
        let mut date = start.pred_opt().unwrap();
        while date <= end.succ_opt().unwrap() {
            let now = s.recognized_as_of(date);
            prop_assert!(now.amount >= previous.amount, "recognized fell from {} to {} on {}", previous, now, date);
            previous = now;
            date = date.succ_opt().unwrap();
        }

        // Deferred + recognized = total at every month end of the term and after it.
        let month_end_of = |date: NaiveDate| {
            date.with_day(1).unwrap().checked_add_months(Months::new(1)).unwrap().pred_opt().unwrap()
        };
        let mut month_end = month_end_of(first_end);
        let after = end.checked_add_months(Months::new(2)).unwrap();
        while month_end <= after {
            let both = s.recognized_as_of(month_end).checked_add(s.deferred_as_of(month_end)).unwrap();
            prop_assert_eq!(both, full, "at {}", month_end);
            month_end = month_end_of(month_end.succ_opt().unwrap());
        }
    }
}

// ---------------------------------------------------- multi-line contracts

#[derive(Clone, Debug)]
enum Method {
    Ratable(RatableBasis),
    /// A point-in-time line, delivered this many days after the start (or
    /// recognized on its start date when never delivered).
    PointInTime(Option<i64>),
    /// Milestone amounts (in cents of weight) and, for accepted ones, the
    /// acceptance date as days after 30 days before the contract start.
    Milestones(Vec<(i64, Option<i64>)>),
}

#[derive(Clone, Debug)]
struct LineSpec {
    price: i64,
    ssp: Option<Decimal>,
    method: Method,
    /// The line's own service period: days after the contract start, length in days.
    own_dates: Option<(i64, i64)>,
}

fn line_spec(term_days: i64) -> impl Strategy<Value = LineSpec> {
    let milestone = (0i64..=500_000, option::weighted(0.7, 0..=term_days + 90));
    let method = prop_oneof![
        2 => basis().prop_map(Method::Ratable),
        1 => option::of(-10..=term_days + 60).prop_map(Method::PointInTime),
        1 => vec(milestone, 1..=4).prop_map(|mut ms| {
            if ms.iter().all(|m| m.0 == 0) {
                ms[0].0 = 100;
            }
            Method::Milestones(ms)
        }),
    ];
    let ssp = option::of(prop_oneof![
        1 => Just(Decimal::ZERO),
        6 => (0i64..=10_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
    ]);
    let own = option::weighted(0.3, (0..=term_days, 0i64..=400));
    (price(), ssp, method, own).prop_map(|(price, ssp, method, own_dates)| LineSpec { price, ssp, method, own_dates })
}

fn bundle() -> impl Strategy<Value = (Currency, NaiveDate, NaiveDate, Vec<LineSpec>, SpreadRule)> {
    service_period().prop_flat_map(|(start, end)| {
        let term_days = (end - start).num_days();
        (currency(), Just(start), Just(end), vec(line_spec(term_days), 1..=5), rule())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn multi_line_contracts_allocate_by_ssp_and_recognize_per_method(
        (currency, start, end, specs, rule) in bundle(),
    ) {
        let places = currency.minor_units();
        let mut lines = Vec::new();
        let mut performance = Performance::default();
        for (i, spec) in specs.iter().enumerate() {
            let id = format!("L{i}");
            let price = amount(spec.price, currency);
            let mut l = match &spec.method {
                Method::Ratable(basis) => {
                    line(&id, LineKind::Subscription, Recognition::Ratable { basis: *basis }, price)
                }
                Method::PointInTime(delivered) => {
                    if let Some(days) = delivered {
                        let delivered_on = plus_days(start, *days);
                        performance.deliveries.push(Delivery { line: id.clone(), delivered_on });
                    }
                    line(&id, LineKind::PerpetualLicense, Recognition::PointInTime, price)
                }
                Method::Milestones(ms) => {
                    let mut l = line(&id, LineKind::Milestone, Recognition::Milestone, price);
                    for (k, (weight, accepted)) in ms.iter().enumerate() {
                        let milestone = format!("M{k}");
                        l.milestones.push(revops_core::terms::Milestone {
                            milestone: milestone.clone(),
                            amount: Decimal::new(*weight, 2),
                            due_on: None,
                        });
                        if let Some(days) = accepted {
                            performance.milestones_accepted.push(MilestoneAcceptance {
                                line: id.clone(),
                                milestone,
                                accepted_on: plus_days(start, days - 30),
                            });
                        }
                    }
                    l
                }
            };
            l.ssp = spec.ssp;
            if let Some((offset, length)) = spec.own_dates {
                let own_start = plus_days(start, offset);
                l.start_date = Some(own_start);
                l.end_date = Some(plus_days(own_start, length));
            }
            lines.push(l);
        }
        let c = contract(currency, start, end, lines);
        let result = schedule(&c, &performance, &[], settings(rule));

        // Allocation of the transaction price by SSP (the price when absent).
        let transaction_price: i64 = specs.iter().map(|s| s.price).sum();
        let weights: Vec<Decimal> = c.lines.iter().map(ContractLine::ssp_or_price).collect();
        let all_zero = weights.iter().all(|w| w.is_zero());
        let allocated: Vec<Decimal> = if c.lines.len() == 1 {
            vec![amount(transaction_price, currency)]
        } else if all_zero && transaction_price != 0 {
            prop_assert!(
                matches!(result, Err(Error::InvalidLine { field: "ssp", .. })),
                "all SSPs zero must be refused, got {:?}", result
            );
            return Ok(());
        } else if all_zero {
            vec![Decimal::ZERO; c.lines.len()]
        } else {
            ref_allocate(amount(transaction_price, currency), places, &weights)
        };
        let s: RevenueSchedule = result.unwrap();
        prop_assert_eq!(s.total(), money(transaction_price, currency));

        // A reused Recognizer and schedule (the batch path) give the same
        // schedule after computing another contract with the same buffers.
        let mut recognizer = Recognizer::new(settings(rule));
        let mut reused = RevenueSchedule::new(Currency::EUR);
        let mut reversed = c.clone();
        reversed.lines.reverse();
        recognizer.schedule_into(&reversed, &performance, &[], &mut reused).unwrap();
        recognizer.schedule_into(&c, &performance, &[], &mut reused).unwrap();
        prop_assert_eq!(&reused, &s);
        prop_assert_eq!(s.line_ids().len(), c.lines.len());

        let mut pending = Decimal::ZERO;
        for (i, (l, spec)) in c.lines.iter().zip(&specs).enumerate() {
            prop_assert_eq!(s.line_total(i).amount, allocated[i], "allocated price of {}", l.line);
            let entries: Vec<ScheduleLine> = s.line_entries(i).copied().collect();
            let range = c.service_period(l).unwrap();
            match &spec.method {
                Method::Ratable(basis) => {
                    let expected = ref_ratable(allocated[i], places, range.start(), range.end(), *basis, rule);
                    prop_assert_eq!(rows(&entries, currency), ref_rows(&expected, EntryKind::Recognition));
                    for e in &entries {
                        prop_assert!(e.period_start >= range.start() && e.period_end >= range.start());
                        prop_assert!(e.period_end <= range.end());
                    }
                }
                Method::PointInTime(delivered) => {
                    let on = delivered.map_or(range.start(), |days| plus_days(start, days));
                    let expected = vec![(on, on, allocated[i], EntryKind::Recognition)];
                    prop_assert_eq!(rows(&entries, currency), expected);
                }
                Method::Milestones(ms) => {
                    let milestone_weights: Vec<Decimal> = l.milestones.iter().map(|m| m.amount).collect();
                    let parts = if allocated[i].is_zero() {
                        vec![Decimal::ZERO; ms.len()]
                    } else {
                        ref_allocate(allocated[i], places, &milestone_weights)
                    };
                    let mut expected = Vec::new();
                    for ((_, accepted), part) in ms.iter().zip(&parts) {
                        match accepted {
                            Some(days) => {
                                let on = plus_days(start, days - 30);
                                expected.push((on, on, *part, EntryKind::Recognition));
                            }
                            None => pending += part,
                        }
                    }
                    expected.sort_by_key(|e| e.1);
                    prop_assert_eq!(rows(&entries, currency), expected);
                    // No milestone revenue before its acceptance.
                    for e in &entries {
                        let accepted_on: Vec<NaiveDate> = performance
                            .milestones_accepted
                            .iter()
                            .filter(|a| a.line == l.line)
                            .map(|a| a.accepted_on)
                            .collect();
                        prop_assert!(
                            accepted_on.contains(&e.period_end),
                            "milestone entry on {} matches no acceptance", e.period_end
                        );
                        prop_assert!(accepted_on.iter().min().is_some_and(|first| e.period_end >= *first));
                    }
                }
            }
        }
        // Everything but the unaccepted milestones is recognized in the end.
        let far = NaiveDate::from_ymd_opt(2045, 1, 1).unwrap();
        prop_assert_eq!(s.deferred_as_of(far).amount, pending);
        prop_assert_eq!(s.recognized_as_of(far).amount, amount(transaction_price, currency) - pending);
    }
}

// ------------------------------------------------------------ modifications
//
// A modification effective E never changes what was recognized before E: a
// month is recognized on its last day (or the service end), so every entry
// that ends before E is settled under the old terms; the new terms take the
// month that contains E whole.

/// (start, end, amount, kind) rows, as [`rows`] gives them.
type Row = (NaiveDate, NaiveDate, Decimal, EntryKind);

/// The reference entries a prospective (`due` is `None`) or cumulative
/// catch-up (`due` is what the new terms, from the start, recognize before
/// `effective`) modification adds to a ratable line of `start ..= end` whose
/// settled entries sum to `settled` and whose new total is `new_amount`:
/// the catch-up `due − settled` on E when it is not zero, then what is left
/// of `new_amount` spread over the first of E's month (or `start`, if later)
/// to `end`, or, when the service ended before E, one remainder on E.
#[allow(clippy::too_many_arguments)]
fn ref_added(
    new_amount: Decimal,
    settled: Decimal,
    due: Option<Decimal>,
    places: u32,
    (start, end): (NaiveDate, NaiveDate),
    basis: RatableBasis,
    rule: SpreadRule,
    effective: NaiveDate,
) -> Vec<Row> {
    let mut added = Vec::new();
    let before = match due {
        Some(due) => {
            if due != settled {
                added.push((effective, effective, due - settled, EntryKind::CatchUp));
            }
            due
        }
        None => settled,
    };
    let remaining = new_amount - before;
    if end >= effective {
        let rest = ref_ratable(remaining, places, start.max(first_of_month(effective)), end, basis, rule);
        added.extend(ref_rows(&rest, EntryKind::Recognition));
    } else if !remaining.is_zero() {
        added.push((effective, effective, remaining, EntryKind::Remainder));
    }
    added
}

/// The sum of the reference entries that end before `effective`.
fn ref_before(entries: &[RefEntry], effective: NaiveDate) -> Decimal {
    entries.iter().filter(|e| e.end < effective).map(|e| e.amount).sum()
}

/// Checks what holds for any prospective or catch-up modification `s` of
/// `unmodified` effective `effective` (total `new_total`), against the
/// schedule `fresh` that has the new terms from the start:
///
/// - every entry that ends before E is the unmodified schedule's, in the same
///   order, and recognized, total and deferred as of E − 1 day are unchanged;
/// - no entry the modification adds ends before E;
/// - the total is the new one from E on, and everything is recognized once
///   the service is over and E has passed;
/// - catch-up only: recognized as of E, less the new plan's own recognition
///   entries that end on E, is exactly what `fresh` recognizes as of E − 1.
fn check_modified(
    s: &RevenueSchedule,
    unmodified: &RevenueSchedule,
    fresh: &RevenueSchedule,
    treatment: Treatment,
    effective: NaiveDate,
    new_total: Money,
    end: NaiveDate,
) -> Result<(), TestCaseError> {
    let currency = s.currency();
    let day_before = effective.pred_opt().unwrap();
    let before = |e: &&ScheduleLine| e.period_end < effective;
    let kept: Vec<&ScheduleLine> = s.entries().iter().filter(before).collect();
    let settled: Vec<&ScheduleLine> = unmodified.entries().iter().filter(before).collect();
    prop_assert_eq!(&kept, &settled, "{:?}: entries before {} changed", treatment, effective);
    for e in s.entries().iter().filter(|e| !settled.contains(e)) {
        prop_assert!(e.period_end >= effective, "{:?} added {:?}, which ends before {}", treatment, e, effective);
    }
    prop_assert_eq!(s.recognized_as_of(day_before), unmodified.recognized_as_of(day_before), "{:?}", treatment);
    prop_assert_eq!(s.total_as_of(day_before), unmodified.total(), "{:?}", treatment);
    prop_assert_eq!(s.deferred_as_of(day_before), unmodified.deferred_as_of(day_before), "{:?}", treatment);

    prop_assert_eq!(s.total(), new_total, "{:?}", treatment);
    prop_assert_eq!(s.total_as_of(effective), new_total, "{:?}", treatment);
    prop_assert_eq!(
        s.deferred_as_of(effective),
        new_total.checked_sub(s.recognized_as_of(effective)).unwrap(),
        "{:?}",
        treatment
    );
    prop_assert_eq!(Money::from_minor(sum_minor(s.entries()), currency), new_total, "{:?}", treatment);
    let over = end.max(effective);
    prop_assert_eq!(s.recognized_as_of(over), new_total, "{:?}", treatment);
    prop_assert!(s.deferred_as_of(over).is_zero(), "{:?}", treatment);

    if treatment == Treatment::CumulativeCatchUp {
        let new_plan_on_effective: i64 =
            sum_minor(s.entries().iter().filter(|e| e.kind == EntryKind::Recognition && e.period_end == effective));
        let recognized = s.recognized_as_of(effective).checked_sub(money(new_plan_on_effective, currency)).unwrap();
        prop_assert_eq!(recognized, fresh.recognized_as_of(day_before));
    }
    Ok(())
}

/// Currency, old price, new price, start, end, basis, effective date, mode.
type ModificationCase = (Currency, i64, i64, NaiveDate, NaiveDate, RatableBasis, NaiveDate, RoundingMode);

/// An effective date from 10 days before `start` to 10 days after `end`:
/// any day, the first of a month inside the term (E's month starts on E) or
/// the last day of one, or the service end (the new terms' first entry ends
/// on E).
fn effective_date(start: NaiveDate, end: NaiveDate) -> impl Strategy<Value = NaiveDate> {
    let term_days = (end - start).num_days();
    let in_term = move || (0..=term_days).prop_map(move |n| plus_days(start, n));
    prop_oneof![
        3 => (-10..=term_days + 10).prop_map(move |n| plus_days(start, n)),
        1 => in_term().prop_map(move |d| first_of_month(d).max(start)),
        1 => in_term().prop_map(move |d| {
            let last = first_of_month(d).checked_add_months(Months::new(1)).unwrap().pred_opt().unwrap();
            last.min(end)
        }),
    ]
}

fn modification_case() -> impl Strategy<Value = ModificationCase> {
    service_period().prop_flat_map(|(start, end)| {
        (currency(), price(), price(), Just(start), Just(end), basis(), effective_date(start, end), mode())
    })
}

fn amend(effective_on: NaiveDate, treatment: Treatment, price: Decimal) -> Modification {
    Modification {
        effective_on,
        treatment,
        changes: vec![LineChange::Amend { line: "L1".into(), price: Some(price), ssp: None, end_date: None }],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// A price amendment of a one-line ratable contract, prospective or
    /// cumulative catch-up, against the reference: the entries before E are
    /// the old terms', the rest is the catch-up (if any) and the remaining
    /// amount spread over E's month to the end.
    #[test]
    fn modifications_keep_what_ended_before_the_effective_date_and_end_at_the_new_price(
        (currency, old_price, new_price, start, end, basis, effective, mode) in modification_case(),
    ) {
        let places = currency.minor_units();
        let rule = SpreadRule::Cumulative(mode);
        let c = one_line_ratable(currency, start, end, old_price, basis);
        let unmodified = schedule(&c, &Performance::default(), &[], settings(rule)).unwrap();
        let fresh = one_line_ratable(currency, start, end, new_price, basis);
        let fresh = schedule(&fresh, &Performance::default(), &[], settings(rule)).unwrap();
        let new_total = money(new_price, currency);

        // Reference: what the old terms recognized before E, and what the new
        // ones, from the start, would have.
        let old_ref = ref_ratable(amount(old_price, currency), places, start, end, basis, rule);
        let settled = ref_before(&old_ref, effective);
        let due = ref_before(&ref_ratable(new_total.amount, places, start, end, basis, rule), effective);

        for treatment in [Treatment::Prospective, Treatment::CumulativeCatchUp] {
            let m = amend(effective, treatment, new_total.amount);
            let s = schedule(&c, &Performance::default(), &[m], settings(rule)).unwrap();
            prop_assert_eq!(s.line_total(0), new_total, "{:?}", treatment);
            check_modified(&s, &unmodified, &fresh, treatment, effective, new_total, end)?;

            let kept: Vec<RefEntry> = old_ref.iter().filter(|e| e.end < effective).cloned().collect();
            let kept = ref_rows(&kept, EntryKind::Recognition);
            let due = (treatment == Treatment::CumulativeCatchUp).then_some(due);
            let added = ref_added(new_total.amount, settled, due, places, (start, end), basis, rule, effective);
            let expected: Vec<Row> = kept.into_iter().chain(added).collect();
            prop_assert_eq!(rows(s.entries(), currency), expected, "{:?} effective {}", treatment, effective);
        }
    }
}

/// Currency, start, end, lines (price, SSP, basis), new price of L1, effective date, mode.
type BundleModificationCase =
    (Currency, NaiveDate, NaiveDate, Vec<(i64, Decimal, RatableBasis)>, i64, NaiveDate, RoundingMode);

fn bundle_modification_case() -> impl Strategy<Value = BundleModificationCase> {
    service_period().prop_flat_map(|(start, end)| {
        let ssp = (1i64..=10_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s));
        let lines = vec((price(), ssp, basis()), 2..=4);
        (currency(), Just(start), Just(end), lines, price(), effective_date(start, end), mode())
    })
}

fn ratable_bundle(
    currency: Currency,
    start: NaiveDate,
    end: NaiveDate,
    specs: &[(i64, Decimal, RatableBasis)],
) -> Contract {
    let lines = specs
        .iter()
        .enumerate()
        .map(|(i, (price, ssp, basis))| {
            let recognition = Recognition::Ratable { basis: *basis };
            let mut l = line(&format!("L{}", i + 1), LineKind::Subscription, recognition, amount(*price, currency));
            l.ssp = Some(*ssp);
            l
        })
        .collect();
    contract(currency, start, end, lines)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A prospective amendment of L1 of a bundle re-plans L1 alone: its total
    /// moves by the price change, the other lines' schedules stay. A
    /// cumulative catch-up allocates the new transaction price again by SSP
    /// and re-plans every line. Either way what ended before E stays.
    #[test]
    fn bundle_modifications_reach_the_new_transaction_price(
        (currency, start, end, specs, new_price, effective, mode) in bundle_modification_case(),
    ) {
        let places = currency.minor_units();
        let rule = SpreadRule::Cumulative(mode);
        let c = ratable_bundle(currency, start, end, &specs);
        let unmodified = schedule(&c, &Performance::default(), &[], settings(rule)).unwrap();
        let mut new_specs = specs.clone();
        new_specs[0].0 = new_price;
        let fresh = ratable_bundle(currency, start, end, &new_specs);
        let fresh = schedule(&fresh, &Performance::default(), &[], settings(rule)).unwrap();
        let old_tp: i64 = specs.iter().map(|s| s.0).sum();
        let new_tp = old_tp - specs[0].0 + new_price;
        let new_total = money(new_tp, currency);
        let ssps: Vec<Decimal> = specs.iter().map(|s| s.1).collect();
        let old_allocated = ref_allocate(amount(old_tp, currency), places, &ssps);
        let new_allocated = ref_allocate(new_total.amount, places, &ssps);
        let ref_line = |total: Decimal, i: usize| ref_ratable(total, places, start, end, specs[i].2, rule);

        let prospective = amend(effective, Treatment::Prospective, amount(new_price, currency));
        let s = schedule(&c, &Performance::default(), &[prospective], settings(rule)).unwrap();
        check_modified(&s, &unmodified, &fresh, Treatment::Prospective, effective, new_total, end)?;
        let l1_total = old_allocated[0] + amount(new_price - specs[0].0, currency);
        prop_assert_eq!(s.line_total(0).amount, l1_total);
        let settled = ref_before(&ref_line(old_allocated[0], 0), effective);
        let added = ref_added(l1_total, settled, None, places, (start, end), specs[0].2, rule, effective);
        let added_l1: Vec<&ScheduleLine> = s.line_entries(0).filter(|e| e.period_end >= effective).collect();
        prop_assert_eq!(rows(added_l1, currency), added, "prospective L1");
        for i in 1..specs.len() {
            prop_assert_eq!(
                rows(s.line_entries(i), currency),
                rows(unmodified.line_entries(i), currency),
                "prospective change of L1 touched L{}", i + 1
            );
        }

        let catch_up = amend(effective, Treatment::CumulativeCatchUp, amount(new_price, currency));
        let s = schedule(&c, &Performance::default(), &[catch_up], settings(rule)).unwrap();
        check_modified(&s, &unmodified, &fresh, Treatment::CumulativeCatchUp, effective, new_total, end)?;
        for (i, allocated) in new_allocated.iter().enumerate() {
            prop_assert_eq!(s.line_total(i).amount, *allocated, "L{}", i + 1);
            let line_sum: i64 = sum_minor(s.line_entries(i));
            prop_assert_eq!(amount(line_sum, currency), *allocated, "entries of L{}", i + 1);
            // A line other than L1 whose allocation did not change is left
            // alone; the others get the catch-up and the re-spread remainder.
            let line_entries: Vec<&ScheduleLine> = s.line_entries(i).collect();
            if i > 0 && *allocated == old_allocated[i] {
                let unchanged: Vec<&ScheduleLine> = unmodified.line_entries(i).collect();
                prop_assert_eq!(&line_entries, &unchanged, "L{} with an unchanged allocation", i + 1);
                continue;
            }
            let settled = ref_before(&ref_line(old_allocated[i], i), effective);
            let due = ref_before(&ref_line(*allocated, i), effective);
            let added = ref_added(*allocated, settled, Some(due), places, (start, end), specs[i].2, rule, effective);
            let added_i: Vec<&ScheduleLine> = line_entries.into_iter().filter(|e| e.period_end >= effective).collect();
            prop_assert_eq!(rows(added_i, currency), added, "catch-up L{}", i + 1);
        }
    }
}

/// A decimal of any mantissa size and scale: small prices and quantities,
/// and ones past the 64-bit and 96-bit limits of the integer path.
fn any_factor() -> impl Strategy<Value = Decimal> {
    let mantissa = prop_oneof![
        4 => -1_000_000i64..=1_000_000,
        2 => any::<i64>(),
        1 => Just(i64::MIN),
    ];
    let wide = (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
        .prop_map(|(lo, mid, hi, negative, scale)| Decimal::from_parts(lo, mid, hi, negative, scale));
    // Ending in 5 one place past a currency's minor unit: exact midpoints.
    let midpoint = (-1_000i64..=1_000, 1u32..=4).prop_map(|(m, scale)| Decimal::new(m * 10 + 5, scale));
    prop_oneof![
        6 => (mantissa, 0u32..=28).prop_map(|(m, scale)| Decimal::new(m, scale)),
        3 => midpoint,
        2 => (-20i64..=20).prop_map(Decimal::from),
        1 => wide,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// `extend_minor` is `extend` in minor units, errors included, whether
    /// it takes the integer path or `Decimal`'s.
    #[test]
    fn extend_minor_is_extend_in_minor_units(
        quantity in any_factor(),
        rate in any_factor(),
        currency in currency(),
        half_even in any::<bool>(),
    ) {
        let mode = if half_even { RoundingMode::HalfEven } else { RoundingMode::HalfUp };
        let rate = Money::new(rate, currency);
        let expected = extend(quantity, rate, mode).and_then(|m| m.to_minor());
        prop_assert_eq!(extend_minor(quantity, rate, mode), expected, "{} × {}", quantity, rate);
    }
}

#[test]
fn extend_minor_rounds_half_up_and_half_even_at_the_edges() {
    let usd = |s: &str| Money::parse(s, Currency::USD).unwrap();
    let cases = [
        ("1", "0.005", RoundingMode::HalfUp, 1),
        ("1", "0.005", RoundingMode::HalfEven, 0),
        ("3", "0.005", RoundingMode::HalfEven, 2),
        ("-1", "0.005", RoundingMode::HalfUp, -1),
        ("-3", "0.005", RoundingMode::HalfEven, -2),
        ("7.5", "150.00", RoundingMode::HalfUp, 112_500),
        ("0.333", "0.03", RoundingMode::HalfUp, 1),
    ];
    for (quantity, rate, mode, minor) in cases {
        let q: Decimal = quantity.parse().unwrap();
        assert_eq!(extend_minor(q, usd(rate), mode), Ok(minor), "{quantity} × {rate} {mode:?}");
    }
    let yen = Money::parse("0.5", Currency::JPY).unwrap();
    assert_eq!(extend_minor(Decimal::ONE, yen, RoundingMode::HalfEven), Ok(0));
    assert_eq!(extend_minor(Decimal::from(3), yen, RoundingMode::HalfEven), Ok(2));
    let huge = Money::new(Decimal::from(MAX_MINOR_UNITS), Currency::JPY);
    assert!(matches!(extend_minor(Decimal::TWO, huge, RoundingMode::HalfUp), Err(Error::AmountOutOfRange { .. })));
}
