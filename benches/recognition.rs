//! Placeholder replaced by the recognition benchmark.
fn main() {}
