//! The one error type of the `revops` facade.

use std::fmt;
use std::path::{Path, PathBuf};

/// Everything that can go wrong in the facade: reading and parsing a contract
/// file, the rules of revops-core, the event log and its JSON Lines form, and
/// writing a report.
///
/// [`Error::is_bad_input`] tells a caller whether the input was at fault (the
/// CLI exits with code 2) or something else went wrong (code 1).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A contract file that is not JSON, or whose JSON does not fit the
    /// format. The message names the file (when known), the field path, the
    /// line and the column:
    /// `contract.lines[0].price: invalid value: ... at line 12 column 20`.
    #[error("{}{}{message} at line {line} column {column}", FilePrefix(.file.as_deref()), PathPrefix(.path))]
    Parse {
        /// The file that was parsed, when it came from a file.
        file: Option<PathBuf>,
        /// The field path where the error was detected, e.g.
        /// `contract.lines[0].price`; `.` for the document itself.
        path: String,
        /// What is wrong, without the position.
        message: String,
        /// Line of the error, 1-based.
        line: usize,
        /// Column of the error, 1-based (0 when the input ended first).
        column: usize,
    },
    /// A contract file could not be read.
    #[error("cannot read {}: {source}", .file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Terms, performance records or modifications that break a rule of
    /// revops-core (a negative price, an unknown line, ...).
    #[error(transparent)]
    Core(#[from] revops_core::Error),
    /// A report could not be written.
    #[error("cannot write the report: {0}")]
    Write(#[source] std::io::Error),
    /// A report could not be serialized to JSON.
    #[error("cannot serialize the report: {0}")]
    Serialize(#[source] serde_json::Error),
    /// `--log DIR` names no event log (export and reports never create one).
    #[error("no event log at {}", .dir.display())]
    NoLog {
        /// The directory given.
        dir: PathBuf,
    },
    /// The event log or a JSON Lines import or export failed: a refused line
    /// (named by its number and field), a damaged segment, an I/O failure.
    #[error(transparent)]
    Log(#[from] revops_events::Error),
    /// `revops demo` writes a new log and will not mix it into a directory
    /// that already holds files.
    #[error("{} is not empty: the demo writes its log into a new or empty directory", .dir.display())]
    DirNotEmpty {
        /// The directory given.
        dir: PathBuf,
    },
    /// The simulated book could not be generated.
    #[error(transparent)]
    Simulation(#[from] revops_simulation::Error),
    /// Replaying the log into the projections or reading a report failed.
    #[error(transparent)]
    Projection(#[from] revops_projections::Error),
}

impl Error {
    /// True when the input was at fault: a malformed contract file or terms
    /// that break a rule, a JSON Lines line that is not a valid event or that
    /// the log refuses, a missing log, a credit check of an unknown customer
    /// or of an order that is not an amount in the customer's currency, a
    /// reporting currency without a rate in force, a gross margin outside 0
    /// to 1. False for I/O failures and damage.
    pub fn is_bad_input(&self) -> bool {
        use revops_events::Error as Log;
        match self {
            Error::Parse { .. } | Error::Core(_) | Error::NoLog { .. } | Error::DirNotEmpty { .. } => true,
            Error::Log(e) => matches!(
                e,
                Log::Import { .. }
                    | Log::ImportRefused { .. }
                    | Log::Core(_)
                    | Log::InvalidId { .. }
                    | Log::UnknownEntity { .. }
                    | Log::CurrencyMismatch { .. }
                    | Log::Negative { .. }
                    | Log::NotMinorUnits { .. }
            ),
            // The reporting currency or gross margin asked for does not fit
            // the log: no rate in force into that currency, a margin out of
            // range.
            Error::Projection(e) => {
                matches!(
                    e,
                    revops_projections::Error::MissingFxRate { .. } | revops_projections::Error::GrossMargin { .. }
                )
            }
            _ => false,
        }
    }

    /// The process exit code the CLI uses: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.is_bad_input() {
            2
        } else {
            1
        }
    }

    /// Converts a path-tracking serde_json error into [`Error::Parse`] (or
    /// [`Error::Read`] when the reader failed).
    pub(crate) fn from_json(err: serde_path_to_error::Error<serde_json::Error>, file: Option<&Path>) -> Error {
        let path = err.path().to_string();
        Error::from_json_at(path, err.into_inner(), file)
    }

    /// Converts a serde_json error detected at field `path` into
    /// [`Error::Parse`] (or [`Error::Read`] when the reader failed).
    pub(crate) fn from_json_at(path: String, inner: serde_json::Error, file: Option<&Path>) -> Error {
        if inner.is_io() {
            let file = file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("<input>"));
            return Error::Read { file, source: std::io::Error::from(inner) };
        }
        let (line, column) = (inner.line(), inner.column());
        let full = inner.to_string();
        // serde_json appends " at line L column C" to its message; the
        // position is kept in fields of its own.
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        Error::Parse { file: file.map(Path::to_path_buf), path, message, line, column }
    }
}

struct FilePrefix<'a>(Option<&'a Path>);

impl fmt::Display for FilePrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(file) => write!(f, "{}: ", file.display()),
            None => Ok(()),
        }
    }
}

struct PathPrefix<'a>(&'a str);

impl fmt::Display for PathPrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            "" | "." => Ok(()),
            path => write!(f, "{path}: "),
        }
    }
}
