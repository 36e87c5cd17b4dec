//! `Partners`: the partner revenue desk — sourced, influenced and co-sell
//! ARR per partner, SPIFs earned and payable, MDF allocated, spent and
//! utilization.
//!
//! # Attribution
//!
//! A `partner_attributed` fact credits a partner with a contract's ARR (MRR
//! × 12 on the as-of date, read from [`Mrr`] so that it agrees with the MRR
//! report) from its `attributed_on` date:
//!
//! - **sourced**: the whole ARR, to at most one partner per contract. The
//!   command API refuses a second sourced claim; a log that holds one anyway
//!   (imported facts) credits only the first sourced claim of the contract
//!   in log order, from its own date, and lists every later one under
//!   `conflicts`, never counted. Partner-sourced ARR therefore never exceeds
//!   the total ARR of its currency.
//! - **influenced**: the whole ARR, whatever the share. Influence overlaps:
//!   several partners may influence one contract, and the sourcing partner
//!   may influence it too, so influenced ARR may add up to more than the
//!   total ARR.
//! - **co-sell**: ARR × the partner's share, rounded to the minor unit half
//!   away from zero by revops-core's `extend`.
//!
//! A partner's second influenced or co-sell claim on the same contract is a
//! repeated fact: the first one counts, the later ones are listed with
//! `counted: false`.
//!
//! # SPIF and MDF
//!
//! - **SPIF earned** sums the `spif_earned` facts dated on or before the
//!   as-of date. There is no SPIF payout event in the vocabulary, so nothing
//!   is ever recorded as paid: **payable** = earned.
//! - **MDF allocated** and **spent** sum `mdf_allocated` and `mdf_spent`
//!   dated on or before the as-of date; balance = allocated − spent;
//!   **utilization** = spent / allocated × 100, two places, half away from
//!   zero, absent when nothing was allocated.
//!
//! Amounts are per currency (a contract's, a SPIF's or an MDF fund's) and
//! never converted; money is a decimal string with the currency's minor
//! places.
//!
//! ```
//! use revops_projections::mrr::Mrr;
//! use revops_projections::partners::Partners;
//!
//! let report = Partners::default().report("2026-03-31".parse()?, &Mrr::default());
//! assert!(report.partners.is_empty() && report.conflicts.is_empty());
//! # Ok::<(), chrono::ParseError>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use revops_core::Currency;
use revops_events::event::AttributionKind;
use revops_events::{Envelope, Event, EventTypes};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::amounts::{format, minor, ratio, scale_minor};
use crate::intern::{slot, Interner};
use crate::mrr::Mrr;
use crate::once::SeqGuard;
use crate::Projection;

/// One attribution as the desk counts it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributionRow {
    /// The contract id.
    pub contract: String,
    /// The partner id.
    pub partner: String,
    /// How the partner contributed.
    pub kind: AttributionKind,
    /// The share given with the claim (used for co-sell only).
    #[serde(with = "rust_decimal::serde::str")]
    pub share: Decimal,
    /// The claim's date.
    pub attributed_on: NaiveDate,
    /// The contract's currency.
    pub currency: Currency,
    /// The contract's ARR on the as-of date.
    pub contract_arr: String,
    /// What the partner is credited: the ARR (sourced, influenced), ARR ×
    /// share (co-sell), zero when not counted.
    pub credited_arr: String,
    /// False for a second sourced claim or a repeated claim.
    pub counted: bool,
}

/// A sourced claim on a contract that another partner sourced first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcedConflict {
    /// The contract id.
    pub contract: String,
    /// The partner whose claim is not counted.
    pub partner: String,
    /// The date of that claim.
    pub attributed_on: NaiveDate,
    /// The partner credited with sourcing the contract.
    pub sourced_by: String,
    /// The date of the counted claim.
    pub sourced_on: NaiveDate,
}

/// One partner's desk in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerDesk {
    /// The partner id.
    pub partner: String,
    /// The currency of the amounts.
    pub currency: Currency,
    /// Contracts the partner sourced.
    pub sourced_contracts: u64,
    /// Their ARR.
    pub sourced_arr: String,
    /// Contracts the partner influenced.
    pub influenced_contracts: u64,
    /// Their ARR (may overlap with other partners').
    pub influenced_arr: String,
    /// Contracts the partner co-sold.
    pub co_sell_contracts: u64,
    /// ARR × share, summed.
    pub co_sell_arr: String,
    /// SPIFs earned.
    pub spif_earned: String,
    /// SPIFs payable (= earned: no payout is ever recorded).
    pub spif_payable: String,
    /// MDF allocated.
    pub mdf_allocated: String,
    /// MDF spent.
    pub mdf_spent: String,
    /// allocated − spent.
    pub mdf_balance: String,
    /// spent / allocated × 100; absent when nothing was allocated.
    pub mdf_utilization_pct: Option<String>,
}

/// The desk's sums in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerTotals {
    /// The currency of the amounts.
    pub currency: Currency,
    /// ARR of every contract (the MRR report's total ARR).
    pub total_arr: String,
    /// Partner-sourced ARR (never more than `total_arr`).
    pub sourced_arr: String,
    /// Partner-influenced ARR, counted once per partner and contract.
    pub influenced_arr: String,
    /// Co-sell ARR.
    pub co_sell_arr: String,
    /// SPIFs earned.
    pub spif_earned: String,
    /// SPIFs payable.
    pub spif_payable: String,
    /// MDF allocated.
    pub mdf_allocated: String,
    /// MDF spent.
    pub mdf_spent: String,
    /// spent / allocated × 100; absent when nothing was allocated.
    pub mdf_utilization_pct: Option<String>,
}

/// The partner desk report. Sorted: `partners` by partner id then
/// currency, `totals` by currency, `attributions` by contract, partner,
/// kind and date, `conflicts` by contract and date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnersReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Per partner and currency.
    pub partners: Vec<PartnerDesk>,
    /// Per currency.
    pub totals: Vec<PartnerTotals>,
    /// Every attribution dated on or before the as-of date.
    pub attributions: Vec<AttributionRow>,
    /// Sourced claims not counted because the contract was sourced first by
    /// another claim.
    pub conflicts: Vec<SourcedConflict>,
}

#[derive(Clone, Copy, Debug)]
struct Contract {
    signed: bool,
    currency: Currency,
    /// Index in `attributions` of the counted sourced claim.
    sourced: Option<usize>,
}

const UNSIGNED: Contract = Contract { signed: false, currency: Currency::USD, sourced: None };

#[derive(Clone, Copy, Debug)]
struct Attribution {
    contract: u32,
    partner: u32,
    kind: AttributionKind,
    share: Decimal,
    on: NaiveDate,
    /// False for a claim that never counts (a later sourced claim, a
    /// repeated claim).
    first: bool,
}

/// A dated amount of a partner's: a SPIF, an MDF grant or spend.
#[derive(Clone, Copy, Debug)]
struct Amount {
    partner: u32,
    currency: Currency,
    on: NaiveDate,
    amount: i64,
    field: Field,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Spif,
    MdfAllocated,
    MdfSpent,
}

/// The partner revenue desk. See the [module docs](self) for the rules.
#[derive(Clone, Debug, Default)]
pub struct Partners {
    guard: SeqGuard,
    contract_ids: Interner,
    partner_ids: Interner,
    contracts: Vec<Contract>,
    attributions: Vec<Attribution>,
    /// (contract, partner, kind) of every claim that counts.
    claimed: BTreeSet<(u32, u32, u8)>,
    amounts: Vec<Amount>,
}

impl Projection for Partners {
    const READS: EventTypes = EventTypes::NONE
        .with("contract_signed")
        .with("partner_attributed")
        .with("spif_earned")
        .with("mdf_allocated")
        .with("mdf_spent");

    fn apply(&mut self, envelope: &Envelope) {
        if !self.guard.first_time(envelope.seq) {
            return;
        }
        match &envelope.event {
            Event::ContractSigned(e) => {
                let id = self.contract_ids.intern(e.contract.as_str());
                let contract = slot(&mut self.contracts, id, UNSIGNED);
                if !contract.signed {
                    *contract = Contract { signed: true, currency: e.currency, sourced: None };
                }
            }
            Event::PartnerAttributed(e) => {
                let Some(contract) = self.contract_ids.get(e.contract.as_str()) else { return };
                if !self.contracts[contract as usize].signed {
                    return;
                }
                let partner = self.partner_ids.intern(e.partner.as_str());
                let index = self.attributions.len();
                let first = match e.kind {
                    AttributionKind::Sourced => {
                        self.contracts[contract as usize].sourced.get_or_insert(index);
                        self.contracts[contract as usize].sourced == Some(index)
                    }
                    kind => self.claimed.insert((contract, partner, kind as u8)),
                };
                let (kind, share, on) = (e.kind, e.share, e.attributed_on);
                self.attributions.push(Attribution { contract, partner, kind, share, on, first });
            }
            Event::SpifEarned(e) => self.amount(e.partner.as_str(), e.currency, e.earned_on, e.amount, Field::Spif),
            Event::MdfAllocated(e) => {
                self.amount(e.partner.as_str(), e.currency, e.allocated_on, e.amount, Field::MdfAllocated)
            }
            Event::MdfSpent(e) => self.amount(e.partner.as_str(), e.currency, e.spent_on, e.amount, Field::MdfSpent),
            _ => {}
        }
    }
}

/// One partner's sums in one currency, in minor units.
#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    sourced: (u64, i128),
    influenced: (u64, i128),
    co_sell: (u64, i128),
    spif: i128,
    mdf_allocated: i128,
    mdf_spent: i128,
}

impl Partners {
    fn amount(&mut self, partner: &str, currency: Currency, on: NaiveDate, amount: Decimal, field: Field) {
        let Some(amount) = minor(amount, currency) else { return };
        let partner = self.partner_ids.intern(partner);
        self.amounts.push(Amount { partner, currency, on, amount, field });
    }

    /// The partner desk as of `as_of`, with ARR read from `mrr` (folded from
    /// the same log).
    pub fn report(&self, as_of: NaiveDate, mrr: &Mrr) -> PartnersReport {
        let contract_mrr = mrr.contract_mrrs(as_of);
        let mut total_arr: BTreeMap<Currency, i128> = BTreeMap::new();
        for money in contract_mrr.values() {
            *total_arr.entry(money.currency).or_default() += i128::from(money.to_minor().unwrap_or(0)) * 12;
        }
        let arr_of = |contract: u32| -> (Currency, i64) {
            let currency = self.contracts[contract as usize].currency;
            let m = contract_mrr.get(self.contract_ids.name(contract)).and_then(|m| m.to_minor().ok());
            (currency, m.unwrap_or(0).saturating_mul(12))
        };

        let mut sums: BTreeMap<(&str, Currency), Sums> = BTreeMap::new();
        let mut rows = Vec::new();
        let mut conflicts = Vec::new();
        for a in self.attributions.iter().filter(|a| a.on <= as_of) {
            let (currency, arr) = arr_of(a.contract);
            let credited = match a.kind {
                AttributionKind::CoSell => scale_minor(a.share, arr, currency),
                AttributionKind::Sourced | AttributionKind::Influenced => arr,
            };
            let contract = self.contract_ids.name(a.contract);
            let partner = self.partner_ids.name(a.partner);
            if a.first {
                let s = sums.entry((partner, currency)).or_default();
                let slot = match a.kind {
                    AttributionKind::Sourced => &mut s.sourced,
                    AttributionKind::Influenced => &mut s.influenced,
                    AttributionKind::CoSell => &mut s.co_sell,
                };
                slot.0 += 1;
                slot.1 += i128::from(credited);
            } else if let (AttributionKind::Sourced, Some(winner)) =
                (a.kind, self.contracts[a.contract as usize].sourced.map(|i| self.attributions[i]))
            {
                conflicts.push(SourcedConflict {
                    contract: contract.to_owned(),
                    partner: partner.to_owned(),
                    attributed_on: a.on,
                    sourced_by: self.partner_ids.name(winner.partner).to_owned(),
                    sourced_on: winner.on,
                });
            }
            rows.push(AttributionRow {
                contract: contract.to_owned(),
                partner: partner.to_owned(),
                kind: a.kind,
                share: a.share,
                attributed_on: a.on,
                currency,
                contract_arr: format(arr.into(), currency),
                credited_arr: format(if a.first { credited.into() } else { 0 }, currency),
                counted: a.first,
            });
        }
        for a in self.amounts.iter().filter(|a| a.on <= as_of) {
            let s = sums.entry((self.partner_ids.name(a.partner), a.currency)).or_default();
            let field = match a.field {
                Field::Spif => &mut s.spif,
                Field::MdfAllocated => &mut s.mdf_allocated,
                Field::MdfSpent => &mut s.mdf_spent,
            };
            *field += i128::from(a.amount);
        }
        rows.sort_by(|a, b| {
            (&a.contract, &a.partner, a.kind as u8, a.attributed_on).cmp(&(
                &b.contract,
                &b.partner,
                b.kind as u8,
                b.attributed_on,
            ))
        });
        conflicts.sort_by(|a, b| (&a.contract, a.attributed_on).cmp(&(&b.contract, b.attributed_on)));

        let mut totals: BTreeMap<Currency, Sums> = total_arr.keys().map(|&c| (c, Sums::default())).collect();
        let partners = sums
            .into_iter()
            .map(|((partner, currency), s)| {
                let t = totals.entry(currency).or_default();
                t.sourced.1 += s.sourced.1;
                t.influenced.1 += s.influenced.1;
                t.co_sell.1 += s.co_sell.1;
                t.spif += s.spif;
                t.mdf_allocated += s.mdf_allocated;
                t.mdf_spent += s.mdf_spent;
                let money = |m: i128| format(m, currency);
                PartnerDesk {
                    partner: partner.to_owned(),
                    currency,
                    sourced_contracts: s.sourced.0,
                    sourced_arr: money(s.sourced.1),
                    influenced_contracts: s.influenced.0,
                    influenced_arr: money(s.influenced.1),
                    co_sell_contracts: s.co_sell.0,
                    co_sell_arr: money(s.co_sell.1),
                    spif_earned: money(s.spif),
                    spif_payable: money(s.spif),
                    mdf_allocated: money(s.mdf_allocated),
                    mdf_spent: money(s.mdf_spent),
                    mdf_balance: money(s.mdf_allocated - s.mdf_spent),
                    mdf_utilization_pct: ratio(s.mdf_spent, s.mdf_allocated, 100),
                }
            })
            .collect();
        let totals = totals
            .into_iter()
            .map(|(currency, t)| {
                let total = total_arr.get(&currency).copied().unwrap_or(0);
                // Each contract has at most one counted sourced claim.
                assert!(t.sourced.1 <= total, "{currency}: sourced ARR {} over total ARR {total}", t.sourced.1);
                let money = |m: i128| format(m, currency);
                PartnerTotals {
                    currency,
                    total_arr: money(total),
                    sourced_arr: money(t.sourced.1),
                    influenced_arr: money(t.influenced.1),
                    co_sell_arr: money(t.co_sell.1),
                    spif_earned: money(t.spif),
                    spif_payable: money(t.spif),
                    mdf_allocated: money(t.mdf_allocated),
                    mdf_spent: money(t.mdf_spent),
                    mdf_utilization_pct: ratio(t.mdf_spent, t.mdf_allocated, 100),
                }
            })
            .collect();
        PartnersReport { as_of, partners, totals, attributions: rows, conflicts }
    }
}
