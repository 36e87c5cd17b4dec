//! What the `revops` command does, as library functions: the binary only
//! parses its arguments and calls these.
//!
//! The CLI never reads the clock for business dates: `schedule` without an
//! as-of date reports as of the contract's end date, so the same file always
//! prints the same output.

use std::io::Write;
use std::path::Path;

use revops_core::NaiveDate;

use crate::contract_file::ContractFile;
use crate::Error;

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
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // The reader went away (`revops schedule ... | head`): nothing to report.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result.map_err(Error::Write),
    }
}
