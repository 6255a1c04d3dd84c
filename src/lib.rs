//! Recuperador Follow-ups: query the Recuperador CRM follow-up API, hold the negotiation
//! history in memory, sort and filter it, and export it. This comment is the crate's map:
//! read it first.
//!
//! # Layers
//! Each layer uses only the layers listed before it; nothing imports upward.
//! 1. [`sync`] (the poison-tolerant lock), [`doc_id`] (CPF/CNPJ parsing, check digits of
//!    numeric and alphanumeric CNPJ, masks), [`fmt`] (pt-BR dates, numbers, durations),
//!    [`calendar`] (the Brazilian month grid and the date picker's moves).
//! 2. [`api`]: the form and its validation ([`api::QueryForm`] → [`api::FollowupQuery`], a
//!    document plus [`api::QueryFilters`]), the row model ([`api::Followup`], [`api::Column`]),
//!    the tolerant streaming parser, the HTTP client ([`api::FollowupClient`]) and its errors.
//! 3. [`sim`] (the API simulator for tests, benches and the demo; its siblings use it only in
//!    their unit tests), [`results`] (the in-memory result set: sort, quick filter, column
//!    filters and their lists of distinct values, selection, views; the column order and the
//!    saved views, which never hold personal data), [`export`] (XLSX, CSV for Excel pt-BR, JSON, TSV; atomic files or a
//!    stream; the TSV text is also what the window copies), [`secrets`] (the token and the
//!    proxy credentials in the OS keyring), [`analysis`] (derived views of rows, pure and
//!    cancellable: the summary by consultant, channel, period… in [`analysis::summary`]; the
//!    agenda of reschedules and its compliance table in [`analysis::agenda`]; shared by the
//!    window, the CLI and the exports).
//! 4. [`batch`]: many debtors at once: document lists, the runner, the failure list.
//! 5. [`ui`] and the binaries (`src/main.rs`, `src/bin/cli/`): they only parse, draw and
//!    call the layers above. A number shown in the window and printed by the CLI comes from
//!    one library function, pinned by one test.
//!
//! # The life of a search
//! Buscar (or Enter) queues `ui::Command::Search`. At the end of the frame
//! `FollowupsApp::run` validates the form and `ui/app/search.rs` spawns a named task
//! (`ui::tasks::spawn`): [`api::FollowupClient::fetch`] streams the body through the parser on
//! that thread (async reqwest on one shared runtime; cancel, idle and total timeouts checked as
//! bytes arrive), builds a [`results::ResultSet`] and computes the requested view. At the start
//! of a later frame `poll_tasks` installs it if its generation is still current. Sorting and
//! filtering (the quick filter AND every [`results::ColumnFilter`], which outlive a new
//! search) are view tasks of their own; a filter popup's list of distinct values is a task of
//! `ui/app/column_filters.rs`; the table draws only the rows on screen. A batch
//! (`ui/app/batch_run.rs`) runs [`batch::BatchRun`] and appends its rows each frame.
//!
//! # The life of an export
//! `Command::ChooseExportFile` creates the native dialog on the UI thread and awaits it on a
//! task (`ui/app/dialogs.rs`); `Command::ExportTo` spawns [`export::export_rows`], which writes
//! a hidden temporary file beside the destination (progress, cancel at every write) and renames
//! it over the destination only when complete, with a new file's or the replaced file's mode.
//! The CLI's `--output -` streams through [`export::export_to_writer`] instead.
//!
//! # The life of a selection and a copy
//! The table (`ui/table.rs`) is one focusable widget: while it has the focus its keys, and
//! always its clicks, queue `ui::Command::Table`, which `ui/app/selection.rs` applies to a
//! [`results::Selection`] (rows by their identity, the index in arrival order; kept over each
//! newly installed view by `retain_in_view`). Ctrl+C and "Copiar linhas" queue
//! `ui::Command::Copy`: past [`export::clipboard::CONFIRM_COPY_ROWS`] rows the window asks
//! first, then `ui/app/clipboard.rs` builds [`export::clipboard::selected_rows_text`] (the
//! TSV of [`export::tsv`]) on a task and hands it to egui's clipboard output.
//!
//! # Where a new panel goes
//! Its shared numbers in the library first (`src/analysis/` for the summary and the agenda).
//! Its state and logic in `ui/app/<concern>.rs`: a struct that owns its task slots and
//! answers `busy()`, an `impl FollowupsApp` block with `start_*` and `poll_*`, one line in
//! `poll_tasks` and in `busy()`. Its drawing in `ui/<panel>.rs`, which reads the state and
//! queues `ui::Command`s (new variants in `ui/app.rs`) but never performs side effects.
//!
//! # Invariants
//! - The UI thread never blocks: no network, disk, keyring or sort of large data in a frame.
//! - Personal data (CPF/CNPJ, names, interaction text) lives in memory and in files the user
//!   exports: never in logs, `app.ron`, error messages or test snapshots.
//! - The token lives in the OS keyring (or, with a visible warning, in memory) and never
//!   prints: [`api::Token`] masks itself in `Debug` and `Display`.
//! - No panicking arithmetic on data from the server or the user; memory stays bounded
//!   whatever a file or an answer claims.

#![warn(missing_docs)]

pub mod analysis;
pub mod api;
pub mod batch;
pub mod calendar;
pub mod doc_id;
pub mod export;
pub mod fmt;
pub mod results;
pub mod secrets;
pub mod sim;
pub mod sync;
pub mod ui;
