//! The window, driven headless with egui_kittest against the simulator: what a user types and
//! clicks, and what they then see.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use recuperador_followups::api::{Column, Token};
use recuperador_followups::secrets::{MemoryStore, TokenStore as _};
use recuperador_followups::sim::{DatasetConfig, Fault, SimConfig, SimFilter, Simulator};
use recuperador_followups::ui::{FollowupsApp, LaunchOptions, Persisted};

const TOKEN: &str = "ui-test-token-5150";

fn simulator() -> Simulator {
    Simulator::start(SimConfig {
        token: TOKEN.to_owned(),
        dataset: DatasetConfig {
            seed: 3,
            debtors: 30,
            ..DatasetConfig::default()
        },
        ..SimConfig::default()
    })
    .unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

fn app_harness(sim: &Simulator, token: &str) -> Harness<'static, FollowupsApp> {
    app_harness_at(sim, token, egui::vec2(1400.0, 900.0), 1.0)
}

/// The app on `size` points at `pixels_per_point`, its token stored, pointed at `sim`.
fn app_harness_at(
    sim: &Simulator,
    token: &str,
    size: egui::Vec2,
    pixels_per_point: f32,
) -> Harness<'static, FollowupsApp> {
    let store = Arc::new(MemoryStore::default());
    store.save(&Token::parse(token).unwrap()).unwrap();
    let persisted = Persisted {
        base_url: sim.url().to_string(),
        ..Persisted::default()
    };
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
fn step_until(
    harness: &mut Harness<'_, FollowupsApp>,
    what: &str,
    done: impl Fn(&FollowupsApp) -> bool,
) {
    let started = Instant::now();
    while !done(harness.state()) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.step();
}

fn type_into(harness: &mut Harness<'_, FollowupsApp>, label: &str, text: &str) {
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
fn wait_for_label(harness: &mut Harness<'_, FollowupsApp>, label: &str) {
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
fn busiest(sim: &Simulator) -> (i64, String) {
    let dataset = sim.dataset();
    let debtor = dataset
        .debtors()
        .iter()
        .max_by_key(|d| dataset.history_len(d))
        .unwrap();
    (debtor.id_credor, debtor.cpf_cnpj.clone())
}

fn search(harness: &mut Harness<'_, FollowupsApp>, id_credor: i64, doc: &str) {
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

fn all_texts(harness: &Harness<'_, FollowupsApp>) -> Vec<String> {
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

#[test]
fn a_search_shows_the_simulators_rows() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    search(
        &mut harness,
        id_credor,
        &recuperador_followups::doc_id::format_lenient(&doc),
    );
    let expected = sim
        .dataset()
        .matching(&SimFilter {
            id_credor,
            cpf_cnpj: doc,
            ..SimFilter::default()
        })
        .count();
    assert!(expected > 5);
    let app = harness.state();
    assert!(app.banner.is_none(), "{:?}", app.banner);
    assert_eq!(app.results.total_count(), expected);
    assert_eq!(app.results.view_count(), expected);
    let header = format!(
        "{} follow-ups · exibindo {}",
        recuperador_followups::fmt::thousands(expected as u64),
        recuperador_followups::fmt::thousands(expected as u64)
    );
    assert!(
        harness.query_by_label_contains(&header).is_some(),
        "header line «{header}»"
    );
}

#[test]
fn enter_in_a_field_searches() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    type_into(&mut harness, "Credor", &id_credor.to_string());
    type_into(&mut harness, "CPF/CNPJ", &doc);
    harness.key_press(egui::Key::Enter);
    harness.step();
    step_until(&mut harness, "rows", |app| {
        app.results.total_count() > 0 && !app.searching()
    });
}

#[test]
fn invalid_fields_explain_themselves_and_block_the_search() {
    let sim = simulator();
    let mut harness = app_harness(&sim, TOKEN);
    type_into(&mut harness, "Credor", "12a");
    type_into(&mut harness, "CPF/CNPJ", "123");
    assert!(
        harness
            .query_by_label_contains("deve conter apenas números")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("CPF/CNPJ com 3 caracteres")
            .is_some()
    );
    assert!(
        harness
            .get_by_role_and_label(Role::Button, "Buscar")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        harness
            .query_by_label("Corrija o campo Credor acima.")
            .is_some()
    );

    // A wrong check digit warns but does not block.
    let mut harness = app_harness(&sim, TOKEN);
    type_into(&mut harness, "Credor", "12");
    type_into(&mut harness, "CPF/CNPJ", "529.982.247-24");
    assert!(
        harness
            .query_by_label_contains("Dígito verificador não confere")
            .is_some()
    );
    assert!(
        !harness
            .get_by_role_and_label(Role::Button, "Buscar")
            .accesskit_node()
            .is_disabled()
    );
}

#[test]
fn a_header_click_sorts_ascending_then_descending() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    search(&mut harness, id_credor, &doc);
    let dates = |app: &FollowupsApp| -> Vec<chrono::NaiveDateTime> {
        app.results.iter_view().filter_map(|r| r.data).collect()
    };
    let mut expected = dates(harness.state());
    // The server sends the history oldest first; reverse it so the ascending sort has work.
    expected.sort_unstable();
    let count = expected.len();

    harness.get_by_role_and_label(Role::Button, "Data").click();
    harness.step();
    step_until(&mut harness, "the sort", |app| {
        app.results
            .sort()
            .is_some_and(|s| s.column == Column::Data && !s.descending)
    });
    assert_eq!(dates(harness.state()), expected);

    harness.get_by_role_and_label(Role::Button, "Data").click();
    harness.step();
    step_until(&mut harness, "the reverse sort", |app| {
        app.results.sort().is_some_and(|s| s.descending)
    });
    expected.reverse();
    assert_eq!(dates(harness.state()), expected);
    assert_eq!(harness.state().results.view_count(), count);
}

#[test]
fn the_quick_filter_narrows_the_view() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    search(&mut harness, id_credor, &doc);
    let total = harness.state().results.total_count();
    // A word from one row's interaction text, typed in upper case.
    let word = harness
        .state()
        .results
        .iter_view()
        .filter_map(|r| r.interacao.as_deref())
        .flat_map(|t| t.split_whitespace())
        .find(|w| w.len() >= 8 && w.chars().all(char::is_alphabetic))
        .unwrap()
        .to_uppercase();
    type_into(&mut harness, "Buscar nos resultados", &word);
    step_until(&mut harness, "the filter", |app| {
        app.results.filter_text() == word
    });
    let app = harness.state();
    assert!(app.results.view_count() >= 1);
    assert!(
        app.results.view_count() < total,
        "{word} should not be in every row"
    );
    let folded = recuperador_followups::results::fold(&word);
    for row in app.results.iter_view() {
        let haystack: String = Column::ALL
            .iter()
            .map(|c| {
                recuperador_followups::results::fold(&recuperador_followups::fmt::field_br(row, *c))
            })
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            haystack.contains(&folded),
            "a row without «{word}» in the view"
        );
    }
}

#[test]
fn cancel_stops_a_slow_search_and_keeps_the_screen() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    search(&mut harness, id_credor, &doc);
    let before = harness.state().results.total_count();
    sim.set_fault(
        Some(Fault::SlowTrickle {
            bytes_per_chunk: 16,
            delay: Duration::from_millis(50),
        }),
        None,
    );
    harness
        .get_by_role_and_label(Role::Button, "Buscar")
        .click();
    harness.step();
    step_until(&mut harness, "bytes to arrive", |app| {
        app.fetch
            .as_ref()
            .is_some_and(|f| f.progress.snapshot().bytes > 0)
    });
    harness
        .get_all_by_role_and_label(Role::Button, "Cancelar")
        .next()
        .unwrap()
        .click();
    harness.step();
    step_until(&mut harness, "the search to stop", |app| !app.searching());
    let app = harness.state();
    assert_eq!(app.results.total_count(), before, "the previous rows stay");
    assert!(
        app.banner.is_none(),
        "a cancel is not an error: {:?}",
        app.banner
    );
}

#[test]
fn a_refused_token_points_to_the_settings() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, "not-the-right-token");
    search(&mut harness, id_credor, &doc);
    let banner = harness.state().banner.clone().expect("an error banner");
    assert!(banner.token_hint);
    assert!(
        banner.message.contains("recusou o token"),
        "{}",
        banner.message
    );
    harness
        .get_by_role_and_label(Role::Button, "Abrir configurações do token")
        .click();
    harness.step();
    harness.step();
    assert!(harness.state().settings.open);
}

#[test]
fn a_failed_search_keeps_the_previous_rows() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    search(&mut harness, id_credor, &doc);
    let before = harness.state().results.total_count();
    assert!(before > 0);
    sim.set_fault(Some(Fault::ServerError), None);
    harness
        .get_by_role_and_label(Role::Button, "Buscar")
        .click();
    harness.step();
    step_until(&mut harness, "the error", |app| {
        !app.searching() && app.banner.is_some()
    });
    let app = harness.state();
    assert_eq!(app.results.total_count(), before);
    assert!(app.banner.as_ref().unwrap().message.contains("HTTP 500"));
}

#[test]
fn the_token_shows_only_in_the_masked_field() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    search(&mut harness, id_credor, &doc);
    harness
        .get_by_role_and_label(Role::Button, "Configurações")
        .click();
    harness.step();
    harness.step();
    type_into(&mut harness, "Token", "another-secret-9981");
    harness.step();
    for text in all_texts(&harness) {
        assert!(!text.contains(TOKEN), "token in «{text}»");
        assert!(
            !text.contains("another-secret-9981"),
            "typed token in «{text}»"
        );
    }
}

#[test]
fn persistence_skips_the_document() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    search(&mut harness, id_credor, &doc);
    harness.get_by_role_and_label(Role::Button, "Data").click();
    harness.step();
    harness.step();
    let saved = serde_json::to_string(&harness.state().persisted).unwrap();
    assert!(saved.contains("\"Data\""), "the sort is kept: {saved}");
    assert!(
        saved.contains(&id_credor.to_string()),
        "the creditor is kept: {saved}"
    );
    assert!(
        !saved.contains(&doc),
        "the document is never written: {saved}"
    );
    assert!(!saved.contains(TOKEN));
    let back: Persisted = serde_json::from_str(&saved).unwrap();
    assert_eq!(back, harness.state().persisted);
    // Old or corrupt state falls back to defaults (eframe's get_value gives None).
    assert!(serde_json::from_str::<Persisted>("{\"sort\": 12}").is_err());
}

#[test]
fn date_presets_use_the_pinned_today() {
    let sim = simulator();
    let mut harness = app_harness(&sim, TOKEN);
    harness
        .get_by_role_and_label(Role::Button, "Últimos 7 dias")
        .click();
    harness.step();
    harness.step();
    assert_eq!(harness.state().persisted.data_de, "23/11/2026");
    assert_eq!(harness.state().persisted.data_ate, "29/11/2026");
    harness
        .get_by_role_and_label(Role::Button, "Mês passado")
        .click();
    harness.step();
    harness.step();
    assert_eq!(harness.state().persisted.data_de, "01/10/2026");
    assert_eq!(harness.state().persisted.data_ate, "31/10/2026");
}

#[test]
fn demo_mode_starts_the_simulator_and_searches() {
    let options = LaunchOptions {
        demo: true,
        today: Some(today()),
        token_store: Some(Arc::new(MemoryStore::default())),
        started_at: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| FollowupsApp::new(&cc.egui_ctx, None, options));
    step_until(&mut harness, "the demo", |app| app.is_demo());
    assert!(harness.query_by_label("DEMONSTRAÇÃO").is_some());
    harness
        .get_by_role_and_label(Role::Button, "Buscar")
        .click();
    harness.step();
    step_until(&mut harness, "demo rows", |app| {
        app.results.total_count() > 0 && !app.searching()
    });
}

#[test]
fn high_dpi_scaling_keeps_the_form_usable() {
    // A 1920×1080 screen at 125 % and at 200 %: the window gets fewer points, bigger pixels.
    for (pixels_per_point, size) in [
        (1.25, egui::vec2(1536.0, 864.0)),
        (2.0, egui::vec2(960.0, 540.0)),
    ] {
        let sim = simulator();
        let (id_credor, doc) = busiest(&sim);
        let mut harness = app_harness_at(&sim, TOKEN, size, pixels_per_point);
        search(&mut harness, id_credor, &doc);
        assert!(
            harness.state().results.total_count() > 0,
            "at {pixels_per_point}×"
        );
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
        for label in ["Buscar", "Exportar…", "Configurações"] {
            let rect = harness.get_by_role_and_label(Role::Button, label).rect();
            assert!(
                screen.contains_rect(rect),
                "«{label}» off screen at {pixels_per_point}×: {rect:?}"
            );
        }
    }
}

#[test]
fn an_idle_window_does_not_repaint() {
    let sim = simulator();
    let mut harness = app_harness(&sim, TOKEN);
    // Settled: no task runs, so no repaint is scheduled (idle CPU stays near zero).
    harness.step();
    harness.step();
    assert!(!harness.state().busy());
    let delay = harness
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map(|v| v.repaint_delay)
        .unwrap();
    assert_eq!(delay, Duration::MAX, "an idle frame asked for a repaint");
}

#[test]
fn an_empty_answer_says_so() {
    let sim = simulator();
    let mut harness = app_harness(&sim, TOKEN);
    // A valid CPF nobody in the dataset has.
    search(&mut harness, 12, "000.000.001-91");
    assert_eq!(harness.state().results.total_count(), 0);
    assert!(
        harness
            .query_by_label_contains("Nenhum follow-up encontrado")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("0 follow-ups · exibindo 0")
            .is_some()
    );
}

#[test]
fn exporting_from_the_window_writes_the_current_view() {
    use calamine::{Reader as _, Xlsx, open_workbook};
    use recuperador_followups::ui::Command;
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    search(&mut harness, id_credor, &doc);
    // Narrow the view, hide a column, then export it (the file name comes from the save
    // dialog in real use; headless, the command it sends is queued directly).
    let word = "whatsapp";
    type_into(&mut harness, "Buscar nos resultados", word);
    step_until(&mut harness, "the filter", |app| {
        app.results.filter_text() == word
    });
    let in_view = harness.state().results.view_count();
    assert!(in_view > 0 && in_view < harness.state().results.total_count());
    harness
        .state_mut()
        .queue(Command::ToggleColumn(Column::Interacao));
    harness.step();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exportado.xlsx");
    std::fs::write(&path, b"an older file").unwrap();
    harness.state_mut().queue(Command::ExportTo(path.clone()));
    harness.step();
    step_until(&mut harness, "the export", |app| {
        app.export.task.is_none() && app.export.done.is_some()
    });
    let done = harness.state().export.done.clone().unwrap();
    assert!(
        done.message
            .starts_with(&format!("Exportado {in_view} linhas")),
        "{}",
        done.message
    );
    assert!(harness.query_by_label_contains("Exportado").is_some());

    let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
    let sheet = workbook.worksheet_range("Follow-ups").unwrap();
    assert_eq!(sheet.height(), in_view + 1);
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header.len(), Column::ALL.len() - 1);
    assert!(
        !header.iter().any(|h| h == "Interação"),
        "hidden columns are not exported"
    );
    assert_eq!(header[0], "Data", "columns in the table's order");
}
