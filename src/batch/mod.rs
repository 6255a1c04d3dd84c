//! Many debtors at once: one query per CPF/CNPJ of a list, the other filters shared.
//!
//! - [`input`]: the list, pasted or read from a `.txt`, `.csv` or `.xlsx` file, normalised and
//!   checked like the single field (valid, check-digit warnings, invalid with line numbers,
//!   duplicates dropped); a file's column chosen by name or letter, and several lists merged
//!   into one ([`merge_document_lists`]).
//! - [`run`]: the batch itself on a few worker threads: progress, rows handed over in chunks,
//!   cancel, the failure list, a stop at the first refused token, and a stop when the server
//!   cannot be reached.
//! - [`report`]: the failure list as an Excel-friendly CSV file.
//!
//! How a caller drives a batch: validate the shared filters with
//! [`QueryForm::validate_filters`](crate::api::QueryForm::validate_filters), start with
//! [`BatchRun::start`] (or [`BatchRun::start_with_notify`] to be woken up), then poll:
//! [`BatchHandle::take_new_rows`] into the result set (which drops repeated `id_followup`s),
//! [`BatchHandle::progress`] for the bar, until [`BatchHandle::is_finished`]; then
//! [`BatchHandle::summary`] gives the outcome: [`BatchSummary::failure_rows`] the failure list
//! (the window's and the command line's), [`BatchSummary::unfinished_documents`] the
//! documents to run again, and [`BatchSummary::merge_retry`] the outcome of a batch and its
//! retry as one.

pub mod input;
pub mod report;
pub mod run;
mod sheets;

pub use input::{
    BatchInputError, DocumentFile, DocumentList, InvalidEntry, LIST_FILE_EXTENSIONS,
    MAX_INVALID_KEPT, MAX_LIST_CELLS, MAX_LIST_DOCUMENTS, MAX_LIST_ROWS, MAX_TEXT_FILE_BYTES,
    MergedDocuments, is_list_file, merge_document_lists, parse_document_list, read_document_file,
};
pub use report::write_failures_csv;
pub use run::{
    BatchFailure, BatchHandle, BatchProgress, BatchRun, BatchStop, BatchSummary,
    DEFAULT_CONCURRENCY, FailureKind, MAX_CONCURRENCY, NOT_RUN_CANCELLED_MESSAGE, NOT_RUN_MESSAGE,
    UNREACHABLE_AFTER, UNREACHABLE_MESSAGE,
};
