//! A local simulator of the Recuperador follow-up API, for integration tests, benchmarks,
//! the GUI's demo mode and the CLI's `demo-server` command.
//!
//! - [`dataset`]: the deterministic synthetic data (and the filter semantics the server uses).

pub mod dataset;

pub use dataset::{
    Consultant, Creditor, Dataset, DatasetConfig, Debtor, Event, SimFilter, huge_history_rows,
};
