//! The `revops` command line: parses arguments and calls the library.
//!
//! Exit codes: 0 on success, 2 for bad input (a malformed or invalid contract
//! file or event line, a missing log, a reporting currency the log has no
//! rate into, or bad arguments), 1 for anything else (an unreadable file, a
//! damaged log, a failed write).

use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use revops::cli::{Format, ReportKind, ReportOptions, DEFAULT_GROSS_MARGIN};
use revops::core::{Currency, Decimal, NaiveDate};
use revops::events::jsonl::DEFAULT_BATCH_SIZE;
use revops::events::Seq;

/// An event-sourced ledger engine for revenue operations.
#[derive(Debug, Parser)]
#[command(name = "revops", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a book of business (300 customers over three years) into a
    /// new file log, replay it and print the headline of the five reports.
    Demo {
        /// The directory for the log; it must be new or empty. Defaults to a
        /// new directory under the system's temporary directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Report as of this date. Defaults to the last simulated day.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<NaiveDate>,
    },
    /// Print the revenue-recognition schedule of a contract file.
    Schedule {
        /// The contract file (JSON; see examples/contract.json).
        contract: PathBuf,
        /// Report as of this date. Defaults to the contract's end date: the
        /// CLI never reads the clock, so output is deterministic.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<NaiveDate>,
        /// Print the JSON report instead of text tables.
        #[arg(long)]
        json: bool,
    },
    /// Append the events of a JSON Lines file to a file log (created if
    /// needed). A batch is a run of lines on one stream, at most
    /// --batch-size events, appended whole or not at all; events already in
    /// the log are skipped, so importing a file again appends nothing.
    Import {
        /// The JSON Lines file; `-` reads standard input.
        events: PathBuf,
        /// The log directory.
        #[arg(long, value_name = "DIR")]
        log: PathBuf,
        /// The most events one batch (one append) carries.
        #[arg(long, default_value_t = DEFAULT_BATCH_SIZE, value_name = "N")]
        batch_size: usize,
        /// The recorded time stamped on the appended events (RFC 3339).
        /// Defaults to the current time.
        #[arg(long, value_name = "TIMESTAMP")]
        recorded_at: Option<DateTime<Utc>>,
    },
    /// Replay a file log and print one report as of a date.
    Report {
        /// Which report.
        #[arg(value_enum)]
        report: ReportArg,
        /// The log directory.
        #[arg(long, value_name = "DIR")]
        log: PathBuf,
        /// Report as of this date.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: NaiveDate,
        /// Print the JSON report instead of text tables.
        #[arg(long)]
        json: bool,
        /// Also give the report in this reporting currency (ISO 4217), at
        /// the log's rates in force on the as-of date; the original figures
        /// are kept. A currency without a rate is an error.
        #[arg(long, value_name = "CODE")]
        currency: Option<Currency>,
        /// The gross margin (a fraction from 0 to 1) of the lifetime value
        /// in the kpis report; the other reports ignore it.
        #[arg(long, default_value_t = DEFAULT_GROSS_MARGIN, value_name = "FRACTION")]
        gross_margin: Decimal,
    },
    /// Replay a file log and print the revenue-operations dashboard of the
    /// month of a date: revenue, invoicing, AR aging, commissions, alerts.
    Dashboard {
        /// The log directory.
        #[arg(long, value_name = "DIR")]
        log: PathBuf,
        /// The dashboard as of this date.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: NaiveDate,
        /// The reporting currency (ISO 4217); other currencies convert at
        /// the log's rates in force on the as-of date.
        #[arg(long, default_value = "USD", value_name = "CODE")]
        currency: Currency,
        /// Print the JSON dashboard instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Issue every invoice due by a date that the log does not bill yet
    /// (subscriptions in advance, milestones on acceptance, T&M and usage in
    /// arrears), with tax from a rate table; customers on credit hold are
    /// withheld. Running it again for the same date issues nothing.
    BillRun {
        /// The log directory.
        #[arg(long, value_name = "DIR")]
        log: PathBuf,
        /// Bill what is due by this date; invoices are dated on it.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: NaiveDate,
        /// The tax rate per jurisdiction, a JSON object
        /// (see examples/tax_rates.json).
        #[arg(long, value_name = "FILE")]
        tax_rates: PathBuf,
        /// The recorded time stamped on the invoices (RFC 3339). Defaults to
        /// the current time.
        #[arg(long, value_name = "TIMESTAMP")]
        recorded_at: Option<DateTime<Utc>>,
        /// Print the JSON report instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Carry out the collections ladder on a date: record the steps due
    /// (day 0, 7, 15, 30, 45, 60, 75, 90 from the due date), put customers
    /// with an invoice at day 60 on credit hold, lift the holds of customers
    /// who paid. Running it again the same day does nothing.
    CollectionsRun {
        /// The log directory.
        #[arg(long, value_name = "DIR")]
        log: PathBuf,
        /// The run date; every step and hold is dated on it.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: NaiveDate,
        /// The recorded time stamped on the events (RFC 3339). Defaults to
        /// the current time.
        #[arg(long, value_name = "TIMESTAMP")]
        recorded_at: Option<DateTime<Utc>>,
        /// Print the JSON report instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check an order against the credit policy: approved, deposit required
    /// (with the amount) or refused, with the reason. Appends nothing.
    CreditCheck {
        /// The log directory.
        #[arg(long, value_name = "DIR")]
        log: PathBuf,
        /// The customer id.
        #[arg(long, value_name = "ID")]
        customer: String,
        /// The order amount, in the customer's currency.
        #[arg(long, value_name = "AMOUNT")]
        order: Decimal,
        /// Count ARR, payment history and exposure as of this date.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: NaiveDate,
        /// Print the JSON decision instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write the events of a file log as JSON Lines to standard output.
    Export {
        /// The log directory.
        #[arg(long, value_name = "DIR")]
        log: PathBuf,
        /// Start at this position (0 = the first event).
        #[arg(long, default_value_t = 0, value_name = "SEQ")]
        from: u64,
    },
}

/// The reports of `revops report`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ReportArg {
    /// The journal and trial balance.
    Ledger,
    /// Revenue schedules per contract.
    Schedules,
    /// AR aging, DSO, days to pay and collection rate.
    Aging,
    /// MRR, ARR and the monthly bridge.
    Mrr,
    /// Commissions per rep.
    Commissions,
    /// The collections ladder and credit holds.
    Collections,
    /// Open and resolved disputes and SLA breaches.
    Disputes,
    /// The renewal pipeline, ARR at risk and forecast.
    Renewals,
    /// Contract modifications by class and their ARR effect.
    Expansion,
    /// Partner-sourced, influenced and co-sell ARR, SPIFs and MDF.
    Partners,
    /// DSO, credit and dispute rates, ARPA, churn, LTV, GRR and NRR.
    Kpis,
}

impl From<ReportArg> for ReportKind {
    fn from(arg: ReportArg) -> ReportKind {
        match arg {
            ReportArg::Ledger => ReportKind::Ledger,
            ReportArg::Schedules => ReportKind::Schedules,
            ReportArg::Aging => ReportKind::Aging,
            ReportArg::Mrr => ReportKind::Mrr,
            ReportArg::Commissions => ReportKind::Commissions,
            ReportArg::Collections => ReportKind::Collections,
            ReportArg::Disputes => ReportKind::Disputes,
            ReportArg::Renewals => ReportKind::Renewals,
            ReportArg::Expansion => ReportKind::Expansion,
            ReportArg::Partners => ReportKind::Partners,
            ReportArg::Kpis => ReportKind::Kpis,
        }
    }
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Demo { dir, as_of } => {
            let dir = dir.unwrap_or_else(|| {
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                std::env::temp_dir().join(format!("revops-demo-{}-{}", std::process::id(), now.as_micros()))
            });
            revops::cli::demo(&dir, as_of, &mut std::io::stdout().lock())
        }
        Command::Schedule { contract, as_of, json } => {
            let format = if json { Format::Json } else { Format::Text };
            revops::cli::schedule(&contract, as_of, format, &mut std::io::stdout().lock())
        }
        Command::Import { events, log, batch_size, recorded_at } => {
            let recorded_at = recorded_at.unwrap_or_else(|| std::time::SystemTime::now().into());
            let stdout = &mut std::io::stdout().lock();
            if events.as_os_str() == "-" {
                revops::cli::import(std::io::stdin().lock(), &log, batch_size, recorded_at, stdout)
            } else {
                match std::fs::File::open(&events) {
                    Ok(file) => revops::cli::import(BufReader::new(file), &log, batch_size, recorded_at, stdout),
                    Err(source) => Err(revops::Error::Read { file: events, source }),
                }
            }
            .map(drop)
        }
        Command::Report { report, log, as_of, json, currency, gross_margin } => {
            let format = if json { Format::Json } else { Format::Text };
            let options = ReportOptions { currency, gross_margin };
            revops::cli::report(&log, report.into(), as_of, options, format, &mut std::io::stdout().lock())
        }
        Command::Dashboard { log, as_of, currency, json } => {
            let format = if json { Format::Json } else { Format::Text };
            revops::cli::dashboard(&log, as_of, currency, format, &mut std::io::stdout().lock())
        }
        Command::BillRun { log, as_of, tax_rates, recorded_at, json } => {
            let recorded_at = recorded_at.unwrap_or_else(|| std::time::SystemTime::now().into());
            let format = if json { Format::Json } else { Format::Text };
            revops::cli::bill_run(&log, as_of, &tax_rates, recorded_at, format, &mut std::io::stdout().lock()).map(drop)
        }
        Command::CollectionsRun { log, as_of, recorded_at, json } => {
            let recorded_at = recorded_at.unwrap_or_else(|| std::time::SystemTime::now().into());
            let format = if json { Format::Json } else { Format::Text };
            revops::cli::collections_run(&log, as_of, recorded_at, format, &mut std::io::stdout().lock()).map(drop)
        }
        Command::CreditCheck { log, customer, order, as_of, json } => {
            let format = if json { Format::Json } else { Format::Text };
            revops::cli::credit_check(&log, &customer, order, as_of, format, &mut std::io::stdout().lock()).map(drop)
        }
        Command::Export { log, from } => revops::cli::export(&log, Seq(from), &mut std::io::stdout().lock()).map(drop),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
