//! Derived views of a set of rows: the summary (group-by with counts, issue 13) and the
//! agenda of reschedules. Pure functions over [`crate::results::Rows`] or plain rows, shared
//! by the window, the CLI and the exports so every number has one definition.

pub mod summary;
