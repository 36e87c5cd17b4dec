//! Plain-text tables for the CLI's reports.

use std::fmt::{self, Write as _};

#[derive(Clone, Copy)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A plain-text table: columns padded to their widest cell, two spaces
/// apart, no trailing spaces.
pub(crate) struct Table {
    headers: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(headers: &[(&str, Align)]) -> Self {
        Table { headers: headers.iter().map(|&(h, a)| (h.to_owned(), a)).collect(), rows: Vec::new() }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        self.headers
            .iter()
            .enumerate()
            .map(|(i, (h, _))| self.rows.iter().map(|r| r[i].chars().count()).chain([h.chars().count()]).max().unwrap())
            .collect()
    }

    fn write_line<W: fmt::Write + ?Sized>(&self, f: &mut W, cells: &[String], widths: &[usize]) -> fmt::Result {
        let mut line = String::new();
        for (i, (cell, &width)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = width - cell.chars().count();
            match self.headers[i].1 {
                Align::Left => write!(line, "{cell}{:pad$}", "")?,
                Align::Right => write!(line, "{:pad$}{cell}", "")?,
            }
        }
        writeln!(f, "{}", line.trim_end())
    }

    /// The header line and the rows.
    pub(crate) fn write<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let widths = self.widths();
        let headers: Vec<String> = self.headers.iter().map(|(h, _)| h.clone()).collect();
        self.write_line(f, &headers, &widths)?;
        self.write_body_with(f, &widths)
    }

    /// The rows only.
    pub(crate) fn write_body<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        self.write_body_with(f, &self.widths())
    }

    fn write_body_with<W: fmt::Write + ?Sized>(&self, f: &mut W, widths: &[usize]) -> fmt::Result {
        self.rows.iter().try_for_each(|row| self.write_line(f, row, widths))
    }
}
