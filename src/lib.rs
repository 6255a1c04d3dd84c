//! Recuperador Follow-ups: query the Recuperador CRM follow-up API, hold the negotiation
//! history in memory, sort and filter it, and export it.
//!
//! The crate's map:
//! - [`doc_id`]: CPF/CNPJ normalisation, check digits (numeric and alphanumeric CNPJ), masks.
//! - [`api`]: the query and its validation, the row model, the tolerant streaming parser,
//!   the HTTP client and its errors.
//! - [`batch`]: many debtors at once: a list of CPF/CNPJs (pasted or from a file), one query
//!   per document on a few threads, progress, cancel and the failure list.
//! - [`results`]: the in-memory result set: sorting, quick filter, views.
//! - [`export`]: writing rows to XLSX, CSV (Excel pt-BR) and JSON files, atomically, with
//!   progress and cancellation.
//! - [`sim`]: a local simulator of the API, for tests, benchmarks and the demo mode.
//! - [`secrets`]: where the API token and the proxy credentials live (the OS keyring).
//! - [`ui`]: the desktop window (state and logic in `ui::app`, one module per panel).
//! - [`fmt`]: Brazilian Portuguese formatting of dates and numbers.
//! - [`sync`]: the poison-tolerant mutex lock every layer uses.
//!
//! Binaries are thin: `recuperador-followups-cli` parses arguments and calls this library.

#![warn(missing_docs)]

pub mod api;
pub mod batch;
pub mod doc_id;
pub mod export;
pub mod fmt;
pub mod results;
pub mod secrets;
pub mod sim;
pub mod sync;
pub mod ui;
