//! Derived views of a set of rows, computed off the UI thread and shared by the window, the
//! CLI and the exports: the agenda of reschedules ([`agenda`]).

pub mod agenda;
