//! The one error type of revops-events.

/// Everything that can go wrong in revops-events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An entity id that breaks the id rules.
    #[error("invalid {kind} id {id:?}: {problem}")]
    InvalidId {
        /// The kind of entity.
        kind: &'static str,
        /// The id as given (cut to 128 characters).
        id: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A value or calculation error from revops-core.
    #[error(transparent)]
    Core(#[from] revops_core::Error),
}
