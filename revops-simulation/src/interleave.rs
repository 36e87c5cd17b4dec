//! Out-of-order arrival: the same facts appended in another order that
//! could just as well have happened.
//!
//! # What "independent" means here
//!
//! Events are **independent** when they fall on the same business day (the
//! day of their `recorded_at`) and belong to different *partitions*:
//!
//! - one partition per customer: the customer's own stream and the streams
//!   of its contracts, invoices, payments and invoice disputes (an entity
//!   belongs to the customer named by the event that created it:
//!   `contract_signed`, `invoice_issued`, `payment_received`, and the
//!   disputed invoice's customer for `dispute_opened`);
//! - one company partition for everything else: the books (FX rates,
//!   closes), reps and their plans, commission disputes, and partner funds.
//!
//! Every rule the ledger checks across streams stays inside one partition
//! (a payment is applied to an invoice of the same customer, a credit hold
//! blocks that customer's invoices), with two exceptions:
//!
//! - a contract names a commission plan of the company partition. The
//!   generator never signs a contract on a day a plan is defined, so that
//!   dependency never falls within a day;
//! - a `period_closed` depends on everything recorded before it: closing a
//!   month freezes its books as they stand, and what arrives after the
//!   close and changes the month is booked in the next open one (a
//!   delivery that moves a perpetual license's revenue out of the closed
//!   month, say). So a close is a barrier within its day: nothing moves
//!   across it.
//!
//! [`interleave`] therefore permutes only within a day, only between
//! closes, and only across partitions: each partition's events (and so each
//! stream's) keep their order, days keep theirs, and the permuted log is
//! accepted event by event by a fresh [`Ledger`](revops_events::Ledger)
//! just like the original. Replaying it must give the same reports: that is
//! the property it exists to test.

use std::collections::BTreeMap;

use revops_events::ids::{CustomerId, InvoiceId};
use revops_events::{Envelope, Event, Seq, StreamId};

use super::generator::recorded_at;
use super::prng::Prng;

/// Who an event's entity belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Partition {
    Company,
    Customer(CustomerId),
}

/// Learns which partition each stream belongs to, in log order.
#[derive(Debug, Default)]
struct Owners {
    streams: BTreeMap<StreamId, Partition>,
    invoices: BTreeMap<InvoiceId, Partition>,
}

impl Owners {
    fn of_stream(&self, stream: &StreamId) -> Partition {
        self.streams.get(stream).cloned().unwrap_or(Partition::Company)
    }

    /// The partition of `envelope`, remembering the streams it creates.
    fn partition(&mut self, envelope: &Envelope) -> Partition {
        let owner = match &envelope.event {
            Event::CustomerRegistered(e) => Partition::Customer(e.customer.clone()),
            Event::ContractSigned(e) => Partition::Customer(e.customer.clone()),
            Event::InvoiceIssued(e) => {
                let owner = Partition::Customer(e.customer.clone());
                self.invoices.entry(e.invoice.clone()).or_insert_with(|| owner.clone());
                owner
            }
            Event::PaymentReceived(e) => Partition::Customer(e.customer.clone()),
            Event::DisputeOpened(e) => self.invoices.get(&e.invoice).cloned().unwrap_or(Partition::Company),
            _ => return self.of_stream(&envelope.stream),
        };
        self.streams.entry(envelope.stream.clone()).or_insert_with(|| owner.clone());
        owner
    }
}

fn is_close(envelope: &Envelope) -> bool {
    matches!(envelope.event, Event::PeriodClosed(_))
}

/// `envelopes` in a random order of independent events (see the module
/// docs), the same for the same `seed`.
///
/// Each envelope keeps its event, event id, stream and stream version; its
/// `seq` becomes its new position and its `recorded_at` is stamped anew for
/// its position within the day, as the log would have stamped it on that
/// arrival. Days are runs of consecutive envelopes recorded on the same
/// date, so a log in any order can be given: nothing moves across a day
/// boundary, nor across a `period_closed`.
pub fn interleave(envelopes: &[Envelope], seed: u64) -> Vec<Envelope> {
    let mut rng = Prng::new(seed, 2);
    let mut owners = Owners::default();
    let mut out = Vec::with_capacity(envelopes.len());
    let mut start = 0;
    let mut index_in_day = 0u32;
    // Bounded by the number of envelopes: each run is consumed once.
    while start < envelopes.len() {
        let day = envelopes[start].recorded_at.date_naive();
        if start > 0 && envelopes[start - 1].recorded_at.date_naive() != day {
            index_in_day = 0;
        }
        // A run is the day's events up to and including its next close.
        let mut end = start;
        while end < envelopes.len() && envelopes[end].recorded_at.date_naive() == day {
            end += 1;
            if is_close(&envelopes[end - 1]) {
                break;
            }
        }
        // The close that ends a run stays last in it, after all it froze.
        let close = (end > start && is_close(&envelopes[end - 1])).then_some(end - 1);
        // Queues per partition in order of first appearance in the run, so
        // that the draw below sees them in a deterministic order.
        let mut slots: BTreeMap<Partition, usize> = BTreeMap::new();
        let mut queues: Vec<std::collections::VecDeque<usize>> = Vec::new();
        for (i, envelope) in envelopes.iter().enumerate().take(end).skip(start) {
            let partition = owners.partition(envelope);
            if Some(i) == close {
                continue;
            }
            let next = queues.len();
            let slot = *slots.entry(partition).or_insert(next);
            if slot == queues.len() {
                queues.push(Default::default());
            }
            queues[slot].push_back(i);
        }
        let mut live: Vec<usize> = (0..queues.len()).collect();
        let mut picks = Vec::with_capacity(end - start);
        while !live.is_empty() {
            let pick = rng.index(live.len());
            let queue = &mut queues[live[pick]];
            picks.push(queue.pop_front().expect("live queues are not empty"));
            if queue.is_empty() {
                live.swap_remove(pick);
            }
        }
        for i in picks.into_iter().chain(close) {
            let mut envelope = envelopes[i].clone();
            envelope.seq = Seq(out.len() as u64);
            envelope.recorded_at = recorded_at(day, index_in_day);
            index_in_day += 1;
            out.push(envelope);
        }
        start = end;
    }
    out
}
