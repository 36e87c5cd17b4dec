//! The `revops` command line: parses arguments and calls the library.
//!
//! Exit codes: 0 on success, 2 for bad input (a malformed or invalid contract
//! file, or bad arguments), 1 for anything else (an unreadable file, a failed
//! write).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use revops::cli::Format;
use revops::core::NaiveDate;

/// An event-sourced ledger engine for revenue operations.
#[derive(Debug, Parser)]
#[command(name = "revops", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Schedule { contract, as_of, json } => {
            let format = if json { Format::Json } else { Format::Text };
            revops::cli::schedule(&contract, as_of, format, &mut std::io::stdout().lock())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
