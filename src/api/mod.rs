//! The Recuperador follow-up API: query and validation, row model, tolerant streaming parser,
//! HTTP client and its errors.

pub mod client;
pub mod error;
pub mod model;
pub mod parse;
pub mod query;
pub mod token;
pub mod wire;

pub use client::{
    ClientConfig, DEFAULT_BASE_URL, FetchOutcome, FetchProgress, FetchSummary, FollowupClient,
    MemoryFootprint, ProgressSnapshot, RowSink,
};
pub use error::{ApiError, ErrorKind};
pub use model::{
    Column, ColumnKind, Followup, FollowupFields, ReagendarPara, SharedStr, SharedText, SimNao,
    TipoContato, TipoEvento, Value,
};
pub use query::{
    DatePreset, FieldError, FollowupQuery, QueryField, QueryFilters, QueryForm, ReagendarFiltro,
};
pub use token::{Token, TokenError};
