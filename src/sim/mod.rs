//! A local simulator of the Recuperador follow-up API, for integration tests, benchmarks,
//! the GUI's demo mode and the CLI's `demo-server` command.
//!
//! - [`dataset`]: the deterministic synthetic data, and the filter semantics the server uses
//!   ([`Dataset::matching`]), so tests can compute the expected answer of any query.
//! - [`server`]: the HTTP server ([`Simulator`]) on 127.0.0.1: Basic auth, parameter
//!   validation as the vendor's ASP.NET server does it, streamed (and optionally compressed)
//!   JSON, a latency knob and injectable [`Fault`]s.
//!
//! ```no_run
//! use recuperador_followups::sim::{SimConfig, Simulator};
//!
//! let sim = Simulator::start(SimConfig::default())?;
//! let debtor = &sim.dataset().debtors()[0];
//! let mut url = sim.url();
//! url.set_query(Some(&format!(
//!     "id_credor={}&cpf_cnpj_formatado={}",
//!     debtor.id_credor, debtor.cpf_cnpj
//! )));
//! // GET `url` with Basic auth: username `sim.token()`, empty password.
//! # Ok::<(), std::io::Error>(())
//! ```

mod body;
pub mod dataset;
mod rules;
pub mod server;

pub use dataset::{
    AGENDA_REFERENCE, Consultant, Creditor, Dataset, DatasetConfig, Debtor, Event, SimFilter,
    huge_history_rows,
};
pub use server::{Fault, SimConfig, Simulator};
