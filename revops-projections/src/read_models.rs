//! `ReadModels`: the five projections fed together from one pass over the
//! log, which is how a service or the CLI keeps them.

use chrono::NaiveDate;
use revops_events::{Envelope, EventLog, EventTypes, Seq};

use crate::aging::{AgingOptions, AgingReport, ArAging};
use crate::commissions::{Commissions, CommissionsReport};
use crate::ledger::{GeneralLedger, LedgerReport};
use crate::mrr::{Mrr, MrrReport};
use crate::schedules::{RevenueSchedules, SchedulesReport};
use crate::{Error, Projection};

/// The general ledger (with the revenue schedules it recognizes from), AR
/// aging, MRR and commissions, applied together.
///
/// The schedules and commissions are the ledger's own
/// ([`GeneralLedger::schedules`], [`GeneralLedger::commissions`]): one fold
/// serves both, so the ledger's deferred revenue and the schedules'
/// deferred balances, and its commission accounts and the commissions
/// report, come from the same numbers.
///
/// ```
/// use revops_projections::ReadModels;
/// use revops_projections::revops_events::{jsonl, MemoryLog};
///
/// let line = r#"{"type":"fx_rate_set","from":"EUR","to":"USD","rate":"1.0850","on":"2026-01-01"}"#;
/// let mut log = MemoryLog::default();
/// jsonl::import(&mut log, line.as_bytes(), jsonl::ImportOptions::new("2026-01-01T00:00:00Z".parse()?))?;
/// let models = ReadModels::replay(&log)?;
/// assert_eq!(models.applied(), 1);
/// assert!(models.mrr().report("2026-01-31".parse()?).totals.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ReadModels {
    ledger: GeneralLedger,
    aging: ArAging,
    mrr: Mrr,
    /// The position after the last envelope applied.
    next: u64,
}

impl ReadModels {
    /// Folds every event of `log`, in log order.
    pub fn replay<L: EventLog + ?Sized>(log: &L) -> Result<ReadModels, Error> {
        let mut models = ReadModels::default();
        models.catch_up(log)?;
        Ok(models)
    }

    /// Folds the events appended to `log` since the last one read; returns
    /// how many were read (the five ignore some types, which a
    /// [`revops_events::FileLog`] skips without deserializing them).
    pub fn catch_up<L: EventLog + ?Sized>(&mut self, log: &L) -> Result<u64, Error> {
        let before = self.next;
        let next = log.replay_types(Seq(before), Self::READS, &mut |envelope| self.apply(envelope))?;
        // Skipped events count as read: the next catch-up starts after them.
        self.read_through(next.0);
        Ok(self.next - before)
    }

    /// The next position to read: every envelope before it was read (and
    /// applied when one of the five folds its type).
    pub fn applied(&self) -> u64 {
        self.next
    }

    /// Records that every envelope before `next` was read: applied, or
    /// skipped as a type none of the five folds.
    pub(crate) fn read_through(&mut self, next: u64) {
        self.next = self.next.max(next);
    }

    /// The general ledger.
    pub fn ledger(&self) -> &GeneralLedger {
        &self.ledger
    }

    /// The revenue schedules (the ledger's).
    pub fn schedules(&self) -> &RevenueSchedules {
        self.ledger.schedules()
    }

    /// AR aging.
    pub fn aging(&self) -> &ArAging {
        &self.aging
    }

    /// MRR.
    pub fn mrr(&self) -> &Mrr {
        &self.mrr
    }

    /// Commissions (the ledger's).
    pub fn commissions(&self) -> &Commissions {
        self.ledger.commissions()
    }

    /// The five reports as of `as_of` (aging with its default options).
    pub fn reports(&self, as_of: NaiveDate) -> Result<Reports, Error> {
        Ok(Reports {
            ledger: self.ledger.report(as_of),
            schedules: self.schedules().report(as_of),
            aging: self.aging.report(as_of, AgingOptions::default()),
            mrr: self.mrr.report(as_of),
            commissions: self.commissions().report(as_of)?,
        })
    }
}

impl Projection for ReadModels {
    const READS: EventTypes = GeneralLedger::READS.union(ArAging::READS).union(Mrr::READS);

    fn apply(&mut self, envelope: &Envelope) {
        // Each projection ignores what it has seen; the position only tells
        // `catch_up` where to resume.
        let invoice = self.ledger.fold(envelope);
        // The aging and the MRR fold a few types each: the other events,
        // most of the log, need not call into them to be ignored.
        if ArAging::READS.contains(&envelope.event) {
            // An issue's contract as the schedules index it: the aging then
            // looks neither it nor, as a rule, its customer up by name.
            let contract = self.ledger.schedules().issued_contract(&envelope.event, invoice);
            self.aging.fold(envelope, invoice, contract);
        }
        if Mrr::READS.contains(&envelope.event) {
            self.mrr.apply(envelope);
        }
        self.read_through(envelope.seq.0 + 1);
    }
}

/// The five reports as of one date.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reports {
    /// The journal and trial balance.
    pub ledger: LedgerReport,
    /// Revenue schedules per contract.
    pub schedules: SchedulesReport,
    /// AR aging.
    pub aging: AgingReport,
    /// MRR and its movements.
    pub mrr: MrrReport,
    /// Commissions per rep.
    pub commissions: CommissionsReport,
}
