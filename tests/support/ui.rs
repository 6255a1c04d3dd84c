//! The window under egui_kittest: a harness of the whole app pointed at a simulator, and the
//! steps every window test takes (typing into a labelled field, waiting for background work,
//! searching).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use recuperador_followups::api::Token;
use recuperador_followups::secrets::{MemoryStore, TokenStore as _};
use recuperador_followups::sim::Simulator;
use recuperador_followups::ui::{FollowupsApp, LaunchOptions, Persisted};

/// The day the window believes is today in tests (presets and pickers depend on it).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

pub fn app_harness(sim: &Simulator, token: &str) -> Harness<'static, FollowupsApp> {
    app_harness_at(sim, token, egui::vec2(1400.0, 900.0), 1.0)
}

/// The app on `size` points at `pixels_per_point`, its token stored, pointed at `sim`.
pub fn app_harness_at(
    sim: &Simulator,
    token: &str,
    size: egui::Vec2,
    pixels_per_point: f32,
) -> Harness<'static, FollowupsApp> {
    let persisted = Persisted {
        base_url: sim.url().to_string(),
        ..Persisted::default()
    };
    harness_with(persisted, token, size, pixels_per_point)
}

/// The app started from `persisted` on `size` points at `pixels_per_point`, with `token`
/// stored, once the token has loaded.
pub fn harness_with(
    persisted: Persisted,
    token: &str,
    size: egui::Vec2,
    pixels_per_point: f32,
) -> Harness<'static, FollowupsApp> {
    let store = Arc::new(MemoryStore::default());
    store.save(&Token::parse(token).unwrap()).unwrap();
    let options = LaunchOptions {
        demo: false,
        today: Some(today()),
        token_store: Some(store),
        started_at: None,
    };
    let mut harness = Harness::builder()
        .with_size(size)
        .with_pixels_per_point(pixels_per_point)
        .build_eframe(move |cc| FollowupsApp::new(&cc.egui_ctx, Some(persisted), options));
    step_until(&mut harness, "the token to load", |app| {
        app.active_token().is_some()
    });
    harness
}

/// Steps frames until `done` holds (a bounded wait for background work, not a timing check).
pub fn step_until(
    harness: &mut Harness<'_, FollowupsApp>,
    what: &str,
    done: impl Fn(&FollowupsApp) -> bool,
) {
    let started = Instant::now();
    while !done(harness.state()) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.step();
}

pub fn type_into(harness: &mut Harness<'_, FollowupsApp>, label: &str, text: &str) {
    wait_for_label(harness, label);
    harness.get_by_label(label).focus();
    harness.step();
    harness.get_by_label(label).type_text(text);
    // Let messages that depend on the new text appear before the next query.
    harness.step();
    harness.step();
}

/// Steps until a widget labelled `label` is on screen (windows appear a frame or two after
/// they are opened).
pub fn wait_for_label(harness: &mut Harness<'_, FollowupsApp>, label: &str) {
    let started = Instant::now();
    while harness.query_by_label(label).is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "«{label}» never appeared"
        );
        harness.step();
    }
}

/// The debtor with the longest history, as `(id_credor, document)`.
pub fn busiest(sim: &Simulator) -> (i64, String) {
    let dataset = sim.dataset();
    let debtor = dataset
        .debtors()
        .iter()
        .max_by_key(|d| dataset.history_len(d))
        .unwrap();
    (debtor.id_credor, debtor.cpf_cnpj.clone())
}

pub fn search(harness: &mut Harness<'_, FollowupsApp>, id_credor: i64, doc: &str) {
    type_into(harness, "Credor", &id_credor.to_string());
    type_into(harness, "CPF/CNPJ", doc);
    harness
        .get_by_role_and_label(Role::Button, "Buscar")
        .click();
    harness.step();
    step_until(harness, "the search to finish", |app| {
        !app.searching() && !app.view_pending()
    });
}

pub fn all_texts(harness: &Harness<'_, FollowupsApp>) -> Vec<String> {
    let mut texts = Vec::new();
    let mut stack = vec![harness.root()];
    while let Some(node) = stack.pop() {
        let ak = node.accesskit_node();
        texts.extend(ak.label());
        texts.extend(ak.value());
        stack.extend(node.children());
    }
    texts
}

/// Replaces a field's text: select all, then type.
pub fn retype(harness: &mut Harness<'_, FollowupsApp>, label: &str, text: &str) {
    wait_for_label(harness, label);
    harness.get_by_label(label).focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    harness.key_press(egui::Key::Backspace);
    harness.step();
    if !text.is_empty() {
        harness.get_by_label(label).type_text(text);
    }
    harness.step();
    harness.step();
}

/// The app started from saved settings `persisted` (what a restart loads), with `token`
/// stored and "today" pinned; waits for the token to load.
pub fn app_harness_from(persisted: Persisted, token: &str) -> Harness<'static, FollowupsApp> {
    harness_with(persisted, token, egui::vec2(1400.0, 900.0), 1.0)
}

/// eframe's settings storage, in memory: what `app.ron` holds, as text.
#[derive(Default)]
pub struct MemoryStorage(pub std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

/// The text of a `CopyText` command in the last frame's output, if any.
pub fn copied_now(harness: &Harness<'_, FollowupsApp>) -> Option<String> {
    harness
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|command| match command {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
}

/// Steps frame by frame until the window hands text to the clipboard; returns it.
pub fn wait_for_copy(harness: &mut Harness<'_, FollowupsApp>) -> String {
    let started = Instant::now();
    loop {
        if let Some(text) = copied_now(harness) {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "nothing was copied"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Presses Enter in a typed-path export window: the export starts on that frame and is
/// waited for.
pub fn export_with_enter(harness: &mut Harness<'_, FollowupsApp>) {
    harness.key_press(egui::Key::Enter);
    harness.step();
    assert!(
        harness.state().export.task.is_some() || harness.state().export.done.is_some(),
        "Enter started the export"
    );
    step_until(harness, "the export", |app| {
        app.export.task.is_none() && app.export.done.is_some()
    });
}
