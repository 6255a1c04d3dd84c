//! The Recuperador follow-up API: query and validation, row model, tolerant streaming parser,
//! HTTP client and its errors.

pub mod model;
pub mod query;
pub mod wire;

pub use model::{
    Column, ColumnKind, Followup, ReagendarPara, SharedStr, SimNao, TipoContato, TipoEvento, Value,
};
pub use query::{FieldError, FollowupQuery, QueryField, QueryForm, ReagendarFiltro};
