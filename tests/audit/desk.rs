//! The revenue-operations desk over a case: [`RevenueOperations`] folded
//! from the case's events, its reports as one JSON document, the as-of
//! dates the ladder is sampled on, and what the log says of disputes and FX
//! rates (to check the desk against the facts, not against itself).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use revops::simulation::Prng;
use revops_core::Currency;
use revops_events::envelope::derived_event_id;
use revops_events::event::AttributionKind;
use revops_events::ids::PartnerId;
use revops_events::{Envelope, Event, Seq};
use revops_projections::collections::CollectionsReport;
use revops_projections::dashboard::Dashboard;
use revops_projections::disputes::DisputesReport;
use revops_projections::expansion::ExpansionReport;
use revops_projections::kpis::KpiReport;
use revops_projections::partners::PartnersReport;
use revops_projections::renewals::RenewalsReport;
use revops_projections::{Projection, RevenueOperations};
use rust_decimal::Decimal;
use serde::Serialize;

use super::case::Case;

/// The gross margin the KPI report is asked for: any fraction will do, the
/// properties compare reports with one another, not with a known figure.
const GROSS_MARGIN: Decimal = Decimal::from_parts(75, 0, 0, false, 2);

/// The desk's six reports and the dashboard in USD as of one date. The
/// KPIs and the dashboard may fail (a missing FX rate); the error's text
/// is then what is compared.
#[derive(Serialize)]
pub struct DeskReports {
    pub collections: CollectionsReport,
    pub disputes: DisputesReport,
    pub renewals: RenewalsReport,
    pub expansion: ExpansionReport,
    pub partners: PartnersReport,
    pub kpis: Result<KpiReport, String>,
    pub dashboard: Result<Dashboard, String>,
}

/// [`RevenueOperations`] fed `envelopes` in order.
pub fn fold(envelopes: &[Envelope]) -> RevenueOperations {
    let mut desk = RevenueOperations::default();
    envelopes.iter().for_each(|e| desk.apply(e));
    desk
}

/// The desk's reports as of `as_of`.
pub fn reports(desk: &RevenueOperations, as_of: NaiveDate) -> DeskReports {
    DeskReports {
        collections: desk.collections_report(as_of),
        disputes: desk.disputes_report(as_of),
        renewals: desk.renewals_report(as_of),
        expansion: desk.expansion_report(as_of),
        partners: desk.partners_report(as_of),
        kpis: desk.kpi_report(as_of, GROSS_MARGIN).map_err(|e| e.to_string()),
        dashboard: desk.dashboard(as_of, Currency::USD).map_err(|e| e.to_string()),
    }
}

/// The desk's reports as of `as_of`, as JSON.
pub fn reports_json(desk: &RevenueOperations, as_of: NaiveDate) -> Result<String, String> {
    serde_json::to_string(&reports(desk, as_of)).map_err(|e| format!("desk reports as of {as_of}: {e}"))
}

/// Random draws for a property, reproducible from the case's seed and
/// independent of the simulation's own streams.
pub fn draws(case: &Case) -> Prng {
    Prng::new(case.seed, 0xA0D1_7DE5)
}

/// Increasing as-of dates from the first of January to 120 days after the
/// last simulated day (so that late invoices climb the whole ladder), a
/// random 5 to 25 days apart: about twenty dates, with gaps both shorter
/// and longer than the 7 to 15 days between ladder steps.
pub fn ladder_dates(case: &Case) -> Vec<NaiveDate> {
    let mut draws = draws(case);
    let end = case.last_day + Days::new(120);
    let mut dates = Vec::new();
    let mut day = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date") + Days::new(draws.below(10));
    while day <= end {
        dates.push(day);
        day = day + Days::new(5 + draws.below(21));
    }
    dates
}

/// Per invoice, its disputes as the log records them: (opened on, resolved
/// on), the first fact of each dispute id counting.
pub fn dispute_spans(envelopes: &[Envelope]) -> BTreeMap<String, Vec<(NaiveDate, Option<NaiveDate>)>> {
    let mut opened: BTreeMap<String, (String, NaiveDate)> = BTreeMap::new();
    let mut resolved: BTreeMap<String, NaiveDate> = BTreeMap::new();
    for e in envelopes {
        match &e.event {
            Event::DisputeOpened(d) => {
                opened.entry(d.dispute.to_string()).or_insert((d.invoice.to_string(), d.opened_on));
            }
            Event::DisputeResolved(d) => {
                resolved.entry(d.dispute.to_string()).or_insert(d.resolved_on);
            }
            _ => {}
        }
    }
    let mut spans: BTreeMap<String, Vec<(NaiveDate, Option<NaiveDate>)>> = BTreeMap::new();
    for (dispute, (invoice, on)) in opened {
        spans.entry(invoice).or_default().push((on, resolved.get(&dispute).copied()));
    }
    spans
}

/// True when one of `spans` is open on `as_of`: opened on or before it and
/// not resolved on or before it.
pub fn disputed_on(spans: Option<&Vec<(NaiveDate, Option<NaiveDate>)>>, as_of: NaiveDate) -> bool {
    spans.is_some_and(|s| s.iter().any(|&(opened, resolved)| opened <= as_of && resolved.is_none_or(|r| r > as_of)))
}

/// The rate the log sets in force on `on` for `from → to` (the latest `on`
/// on or before it; of one day's, the last in the log), if any.
pub fn rate_in_force(envelopes: &[Envelope], from: Currency, to: Currency, on: NaiveDate) -> Option<Decimal> {
    let mut best: Option<(NaiveDate, Decimal)> = None;
    for e in envelopes {
        if let Event::FxRateSet(r) = &e.event {
            if r.from == from && r.to == to && r.on <= on && best.is_none_or(|(d, _)| r.on >= d) {
                best = Some((r.on, r.rate));
            }
        }
    }
    best.map(|(_, rate)| rate)
}

/// The currencies the log's contracts, invoices and commission plans are
/// in: those the dashboard may have to convert.
pub fn currencies_in_use(envelopes: &[Envelope]) -> BTreeSet<Currency> {
    envelopes
        .iter()
        .filter_map(|e| match &e.event {
            Event::ContractSigned(c) => Some(c.currency),
            Event::InvoiceIssued(i) => Some(i.currency),
            Event::CommissionPlanDefined(p) => Some(p.currency),
            _ => None,
        })
        .collect()
}

/// The partner an imported claim comes from: not one the simulation knows.
pub const IMPORTED_PARTNER: &str = "PARTNER-IMPORTED";

/// A second `sourced` claim, by [`IMPORTED_PARTNER`], on a contract the
/// prefix already has a sourced claim for, appended after the prefix as an
/// import would (the command API refuses it, so the simulation never makes
/// one). Dated up to 60 days either side of the first claim, so that it may
/// even predate it. None when the prefix has no sourced claim.
pub fn second_sourced_claim(case: &Case) -> Option<Envelope> {
    let claims: Vec<&Envelope> = case
        .envelopes
        .iter()
        .filter(|e| matches!(&e.event, Event::PartnerAttributed(a) if a.kind == AttributionKind::Sourced))
        .collect();
    let mut draws = draws(case);
    let first = claims.get(draws.below(claims.len().max(1) as u64) as usize)?;
    let Event::PartnerAttributed(claim) = &first.event else { unreachable!("filtered above") };
    let shift = draws.below(121) as i64 - 60;
    let mut claim = claim.clone();
    claim.partner = PartnerId::new(IMPORTED_PARTNER).expect("a valid partner id");
    claim.attributed_on += chrono::Duration::days(shift);
    let last = case.envelopes.last().expect("the prefix holds the claim");
    let event = Event::PartnerAttributed(claim);
    Some(Envelope {
        seq: Seq(last.seq.0 + 1),
        event_id: derived_event_id(&event),
        recorded_at: last.recorded_at,
        event,
        ..(*first).clone()
    })
}
