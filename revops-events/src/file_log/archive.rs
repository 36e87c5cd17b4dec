//! How events are laid out in rkyv 0.8 archives.
//!
//! - Wrappers for the foreign types events carry: `Decimal` as its 16-byte
//!   `serialize()` form (a remote derive), dates as `i32` days from the common
//!   era and months as `i32` months from year 0 (chrono's rkyv support targets
//!   rkyv 0.7), currencies as their three-letter code.
//! - Remote derives for revops-core's value types (contract lines, milestones,
//!   modifications, commission tiers and their enums). They live here rather
//!   than as derives in revops-core so that the stored layout is owned by the
//!   log: the order of the variants below is the format, whatever order core
//!   declares them in, and a field or variant added in core fails to compile
//!   here (the `From` impls and the derived matches are exhaustive) instead of
//!   silently changing what is on disk.
//! - The stored record of each schema version and the upcast from schema 1.
//!
//! Events' own types derive rkyv directly (event.rs, ids.rs, stream.rs), so
//! their field and variant order is part of the format too; the golden log in
//! the tests pins it.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use compact_str::CompactString;
use revops_core::calendar::YearMonth;
use revops_core::commission::{CommissionBasis, CommissionTier};
use revops_core::modification::{LineChange, Treatment};
use revops_core::terms::{
    BillingFrequency, ContractLine, LineKind, Milestone, PaymentTerms, RatableBasis, Recognition,
};
use revops_core::Currency;
use rkyv::rancor::{Fallible, Source};
use rkyv::string::{ArchivedString, StringResolver};
use rkyv::with::{ArchiveWith, DeserializeWith, Inline, Map, SerializeWith};
use rkyv::{Archive, Archived, Deserialize, Place, Serialize, SerializeUnsized};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::event::{self as ev, Event};
use crate::ids::{CustomerId, PaymentId};
use crate::stream::StreamId;

/// A stored value that cannot be turned back into its type (a date outside
/// chrono's range, an unknown currency code, a month out of range). Only a
/// foreign or buggy writer produces these: records are checksummed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(String);

fn invalid<E: Source>(what: String) -> E {
    E::new(InvalidValue(what))
}

// ---------------------------------------------------------------- scalars

/// A [`Decimal`] as the 16 bytes of [`Decimal::serialize`]: flags (sign and
/// scale), then the 96-bit mantissa, little-endian.
#[derive(Archive, Serialize, Deserialize)]
#[rkyv(remote = Decimal)]
pub struct DecimalDef {
    #[rkyv(getter = Decimal::serialize)]
    bytes: [u8; 16],
}

impl From<DecimalDef> for Decimal {
    fn from(d: DecimalDef) -> Decimal {
        // `deserialize` masks unused flag bits and clamps the scale, so any
        // 16 bytes make a valid Decimal.
        Decimal::deserialize(d.bytes)
    }
}

/// A [`NaiveDate`] as `i32` days from the common era (0001-01-01 is day 1).
pub struct Days;

impl ArchiveWith<NaiveDate> for Days {
    type Archived = Archived<i32>;
    type Resolver = ();

    fn resolve_with(date: &NaiveDate, resolver: (), out: Place<Self::Archived>) {
        date.num_days_from_ce().resolve(resolver, out);
    }
}

impl<S: Fallible + ?Sized> SerializeWith<NaiveDate, S> for Days {
    fn serialize_with(_: &NaiveDate, _: &mut S) -> Result<(), S::Error> {
        Ok(())
    }
}

impl<D> DeserializeWith<Archived<i32>, NaiveDate, D> for Days
where
    D: Fallible + ?Sized,
    D::Error: Source,
{
    fn deserialize_with(days: &Archived<i32>, _: &mut D) -> Result<NaiveDate, D::Error> {
        let days = days.to_native();
        date_of(days).ok_or_else(|| invalid(format!("day {days} is out of range")))
    }
}

/// Dates converted lately, by the low bits of their day number: the dates
/// of events read in log order cluster around the log's business day, and
/// the conversion from a day number is some hundred instructions.
const RECENT_DATES: usize = 64;

thread_local! {
    static RECENT: [core::cell::Cell<(i32, NaiveDate)>; RECENT_DATES] =
        const { [const { core::cell::Cell::new((0, NaiveDate::MIN)) }; RECENT_DATES] };
}

/// The date `days` from the common era, as `NaiveDate::from_num_days_from_ce_opt`.
fn date_of(days: i32) -> Option<NaiveDate> {
    // Day 0 is the empty slots' key; it converts like any other.
    let slot = days.rem_euclid(RECENT_DATES as i32) as usize;
    RECENT.with(|recent| {
        let (cached, date) = recent[slot].get();
        if cached == days && days != 0 {
            return Some(date);
        }
        let date = NaiveDate::from_num_days_from_ce_opt(days)?;
        recent[slot].set((days, date));
        Some(date)
    })
}

/// The day number from the common era of 1970-01-01.
const UNIX_EPOCH_DAY: i64 = 719_163;

/// The instant `micros` after the Unix epoch, as
/// `DateTime::from_timestamp_micros`, its date through the recent dates: a
/// log's records are recorded a day at a time.
pub(super) fn instant_of(micros: i64) -> Option<DateTime<Utc>> {
    let secs = micros.div_euclid(1_000_000);
    let nanos = micros.rem_euclid(1_000_000) as u32 * 1000;
    // |micros| < 2^63 puts the day well inside i32.
    let days = i32::try_from(secs.div_euclid(86_400) + UNIX_EPOCH_DAY).ok()?;
    let time = NaiveTime::from_num_seconds_from_midnight_opt(secs.rem_euclid(86_400) as u32, nanos)?;
    Some(date_of(days)?.and_time(time).and_utc())
}

/// An id or a [`crate::Text`] kept inline in memory as the string rkyv
/// archives: the archive is the one a `String` field had, and reading it
/// allocates nothing for the short strings nearly every event carries.
pub struct InlineText;

impl ArchiveWith<CompactString> for InlineText {
    type Archived = ArchivedString;
    type Resolver = StringResolver;

    fn resolve_with(text: &CompactString, resolver: StringResolver, out: Place<Self::Archived>) {
        ArchivedString::resolve_from_str(text.as_str(), resolver, out);
    }
}

impl<S> SerializeWith<CompactString, S> for InlineText
where
    S: Fallible + ?Sized,
    S::Error: Source,
    str: SerializeUnsized<S>,
{
    fn serialize_with(text: &CompactString, serializer: &mut S) -> Result<StringResolver, S::Error> {
        ArchivedString::serialize_from_str(text.as_str(), serializer)
    }
}

impl<D: Fallible + ?Sized> DeserializeWith<ArchivedString, CompactString, D> for InlineText {
    fn deserialize_with(text: &ArchivedString, _: &mut D) -> Result<CompactString, D::Error> {
        Ok(CompactString::new(text.as_str()))
    }
}

/// A [`YearMonth`] as `i32` months from January of year 0.
pub struct Months;

impl ArchiveWith<YearMonth> for Months {
    type Archived = Archived<i32>;
    type Resolver = ();

    fn resolve_with(month: &YearMonth, resolver: (), out: Place<Self::Archived>) {
        // Years are 1–9999 and months 1–12, so this cannot overflow.
        (month.year() * 12 + month.month() as i32 - 1).resolve(resolver, out);
    }
}

impl<S: Fallible + ?Sized> SerializeWith<YearMonth, S> for Months {
    fn serialize_with(_: &YearMonth, _: &mut S) -> Result<(), S::Error> {
        Ok(())
    }
}

impl<D> DeserializeWith<Archived<i32>, YearMonth, D> for Months
where
    D: Fallible + ?Sized,
    D::Error: Source,
{
    fn deserialize_with(months: &Archived<i32>, _: &mut D) -> Result<YearMonth, D::Error> {
        let months = months.to_native();
        YearMonth::new(months.div_euclid(12), months.rem_euclid(12) as u32 + 1)
            .map_err(|_| invalid(format!("month number {months} is out of range")))
    }
}

/// A [`Currency`] as its ISO 4217 code: the code, unlike the enum's variant
/// index, stays the same when currencies are added.
pub struct CurrencyCode;

impl ArchiveWith<Currency> for CurrencyCode {
    type Archived = [u8; 3];
    type Resolver = [(); 3];

    fn resolve_with(currency: &Currency, resolver: [(); 3], out: Place<Self::Archived>) {
        code_bytes(*currency).resolve(resolver, out);
    }
}

fn code_bytes(currency: Currency) -> [u8; 3] {
    let code = currency.code().as_bytes();
    // Every ISO 4217 code is three ASCII letters.
    [code[0], code[1], code[2]]
}

impl<S: Fallible + ?Sized> SerializeWith<Currency, S> for CurrencyCode {
    fn serialize_with(_: &Currency, _: &mut S) -> Result<[(); 3], S::Error> {
        Ok([(); 3])
    }
}

impl<D> DeserializeWith<[u8; 3], Currency, D> for CurrencyCode
where
    D: Fallible + ?Sized,
    D::Error: Source,
{
    fn deserialize_with(code: &[u8; 3], _: &mut D) -> Result<Currency, D::Error> {
        Currency::from_code(*code).ok_or_else(|| invalid(format!("unknown currency code {code:?}")))
    }
}

// ---------------------------------------------------------- revops-core

macro_rules! unit_enum_def {
    ($( $(#[$doc:meta])* $def:ident => $remote:ident, $archived:ident { $($variant:ident),* $(,)? } )*) => {$(
        $(#[$doc])*
        #[derive(Archive, Serialize, Deserialize)]
        #[rkyv(remote = $remote, archived = $archived)]
        pub enum $def {
            $(
                #[allow(missing_docs)]
                $variant,
            )*
        }

        impl From<$def> for $remote {
            fn from(v: $def) -> $remote {
                match v {
                    $($def::$variant => $remote::$variant,)*
                }
            }
        }
    )*};
}

unit_enum_def! {
    /// [`BillingFrequency`], in stored order.
    BillingFrequencyDef => BillingFrequency, ArchivedBillingFrequency {
        Monthly, Quarterly, Annually, Milestone, TimeAndMaterials, Usage,
    }
    /// [`PaymentTerms`], in stored order.
    PaymentTermsDef => PaymentTerms, ArchivedPaymentTerms { Net15, Net30, Net45, Net60, Upfront }
    /// [`LineKind`], in stored order.
    LineKindDef => LineKind, ArchivedLineKind { Subscription, Milestone, TimeAndMaterials, PerpetualLicense, Usage }
    /// [`RatableBasis`], in stored order.
    RatableBasisDef => RatableBasis, ArchivedRatableBasis { Monthly, Daily }
    /// [`Treatment`], in stored order.
    TreatmentDef => Treatment, ArchivedTreatment { SeparateContract, Prospective, CumulativeCatchUp }
    /// [`CommissionBasis`], in stored order.
    CommissionBasisDef => CommissionBasis, ArchivedCommissionBasis { Booking, Collection }
}

/// [`Recognition`], in stored order.
#[derive(Archive, Serialize, Deserialize)]
#[rkyv(remote = Recognition, archived = ArchivedRecognition)]
#[allow(missing_docs)]
pub enum RecognitionDef {
    Ratable {
        #[rkyv(with = RatableBasisDef)]
        basis: RatableBasis,
    },
    Milestone,
    TimeAndMaterials,
    PointInTime,
    Usage,
}

impl From<RecognitionDef> for Recognition {
    fn from(r: RecognitionDef) -> Recognition {
        match r {
            RecognitionDef::Ratable { basis } => Recognition::Ratable { basis },
            RecognitionDef::Milestone => Recognition::Milestone,
            RecognitionDef::TimeAndMaterials => Recognition::TimeAndMaterials,
            RecognitionDef::PointInTime => Recognition::PointInTime,
            RecognitionDef::Usage => Recognition::Usage,
        }
    }
}

/// [`Milestone`].
#[derive(Archive, Serialize, Deserialize)]
#[rkyv(remote = Milestone, archived = ArchivedMilestone)]
#[allow(missing_docs)]
pub struct MilestoneDef {
    pub milestone: String,
    #[rkyv(with = DecimalDef)]
    pub amount: Decimal,
    #[rkyv(with = Map<Days>)]
    pub due_on: Option<NaiveDate>,
}

impl From<MilestoneDef> for Milestone {
    fn from(m: MilestoneDef) -> Milestone {
        Milestone { milestone: m.milestone, amount: m.amount, due_on: m.due_on }
    }
}

/// [`ContractLine`].
#[derive(Archive, Serialize, Deserialize)]
#[rkyv(remote = ContractLine, archived = ArchivedContractLine)]
#[allow(missing_docs)]
pub struct ContractLineDef {
    pub line: String,
    pub product: String,
    #[rkyv(with = LineKindDef)]
    pub kind: LineKind,
    #[rkyv(with = DecimalDef)]
    pub quantity: Decimal,
    #[rkyv(with = Map<DecimalDef>)]
    pub unit_price: Option<Decimal>,
    #[rkyv(with = DecimalDef)]
    pub price: Decimal,
    #[rkyv(with = Map<DecimalDef>)]
    pub ssp: Option<Decimal>,
    #[rkyv(with = RecognitionDef)]
    pub recognition: Recognition,
    #[rkyv(with = Map<Days>)]
    pub start_date: Option<NaiveDate>,
    #[rkyv(with = Map<Days>)]
    pub end_date: Option<NaiveDate>,
    #[rkyv(with = Map<MilestoneDef>)]
    pub milestones: Vec<Milestone>,
    #[rkyv(with = Map<DecimalDef>)]
    pub not_to_exceed_hours: Option<Decimal>,
}

impl From<ContractLineDef> for ContractLine {
    fn from(l: ContractLineDef) -> ContractLine {
        ContractLine {
            line: l.line,
            product: l.product,
            kind: l.kind,
            quantity: l.quantity,
            unit_price: l.unit_price,
            price: l.price,
            ssp: l.ssp,
            recognition: l.recognition,
            start_date: l.start_date,
            end_date: l.end_date,
            milestones: l.milestones,
            not_to_exceed_hours: l.not_to_exceed_hours,
        }
    }
}

/// [`LineChange`], in stored order.
#[derive(Archive, Serialize, Deserialize)]
#[rkyv(remote = LineChange, archived = ArchivedLineChange)]
#[allow(missing_docs)]
pub enum LineChangeDef {
    Add {
        #[rkyv(with = ContractLineDef)]
        line: ContractLine,
    },
    Amend {
        line: String,
        #[rkyv(with = Map<DecimalDef>)]
        price: Option<Decimal>,
        #[rkyv(with = Map<DecimalDef>)]
        ssp: Option<Decimal>,
        #[rkyv(with = Map<Days>)]
        end_date: Option<NaiveDate>,
    },
    Remove {
        line: String,
    },
}

impl From<LineChangeDef> for LineChange {
    fn from(c: LineChangeDef) -> LineChange {
        match c {
            LineChangeDef::Add { line } => LineChange::Add { line },
            LineChangeDef::Amend { line, price, ssp, end_date } => LineChange::Amend { line, price, ssp, end_date },
            LineChangeDef::Remove { line } => LineChange::Remove { line },
        }
    }
}

/// [`CommissionTier`].
#[derive(Archive, Serialize, Deserialize)]
#[rkyv(remote = CommissionTier, archived = ArchivedCommissionTier)]
#[allow(missing_docs)]
pub struct CommissionTierDef {
    #[rkyv(with = DecimalDef)]
    pub from_attainment: Decimal,
    #[rkyv(with = DecimalDef)]
    pub rate: Decimal,
}

impl From<CommissionTierDef> for CommissionTier {
    fn from(t: CommissionTierDef) -> CommissionTier {
        CommissionTier { from_attainment: t.from_attainment, rate: t.rate }
    }
}

// ------------------------------------------------------ stored records

/// The payload of an event record, schema 2 (the current one). Borrowed on
/// the way in so that appending copies nothing; read back through
/// [`ArchivedStored`] field by field into an [`crate::Envelope`].
///
/// Field order is the layout: 8-byte fields first so nothing is padded.
#[derive(Archive, Serialize)]
#[rkyv(archived = ArchivedStored)]
pub struct Stored<'a> {
    /// Position in the log.
    pub seq: u64,
    /// Position in the stream, from 1.
    pub stream_version: u64,
    /// Recorded-at, microseconds since the Unix epoch (UTC).
    pub recorded_at: i64,
    /// The event id.
    pub event_id: Uuid,
    /// The stream.
    #[rkyv(with = Inline)]
    pub stream: &'a StreamId,
    /// The fact.
    #[rkyv(with = Inline)]
    pub event: &'a Event,
}

/// The payload of an event record, schema 1: the same envelope around the
/// schema-1 vocabulary.
#[derive(Archive, Serialize)]
#[rkyv(archived = ArchivedStoredV1)]
pub struct StoredV1<'a> {
    /// Position in the log.
    pub seq: u64,
    /// Position in the stream, from 1.
    pub stream_version: u64,
    /// Recorded-at, microseconds since the Unix epoch (UTC).
    pub recorded_at: i64,
    /// The event id.
    pub event_id: Uuid,
    /// The stream.
    #[rkyv(with = Inline)]
    pub stream: &'a StreamId,
    /// The fact, as schema 1 knew it.
    #[rkyv(with = Inline)]
    pub event: &'a EventV1,
}

/// `payment_received` as schema 1 stored it: before the payment method was
/// captured. Upcast to schema 2 with [`ev::PaymentMethod::Unknown`].
#[derive(Clone, Debug, PartialEq, Eq, Archive, Serialize, Deserialize)]
pub struct PaymentReceivedV1 {
    /// The payment.
    pub payment: PaymentId,
    /// The paying customer.
    pub customer: CustomerId,
    /// Amount received.
    #[rkyv(with = DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = CurrencyCode)]
    pub currency: Currency,
    /// Value date.
    #[rkyv(with = Days)]
    pub received_on: NaiveDate,
}

impl From<PaymentReceivedV1> for ev::PaymentReceived {
    fn from(p: PaymentReceivedV1) -> ev::PaymentReceived {
        ev::PaymentReceived {
            payment: p.payment,
            customer: p.customer,
            amount: p.amount,
            currency: p.currency,
            received_on: p.received_on,
            method: ev::PaymentMethod::Unknown,
        }
    }
}

macro_rules! schema_1 {
    ($($variant:ident($payload:ty),)*) => {
        /// The event vocabulary as schema 1 stored it: the same types in the
        /// same order as today's [`Event`], except `payment_received`.
        /// Frozen: a later change to an event type makes a schema 3 whose
        /// upcast starts from a frozen copy of the schema-2 type.
        #[derive(Clone, Debug, PartialEq, Eq, Archive, Serialize, Deserialize)]
        #[allow(missing_docs)]
        pub enum EventV1 {
            $($variant($payload),)*
        }

        impl EventV1 {
            /// The event in today's vocabulary.
            // Most payloads are unchanged since schema 1: their `into` is the
            // identity, kept so the macro stays one line per type.
            #[allow(clippy::useless_conversion)]
            pub fn upcast(self) -> Event {
                match self {
                    $(EventV1::$variant(e) => Event::$variant(e.into()),)*
                }
            }
        }
    };
}

schema_1! {
    CustomerRegistered(ev::CustomerRegistered),
    CustomerUpdated(ev::CustomerUpdated),
    ContractSigned(ev::ContractSigned),
    ContractModified(ev::ContractModified),
    ContractRenewed(ev::ContractRenewed),
    ContractCancelled(ev::ContractCancelled),
    MilestoneDelivered(ev::MilestoneDelivered),
    MilestoneAccepted(ev::MilestoneAccepted),
    LineDelivered(ev::LineDelivered),
    TimeApproved(ev::TimeApproved),
    UsageRecorded(ev::UsageRecorded),
    InvoiceIssued(ev::InvoiceIssued),
    InvoiceDispatched(ev::InvoiceDispatched),
    PaymentReceived(PaymentReceivedV1),
    PaymentApplied(ev::PaymentApplied),
    PaymentRefunded(ev::PaymentRefunded),
    InvoiceWrittenOff(ev::InvoiceWrittenOff),
    CreditMemoIssued(ev::CreditMemoIssued),
    DisputeOpened(ev::DisputeOpened),
    DisputeReviewed(ev::DisputeReviewed),
    DisputeEscalated(ev::DisputeEscalated),
    DisputeResolved(ev::DisputeResolved),
    CollectionStepTaken(ev::CollectionStepTaken),
    CreditHoldPlaced(ev::CreditHoldPlaced),
    CreditHoldReleased(ev::CreditHoldReleased),
    CommissionPlanDefined(ev::CommissionPlanDefined),
    CommissionPaid(ev::CommissionPaid),
    CommissionAdjusted(ev::CommissionAdjusted),
    CommissionDisputeOpened(ev::CommissionDisputeOpened),
    CommissionDisputeResolved(ev::CommissionDisputeResolved),
    RenewalContactLogged(ev::RenewalContactLogged),
    PartnerAttributed(ev::PartnerAttributed),
    MdfAllocated(ev::MdfAllocated),
    MdfSpent(ev::MdfSpent),
    SpifEarned(ev::SpifEarned),
    FxRateSet(ev::FxRateSet),
    PeriodClosed(ev::PeriodClosed),
}

impl EventV1 {
    /// The stream the event belongs to (the same rule as today's events).
    pub fn stream(&self) -> StreamId {
        self.clone().upcast().stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_dates_are_the_dates_of_their_days() {
        let chrono = NaiveDate::from_num_days_from_ce_opt;
        // Twice over, so the second pass reads what the first remembered;
        // days 64 apart share a slot.
        for _ in 0..2 {
            for days in (-200..200).chain(738_000..739_000).chain([0, 64, -64, 1, 65, i32::MIN, i32::MAX]) {
                assert_eq!(date_of(days), chrono(days), "day {days}");
            }
        }
        assert_eq!(date_of(739_000), NaiveDate::from_ymd_opt(2024, 4, 24));
        assert_eq!(date_of(i32::MAX), None);
    }

    #[test]
    fn instants_are_chronos_instants() {
        let chrono = DateTime::from_timestamp_micros;
        let day = 86_400_000_000;
        // 2026-11-24 and around: a log's records, read twice.
        let recent = 1_795_478_400_000_000;
        let edges = [0, 1, -1, 999_999, 1_000_000, -1_000_000, day - 1, day, -day, i64::MIN, i64::MAX];
        for _ in 0..2 {
            for micros in (0..500).map(|i| recent + i * 3_600_000_123).chain(edges).chain(edges.map(|e| recent + e / 2))
            {
                assert_eq!(instant_of(micros), chrono(micros), "{micros}");
            }
        }
        // The cached date is the date of that day, not of another in its slot.
        let later = recent + 64 * day + 5;
        assert_eq!(instant_of(later), chrono(later));
        assert_eq!(instant_of(recent).map(|t| t.to_rfc3339()).as_deref(), Some("2026-11-24T00:00:00+00:00"));
    }
}
