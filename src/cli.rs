//! What the `revops` command does, as library functions: the binary only
//! parses its arguments and calls these.
//!
//! The CLI never reads the clock for business dates: `schedule` without an
//! as-of date reports as of the contract's end date, so the same file always
//! prints the same output. The only clock it reads is the recorded time of
//! an import, and `--recorded-at` replaces that too.

use std::io::{BufRead, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use revops_core::tax::TaxRates;
use revops_core::NaiveDate;
use revops_core::{Currency, Decimal, Money};
use revops_events::file_log::{Durability, FileLog, FileLogOptions};
use revops_events::ids::CustomerId;
use revops_events::jsonl::{self, ImportOptions, ImportSummary};
use revops_events::ledger::{BillRun, CreditDecision};
use revops_events::Ledger;
use revops_events::Seq;
use revops_projections::aging::AgingOptions;
use revops_projections::fx::ReportingCurrency;
use revops_projections::RevenueOperations;
use revops_simulation::{self as simulation, SimulationConfig};

use crate::contract_file::{read_json_file, ContractFile};
use crate::desk::{run_collections, CollectionsRun};
use crate::Error;
use crate::{ops_text, text};

/// How a report is printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// Text tables for people.
    #[default]
    Text,
    /// The JSON report ([`crate::report::ScheduleReport`]), pretty-printed.
    Json,
}

/// `revops schedule`: reads the contract file at `path`, computes its
/// schedule as of `as_of` (the contract's end date when `None`) and writes
/// the report to `out` in `format`. A reader that stops reading (a broken
/// pipe) is not an error.
pub fn schedule(path: &Path, as_of: Option<NaiveDate>, format: Format, out: &mut dyn Write) -> Result<(), Error> {
    let report = ContractFile::from_path(path)?.report(as_of)?;
    let text = match format {
        Format::Text => report.to_text(),
        Format::Json => report.to_json()?,
    };
    write_out(out, text.as_bytes())
}

/// `revops import`: appends the JSON Lines events read from `input` to the
/// file log in `log_dir` (created if needed), in batches of `batch_size`
/// events stamped `recorded_at`, and writes the summary line to `out`.
///
/// Lines are facts in the interchange form (see [`revops_events::jsonl`]):
/// they are checked for form and by the log (ids, idempotency), not against
/// the business rules of the command API, so an export of any log imports
/// back whole. A refused line stops the import: the batches appended before
/// it stay, its own batch is dropped, and re-running after the fix appends
/// only what is missing.
pub fn import(
    input: impl BufRead,
    log_dir: &Path,
    batch_size: usize,
    recorded_at: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<ImportSummary, Error> {
    let mut log = FileLog::open(log_dir, FileLogOptions::default())?;
    let options = ImportOptions::new(recorded_at).with_batch_size(batch_size);
    let summary = jsonl::import(&mut log, input, options)?;
    log.close()?;
    write_out(out, format!("{summary}\n").as_bytes())?;
    Ok(summary)
}

/// `revops export`: writes the events of the file log in `log_dir`, from
/// position `from` on, as JSON Lines to `out`; returns how many. The log must
/// exist: exporting never creates one.
pub fn export(log_dir: &Path, from: Seq, out: &mut dyn Write) -> Result<u64, Error> {
    let log = open_existing(log_dir)?;
    match jsonl::export_from(&log, from, out) {
        // The reader went away (`revops export ... | head`): nothing to report.
        Err(revops_events::Error::ExportWrite { kind: std::io::ErrorKind::BrokenPipe, written, .. }) => Ok(written),
        result => Ok(result?),
    }
}

/// Opens the file log in `dir`, refusing to create one where there is none.
fn open_existing(dir: &Path) -> Result<FileLog, Error> {
    if !dir.is_dir() {
        return Err(Error::NoLog { dir: dir.to_path_buf() });
    }
    Ok(FileLog::open(dir, FileLogOptions::default())?)
}

/// Writes `bytes` to `out`; a reader that went away is not an error.
fn write_out(out: &mut dyn Write, bytes: &[u8]) -> Result<(), Error> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result.map_err(Error::Write),
    }
}

/// Which report `revops report` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportKind {
    /// The journal and trial balance.
    Ledger,
    /// Revenue schedules per contract.
    Schedules,
    /// AR aging.
    Aging,
    /// MRR and its movements.
    Mrr,
    /// Commissions per rep.
    Commissions,
    /// The collections ladder and credit holds.
    Collections,
    /// Invoice disputes and their SLAs.
    Disputes,
    /// The renewal pipeline and its forecast.
    Renewals,
    /// Contract modifications classified, with their ARR effect.
    Expansion,
    /// The partner desk: attributed ARR, SPIFs, MDF.
    Partners,
    /// The revenue-operations KPIs.
    Kpis,
}

/// The gross margin the KPIs' lifetime value uses unless told otherwise:
/// 80 %, a common figure for subscription software.
pub const DEFAULT_GROSS_MARGIN: Decimal = Decimal::from_parts(80, 0, 0, false, 2);

/// How `revops report` draws a report up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportOptions {
    /// The reporting currency, when the report is also wanted converted at
    /// the rates in force on the as-of date (the original figures are kept).
    pub currency: Option<Currency>,
    /// The gross margin, a fraction from 0 to 1, for the lifetime value of
    /// [`ReportKind::Kpis`]; the other reports do not use it.
    pub gross_margin: Decimal,
}

impl Default for ReportOptions {
    /// In the original currencies, with [`DEFAULT_GROSS_MARGIN`].
    fn default() -> Self {
        ReportOptions { currency: None, gross_margin: DEFAULT_GROSS_MARGIN }
    }
}

/// `revops report`: replays the file log in `log_dir` into the read models
/// of [`RevenueOperations`] and writes one report as of `as_of` to `out`, as
/// text (with its detail rows) or as the report's JSON.
///
/// With a reporting currency (see [`revops_projections::fx`]) the text
/// starts with the rates used and the converted headline, one row per
/// original currency and a total, followed by the report as it is; the JSON
/// is `{"report": <the report>, "converted": <its view in the reporting
/// currency>}`. A currency with no rate in force is
/// [`revops_projections::Error::MissingFxRate`], and nothing is written.
pub fn report(
    log_dir: &Path,
    kind: ReportKind,
    as_of: NaiveDate,
    options: ReportOptions,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let desk = RevenueOperations::replay(&open_existing(log_dir)?)?;
    let models = desk.models();
    let fx = options.currency.map(|currency| desk.fx().reporting(currency, as_of));
    let view = Views { fx: fx.as_ref(), format };
    let text = match kind {
        ReportKind::Ledger => view.show(
            &models.ledger().report(as_of),
            text::ledger,
            |fx, r| fx.ledger(&r.trial_balance),
            text::converted_ledger,
        ),
        ReportKind::Schedules => view.show(
            &models.schedules().report(as_of),
            text::schedules,
            ReportingCurrency::schedules,
            text::converted_schedules,
        ),
        ReportKind::Aging => view.show(
            &models.aging().report(as_of, AgingOptions::default()),
            text::aging,
            ReportingCurrency::aging,
            text::converted_aging,
        ),
        ReportKind::Mrr => {
            view.show(&models.mrr().report(as_of), text::mrr, ReportingCurrency::mrr, text::converted_mrr)
        }
        ReportKind::Commissions => view.show(
            &models.commissions().report(as_of)?,
            text::commissions,
            ReportingCurrency::commissions,
            text::converted_commissions,
        ),
        ReportKind::Collections => view.show(
            &desk.collections_report(as_of),
            text::collections,
            ReportingCurrency::collections,
            text::converted_collections,
        ),
        ReportKind::Disputes => view.show(
            &desk.disputes_report(as_of),
            text::disputes,
            ReportingCurrency::disputes,
            text::converted_disputes,
        ),
        ReportKind::Renewals => view.show(
            &desk.renewals_report(as_of),
            text::renewals,
            ReportingCurrency::renewals,
            text::converted_renewals,
        ),
        ReportKind::Expansion => view.show(
            &desk.expansion_report(as_of),
            text::expansion,
            ReportingCurrency::expansion,
            text::converted_expansion,
        ),
        ReportKind::Partners => view.show(
            &desk.partners_report(as_of),
            text::partners,
            ReportingCurrency::partners,
            text::converted_partners,
        ),
        ReportKind::Kpis => view.show(
            &desk.kpi_report(as_of, options.gross_margin)?,
            text::kpis,
            ReportingCurrency::kpis,
            text::converted_kpis,
        ),
    }?;
    write_out(out, text.as_bytes())
}

/// How one `revops report` is shown: in which format, and in which
/// reporting currency if any.
struct Views<'a, 'r> {
    fx: Option<&'a ReportingCurrency<'r>>,
    format: Format,
}

impl<'r> Views<'_, 'r> {
    /// `report` in the format: its text with the detail rows or its JSON;
    /// with a reporting currency, its view made by `convert` first.
    fn show<R: serde::Serialize, V: serde::Serialize>(
        &self,
        report: &R,
        text: fn(&R, bool) -> String,
        convert: impl Fn(&ReportingCurrency<'r>, &R) -> Result<V, revops_projections::Error>,
        converted_text: fn(&V) -> String,
    ) -> Result<String, Error> {
        let Some(fx) = self.fx else {
            return render(report, self.format, text);
        };
        let converted = convert(fx, report)?;
        match self.format {
            Format::Text => Ok(format!("{}\n{}", converted_text(&converted), text(report, true))),
            Format::Json => json(&InReportingCurrency { report, converted: &converted }),
        }
    }
}

/// The JSON of a report with a reporting currency: the report as it is and
/// its view in that currency.
#[derive(serde::Serialize)]
struct InReportingCurrency<'a, R, V> {
    report: &'a R,
    converted: &'a V,
}

/// A report in `format`: its text form with the detail rows, or its JSON.
fn render<R: serde::Serialize>(report: &R, format: Format, text: fn(&R, bool) -> String) -> Result<String, Error> {
    match format {
        Format::Text => Ok(text(report, true)),
        Format::Json => json(report),
    }
}

/// A report as pretty-printed JSON, ending in a newline.
fn json(report: &impl serde::Serialize) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(report).map_err(Error::Serialize)?;
    text.push('\n');
    Ok(text)
}

/// `revops demo`: simulates the demo book of business
/// ([`SimulationConfig::default`]: 300 customers over three years, every
/// billing kind, payments late and on time, credits, disputes, churn)
/// through the command API into a new file log in `dir`, closes it, replays
/// it from disk into the projections and writes the headline of the five
/// reports as of `as_of` (the last simulated day when `None`) to `out`.
pub fn demo(dir: &Path, as_of: Option<NaiveDate>, out: &mut dyn Write) -> Result<(), Error> {
    let occupied = match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(source) => return Err(Error::Read { file: dir.to_path_buf(), source }),
    };
    if occupied {
        return Err(Error::DirNotEmpty { dir: dir.to_path_buf() });
    }
    let config = SimulationConfig::default();
    // A generated book can be generated again: one sync at the end is enough.
    let options = FileLogOptions { durability: Durability::OnClose, ..FileLogOptions::default() };
    let mut ledger = Ledger::open(FileLog::open(dir, options)?)?;
    let summary = simulation::simulate(&config, &mut ledger)?;
    ledger.into_inner().close()?;

    let log = open_existing(dir)?;
    let desk = RevenueOperations::replay(&log)?;
    let as_of = as_of.unwrap_or_else(|| config.last_day());
    let reports = desk.models().reports(as_of)?;
    let mut text = format!(
        "revops demo: {} customers, {} contracts and {} events from {} to {} (seed {}),\n\
         written to {} and replayed from it. Reports as of {as_of}.\n\n",
        summary.customers,
        summary.contracts,
        summary.events,
        config.start,
        config.last_day(),
        config.seed,
        dir.display(),
    );
    text.push_str(&text::summary(&reports));
    text.push_str(&format!(
        "\nThe detail: revops report \
         <ledger|schedules|aging|mrr|commissions|collections|disputes|renewals|expansion|partners|kpis> \
         --log {dir} --as-of {as_of} [--json] [--currency CODE]; and revops dashboard --log {dir} --as-of {as_of}\n\n",
        dir = dir.display()
    ));
    text.push_str(&desk.dashboard(as_of, DEMO_REPORTING_CURRENCY)?.to_string());
    write_out(out, text.as_bytes())
}

/// The demo book's reporting currency: the simulated company reports in
/// US dollars and sets EUR and GBP rates into it.
const DEMO_REPORTING_CURRENCY: Currency = Currency::USD;

/// `revops dashboard`: replays the file log in `log_dir` and writes the
/// revenue-operations dashboard of the month of `as_of`, in `reporting`
/// currency, as text or JSON.
pub fn dashboard(
    log_dir: &Path,
    as_of: NaiveDate,
    reporting: Currency,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let desk = RevenueOperations::replay(&open_existing(log_dir)?)?;
    let dashboard = desk.dashboard(as_of, reporting)?;
    let text = match format {
        Format::Text => dashboard.to_string(),
        Format::Json => json(&dashboard)?,
    };
    write_out(out, text.as_bytes())
}

/// `revops bill-run`: issues, through the command API, every invoice due by
/// `as_of` that the file log in `log_dir` does not bill yet, with tax from
/// the JSON rate table at `tax_rates` (`{"US-NY": "0.08875", ...}`), and
/// writes the run's report: invoices issued, withheld (customer on credit
/// hold) and refused (with the rule that refused them). Running it again for
/// the same date issues nothing.
pub fn bill_run(
    log_dir: &Path,
    as_of: NaiveDate,
    tax_rates: &Path,
    recorded_at: DateTime<Utc>,
    format: Format,
    out: &mut dyn Write,
) -> Result<BillRun, Error> {
    let rates: TaxRates = read_json_file(tax_rates)?;
    let mut ledger = Ledger::open(open_existing(log_dir)?)?;
    let run = ledger.bill_run(as_of, &rates, recorded_at)?;
    ledger.into_inner().close()?;
    write_out(out, render(&run, format, ops_text::bill_run)?.as_bytes())?;
    Ok(run)
}

/// `revops credit-check`: the credit policy's decision on an order of
/// `order` (in the customer's currency) by `customer`, with the customer's
/// ARR, payment history and exposure as of `as_of` in the file log in
/// `log_dir`. Appends nothing.
pub fn credit_check(
    log_dir: &Path,
    customer: &str,
    order: Decimal,
    as_of: NaiveDate,
    format: Format,
    out: &mut dyn Write,
) -> Result<CreditDecision, Error> {
    let ledger = Ledger::open(open_existing(log_dir)?)?;
    let customer = CustomerId::new(customer)?;
    let currency = ledger.state().customer(&customer).map(|c| c.currency).ok_or_else(|| {
        revops_events::Error::UnknownEntity { entity: "customer", id: customer.to_string(), field: "customer" }
    })?;
    let decision = ledger.check_credit(&customer, Money::new(order, currency), as_of)?;
    write_out(out, render(&decision, format, ops_text::credit_decision)?.as_bytes())?;
    Ok(decision)
}

/// `revops collections-run`: carries out the collections ladder as of
/// `as_of` on the file log in `log_dir` — records the steps due, places the
/// day-60 credit holds, lifts the holds of customers who paid — and writes
/// what it did (see [`crate::desk`]). Running it again the same day does
/// nothing.
pub fn collections_run(
    log_dir: &Path,
    as_of: NaiveDate,
    recorded_at: DateTime<Utc>,
    format: Format,
    out: &mut dyn Write,
) -> Result<CollectionsRun, Error> {
    let mut ledger = Ledger::open(open_existing(log_dir)?)?;
    let run = run_collections(&mut ledger, as_of, recorded_at)?;
    ledger.into_inner().close()?;
    write_out(out, render(&run, format, ops_text::collections_run)?.as_bytes())?;
    Ok(run)
}
