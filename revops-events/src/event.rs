//! The event vocabulary: every fact revops records, one variant each.
//!
//! The JSON form is the interchange form of DESIGN.md: a `"type"` tag in
//! snake_case and the event's own fields, amounts as strings (`"1200.00"`),
//! dates `"YYYY-MM-DD"`, currencies ISO 4217 codes. Every event that carries
//! an amount also carries its `currency`, so each event can be read on its
//! own. Every event has a business date ([`Event::business_date`]).

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;
use revops_core::commission::{CommissionBasis, CommissionPlan, CommissionTier};
use revops_core::modification::{LineChange, Treatment};
use revops_core::terms::{BillingFrequency, Contract, ContractLine, PaymentTerms};
use revops_core::{Currency, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::text::Text;

/// Decimal amounts travel as strings.
mod amount {
    pub(crate) use rust_decimal::serde::str::{deserialize, serialize};
}

/// Optional decimal amounts travel as strings or are absent.
mod opt_amount {
    pub(crate) use rust_decimal::serde::str_option::{deserialize, serialize};
}

/// A postal address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Address {
    /// Street and number.
    pub line1: String,
    /// Suite, floor, building.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// State, province or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166 country code.
    pub country: String,
}

/// A person to send invoices to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Contact {
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// How a customer pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum PaymentMethod {
    /// ACH or SEPA bank transfer.
    Ach,
    /// Wire transfer.
    Wire,
    /// Card.
    Card,
    /// Paper check.
    Check,
    /// Not recorded (events written before the method was captured).
    Unknown,
}

/// `customer_registered`: a new bill-to account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CustomerRegistered {
    /// The customer.
    pub customer: CustomerId,
    /// Registered legal name.
    pub legal_entity: String,
    /// Where invoices are addressed.
    pub billing_address: Address,
    /// Who receives invoices.
    pub billing_contact: Contact,
    /// VAT / GST / EIN registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_registration: Option<String>,
    /// How the customer pays.
    pub payment_method: PaymentMethod,
    /// Default payment terms.
    #[rkyv(with = crate::file_log::archive::PaymentTermsDef)]
    pub payment_terms: PaymentTerms,
    /// Credit limit, in `currency`.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub credit_limit: Decimal,
    /// The customer's billing currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date of the registration.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub registered_on: NaiveDate,
}

/// `customer_updated`: changed account details; absent fields are kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CustomerUpdated {
    /// The customer.
    pub customer: CustomerId,
    /// Business date of the change.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub updated_on: NaiveDate,
    /// New legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_entity: Option<String>,
    /// New billing address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// New billing contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_contact: Option<Contact>,
    /// New tax registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_registration: Option<String>,
    /// New payment method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    /// New default payment terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[rkyv(with = rkyv::with::Map<crate::file_log::archive::PaymentTermsDef>)]
    pub payment_terms: Option<PaymentTerms>,
    /// New credit limit, in the customer's currency.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_amount")]
    #[rkyv(with = rkyv::with::Map<crate::file_log::archive::DecimalDef>)]
    pub credit_limit: Option<Decimal>,
}

/// `contract_signed`: a deal closed into a contract (deal intake).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct ContractSigned {
    /// The contract.
    pub contract: ContractId,
    /// The CRM deal it closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_id: Option<DealId>,
    /// The bill-to customer.
    pub customer: CustomerId,
    /// Business date of signature.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub signed_on: NaiveDate,
    /// First day of service, inclusive.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub start_date: NaiveDate,
    /// Last day of service, inclusive.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub end_date: NaiveDate,
    /// The contract currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// How often it is invoiced.
    #[rkyv(with = crate::file_log::archive::BillingFrequencyDef)]
    pub billing_frequency: BillingFrequency,
    /// When its invoices fall due.
    #[rkyv(with = crate::file_log::archive::PaymentTermsDef)]
    pub payment_terms: PaymentTerms,
    /// True when every invoice must quote a PO number.
    #[serde(default)]
    pub po_required: bool,
    /// The customer's purchase order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub po_number: Option<String>,
    /// Where tax is assessed (e.g. `US-CA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_jurisdiction: Option<String>,
    /// True when the customer is exempt from tax.
    #[serde(default)]
    pub tax_exempt: bool,
    /// The exemption certificate; required when `tax_exempt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_exemption_certificate: Option<String>,
    /// The account executive credited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_ae: Option<RepId>,
    /// The commission plan the booking counts under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission_plan: Option<PlanId>,
    /// The performance obligations.
    #[rkyv(with = rkyv::with::Map<crate::file_log::archive::ContractLineDef>)]
    pub lines: Vec<ContractLine>,
}

impl ContractSigned {
    /// The terms that drive billing and recognition.
    pub fn terms(&self) -> Contract {
        Contract {
            contract: self.contract.to_string(),
            customer: self.customer.to_string(),
            currency: self.currency,
            start_date: self.start_date,
            end_date: self.end_date,
            billing_frequency: self.billing_frequency,
            payment_terms: self.payment_terms,
            lines: self.lines.clone(),
        }
    }
}

/// `contract_modified`: new terms from an effective date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct ContractModified {
    /// The contract.
    pub contract: ContractId,
    /// First day the new terms apply.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub effective_on: NaiveDate,
    /// How the change reaches revenue.
    #[rkyv(with = crate::file_log::archive::TreatmentDef)]
    pub treatment: Treatment,
    /// What changes.
    #[rkyv(with = rkyv::with::Map<crate::file_log::archive::LineChangeDef>)]
    pub changes: Vec<LineChange>,
}

/// `contract_renewed`: a further term of the same contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct ContractRenewed {
    /// The contract.
    pub contract: ContractId,
    /// Business date of the renewal.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub renewed_on: NaiveDate,
    /// First day of the new term.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub start_date: NaiveDate,
    /// Last day of the new term.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub end_date: NaiveDate,
    /// The lines of the new term: ids new to the contract, none starting
    /// before `start_date` (the command API refuses either).
    #[rkyv(with = rkyv::with::Map<crate::file_log::archive::ContractLineDef>)]
    pub lines: Vec<ContractLine>,
}

/// `contract_cancelled`: service ends early.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct ContractCancelled {
    /// The contract.
    pub contract: ContractId,
    /// First day without service.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub effective_on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// `milestone_delivered`: the work is handed over (not yet accepted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct MilestoneDelivered {
    /// The contract.
    pub contract: ContractId,
    /// The milestone line.
    pub line: LineId,
    /// The milestone.
    pub milestone: MilestoneId,
    /// Business date of delivery.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub delivered_on: NaiveDate,
}

/// `milestone_accepted`: the customer accepts; revenue is recognized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct MilestoneAccepted {
    /// The contract.
    pub contract: ContractId,
    /// The milestone line.
    pub line: LineId,
    /// The milestone.
    pub milestone: MilestoneId,
    /// Business date of acceptance.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub accepted_on: NaiveDate,
}

/// `line_delivered`: a point-in-time line (a perpetual license) is delivered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct LineDelivered {
    /// The contract.
    pub contract: ContractId,
    /// The line.
    pub line: LineId,
    /// Business date of delivery.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub delivered_on: NaiveDate,
}

/// `time_approved`: hours on a T&M line approved by the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct TimeApproved {
    /// The contract.
    pub contract: ContractId,
    /// The T&M line.
    pub line: LineId,
    /// Hours approved.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub hours: Decimal,
    /// Hourly rate; the line's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_amount")]
    #[rkyv(with = rkyv::with::Map<crate::file_log::archive::DecimalDef>)]
    pub rate: Option<Decimal>,
    /// Business date of approval.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub approved_on: NaiveDate,
}

/// `usage_recorded`: metered usage on a usage line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct UsageRecorded {
    /// The contract.
    pub contract: ContractId,
    /// The usage line.
    pub line: LineId,
    /// Units used.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub quantity: Decimal,
    /// Price per unit; the line's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_amount")]
    #[rkyv(with = rkyv::with::Map<crate::file_log::archive::DecimalDef>)]
    pub unit_price: Option<Decimal>,
    /// The day the usage was incurred.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub incurred_on: NaiveDate,
}

/// One line of an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct InvoiceLine {
    /// The contract line billed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<LineId>,
    /// What is billed.
    pub description: Text,
    /// Amount before tax.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Tax on the amount.
    #[serde(default, with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub tax: Decimal,
    /// First day of the service billed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[rkyv(with = rkyv::with::Map<crate::file_log::archive::Days>)]
    pub period_start: Option<NaiveDate>,
    /// Last day of the service billed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[rkyv(with = rkyv::with::Map<crate::file_log::archive::Days>)]
    pub period_end: Option<NaiveDate>,
}

/// `invoice_issued`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct InvoiceIssued {
    /// The invoice.
    pub invoice: InvoiceId,
    /// The bill-to customer.
    pub customer: CustomerId,
    /// The contract billed.
    pub contract: ContractId,
    /// Invoice date.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub issued_on: NaiveDate,
    /// Due date.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub due_on: NaiveDate,
    /// Invoice currency (the contract's).
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// The customer's purchase order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub po_number: Option<Text>,
    /// The lines.
    pub lines: Vec<InvoiceLine>,
}

impl InvoiceIssued {
    /// Amount plus tax of every line.
    pub fn total(&self) -> Money {
        let sum = self.lines.iter().map(|l| l.amount + l.tax).sum();
        Money::new(sum, self.currency)
    }
}

/// How an invoice was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum DispatchChannel {
    /// E-mail.
    Email,
    /// The customer's AP portal.
    Portal,
    /// Electronic data interchange.
    Edi,
    /// Post.
    Mail,
}

/// `invoice_dispatched`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct InvoiceDispatched {
    /// The invoice.
    pub invoice: InvoiceId,
    /// How it was sent.
    pub channel: DispatchChannel,
    /// To whom (address, portal id).
    pub to: String,
    /// Business date of dispatch.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub dispatched_on: NaiveDate,
}

/// `payment_received`: cash in, not yet applied to invoices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PaymentReceived {
    /// The payment.
    pub payment: PaymentId,
    /// The paying customer.
    pub customer: CustomerId,
    /// Amount received.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Value date.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub received_on: NaiveDate,
    /// How it was paid.
    pub method: PaymentMethod,
}

/// `payment_applied`: part of a payment settles part of an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PaymentApplied {
    /// The payment.
    pub payment: PaymentId,
    /// The invoice settled.
    pub invoice: InvoiceId,
    /// Amount applied.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date of application.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub applied_on: NaiveDate,
}

/// `payment_refunded`: unapplied cash returned to the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PaymentRefunded {
    /// The payment.
    pub payment: PaymentId,
    /// Amount refunded.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date of the refund.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub refunded_on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// `invoice_written_off`: an open amount given up as bad debt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct InvoiceWrittenOff {
    /// The invoice.
    pub invoice: InvoiceId,
    /// Amount written off.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date of the write-off.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub written_off_on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// Who approved a credit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum ApproverRole {
    /// VP Revenue Operations: the only role that may approve credit memos.
    VpRevenueOperations,
    /// Chief financial officer.
    Cfo,
    /// Controller.
    Controller,
    /// Account manager.
    AccountManager,
    /// Billing specialist.
    BillingSpecialist,
}

/// `credit_memo_issued`: a reduction of an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CreditMemoIssued {
    /// The credit memo.
    pub memo: CreditMemoId,
    /// The invoice credited.
    pub invoice: InvoiceId,
    /// Amount credited.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date of the memo.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub issued_on: NaiveDate,
    /// Why.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// The approver's role.
    pub approver_role: ApproverRole,
}

/// Why a customer disputes an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum DisputeReason {
    /// The price differs from the contract.
    PricingError,
    /// Quantity or usage is wrong.
    QuantityError,
    /// The service was not delivered as agreed.
    ServiceIssue,
    /// Billed twice.
    DuplicateCharge,
    /// Tax applied wrongly.
    TaxError,
    /// No PO or the wrong PO quoted.
    PurchaseOrder,
}

/// `dispute_opened`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct DisputeOpened {
    /// The dispute.
    pub dispute: DisputeId,
    /// The invoice disputed.
    pub invoice: InvoiceId,
    /// Why.
    pub reason_code: DisputeReason,
    /// Amount disputed.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date it was opened.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub opened_on: NaiveDate,
}

/// `dispute_reviewed`: first review, the start of the SLA clock's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct DisputeReviewed {
    /// The dispute.
    pub dispute: DisputeId,
    /// Business date of the review.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub reviewed_on: NaiveDate,
    /// Who reviewed it.
    pub reviewer: String,
    /// Findings.
    #[serde(default)]
    pub notes: String,
}

/// `dispute_escalated`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct DisputeEscalated {
    /// The dispute.
    pub dispute: DisputeId,
    /// Business date of the escalation.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub escalated_on: NaiveDate,
    /// To whom.
    pub to: String,
}

/// Whether a dispute was upheld.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum DisputeOutcome {
    /// The customer was right: credit and rebill.
    Valid,
    /// The invoice stands.
    Invalid,
}

/// `dispute_resolved`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct DisputeResolved {
    /// The dispute.
    pub dispute: DisputeId,
    /// Business date of resolution.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub resolved_on: NaiveDate,
    /// The outcome.
    pub outcome: DisputeOutcome,
    /// The credit memo issued for a valid dispute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_memo: Option<CreditMemoId>,
    /// The corrected invoice issued for a valid dispute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebill_invoice: Option<InvoiceId>,
    /// Evidence for an invalid dispute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// A step of the collections ladder, by days since the due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum CollectionStep {
    /// Day 0: due-date notice.
    #[serde(rename = "day_0")]
    Day0,
    /// Day 7: reminder.
    #[serde(rename = "day_7")]
    Day7,
    /// Day 15: AR follow-up.
    #[serde(rename = "day_15")]
    Day15,
    /// Day 30: watch list, account manager alerted.
    #[serde(rename = "day_30")]
    Day30,
    /// Day 45: formal notice.
    #[serde(rename = "day_45")]
    Day45,
    /// Day 60: credit hold.
    #[serde(rename = "day_60")]
    Day60,
    /// Day 75: CFO escalation.
    #[serde(rename = "day_75")]
    Day75,
    /// Day 90: legal demand.
    #[serde(rename = "day_90")]
    Day90,
}

/// `collection_step_taken`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CollectionStepTaken {
    /// The invoice chased.
    pub invoice: InvoiceId,
    /// The step.
    pub step: CollectionStep,
    /// Business date it was taken.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub taken_on: NaiveDate,
}

/// `credit_hold_placed`: no new invoices for the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CreditHoldPlaced {
    /// The customer.
    pub customer: CustomerId,
    /// Business date of the hold.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub placed_on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// `credit_hold_released`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CreditHoldReleased {
    /// The customer.
    pub customer: CustomerId,
    /// Business date of the release.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub released_on: NaiveDate,
}

/// `commission_plan_defined`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CommissionPlanDefined {
    /// The plan.
    pub plan: PlanId,
    /// The rep it pays.
    pub rep: RepId,
    /// Quota for the plan period.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub quota: Decimal,
    /// Quota currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// What the rep is credited for.
    #[rkyv(with = crate::file_log::archive::CommissionBasisDef)]
    pub basis: CommissionBasis,
    /// Marginal tiers by attainment.
    #[rkyv(with = rkyv::with::Map<crate::file_log::archive::CommissionTierDef>)]
    pub tiers: Vec<CommissionTier>,
    /// Months within which a churned booking is clawed back.
    pub clawback_months: u32,
    /// Day of month commissions are paid (1–28).
    pub payout_day: u32,
    /// First day the plan applies.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub effective_on: NaiveDate,
}

impl CommissionPlanDefined {
    /// The plan as revops-core's commission math takes it; whether it is a
    /// valid plan is [`CommissionPlan::validate`]'s to say.
    pub fn plan(&self) -> CommissionPlan {
        CommissionPlan {
            plan: self.plan.to_string(),
            quota: Money::new(self.quota, self.currency),
            basis: self.basis,
            tiers: self.tiers.clone(),
            clawback_months: self.clawback_months,
            payout_day: self.payout_day,
        }
    }
}

/// `commission_paid`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CommissionPaid {
    /// The rep.
    pub rep: RepId,
    /// Amount paid.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date of payout.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub paid_on: NaiveDate,
    /// The month the payout is for.
    #[rkyv(with = crate::file_log::archive::Months)]
    pub period: YearMonth,
}

/// `commission_adjusted`: a manual correction (positive or negative).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CommissionAdjusted {
    /// The rep.
    pub rep: RepId,
    /// Amount, negative to reduce.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date of the adjustment.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub adjusted_on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// `commission_dispute_opened`: a rep contests a commission figure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CommissionDisputeOpened {
    /// The dispute.
    pub dispute: CommissionDisputeId,
    /// The rep.
    pub rep: RepId,
    /// Amount claimed.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date it was opened.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub opened_on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// `commission_dispute_resolved`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct CommissionDisputeResolved {
    /// The dispute.
    pub dispute: CommissionDisputeId,
    /// Business date of resolution.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub resolved_on: NaiveDate,
    /// Amount granted to the rep (zero when rejected).
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub granted: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
}

/// `renewal_contact_logged`: a touchpoint with the customer about renewal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct RenewalContactLogged {
    /// The contract up for renewal.
    pub contract: ContractId,
    /// Business date of contact.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub contacted_on: NaiveDate,
    /// Who made contact.
    pub by: String,
    /// What was said.
    #[serde(default)]
    pub notes: String,
}

/// How a partner contributed to a deal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum AttributionKind {
    /// The partner brought the deal (at most one per contract).
    Sourced,
    /// The partner helped.
    Influenced,
    /// The partner sold alongside.
    CoSell,
}

/// `partner_attributed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PartnerAttributed {
    /// The contract.
    pub contract: ContractId,
    /// The partner.
    pub partner: PartnerId,
    /// How the partner contributed.
    pub kind: AttributionKind,
    /// The partner's share of the contract's ARR, a fraction (0.25 = 25 %).
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub share: Decimal,
    /// Business date of the attribution.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub attributed_on: NaiveDate,
}

/// `mdf_allocated`: market development funds granted to a partner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct MdfAllocated {
    /// The partner.
    pub partner: PartnerId,
    /// Amount granted.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date of the grant.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub allocated_on: NaiveDate,
}

/// `mdf_spent`: a partner draws on its funds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct MdfSpent {
    /// The partner.
    pub partner: PartnerId,
    /// Amount spent.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date of the spend.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub spent_on: NaiveDate,
    /// On what.
    pub description: String,
}

/// `spif_earned`: a sales incentive earned on a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct SpifEarned {
    /// The partner that earned it.
    pub partner: PartnerId,
    /// The contract it was earned on.
    pub contract: ContractId,
    /// Amount earned.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub amount: Decimal,
    /// Its currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub currency: Currency,
    /// Business date it was earned.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub earned_on: NaiveDate,
    /// The incentive program.
    pub program: String,
}

/// `fx_rate_set`: one unit of `from` is worth `rate` units of `to` from `on`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct FxRateSet {
    /// Source currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub from: Currency,
    /// Target currency.
    #[rkyv(with = crate::file_log::archive::CurrencyCode)]
    pub to: Currency,
    /// Units of `to` per unit of `from`.
    #[serde(with = "amount")]
    #[rkyv(with = crate::file_log::archive::DecimalDef)]
    pub rate: Decimal,
    /// First day the rate is in force.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub on: NaiveDate,
}

/// `period_closed`: the month's books are closed; later changes to it are
/// booked in the first open month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PeriodClosed {
    /// The month closed.
    #[rkyv(with = crate::file_log::archive::Months)]
    pub period: YearMonth,
    /// Business date of the close.
    #[rkyv(with = crate::file_log::archive::Days)]
    pub closed_on: NaiveDate,
}

/// The position of `$value`'s variant among `$variant`s of `$enum`, for
/// the owned and the archived event alike.
macro_rules! variant_index {
    ($enum:ident, $value:expr, $($variant:ident)*) => {{
        let mut index = 0;
        $(
            if let $enum::$variant(_) = $value {
                return index;
            }
            index += 1;
        )*
        unreachable!("{index} variants, each matched above")
    }};
}

macro_rules! events {
    ($( $variant:ident($payload:ident) = $tag:literal, $date:ident; )*) => {
        /// Every fact revops records.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        #[non_exhaustive]
        #[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
        pub enum Event {
            $(
                #[doc = concat!("`", $tag, "`: see [`", stringify!($payload), "`].")]
                $variant($payload),
            )*
        }

        impl Event {
            /// Every event type name, in declaration order.
            pub const TYPES: &'static [&'static str] = &[$($tag,)*];

            /// The position of this event's type in [`Event::TYPES`].
            #[inline]
            pub fn type_index(&self) -> usize {
                variant_index!(Event, self, $($variant)*)
            }

            /// The snake_case type name, as in the JSON `"type"` field.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Event::$variant(_) => $tag,)*
                }
            }

            /// The business (effective) date of the fact.
            pub fn business_date(&self) -> NaiveDate {
                match self {
                    $(Event::$variant(e) => e.$date,)*
                }
            }
        }

        impl ArchivedEvent {
            /// The position of this event's type in [`Event::TYPES`], read
            /// in place.
            #[inline]
            pub fn type_index(&self) -> usize {
                variant_index!(ArchivedEvent, self, $($variant)*)
            }

            /// Deserializes into `event`, variant by variant: what moves
            /// into place is the payload, not a whole `Event` (which is as
            /// large as its largest variant) built first elsewhere.
            pub(crate) fn deserialize_into(&self, event: &mut Event) -> Result<(), rkyv::rancor::Failure> {
                match self {
                    $(
                        ArchivedEvent::$variant(a) => {
                            *event = Event::$variant(rkyv::api::low::deserialize::<$payload, _>(a)?);
                        }
                    )*
                }
                Ok(())
            }
        }

        $(
            impl From<$payload> for Event {
                fn from(e: $payload) -> Event {
                    Event::$variant(e)
                }
            }
        )*
    };
}

events! {
    CustomerRegistered(CustomerRegistered) = "customer_registered", registered_on;
    CustomerUpdated(CustomerUpdated) = "customer_updated", updated_on;
    ContractSigned(ContractSigned) = "contract_signed", signed_on;
    ContractModified(ContractModified) = "contract_modified", effective_on;
    ContractRenewed(ContractRenewed) = "contract_renewed", renewed_on;
    ContractCancelled(ContractCancelled) = "contract_cancelled", effective_on;
    MilestoneDelivered(MilestoneDelivered) = "milestone_delivered", delivered_on;
    MilestoneAccepted(MilestoneAccepted) = "milestone_accepted", accepted_on;
    LineDelivered(LineDelivered) = "line_delivered", delivered_on;
    TimeApproved(TimeApproved) = "time_approved", approved_on;
    UsageRecorded(UsageRecorded) = "usage_recorded", incurred_on;
    InvoiceIssued(InvoiceIssued) = "invoice_issued", issued_on;
    InvoiceDispatched(InvoiceDispatched) = "invoice_dispatched", dispatched_on;
    PaymentReceived(PaymentReceived) = "payment_received", received_on;
    PaymentApplied(PaymentApplied) = "payment_applied", applied_on;
    PaymentRefunded(PaymentRefunded) = "payment_refunded", refunded_on;
    InvoiceWrittenOff(InvoiceWrittenOff) = "invoice_written_off", written_off_on;
    CreditMemoIssued(CreditMemoIssued) = "credit_memo_issued", issued_on;
    DisputeOpened(DisputeOpened) = "dispute_opened", opened_on;
    DisputeReviewed(DisputeReviewed) = "dispute_reviewed", reviewed_on;
    DisputeEscalated(DisputeEscalated) = "dispute_escalated", escalated_on;
    DisputeResolved(DisputeResolved) = "dispute_resolved", resolved_on;
    CollectionStepTaken(CollectionStepTaken) = "collection_step_taken", taken_on;
    CreditHoldPlaced(CreditHoldPlaced) = "credit_hold_placed", placed_on;
    CreditHoldReleased(CreditHoldReleased) = "credit_hold_released", released_on;
    CommissionPlanDefined(CommissionPlanDefined) = "commission_plan_defined", effective_on;
    CommissionPaid(CommissionPaid) = "commission_paid", paid_on;
    CommissionAdjusted(CommissionAdjusted) = "commission_adjusted", adjusted_on;
    CommissionDisputeOpened(CommissionDisputeOpened) = "commission_dispute_opened", opened_on;
    CommissionDisputeResolved(CommissionDisputeResolved) = "commission_dispute_resolved", resolved_on;
    RenewalContactLogged(RenewalContactLogged) = "renewal_contact_logged", contacted_on;
    PartnerAttributed(PartnerAttributed) = "partner_attributed", attributed_on;
    MdfAllocated(MdfAllocated) = "mdf_allocated", allocated_on;
    MdfSpent(MdfSpent) = "mdf_spent", spent_on;
    SpifEarned(SpifEarned) = "spif_earned", earned_on;
    FxRateSet(FxRateSet) = "fx_rate_set", on;
    PeriodClosed(PeriodClosed) = "period_closed", closed_on;
}
