//! `RevenueOperations`: every read model the revenue-operations team runs
//! on — the five of [`ReadModels`] and the desk's own (collections,
//! disputes, renewals, expansion, partners, FX rates, KPIs) — fed from one
//! pass over the log, with the reports that combine them and the dashboard.

use chrono::NaiveDate;
use revops_core::Currency;
use revops_events::{Envelope, EventLog, EventTypes, Seq};
use rust_decimal::Decimal;

use crate::aging::AgingOptions;
use crate::collections::{Collections, CollectionsReport};
use crate::dashboard::{Dashboard, InvoiceRegister};
use crate::disputes::{Disputes, DisputesReport};
use crate::expansion::{Expansion, ExpansionReport};
use crate::fx::FxRates;
use crate::kpis::{KpiReport, Kpis};
use crate::partners::{Partners, PartnersReport};
use crate::renewals::{ForecastWeights, Renewals, RenewalsReport};
use crate::{Error, Projection, ReadModels};

/// The read models of the whole desk, applied together.
///
/// [`ReadModels`] stays the accounting core (ledger, schedules, aging, MRR,
/// commissions); this adds what the desk runs every day on top of it. The
/// reports that need another model's figures (renewals and partners read
/// ARR from the MRR model, renewals read past-due invoices from the aging)
/// take them from the same pass.
///
/// ```
/// use revops_projections::RevenueOperations;
/// use revops_projections::revops_core::Currency;
/// use revops_projections::revops_events::MemoryLog;
///
/// let desk = RevenueOperations::replay(&MemoryLog::default())?;
/// let dashboard = desk.dashboard("2026-03-31".parse()?, Currency::USD)?;
/// assert_eq!(dashboard.revenue.total.mrr, "0.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct RevenueOperations {
    models: ReadModels,
    collections: Collections,
    disputes: Disputes,
    renewals: Renewals,
    expansion: Expansion,
    partners: Partners,
    fx: FxRates,
    kpis: Kpis,
    register: InvoiceRegister,
    /// The position after the last envelope applied.
    next: u64,
}

impl RevenueOperations {
    /// Folds every event of `log`, in log order.
    pub fn replay<L: EventLog + ?Sized>(log: &L) -> Result<RevenueOperations, Error> {
        let mut desk = RevenueOperations::default();
        desk.catch_up(log)?;
        Ok(desk)
    }

    /// Folds the events appended to `log` since the last one read; returns
    /// how many were read (no model folds some types, which a
    /// [`revops_events::FileLog`] skips without deserializing them).
    pub fn catch_up<L: EventLog + ?Sized>(&mut self, log: &L) -> Result<u64, Error> {
        let before = self.next;
        let next = log.replay_types(Seq(before), Self::READS, &mut |envelope| self.apply(envelope))?;
        // Skipped events count as read, here and by the five the desk holds:
        // the next catch-up starts after them.
        self.next = self.next.max(next.0);
        self.models.read_through(next.0);
        Ok(self.next - before)
    }

    /// The next position to read: every envelope before it was read (and
    /// applied when a model folds its type).
    pub fn applied(&self) -> u64 {
        self.next
    }

    /// The accounting core: ledger, schedules, aging, MRR, commissions.
    pub fn models(&self) -> &ReadModels {
        &self.models
    }

    /// The collections ladder.
    pub fn collections(&self) -> &Collections {
        &self.collections
    }

    /// Invoice disputes.
    pub fn disputes(&self) -> &Disputes {
        &self.disputes
    }

    /// Exchange rates.
    pub fn fx(&self) -> &FxRates {
        &self.fx
    }

    pub(crate) fn invoice_register(&self) -> &InvoiceRegister {
        &self.register
    }

    /// The collections ladder as of `as_of`.
    pub fn collections_report(&self, as_of: NaiveDate) -> CollectionsReport {
        self.collections.report(as_of, self.models.aging())
    }

    /// Disputes and their SLAs as of `as_of`.
    pub fn disputes_report(&self, as_of: NaiveDate) -> DisputesReport {
        self.disputes.report(as_of)
    }

    /// The renewal pipeline as of `as_of`, forecast with the default weights.
    pub fn renewals_report(&self, as_of: NaiveDate) -> RenewalsReport {
        self.renewals.report(as_of, self.models.mrr(), self.models.aging(), ForecastWeights::default())
    }

    /// Every modification classified, with its ARR effect, as of `as_of`.
    pub fn expansion_report(&self, as_of: NaiveDate) -> ExpansionReport {
        self.expansion.report(as_of, self.models.mrr())
    }

    /// The partner desk as of `as_of`.
    pub fn partners_report(&self, as_of: NaiveDate) -> PartnersReport {
        self.partners.report(as_of, self.models.mrr())
    }

    /// The KPIs as of `as_of` over the aging's default 90-day period, with
    /// `gross_margin` (a fraction) for the lifetime value and the 90-day
    /// renewal forecast at the default weights.
    pub fn kpi_report(&self, as_of: NaiveDate, gross_margin: Decimal) -> Result<KpiReport, Error> {
        let aging = self.models.aging().report(as_of, AgingOptions::default());
        self.kpis.report(&aging, &self.models.mrr().report(as_of), &self.renewals_report(as_of), gross_margin)
    }

    /// The dashboard of the month of `as_of`, in `reporting` currency.
    pub fn dashboard(&self, as_of: NaiveDate, reporting: Currency) -> Result<Dashboard, Error> {
        Dashboard::new(self, as_of, reporting)
    }
}

impl Projection for RevenueOperations {
    const READS: EventTypes = ReadModels::READS
        .union(Collections::READS)
        .union(Disputes::READS)
        .union(Renewals::READS)
        .union(Expansion::READS)
        .union(Partners::READS)
        .union(FxRates::READS)
        .union(Kpis::READS)
        .union(InvoiceRegister::READS);

    fn apply(&mut self, envelope: &Envelope) {
        // Each model ignores what it has seen; the position only tells
        // `catch_up` where to resume.
        self.models.apply(envelope);
        self.collections.apply(envelope);
        self.disputes.apply(envelope);
        self.renewals.apply(envelope);
        self.expansion.apply(envelope);
        self.partners.apply(envelope);
        self.fx.apply(envelope);
        self.kpis.apply(envelope);
        self.register.apply(envelope);
        self.next = self.next.max(envelope.seq.0 + 1);
    }
}
