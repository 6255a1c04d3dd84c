//! The window under interruption and the settings that hold secrets, driven headless with
//! egui_kittest against the simulator: closing the window during an export or a batch, Enter
//! in the export path field, the proxy's credentials kept out of the settings file, and the
//! message shown where no keyring exists.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use recuperador_followups::api::Token;
use recuperador_followups::results::ResultSet;
use recuperador_followups::secrets::{MemoryStore, ProxyCredentials, SecretError, TokenStore};
use recuperador_followups::sim::{Simulator, huge_history_rows};
use recuperador_followups::ui::app::EXIT_WAIT;
use recuperador_followups::ui::{Command, FollowupsApp, LaunchOptions, Persisted};

mod support;

use support::ui::{all_texts, export_with_enter, retype, step_until, type_into, wait_for_label};

const TOKEN: &str = "window-test-token-808";

fn simulator() -> Simulator {
    support::simulator(TOKEN, 9, 30)
}

/// The app with `store` (holding the test token) and `persisted`.
fn harness_with(
    store: Arc<dyn TokenStore>,
    persisted: Persisted,
) -> Harness<'static, FollowupsApp> {
    let options = LaunchOptions {
        demo: false,
        today: NaiveDate::from_ymd_opt(2026, 11, 29),
        token_store: Some(store),
        started_at: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| FollowupsApp::new(&cc.egui_ctx, Some(persisted), options));
    step_until(&mut harness, "the token store to load", |app| {
        matches!(
            app.token,
            recuperador_followups::ui::app::TokenState::Ready { .. }
        )
    });
    harness
}

fn app_harness(sim: &Simulator) -> (Harness<'static, FollowupsApp>, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::default());
    store.save(&Token::parse(TOKEN).unwrap()).unwrap();
    let persisted = Persisted {
        base_url: sim.url().to_string(),
        ..Persisted::default()
    };
    (harness_with(store.clone(), persisted), store)
}

// ---- Closing the window ----

#[test]
fn closing_the_window_during_an_export_leaves_no_temp_file_and_the_old_file_intact() {
    let sim = simulator();
    let (mut harness, _) = app_harness(&sim);
    // A result set large enough for an export that lasts a few seconds.
    harness.state_mut().results = ResultSet::from_rows(huge_history_rows(60_000));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exportado.xlsx");
    std::fs::write(&path, b"the file colleagues opened yesterday").unwrap();
    harness.state_mut().queue(Command::ExportTo(path.clone()));
    harness.step();
    assert!(harness.state().export.task.is_some(), "the export started");
    let started = Instant::now();
    while support::temp_files(dir.path()).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(
        harness.state().export.task.is_some(),
        "still exporting when the window closes"
    );

    // What eframe calls when the window closes; the process ends right after it returns.
    let closing = Instant::now();
    eframe::App::on_exit(harness.state_mut());
    let took = closing.elapsed();
    eprintln!("on_exit returned after {} ms", took.as_millis());

    assert_eq!(support::temp_files(dir.path()), Vec::<PathBuf>::new());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"the file colleagues opened yesterday"
    );
    // Bounded: the export noticed the cancel well within the grace period.
    assert!(took < EXIT_WAIT, "{} ms", took.as_millis());
}

#[test]
fn closing_the_window_during_a_batch_stops_its_requests() {
    let sim = simulator();
    let (mut harness, _) = app_harness(&sim);
    let id_credor = sim.dataset().busiest_creditor().unwrap();
    let docs = sim.dataset().documents_of(id_credor);
    // Each answer takes 5 s: requests are surely in flight when the window closes.
    sim.set_latency(Duration::from_secs(5));
    {
        let app = harness.state_mut();
        app.persisted.batch_mode = true;
        app.persisted.id_credor = id_credor.to_string();
        app.batch.text = docs.join("\n");
        app.queue(Command::Search);
    }
    harness.step();
    assert!(harness.state().batch.running(), "the batch started");
    let started = Instant::now();
    while sim.request_count() == 0 {
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(2));
    }

    let closing = Instant::now();
    eframe::App::on_exit(harness.state_mut());
    let took = closing.elapsed();
    let handle_finished = harness
        .state()
        .batch
        .task
        .as_ref()
        .is_none_or(|task| task.handle.is_finished());
    assert!(handle_finished, "the batch's workers ended");
    assert!(took < EXIT_WAIT, "{} ms", took.as_millis());
}

// ---- Export path field ----

#[test]
fn enter_in_the_export_path_field_exports() {
    let sim = simulator();
    let (mut harness, _) = app_harness(&sim);
    harness.state_mut().results = ResultSet::from_rows(huge_history_rows(25));
    // No native dialog here: the window asks for the path.
    harness.state_mut().dialogs.available = false;
    harness.state_mut().queue(Command::OpenExport);
    harness.step();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pelo-teclado.csv");
    type_into(&mut harness, "Arquivo", path.to_str().unwrap());
    assert!(harness.state().export.task.is_none() && !path.exists());
    export_with_enter(&mut harness);
    let text = std::fs::read_to_string(&path).unwrap();
    let rows = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(Result::unwrap)
        .count();
    assert_eq!(rows, 25);
    assert!(
        !harness.state().searching(),
        "Enter exported, it did not search"
    );
}

// ---- Proxy credentials ----

/// The settings file as eframe writes it would contain exactly what `Persisted` serialises.
fn saved_settings(app: &FollowupsApp) -> String {
    serde_json::to_string(&app.persisted).unwrap()
}

fn open_settings(harness: &mut Harness<'_, FollowupsApp>) {
    harness
        .get_by_role_and_label(Role::Button, "Configurações")
        .click();
    harness.step();
    wait_for_label(harness, "Proxy");
}

fn apply(harness: &mut Harness<'_, FollowupsApp>) {
    harness
        .get_by_role_and_label(Role::Button, "Aplicar")
        .click();
    harness.step();
    step_until(harness, "the keyring", |app| !app.settings.busy());
}

#[test]
fn proxy_credentials_go_to_the_keyring_never_to_the_settings_file() {
    let sim = simulator();
    let (mut harness, store) = app_harness(&sim);
    open_settings(&mut harness);

    // A URL pasted whole, with credentials (the password percent-encoded: `s3cr3t!`).
    type_into(
        &mut harness,
        "Proxy",
        "http://maria.souza:s3cr3t%21@proxy.empresa:3128",
    );
    apply(&mut harness);
    let expected = ProxyCredentials {
        user: "maria.souza".to_owned(),
        password: "s3cr3t!".to_owned(),
    };
    let saved = saved_settings(harness.state());
    assert!(!saved.contains("s3cr3t"), "{saved}");
    assert!(!saved.contains("maria"), "{saved}");
    assert_eq!(
        harness.state().persisted.proxy,
        "http://proxy.empresa:3128/"
    );
    assert_eq!(store.load_proxy().unwrap(), Some(expected.clone()));
    // The client gets the whole URL, in memory.
    assert_eq!(
        harness.state().client_config().proxy.as_deref(),
        Some("http://maria.souza:s3cr3t!@proxy.empresa:3128/")
    );
    // The fields show the user, never the password.
    assert_eq!(harness.state().settings.proxy_user, "maria.souza");
    for text in all_texts(&harness) {
        assert!(!text.contains("s3cr3t"), "password on screen: «{text}»");
    }

    // Next session: the settings file and the keyring give back the same proxy.
    let persisted = harness.state().persisted.clone();
    let mut next = harness_with(store.clone(), persisted);
    assert_eq!(next.state().proxy_credentials, Some(expected));
    assert_eq!(
        next.state().client_config().proxy.as_deref(),
        Some("http://maria.souza:s3cr3t!@proxy.empresa:3128/")
    );

    // The fields: another proxy, user and password; an empty password field would keep the
    // stored one, a typed one replaces it.
    open_settings(&mut next);
    retype(&mut next, "Proxy", "http://outro-proxy:8080");
    retype(&mut next, "Usuário do proxy", "joao");
    type_into(&mut next, "Senha do proxy", "outra senha");
    apply(&mut next);
    assert_eq!(next.state().persisted.proxy, "http://outro-proxy:8080");
    assert_eq!(
        store.load_proxy().unwrap(),
        Some(ProxyCredentials {
            user: "joao".to_owned(),
            password: "outra senha".to_owned(),
        })
    );
    let saved = saved_settings(next.state());
    assert!(
        !saved.contains("joao") && !saved.contains("outra senha"),
        "{saved}"
    );

    // No user: no credentials, in the keyring or anywhere.
    retype(&mut next, "Usuário do proxy", "");
    apply(&mut next);
    assert_eq!(store.load_proxy().unwrap(), None);
    assert_eq!(
        next.state().client_config().proxy.as_deref(),
        Some("http://outro-proxy:8080")
    );
}

#[test]
fn credentials_in_an_old_settings_file_move_to_the_keyring() {
    let store = Arc::new(MemoryStore::default());
    let persisted = Persisted {
        proxy: "http://ana:antiga@proxy.antigo:3128".to_owned(),
        ..Persisted::default()
    };
    let harness = harness_with(store.clone(), persisted);
    let saved = saved_settings(harness.state());
    assert!(
        !saved.contains("antiga") && !saved.contains("ana:"),
        "{saved}"
    );
    assert_eq!(harness.state().persisted.proxy, "http://proxy.antigo:3128/");
    assert_eq!(
        store.load_proxy().unwrap(),
        Some(ProxyCredentials {
            user: "ana".to_owned(),
            password: "antiga".to_owned(),
        })
    );
}

// ---- No keyring ----

/// A store like the OS keyring on a Linux session without a Secret Service.
struct NoSecretService;

impl TokenStore for NoSecretService {
    fn load(&self) -> Result<Option<Token>, SecretError> {
        Err(no_store())
    }
    fn save(&self, _: &Token) -> Result<(), SecretError> {
        Err(no_store())
    }
    fn delete(&self) -> Result<(), SecretError> {
        Err(no_store())
    }
    fn load_proxy(&self) -> Result<Option<ProxyCredentials>, SecretError> {
        Err(no_store())
    }
    fn save_proxy(&self, _: &ProxyCredentials) -> Result<(), SecretError> {
        Err(no_store())
    }
    fn delete_proxy(&self) -> Result<(), SecretError> {
        Err(no_store())
    }
    fn name(&self) -> &'static str {
        "cofre de senhas do sistema (Secret Service)"
    }
    fn is_persistent(&self) -> bool {
        true
    }
}

const ZBUS_DETAIL: &str = "zbus error: I/O error: No such file or directory (os error 2)";

fn no_store() -> SecretError {
    SecretError::NoStore {
        detail: ZBUS_DETAIL.to_owned(),
    }
}

#[test]
fn without_a_keyring_the_settings_say_so_once_with_the_detail_behind_detalhes() {
    let mut harness = harness_with(Arc::new(NoSecretService), Persisted::default());
    open_settings(&mut harness);
    let texts = all_texts(&harness);
    // The label, and the lines it wraps into.
    let about_keyring: Vec<&String> = texts
        .iter()
        .filter(|text| text.contains("não tem um cofre de senhas"))
        .collect();
    assert!(!about_keyring.is_empty(), "the settings say why: {texts:?}");
    for text in about_keyring {
        assert_eq!(
            text.matches("cofre de senhas").count(),
            1,
            "said once: «{text}»"
        );
        assert!(!text.contains('('), "one plain sentence: «{text}»");
    }
    assert!(
        !texts
            .iter()
            .any(|text| text.contains("zbus") || text.contains("os error")),
        "technical text on screen: {texts:?}"
    );

    harness.get_by_label("Detalhes").click();
    harness.step();
    harness.step();
    assert!(
        all_texts(&harness).iter().any(|text| text == ZBUS_DETAIL),
        "the detail is behind «Detalhes»"
    );
}
