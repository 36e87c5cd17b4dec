//! The `revops` command line.
fn main() {}
