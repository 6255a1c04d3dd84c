//! Derived views of a set of rows, computed off the UI thread and shared by the window, the
//! CLI and the exports so every number has one definition: the summary (group-by with
//! counts, [`summary`]) and the agenda of reschedules ([`agenda`]).

pub mod agenda;
pub mod summary;
