//! The rounding primitives: the only places money is brought to minor units.
//!
//! - [`allocate`] splits a total across *parallel* parts (SSP allocation, a
//!   payment across invoices) by largest remainder.
//! - [`spread`] splits a total over *consecutive* periods by cumulative
//!   rounding, so every to-date figure is within half a minor unit of exact.
//! - [`extend`] rounds a quantity times a rate once (usage, approved time):
//!   the one place a fractional product cannot be avoided.
//!
//! `allocate` and `spread` are exact: the parts always sum to the whole.
//! Negative totals (reversals) split symmetrically: `split(-t) == -split(t)`
//! part by part.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::{Error, Money};

/// The largest number of parts one call may split a total into. A daily
/// schedule of 100 years has 36,525 parts.
pub const MAX_PARTS: usize = 100_000;

/// The largest sum of weights [`spread`] accepts, so that every cumulative
/// remainder fits a `u64`.
pub const MAX_TOTAL_UNITS: u64 = 1_000_000_000_000_000_000;

/// The largest single weight [`allocate`] accepts once scaled to an integer
/// (e.g. an SSP of 10^18 with two decimal places).
pub const MAX_WEIGHT: u128 = 100_000_000_000_000_000_000;

/// How a half minor unit is rounded. There is no implicit default anywhere in
/// revops: every rounding names its mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RoundingMode {
    /// Half a unit rounds away from zero (0.005 → 0.01, −0.005 → −0.01).
    #[default]
    HalfUp,
    /// Half a unit rounds to the even neighbour (0.005 → 0.00, 0.015 → 0.02).
    HalfEven,
}

impl RoundingMode {
    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
        }
    }

    /// Rounds `q + r/denom` (with `r < denom`) to an integer.
    #[inline(always)]
    pub(crate) fn round_quotient(self, q: u64, r: u64, denom: u64) -> u64 {
        let twice = 2 * r;
        let up = match self {
            RoundingMode::HalfUp => twice >= denom,
            RoundingMode::HalfEven => twice > denom || (twice == denom && q % 2 == 1),
        };
        q + u64::from(up)
    }
}

/// How [`spread`] turns exact period shares into minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum SpreadRule {
    /// Recognized-to-date after period k is `round(total × units_through_k /
    /// units_total)` with the given mode; period k is the difference to k−1.
    Cumulative(RoundingMode),
    /// Each period truncated toward zero on its own, the remainder in the last
    /// period: offered for parity with systems that do that.
    RemainderLast,
}

impl Default for SpreadRule {
    fn default() -> Self {
        SpreadRule::Cumulative(RoundingMode::HalfUp)
    }
}

/// The running state of a cumulative split of `total` minor units over
/// `denom` units: `total × units_so_far = q × denom + r`.
///
/// Shared by [`spread`] and the recognition hot path, which precomputes the
/// increments of its common period weights so that a step is additions and
/// one comparison, never a division.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cumulator {
    total: u64,
    denom: u64,
    q: u64,
    r: u64,
    emitted: u64,
}

/// The exact share `total × units / denom` of one step, split into quotient
/// and remainder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Increment {
    q: u64,
    r: u64,
}

impl Increment {
    pub(crate) const ZERO: Increment = Increment { q: 0, r: 0 };

    /// The whole minor units of the step's exact share.
    pub(crate) fn quotient(self) -> u64 {
        self.q
    }
}

impl Cumulator {
    /// `total` is a magnitude in minor units; `denom` is the sum of all units
    /// and is not zero.
    pub(crate) fn new(total: u64, denom: u64) -> Self {
        debug_assert!(denom > 0 && denom <= MAX_TOTAL_UNITS);
        Cumulator { total, denom, q: 0, r: 0, emitted: 0 }
    }

    pub(crate) fn increment(&self, units: u64) -> Increment {
        let product = u128::from(self.total) * u128::from(units);
        let denom = u128::from(self.denom);
        // Both fit: the quotient is at most `total`, the remainder below `denom`.
        Increment { q: (product / denom) as u64, r: (product % denom) as u64 }
    }

    /// Advances by one period and returns its rounded amount.
    #[inline(always)]
    pub(crate) fn step(&mut self, inc: Increment, mode: RoundingMode) -> u64 {
        self.q += inc.q;
        self.r += inc.r;
        if self.r >= self.denom {
            self.r -= self.denom;
            self.q += 1;
        }
        let to_date = mode.round_quotient(self.q, self.r, self.denom);
        let part = to_date - self.emitted;
        self.emitted = to_date;
        part
    }

    /// Records a part emitted by a rule other than cumulative rounding.
    pub(crate) fn record(&mut self, part: u64) {
        self.emitted += part;
    }

    /// What has been emitted so far.
    pub(crate) fn emitted(&self) -> u64 {
        self.emitted
    }
}

/// Splits `total` over consecutive periods weighted by `units`.
///
/// With [`SpreadRule::Cumulative`] the recognized-to-date figure after every
/// period is within half a minor unit of the exact pro-rata value, and the
/// parts sum to `total` exactly. Periods of zero units get zero.
///
/// ```
/// use revops_core::{rounding::{spread, SpreadRule}, Currency, Money};
/// let total = Money::parse("1000.00", Currency::USD).unwrap();
/// let months = spread(total, &[1; 12], SpreadRule::default()).unwrap();
/// assert_eq!(months[0].to_string(), "83.33 USD");
/// assert_eq!(months[1].to_string(), "83.34 USD");
/// ```
pub fn spread(total: Money, units: &[u64], rule: SpreadRule) -> Result<Vec<Money>, Error> {
    let minor = total.to_minor()?;
    let mut out = vec![0i64; units.len()];
    spread_minor(minor, units, rule, &mut out)?;
    Ok(out.into_iter().map(|m| Money::from_minor(m, total.currency)).collect())
}

/// [`spread`] in minor units into a caller's buffer (`out.len() ==
/// units.len()`), without allocating.
pub fn spread_minor(total: i64, units: &[u64], rule: SpreadRule, out: &mut [i64]) -> Result<(), Error> {
    assert_eq!(out.len(), units.len(), "spread_minor: output length must match units");
    let denom = check_units(units)?;
    check_total(total)?;
    let magnitude = total.unsigned_abs();
    let sign = if total < 0 { -1 } else { 1 };
    let mut cumulator = Cumulator::new(magnitude, denom);
    match rule {
        SpreadRule::Cumulative(mode) => {
            for (slot, &u) in out.iter_mut().zip(units) {
                let inc = cumulator.increment(u);
                *slot = sign * cumulator.step(inc, mode) as i64;
            }
            assert_eq!(cumulator.emitted(), magnitude, "cumulative spread must end at the total");
        }
        SpreadRule::RemainderLast => {
            let mut emitted = 0u64;
            let last = out.len() - 1;
            for (slot, &u) in out[..last].iter_mut().zip(units) {
                let part = cumulator.increment(u).q;
                emitted += part;
                *slot = sign * part as i64;
            }
            out[last] = sign * (magnitude - emitted) as i64;
        }
    }
    Ok(())
}

pub(crate) fn check_total(total: i64) -> Result<(), Error> {
    if total.unsigned_abs() > crate::money::MAX_MINOR_UNITS.unsigned_abs() {
        return Err(Error::MinorUnitsOutOfRange { minor: total });
    }
    Ok(())
}

fn check_units(units: &[u64]) -> Result<u64, Error> {
    if units.is_empty() {
        return Err(Error::NoWeights);
    }
    if units.len() > MAX_PARTS {
        return Err(Error::TooManyParts { count: units.len(), limit: MAX_PARTS });
    }
    let mut sum = 0u64;
    for &u in units {
        sum = sum.checked_add(u).filter(|s| *s <= MAX_TOTAL_UNITS).ok_or(Error::WeightsOutOfRange)?;
    }
    if sum == 0 {
        return Err(Error::ZeroWeights);
    }
    Ok(sum)
}

/// Splits `total` across parallel parts in proportion to `weights`.
///
/// Each part is first rounded down to the minor unit; the leftover units are
/// handed out one each by largest remainder, ties to the later part. The
/// parts sum to `total` exactly and each is within one minor unit of its exact
/// share. Weights must be non-negative and not all zero.
///
/// ```
/// use revops_core::{rounding::allocate, Currency, Money};
/// use rust_decimal::Decimal;
/// let total = Money::parse("100.00", Currency::USD).unwrap();
/// let ssp = [Decimal::from(50), Decimal::from(25), Decimal::from(75)];
/// let parts: Vec<String> = allocate(total, &ssp).unwrap().iter().map(|m| m.to_string()).collect();
/// assert_eq!(parts, ["33.33 USD", "16.67 USD", "50.00 USD"]);
/// ```
pub fn allocate(total: Money, weights: &[Decimal]) -> Result<Vec<Money>, Error> {
    let minor = total.to_minor()?;
    let mut integer_weights = Vec::with_capacity(weights.len());
    integer_weights_into(weights.iter().copied(), &mut integer_weights)?;
    let mut out = vec![0i64; weights.len()];
    allocate_minor(minor, &integer_weights, &mut out)?;
    Ok(out.into_iter().map(|m| Money::from_minor(m, total.currency)).collect())
}

/// Scales decimal weights to integers with one common scale, appending them
/// to `out`: 12.5 and 3 become 125 and 30.
pub(crate) fn integer_weights_into<I>(weights: I, out: &mut Vec<u128>) -> Result<(), Error>
where
    I: Iterator<Item = Decimal> + Clone,
{
    let scale = weights.clone().map(|w| w.scale()).max().unwrap_or(0);
    for (index, w) in weights.enumerate() {
        if w.is_sign_negative() && !w.is_zero() {
            return Err(Error::NegativeWeight { index, weight: w });
        }
        let scaled = w
            .mantissa()
            .unsigned_abs()
            .checked_mul(10u128.pow(scale - w.scale()))
            .filter(|s| *s <= MAX_WEIGHT)
            .ok_or(Error::WeightsOutOfRange)?;
        out.push(scaled);
    }
    Ok(())
}

/// Parts up to this count are allocated with stack scratch space.
const STACK_PARTS: usize = 32;

/// [`allocate`] in minor units over integer weights into a caller's buffer
/// (`out.len() == weights.len()`). Allocation-free for up to 32 parts.
pub fn allocate_minor(total: i64, weights: &[u128], out: &mut [i64]) -> Result<(), Error> {
    assert_eq!(out.len(), weights.len(), "allocate_minor: output length must match weights");
    if weights.is_empty() {
        return Err(Error::NoWeights);
    }
    if weights.len() > MAX_PARTS {
        return Err(Error::TooManyParts { count: weights.len(), limit: MAX_PARTS });
    }
    check_total(total)?;
    let mut denom = 0u128;
    for &w in weights {
        if w > MAX_WEIGHT {
            return Err(Error::WeightsOutOfRange);
        }
        denom += w;
    }
    if denom == 0 {
        return Err(Error::ZeroWeights);
    }
    let magnitude = u128::from(total.unsigned_abs());
    let sign = if total < 0 { -1 } else { 1 };

    let mut stack = [0u128; STACK_PARTS];
    let mut heap = Vec::new();
    let remainders: &mut [u128] = if weights.len() <= STACK_PARTS {
        &mut stack[..weights.len()]
    } else {
        heap.resize(weights.len(), 0);
        &mut heap
    };
    let mut floor_sum = 0u128;
    for ((slot, rem), &w) in out.iter_mut().zip(remainders.iter_mut()).zip(weights) {
        let product = magnitude * w;
        let q = product / denom;
        *rem = product % denom;
        floor_sum += q;
        *slot = q as i64;
    }
    let leftover = (magnitude - floor_sum) as usize;
    debug_assert!(leftover < weights.len().max(1));
    hand_out_leftover(remainders, out, leftover);
    for slot in out.iter_mut() {
        *slot *= sign;
    }
    debug_assert_eq!(out.iter().map(|&m| i128::from(m)).sum::<i128>(), i128::from(total));
    Ok(())
}

/// Gives one unit each to the `leftover` parts with the largest remainders,
/// ties to the later part.
fn hand_out_leftover(remainders: &mut [u128], out: &mut [i64], leftover: usize) {
    if leftover == 0 {
        return;
    }
    if remainders.len() <= STACK_PARTS {
        for _ in 0..leftover {
            let mut best = 0;
            for i in 1..remainders.len() {
                // `>=` prefers the later part on ties.
                if remainders[i] >= remainders[best] {
                    best = i;
                }
            }
            out[best] += 1;
            // The leftover is sum(remainders) / denom with every remainder below
            // denom, so fewer parts are owed a unit than have a nonzero
            // remainder: zeroing a picked part never leaves it to be picked again.
            remainders[best] = 0;
        }
    } else {
        let mut order: Vec<usize> = (0..remainders.len()).collect();
        order.sort_unstable_by(|&a, &b| remainders[b].cmp(&remainders[a]).then(b.cmp(&a)));
        for &i in &order[..leftover] {
            out[i] += 1;
        }
    }
}

/// Rounds `quantity × rate` to the rate's minor unit with `mode`: an approved
/// timesheet (hours × hourly rate) or a usage record (units × unit price).
///
/// ```
/// use revops_core::{rounding::{extend, RoundingMode}, Currency, Money};
/// use rust_decimal::Decimal;
/// let price = Money::parse("0.0015", Currency::USD).unwrap();
/// let amount = extend(Decimal::from(1_234_567), price, RoundingMode::HalfUp).unwrap();
/// assert_eq!(amount.to_string(), "1851.85 USD");
/// ```
pub fn extend(quantity: Decimal, rate: Money, mode: RoundingMode) -> Result<Money, Error> {
    let exact = quantity.checked_mul(rate.amount).ok_or(Error::AmountOutOfRange { amount: rate })?;
    let rounded = exact.round_dp_with_strategy(rate.currency.minor_units(), mode.strategy());
    let money = Money::new(rounded, rate.currency);
    money.to_minor()?;
    Ok(money)
}

/// [`extend`] in minor units, which is what schedules sum: the same
/// result and the same errors, by integer arithmetic where `Decimal` would
/// multiply exactly (both mantissas within 64 bits, the product within 96
/// bits and 28 places), which is every price and quantity the books use.
///
/// ```
/// use revops_core::{rounding::{extend_minor, RoundingMode}, Currency, Money};
/// use rust_decimal::Decimal;
/// let price = Money::parse("0.0015", Currency::USD).unwrap();
/// assert_eq!(extend_minor(Decimal::from(1_234_567), price, RoundingMode::HalfUp).unwrap(), 185_185);
/// ```
pub fn extend_minor(quantity: Decimal, rate: Money, mode: RoundingMode) -> Result<i64, Error> {
    match extend_exact(quantity, rate.amount, rate.currency.minor_units(), mode) {
        Some(minor) => Ok(minor),
        None => extend(quantity, rate, mode)?.to_minor(),
    }
}

/// `quantity × rate` rounded to `places` with `mode`, when `Decimal`'s
/// product is exact and the result within [`crate::money::MAX_MINOR_UNITS`];
/// `None` leaves the rest to `Decimal`.
fn extend_exact(quantity: Decimal, rate: Decimal, places: u32, mode: RoundingMode) -> Option<i64> {
    let q = i64::try_from(quantity.mantissa()).ok()?;
    let r = i64::try_from(rate.mantissa()).ok()?;
    let scale = quantity.scale() + rate.scale();
    // Two 64-bit factors cannot overflow 128 bits.
    let product = i128::from(q) * i128::from(r);
    if scale > 28 || product.unsigned_abs() >= 1 << 96 {
        return None;
    }
    let magnitude = if scale <= places {
        product.unsigned_abs().checked_mul(crate::money::pow10(places - scale) as u128)?
    } else {
        let divisor = crate::money::pow10(scale - places) as u128;
        let (whole, rest) = (product.unsigned_abs() / divisor, product.unsigned_abs() % divisor);
        let twice = 2 * rest;
        let up = match mode {
            RoundingMode::HalfUp => twice >= divisor,
            RoundingMode::HalfEven => twice > divisor || (twice == divisor && whole % 2 == 1),
        };
        whole + u128::from(up)
    };
    if magnitude > crate::money::MAX_MINOR_UNITS as u128 {
        return None;
    }
    let minor = magnitude as i64;
    Some(if product < 0 { -minor } else { minor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn usd(s: &str) -> Money {
        Money::parse(s, Currency::USD).unwrap()
    }

    fn strings(parts: &[Money]) -> Vec<String> {
        parts.iter().map(|m| m.amount.to_string()).collect()
    }

    fn dec(v: &[i64]) -> Vec<Decimal> {
        v.iter().map(|&x| Decimal::from(x)).collect()
    }

    #[test]
    fn allocate_design_example() {
        let parts = allocate(usd("100.00"), &dec(&[50, 25, 75])).unwrap();
        assert_eq!(strings(&parts), ["33.33", "16.67", "50.00"]);
    }

    #[test]
    fn allocate_ties_go_to_the_later_part() {
        let parts = allocate(usd("0.02"), &dec(&[1, 1, 1])).unwrap();
        assert_eq!(strings(&parts), ["0.00", "0.01", "0.01"]);
        let parts = allocate(usd("100.00"), &dec(&[1, 1, 1])).unwrap();
        assert_eq!(strings(&parts), ["33.33", "33.33", "33.34"]);
    }

    #[test]
    fn allocate_negative_total_is_symmetric() {
        let parts = allocate(usd("-100.00"), &dec(&[50, 25, 75])).unwrap();
        assert_eq!(strings(&parts), ["-33.33", "-16.67", "-50.00"]);
    }

    #[test]
    fn allocate_in_jpy_and_bhd() {
        let yen = Money::parse("1000", Currency::JPY).unwrap();
        let parts = allocate(yen, &dec(&[1, 1, 1])).unwrap();
        assert_eq!(strings(&parts), ["333", "333", "334"]);
        let dinar = Money::parse("10.000", Currency::BHD).unwrap();
        let parts = allocate(dinar, &dec(&[1, 2])).unwrap();
        assert_eq!(strings(&parts), ["3.333", "6.667"]);
    }

    #[test]
    fn allocate_with_decimal_weights_and_zero_weights() {
        let weights = [Decimal::new(1250, 2), Decimal::ZERO, Decimal::new(375, 1)];
        let parts = allocate(usd("10.00"), &weights).unwrap();
        assert_eq!(strings(&parts), ["2.50", "0.00", "7.50"]);
    }

    #[test]
    fn allocate_errors() {
        assert_eq!(allocate(usd("1"), &[]), Err(Error::NoWeights));
        assert_eq!(allocate(usd("1"), &dec(&[0, 0])), Err(Error::ZeroWeights));
        assert_eq!(
            allocate(usd("1"), &dec(&[1, -1])),
            Err(Error::NegativeWeight { index: 1, weight: Decimal::from(-1) })
        );
        assert_eq!(allocate(usd("0.001"), &dec(&[1])), Err(Error::SubMinorAmount { amount: usd("0.001") }));
    }

    #[test]
    fn allocate_many_parts_uses_the_sorted_path() {
        let weights = vec![Decimal::ONE; 40];
        let parts = allocate(usd("1.00"), &weights).unwrap();
        // 100 cents over 40 parts: 2 each (80), 20 leftover to the last 20 parts.
        assert!(parts[..20].iter().all(|m| m.amount == Decimal::new(2, 2)));
        assert!(parts[20..].iter().all(|m| m.amount == Decimal::new(3, 2)));
    }

    #[test]
    fn spread_design_example_twelve_months() {
        let months = spread(usd("1000.00"), &[1; 12], SpreadRule::default()).unwrap();
        let expected: Vec<&str> = (1..=12).map(|m| if m % 3 == 2 { "83.34" } else { "83.33" }).collect();
        assert_eq!(strings(&months), expected);
    }

    #[test]
    fn spread_remainder_last_parity() {
        let months = spread(usd("1000.00"), &[1; 12], SpreadRule::RemainderLast).unwrap();
        let mut expected = vec!["83.33"; 11];
        expected.push("83.37");
        assert_eq!(strings(&months), expected);
    }

    #[test]
    fn spread_half_even_differs_from_half_up_only_on_exact_halves() {
        // 0.10 over 4 equal parts: exact cumulative 0.025, 0.05, 0.075, 0.10.
        let up = spread(usd("0.10"), &[1; 4], SpreadRule::Cumulative(RoundingMode::HalfUp)).unwrap();
        let even = spread(usd("0.10"), &[1; 4], SpreadRule::Cumulative(RoundingMode::HalfEven)).unwrap();
        assert_eq!(strings(&up), ["0.03", "0.02", "0.03", "0.02"]);
        assert_eq!(strings(&even), ["0.02", "0.03", "0.03", "0.02"]);
    }

    #[test]
    fn spread_negative_is_symmetric_and_zero_unit_periods_get_zero() {
        let parts = spread(usd("-1000.00"), &[1, 0, 1, 1], SpreadRule::default()).unwrap();
        assert_eq!(strings(&parts), ["-333.33", "0.00", "-333.34", "-333.33"]);
    }

    #[test]
    fn spread_errors() {
        assert_eq!(spread(usd("1"), &[], SpreadRule::default()), Err(Error::NoWeights));
        assert_eq!(spread(usd("1"), &[0, 0], SpreadRule::default()), Err(Error::ZeroWeights));
        assert_eq!(spread(usd("1"), &[u64::MAX, 1], SpreadRule::default()), Err(Error::WeightsOutOfRange));
    }

    #[test]
    fn extend_names_its_mode() {
        let rate = usd("0.005");
        assert_eq!(extend(Decimal::ONE, rate, RoundingMode::HalfUp).unwrap(), usd("0.01"));
        assert_eq!(extend(Decimal::ONE, rate, RoundingMode::HalfEven).unwrap(), usd("0.00"));
        assert_eq!(extend(Decimal::NEGATIVE_ONE, rate, RoundingMode::HalfUp).unwrap(), usd("-0.01"));
        assert_eq!(extend(Decimal::new(75, 1), usd("150.00"), RoundingMode::HalfUp).unwrap(), usd("1125.00"));
    }
}
