//! Demo mode: the API simulator started inside the app, the form pointed at one of its
//! debtors, and leaving it.

use std::time::Duration;

use poll_promise::Promise;

use super::super::tasks::{self, TaskPanicked};
use super::{Banner, FollowupsApp};
use crate::results::ResultSet;
use crate::sim::{SimConfig, Simulator};

/// The simulator starting in the background.
pub struct DemoStart {
    promise: Promise<Result<std::io::Result<Simulator>, TaskPanicked>>,
}

/// The simulator, when demo mode is on.
pub enum DemoState {
    /// Off.
    Off,
    /// Starting in the background.
    Starting(DemoStart),
    /// Running; the app talks to it.
    Running(Simulator),
}

impl DemoState {
    /// Whether the simulator is starting.
    pub fn busy(&self) -> bool {
        matches!(self, DemoState::Starting(_))
    }
}

impl FollowupsApp {
    /// Whether demo mode is on.
    pub fn is_demo(&self) -> bool {
        matches!(self.demo, DemoState::Running(_))
    }

    /// Starts the simulator in the background (ignored unless demo mode is off).
    pub(super) fn start_demo(&mut self, ctx: &egui::Context) {
        if !matches!(self.demo, DemoState::Off) {
            return;
        }
        self.demo = DemoState::Starting(DemoStart {
            promise: tasks::spawn(ctx, "demo", || {
                Simulator::start(SimConfig {
                    latency: Duration::from_millis(150),
                    ..SimConfig::default()
                })
            }),
        });
    }

    /// Stops using the simulator: its rows and the batch leave with it.
    pub(super) fn leave_demo(&mut self) {
        // Dropping a batch's handle cancels it.
        self.batch.task = None;
        self.batch.last = None;
        self.batch.forget_screen();
        self.demo = DemoState::Off;
        self.results = ResultSet::new();
        self.last_fetch = None;
        self.table.forget();
    }

    /// Switches demo mode on once the simulator runs, with the form filled with one of its
    /// debtors (and, for "Vários documentos", the creditor's list).
    pub(super) fn poll_demo(&mut self) {
        let ready =
            matches!(&self.demo, DemoState::Starting(start) if start.promise.ready().is_some());
        if !ready {
            return;
        }
        let DemoState::Starting(start) = std::mem::replace(&mut self.demo, DemoState::Off) else {
            return;
        };
        let detail = match start.promise.block_and_take() {
            Ok(Ok(sim)) => {
                self.fill_form_from(&sim);
                self.demo = DemoState::Running(sim);
                self.banner = None;
                return;
            }
            Ok(Err(error)) => error.to_string(),
            Err(panicked) => panicked.to_string(),
        };
        self.banner = Some(Banner {
            message: "Não foi possível iniciar a demonstração.".to_owned(),
            detail,
            token_hint: false,
        });
    }

    /// Points the form at a debtor with a history, so "Buscar" shows rows at once.
    fn fill_form_from(&mut self, sim: &Simulator) {
        let dataset = sim.dataset();
        let example = dataset
            .debtors()
            .iter()
            .filter(|d| !d.huge)
            .max_by_key(|d| dataset.history_len(d));
        let Some(debtor) = example else {
            return;
        };
        self.persisted.id_credor = debtor.id_credor.to_string();
        self.cpf_cnpj = crate::doc_id::format_lenient(&debtor.cpf_cnpj);
        if self.batch.text.trim().is_empty() {
            // The creditor's fictitious debtors, for "Vários documentos".
            let list: Vec<String> = dataset
                .documents_of(debtor.id_credor)
                .iter()
                .map(|doc| crate::doc_id::format_lenient(doc))
                .collect();
            self.batch.text = list.join("\n");
        }
    }
}
