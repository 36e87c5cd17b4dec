//! The contract file read by `revops schedule`: one JSON object with a
//! contract's terms, what was performed under it, its modifications and the
//! recognition settings.
//!
//! ```json
//! {
//!   "contract": { "contract": "C-1", "currency": "USD", "start_date": "2026-01-01", ... },
//!   "performance": { "milestones_accepted": [...], "deliveries": [...] },
//!   "modifications": [ { "effective_on": "2026-05-01", "treatment": "prospective", "changes": [...] } ],
//!   "settings": { "spread": { "cumulative": "half_up" }, "extension": "half_up" }
//! }
//! ```
//!
//! `contract` is a [`Contract`] in the snake_case JSON of the
//! `contract_signed` event (amounts as strings, dates `YYYY-MM-DD`);
//! `performance`, `modifications` and `settings` may be left out. Unknown
//! keys at the top level are refused, so a misspelt section is not silently
//! ignored. A malformed file is an [`Error::Parse`] naming the field path,
//! line and column.

use std::io::Read;
use std::path::Path;

use revops_core::modification::Modification;
use revops_core::performance::Performance;
use revops_core::recognition::{schedule, RecognitionSettings};
use revops_core::schedule::RevenueSchedule;
use revops_core::terms::{Contract, ContractLine};
use revops_core::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::report::ScheduleReport;
use crate::Error;

/// A contract with everything needed to compute its revenue schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractFile {
    /// The signed terms.
    pub contract: Contract,
    /// Accepted milestones, deliveries, approved time and usage; none when
    /// absent.
    #[serde(default)]
    pub performance: Performance,
    /// Contract modifications, in any order (they apply in effective-date
    /// order); none when absent.
    #[serde(default)]
    pub modifications: Vec<Modification>,
    /// Rounding choices; cumulative half-up spreading and half-up extension
    /// when absent.
    #[serde(default)]
    pub settings: RecognitionSettings,
}

impl ContractFile {
    /// A contract with nothing performed, no modifications and the default
    /// settings.
    pub fn new(contract: Contract) -> Self {
        ContractFile {
            contract,
            performance: Performance::default(),
            modifications: Vec::new(),
            settings: RecognitionSettings::default(),
        }
    }

    /// Parses a contract file from JSON text.
    ///
    /// ```
    /// use revops::contract_file::ContractFile;
    ///
    /// let err = ContractFile::from_json_str(r#"{"contract": {"contract": 7}}"#).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "contract.contract: invalid type: integer `7`, expected a string at line 1 column 27"
    /// );
    /// ```
    pub fn from_json_str(json: &str) -> Result<Self, Error> {
        parse(&mut serde_json::Deserializer::from_str(json), None)
    }

    /// Parses a contract file from a reader of JSON. Buffer the reader (e.g.
    /// with [`std::io::BufReader`]) if it is unbuffered.
    pub fn from_reader<R: Read>(reader: R) -> Result<Self, Error> {
        parse(&mut serde_json::Deserializer::from_reader(reader), None)
    }

    /// Reads and parses the contract file at `path`; errors name the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        read_json_file(path.as_ref())
    }

    /// The contract as pretty-printed JSON in the format
    /// [`ContractFile::from_json_str`] reads.
    pub fn to_json_pretty(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self).map_err(Error::Serialize)
    }

    /// Computes the revenue schedule of the contract.
    pub fn schedule(&self) -> Result<RevenueSchedule, Error> {
        Ok(schedule(&self.contract, &self.performance, &self.modifications, self.settings)?)
    }

    /// Computes the schedule and its report as of `as_of`, or as of the
    /// contract's end date when `None`. The clock is never read: the same
    /// file always gives the same report.
    pub fn report(&self, as_of: Option<NaiveDate>) -> Result<ScheduleReport, Error> {
        let schedule = self.schedule()?;
        Ok(ScheduleReport::new(self, &schedule, as_of.unwrap_or(self.contract.end_date)))
    }

    /// The terms of the line with id `line`: a line of the contract or one a
    /// modification adds.
    pub fn line(&self, line: &str) -> Option<&ContractLine> {
        let added = self.modifications.iter().flat_map(|m| &m.changes).filter_map(|change| match change {
            revops_core::modification::LineChange::Add { line } => Some(line),
            _ => None,
        });
        self.contract.lines.iter().chain(added).find(|l| l.line == line)
    }
}

/// Reads and parses the JSON file at `path`; errors name the file, the field
/// path, the line and the column.
pub(crate) fn read_json_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Error> {
    let text = std::fs::read(path).map_err(|source| Error::Read { file: path.to_path_buf(), source })?;
    parse(&mut serde_json::Deserializer::from_slice(&text), Some(path))
}

fn parse<'de, T: serde::Deserialize<'de>, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    file: Option<&Path>,
) -> Result<T, Error> {
    let parsed = serde_path_to_error::deserialize(&mut *de).map_err(|e| Error::from_json(e, file))?;
    // Trailing characters after the object are an error too.
    de.end().map_err(|e| Error::from_json_at(".".to_owned(), e, file))?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
  "contract": {
    "contract": "C-1",
    "currency": "USD",
    "start_date": "2026-01-01",
    "end_date": "2026-12-31",
    "billing_frequency": "annually",
    "payment_terms": "upfront",
    "lines": [
      {
        "line": "L1",
        "kind": "subscription",
        "price": "1200.00",
        "recognition": { "method": "ratable" }
      }
    ]
  }
}"#;

    fn parse_err(json: &str) -> (String, usize, usize, String) {
        match ContractFile::from_json_str(json) {
            Err(Error::Parse { path, line, column, message, file: None }) => (path, line, column, message),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn a_minimal_file_takes_the_defaults() {
        let file = ContractFile::from_json_str(MINIMAL).unwrap();
        assert_eq!(file.contract.lines.len(), 1);
        assert!(file.performance.is_empty());
        assert!(file.modifications.is_empty());
        assert_eq!(file.settings, RecognitionSettings::default());
        let schedule = file.schedule().unwrap();
        assert_eq!(schedule.recognized_as_of("2026-01-31".parse().unwrap()).to_string(), "100.00 USD");
    }

    #[test]
    fn round_trips_through_json() {
        let file = ContractFile::from_json_str(MINIMAL).unwrap();
        let again = ContractFile::from_json_str(&file.to_json_pretty().unwrap()).unwrap();
        assert_eq!(again, file);
    }

    #[test]
    fn a_bad_amount_names_the_field_path_line_and_column() {
        let json = MINIMAL.replace(r#""price": "1200.00""#, r#""price": "1,200.00""#);
        let (path, line, column, message) = parse_err(&json);
        assert_eq!(path, "contract.lines[0].price");
        assert_eq!((line, column), (13, 27));
        assert!(message.contains("1,200.00"), "{message}");
        let shown = ContractFile::from_json_str(&json).unwrap_err().to_string();
        assert!(shown.starts_with("contract.lines[0].price: "), "{shown}");
        assert!(shown.ends_with(" at line 13 column 27"), "{shown}");
    }

    #[test]
    fn a_float_amount_is_refused() {
        let json = MINIMAL.replace(r#""price": "1200.00""#, r#""price": 1200.5"#);
        let (path, ..) = parse_err(&json);
        assert_eq!(path, "contract.lines[0].price");
    }

    #[test]
    fn a_missing_field_names_its_parent() {
        let json = MINIMAL.replace(r#""kind": "subscription","#, "");
        let (path, _, _, message) = parse_err(&json);
        assert_eq!(path, "contract.lines[0]");
        assert_eq!(message, "missing field `kind`");
    }

    #[test]
    fn unknown_sections_and_trailing_text_are_refused() {
        let json = MINIMAL.replacen('{', r#"{"modification": [],"#, 1);
        let (path, line, _, message) = parse_err(&json);
        assert_eq!(path, "modification");
        assert_eq!(line, 1);
        assert!(message.starts_with("unknown field `modification`"), "{message}");

        let (path, ..) = parse_err(&format!("{MINIMAL} {{}}"));
        assert_eq!(path, ".");
        let shown = ContractFile::from_json_str(&format!("{MINIMAL} x")).unwrap_err().to_string();
        assert_eq!(shown, "trailing characters at line 18 column 3");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let shown = ContractFile::from_json_str("").unwrap_err().to_string();
        assert_eq!(shown, "EOF while parsing a value at line 1 column 0");
        let err = ContractFile::from_json_str(&MINIMAL.replace("\"L1\",", "\"L1\"")).unwrap_err();
        assert!(err.is_bad_input());
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn rule_violations_come_from_core() {
        let json = MINIMAL.replace(r#""price": "1200.00""#, r#""price": "-5.00""#);
        let file = ContractFile::from_json_str(&json).unwrap();
        let err = file.schedule().unwrap_err();
        assert!(matches!(err, Error::Core(revops_core::Error::InvalidLine { field: "price", .. })));
        assert_eq!(err.exit_code(), 2);
        assert_eq!(err.to_string(), "contract line \"L1\": price must not be negative");
    }

    #[test]
    fn a_missing_file_is_not_bad_input() {
        let err = ContractFile::from_path("/nonexistent/contract.json").unwrap_err();
        assert!(matches!(err, Error::Read { .. }));
        assert_eq!(err.exit_code(), 1);
        assert!(err.to_string().starts_with("cannot read /nonexistent/contract.json: "));
    }
}
