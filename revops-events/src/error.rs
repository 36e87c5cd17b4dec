//! The one error type of revops-events.

/// Everything that can go wrong in revops-events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An entity id that breaks the id rules.
    #[error("invalid {kind} id {id:?}: {problem}")]
    InvalidId {
        /// The kind of entity.
        kind: &'static str,
        /// The id as given (cut to 128 characters).
        id: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A stream was not at the version the writer expected.
    #[error("conflict on stream {stream}: expected {expected:?}, found version {actual}")]
    Conflict {
        /// The stream.
        stream: crate::StreamId,
        /// What the writer expected.
        expected: crate::ExpectedVersion,
        /// The stream's actual version.
        actual: u64,
    },
    /// An event id already in the log with different content.
    #[error("event {event_id} is already in the log at position {original} with different content")]
    IdempotencyConflict {
        /// The event id.
        event_id: uuid::Uuid,
        /// Where the original is.
        original: crate::Seq,
    },
    /// A batch mixing events already in the log with new ones.
    #[error("batch repeats event {event_id} that is already in the log but also carries new events")]
    PartialRepeat {
        /// The first repeated event.
        event_id: uuid::Uuid,
    },
    /// The same event id twice in one batch.
    #[error("event {event_id} appears twice in one batch")]
    DuplicateInBatch {
        /// The event id.
        event_id: uuid::Uuid,
    },
    /// An event that belongs to another stream than the batch's.
    #[error("event of stream {found} in a batch for stream {expected}")]
    WrongStream {
        /// The batch's stream.
        expected: crate::StreamId,
        /// The event's stream.
        found: crate::StreamId,
    },
    /// An append of no events.
    #[error("a batch must hold at least one event")]
    EmptyBatch,
    /// An append of more events than a batch may hold.
    #[error("a batch of {count} events exceeds the limit of {limit}")]
    BatchTooLarge {
        /// Events in the batch.
        count: usize,
        /// The limit.
        limit: usize,
    },
    // -- file log errors: variants of the file log go here --
    /// An I/O operation on the file log failed.
    #[error("file log: could not {op} {path}: {message}")]
    Io {
        /// What was being done ("read", "write", "sync", …).
        op: &'static str,
        /// The file or directory.
        path: std::path::PathBuf,
        /// The kind of I/O error.
        kind: std::io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// Damage in the file log that opening will not repair: anything in a
    /// sealed segment, or a record that no longer matches what was validated.
    #[error("file log segment {path} is damaged at byte {offset}: {problem}")]
    Corrupt {
        /// The segment file.
        path: std::path::PathBuf,
        /// Byte offset of the damaged header or record in the file.
        offset: u64,
        /// What is wrong there.
        problem: String,
    },
    /// A segment written in a format this build does not read.
    #[error("file log segment {path} has format version {found}; this build reads version {supported}")]
    UnsupportedFormat {
        /// The segment file.
        path: std::path::PathBuf,
        /// Its format version.
        found: u16,
        /// The version this build reads and writes.
        supported: u16,
    },
    /// A record with a schema id this build does not know (written by a newer
    /// build); never truncated away.
    #[error("file log segment {path} holds a record of unknown schema {schema} at byte {offset}")]
    UnknownSchema {
        /// The segment file.
        path: std::path::PathBuf,
        /// Byte offset of the record.
        offset: u64,
        /// Its schema id.
        schema: u16,
    },
    /// The file log refuses appends after a failed write or sync, until it is
    /// reopened (which truncates whatever the failure left half-written).
    #[error("file log {path} refuses appends after a failed write or sync ({cause}); reopen it")]
    Poisoned {
        /// The log's directory.
        path: std::path::PathBuf,
        /// The failure that poisoned it.
        cause: String,
    },
    /// One event whose stored form exceeds the record size limit.
    #[error("event {event_id} takes {size} bytes stored, over the record limit of {limit}")]
    RecordTooLarge {
        /// The event id.
        event_id: uuid::Uuid,
        /// Its stored size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A file log option out of range.
    #[error("file log option {option}: {problem}")]
    InvalidOption {
        /// The option.
        option: &'static str,
        /// What is wrong with it.
        problem: String,
    },

    // -- command errors: variants of command validation go here --
    /// A command names an entity the ledger has not seen.
    #[error("{field}: unknown {entity} {id:?}")]
    UnknownEntity {
        /// The kind of entity named (`"customer"`, `"invoice"`, …).
        entity: &'static str,
        /// The id as given.
        id: String,
        /// The field of the command that names it.
        field: &'static str,
    },
    /// A command names a line the contract does not have.
    #[error("{field}: contract {contract} has no line {line:?}")]
    UnknownLine {
        /// The contract.
        contract: crate::ids::ContractId,
        /// The line id as given.
        line: String,
        /// The field of the command that names it.
        field: &'static str,
    },
    /// A command names a milestone the contract line does not have.
    #[error("milestone: line {line:?} of contract {contract} has no milestone {milestone:?}")]
    UnknownMilestone {
        /// The contract.
        contract: crate::ids::ContractId,
        /// The line.
        line: String,
        /// The milestone id as given.
        milestone: String,
    },
    /// A command would create an entity whose id is already taken.
    #[error("{field}: {entity} {id:?} already exists")]
    DuplicateId {
        /// The kind of entity (`"customer"`, `"credit memo"`, `"period"`, …).
        entity: &'static str,
        /// The id.
        id: String,
        /// The field that carries the id.
        field: &'static str,
    },
    /// A renewal or modification adds a line id the contract already has.
    #[error("{field}: contract {contract} already has a line {line:?}")]
    DuplicateLine {
        /// The contract.
        contract: crate::ids::ContractId,
        /// The line id.
        line: String,
        /// The field that carries it.
        field: &'static str,
    },
    /// An invoice without `po_number` on a contract with `po_required`.
    #[error("invoice {invoice}: po_number is required by contract {contract}")]
    PoNumberRequired {
        /// The invoice.
        invoice: crate::ids::InvoiceId,
        /// The contract that requires it.
        contract: crate::ids::ContractId,
    },
    /// A credit memo whose `approver_role` is not VP Revenue Operations.
    #[error("credit memo {memo} on {invoice}: approver_role must be vp_revenue_operations, not {approver_role:?}")]
    CreditMemoNotApproved {
        /// The credit memo.
        memo: crate::ids::CreditMemoId,
        /// The invoice it would credit.
        invoice: crate::ids::InvoiceId,
        /// The role given.
        approver_role: crate::event::ApproverRole,
    },
    /// A taxable contract whose jurisdiction has no rate in the tax table
    /// (or that names no jurisdiction): its invoices are not issued without
    /// tax.
    #[error(
        "contract {contract}: no tax rate for jurisdiction {}",
        .jurisdiction.as_deref().map_or_else(|| "(none given)".to_string(), |j| format!("{j:?}"))
    )]
    NoTaxRate {
        /// The contract.
        contract: crate::ids::ContractId,
        /// Its `tax_jurisdiction`, if it names one.
        jurisdiction: Option<String>,
    },
    /// A `tax_exempt` contract without `tax_exemption_certificate`.
    #[error("contract {contract}: tax_exemption_certificate is required when tax_exempt is true")]
    ExemptionCertificateRequired {
        /// The contract.
        contract: crate::ids::ContractId,
    },
    /// Contract terms (signed, renewed or modified) that break a rule of
    /// revops-core: end before start, negative price or SSP, a line outside
    /// its method's rules, an inapplicable modification.
    #[error("contract {contract}: {field}: {source}")]
    InvalidContractTerms {
        /// The contract.
        contract: crate::ids::ContractId,
        /// The field at fault (`"end_date"`, `"lines.price"`, `"changes"`, …).
        field: &'static str,
        /// The rule revops-core refused the terms by.
        source: revops_core::Error,
    },
    /// A commission plan that breaks a rule of revops-core.
    #[error("commission plan {plan}: {source}")]
    InvalidCommissionPlan {
        /// The plan.
        plan: crate::ids::PlanId,
        /// The rule revops-core refused the plan by.
        source: revops_core::Error,
    },
    /// An amount in another currency than the entity it must match.
    #[error("{entity} {id}: {field} {found} does not match the {against} currency {expected}")]
    CurrencyMismatch {
        /// The kind of entity the command is about.
        entity: &'static str,
        /// Its id.
        id: String,
        /// The field (`"currency"`).
        field: &'static str,
        /// The kind of entity whose currency it must match.
        against: &'static str,
        /// That entity's currency.
        expected: revops_core::Currency,
        /// The currency given.
        found: revops_core::Currency,
    },
    /// A command that joins entities of two different customers.
    #[error("{entity} {id}: {field} {found} does not match the {against}'s customer {expected}")]
    CustomerMismatch {
        /// The kind of entity the command is about.
        entity: &'static str,
        /// Its id.
        id: String,
        /// The field (`"customer"`).
        field: &'static str,
        /// The kind of entity whose customer it must match.
        against: &'static str,
        /// That entity's customer.
        expected: crate::ids::CustomerId,
        /// The customer found.
        found: crate::ids::CustomerId,
    },
    /// Payment applied or refunded beyond its unapplied cash.
    #[error("payment {payment}: {field} {requested} exceeds the unapplied cash {unapplied}")]
    ExceedsUnapplied {
        /// The payment.
        payment: crate::ids::PaymentId,
        /// The field (`"amount"`).
        field: &'static str,
        /// The amount asked for.
        requested: revops_core::Money,
        /// What is left of the payment.
        unapplied: revops_core::Money,
    },
    /// More than an invoice's open amount (total − applied − credited −
    /// written off) applied, credited, written off or disputed.
    #[error("invoice {invoice}: {field} {requested} exceeds the open amount {open}")]
    ExceedsOpenAmount {
        /// The invoice.
        invoice: crate::ids::InvoiceId,
        /// The field of the command (`"payment_applied.amount"`, …).
        field: &'static str,
        /// The amount asked for.
        requested: revops_core::Money,
        /// The invoice's open amount.
        open: revops_core::Money,
    },
    /// More than some other balance allows (MDF funds, a commission claim).
    #[error("{entity} {id}: {field} {requested} exceeds the {limit_name} {limit}")]
    ExceedsLimit {
        /// The kind of entity.
        entity: &'static str,
        /// Its id.
        id: String,
        /// The field.
        field: &'static str,
        /// The amount asked for.
        requested: revops_core::Money,
        /// What the limit is.
        limit_name: &'static str,
        /// The limit.
        limit: revops_core::Money,
    },
    /// An invoice to a customer on credit hold.
    #[error("invoice {invoice}: customer {customer} is on credit hold")]
    CustomerOnCreditHold {
        /// The customer.
        customer: crate::ids::CustomerId,
        /// The invoice refused.
        invoice: crate::ids::InvoiceId,
    },
    /// An amount that must be positive is zero or negative.
    #[error("{entity} {id}: {field} must be positive, got {amount}")]
    NotPositive {
        /// The kind of entity.
        entity: &'static str,
        /// Its id.
        id: String,
        /// The field.
        field: &'static str,
        /// The amount given.
        amount: rust_decimal::Decimal,
    },
    /// An amount that must not be negative is.
    #[error("{entity} {id}: {field} must not be negative, got {amount}")]
    Negative {
        /// The kind of entity.
        entity: &'static str,
        /// Its id.
        id: String,
        /// The field.
        field: &'static str,
        /// The amount given.
        amount: rust_decimal::Decimal,
    },
    /// An amount that is not a whole number of its currency's minor units
    /// (or beyond 10^18 of them).
    #[error("{entity} {id}: {field} {amount} is not a whole number of minor units within range")]
    NotMinorUnits {
        /// The kind of entity.
        entity: &'static str,
        /// Its id.
        id: String,
        /// The field.
        field: &'static str,
        /// The amount given.
        amount: revops_core::Money,
    },
    /// A second `sourced` partner on a contract: at most one partner sources
    /// a deal, so sourced ARR is never counted twice.
    #[error("contract {contract}: partner {partner} cannot be sourced, {existing} already is")]
    SecondSourcedPartner {
        /// The contract.
        contract: crate::ids::ContractId,
        /// The partner refused.
        partner: crate::ids::PartnerId,
        /// The partner that sourced it.
        existing: crate::ids::PartnerId,
    },
    /// A command that does not fit the entity's lifecycle (a resolved
    /// dispute reviewed, a milestone accepted before delivery).
    #[error("{entity} {id}: {event} refused, it {state}")]
    InvalidTransition {
        /// The kind of entity.
        entity: &'static str,
        /// Its id.
        id: String,
        /// The event type refused.
        event: &'static str,
        /// The state it is in.
        state: &'static str,
    },
    /// A date before the date it must not precede.
    #[error("{entity} {id}: {field} {date} is before {bound_field} {bound}")]
    DateBefore {
        /// The kind of entity.
        entity: &'static str,
        /// Its id.
        id: String,
        /// The field.
        field: &'static str,
        /// The date given.
        date: chrono::NaiveDate,
        /// What it must not precede.
        bound_field: &'static str,
        /// That date.
        bound: chrono::NaiveDate,
    },
    /// A performance event on a line recognized by another method.
    #[error("contract {contract}: line {line:?} is recognized {method}, which takes no {event}")]
    WrongLineMethod {
        /// The contract.
        contract: crate::ids::ContractId,
        /// The line.
        line: String,
        /// The line's recognition method.
        method: &'static str,
        /// The event type refused.
        event: &'static str,
    },
    /// A field that breaks a rule of its own (empty, out of range).
    #[error("{entity} {id}: {field} {problem}")]
    InvalidField {
        /// The kind of entity.
        entity: &'static str,
        /// Its id.
        id: String,
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: &'static str,
    },

    // -- import and export errors: variants of JSON Lines go here --
    /// A line of a JSON Lines import that is not a valid event: bad JSON, an
    /// unknown type or field, a bad value, a missing field, an unsupported
    /// schema version, a line too long. Displayed as
    /// `line 12: field lines[0].price: invalid value: ...`.
    #[error("line {line}: {}{message}", .field.as_deref().map(|f| format!("field {f}: ")).unwrap_or_default())]
    Import {
        /// The line, from 1.
        line: u64,
        /// The field path inside the line (`lines[0].price`), when the error
        /// is about one field.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A batch of a JSON Lines import that the log refused; the log holds the
    /// batches before it and nothing of this one.
    #[error("lines {first_line} to {last_line}: the log refused the batch: {refusal}")]
    ImportRefused {
        /// The first line of the batch.
        first_line: u64,
        /// The last line of the batch.
        last_line: u64,
        /// What the log said.
        refusal: Box<Error>,
    },
    /// The input of a JSON Lines import could not be read.
    #[error("line {line}: cannot read the input: {message}")]
    ImportRead {
        /// The line being read, from 1.
        line: u64,
        /// The kind of I/O error.
        kind: std::io::ErrorKind,
        /// What the operating system said.
        message: String,
    },
    /// The output of a JSON Lines export could not be written.
    #[error("cannot write the export after {written} events: {message}")]
    ExportWrite {
        /// Events fully handed to the writer before the failure.
        written: u64,
        /// The kind of I/O error.
        kind: std::io::ErrorKind,
        /// What the operating system said.
        message: String,
    },
    /// A value or calculation error from revops-core.
    #[error(transparent)]
    Core(#[from] revops_core::Error),
}
