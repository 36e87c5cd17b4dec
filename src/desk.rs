//! The collections run: what the ladder of [`Collections`] says is due,
//! carried out through the command API.
//!
//! The projection is pure: it reports the steps due, the customers to put on
//! credit hold (an invoice at day 60 of the ladder) and the holds that can be
//! lifted (nothing left open at day 60 or later). A run records each due step
//! (`collection_step_taken`, dated the run date), places and releases those
//! holds, and reports what it did. Everything it records makes that action
//! no longer due, so a second run on the same day does nothing. A command the
//! rules refuse (an invoice paid between the report and the command, say) is
//! reported and the run goes on.

use chrono::{DateTime, NaiveDate, Utc};
use revops_events::event::{CollectionStep, CollectionStepTaken, CreditHoldPlaced, CreditHoldReleased, Event};
use revops_events::ids::{CustomerId, InvoiceId};
use revops_events::{EventLog, Ledger, Seq};
use revops_projections::aging::ArAging;
use revops_projections::collections::Collections;
use revops_projections::Projection;
use serde::Serialize;

use crate::Error;

/// A collections step recorded by a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepRecorded {
    /// The invoice.
    pub invoice: String,
    /// The customer billed.
    pub customer: String,
    /// The step.
    pub step: CollectionStep,
}

/// An action of a run that the command API refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionRefused {
    /// What was tried, e.g. `day_60 on INV-7` or `hold CUST-1`.
    pub action: String,
    /// The rule that refused it.
    pub error: String,
}

/// What a collections run did. Lists are in the ladder report's order
/// (customer, due date, invoice; holds by customer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CollectionsRun {
    /// The run date: every action is dated on it.
    pub as_of: NaiveDate,
    /// Steps recorded.
    pub steps: Vec<StepRecorded>,
    /// Customers put on credit hold.
    pub holds_placed: Vec<String>,
    /// Customers whose hold was lifted.
    pub holds_released: Vec<String>,
    /// Actions refused.
    pub refused: Vec<ActionRefused>,
}

/// Carries out the collections ladder as of `as_of` on `ledger`'s log.
/// Fails only when the log fails; refused actions are in the report.
pub fn run_collections<L: EventLog>(
    ledger: &mut Ledger<L>,
    as_of: NaiveDate,
    recorded_at: DateTime<Utc>,
) -> Result<CollectionsRun, Error> {
    let (mut collections, mut aging) = (Collections::default(), ArAging::default());
    for envelope in ledger.log().read(Seq(0)) {
        let envelope = envelope?;
        collections.apply(&envelope);
        aging.apply(&envelope);
    }
    let report = collections.report(as_of, &aging);
    let mut run = CollectionsRun {
        as_of,
        steps: Vec::new(),
        holds_placed: Vec::new(),
        holds_released: Vec::new(),
        refused: Vec::new(),
    };
    for invoice in &report.invoices {
        for &step in &invoice.due {
            let event =
                CollectionStepTaken { invoice: InvoiceId::new(invoice.invoice.as_str())?, step, taken_on: as_of };
            let action = || format!("{} on {}", crate::text::name(&step), invoice.invoice);
            if attempt(ledger, event.into(), recorded_at, action, &mut run.refused)? {
                run.steps.push(StepRecorded {
                    invoice: invoice.invoice.clone(),
                    customer: invoice.customer.clone(),
                    step,
                });
            }
        }
    }
    for hold in &report.holds_to_place {
        let reason = format!("collections day 60: invoice {} is {} days on the ladder", hold.invoice, hold.ladder_days);
        let event = CreditHoldPlaced { customer: CustomerId::new(hold.customer.as_str())?, placed_on: as_of, reason };
        if attempt(ledger, event.into(), recorded_at, || format!("hold {}", hold.customer), &mut run.refused)? {
            run.holds_placed.push(hold.customer.clone());
        }
    }
    for release in &report.holds_to_release {
        let event = CreditHoldReleased { customer: CustomerId::new(release.customer.as_str())?, released_on: as_of };
        if attempt(ledger, event.into(), recorded_at, || format!("release {}", release.customer), &mut run.refused)? {
            run.holds_released.push(release.customer.clone());
        }
    }
    Ok(run)
}

/// Executes `event`: true when appended, false when refused (recorded in
/// `refused`); a failure of the log is an error.
fn attempt<L: EventLog>(
    ledger: &mut Ledger<L>,
    event: Event,
    recorded_at: DateTime<Utc>,
    action: impl FnOnce() -> String,
    refused: &mut Vec<ActionRefused>,
) -> Result<bool, Error> {
    // Checked first so that a refusal is told apart from a failing log.
    if let Err(error) = ledger.check(&event) {
        refused.push(ActionRefused { action: action(), error: error.to_string() });
        return Ok(false);
    }
    ledger.execute(event, recorded_at)?;
    Ok(true)
}
