//! The one error type of revops-projections.

/// What can go wrong reading a projection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value or calculation error from revops-core.
    #[error(transparent)]
    Core(#[from] revops_core::Error),
    /// A report could not be serialized to JSON.
    #[error("cannot serialize the report: {0}")]
    Serialize(#[from] serde_json::Error),
}
