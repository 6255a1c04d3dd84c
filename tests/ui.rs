//! The window, driven headless with egui_kittest against the simulator: what a user types and
//! clicks, and what they then see.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use recuperador_followups::api::{Column, Token};
use recuperador_followups::secrets::MemoryStore;
use recuperador_followups::sim::{Fault, SimConfig, SimFilter, Simulator};
use recuperador_followups::ui::{FollowupsApp, LaunchOptions, Persisted};

mod support;

use support::ui::*;

const TOKEN: &str = "ui-test-token-5150";

fn simulator() -> Simulator {
    support::simulator(TOKEN, 3, 30)
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
    // Nothing is hidden: the count line gives the total, without "exibindo M de N".
    let header = format!(
        "{} follow-ups · buscado em",
        recuperador_followups::fmt::thousands(expected as u64)
    );
    assert!(
        harness.query_by_label_contains(&header).is_some(),
        "header line «{header}»"
    );
    assert!(harness.query_by_label_contains("exibindo").is_none());
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
        app.results.iter_view().filter_map(|r| r.data()).collect()
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
        .filter_map(|r| r.interacao())
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
    assert_view_rows_contain(app, &word);
}

/// Every row of the view shows `word` in some column (ignoring case and accents).
fn assert_view_rows_contain(app: &FollowupsApp, word: &str) {
    let folded = recuperador_followups::results::fold(word);
    for row in app.results.iter_view() {
        let haystack: String = Column::ALL
            .iter()
            .map(|c| recuperador_followups::results::fold(&row.field_br(*c)))
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
        app.search
            .fetch
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
    // Nor a pasted list: the mode and its concurrency are kept, the documents are not.
    let other = sim.dataset().debtors()[1].cpf_cnpj.clone();
    paste_list(&mut harness, &format!("{doc}\n{other}\n"));
    let saved = serde_json::to_string(&harness.state().persisted).unwrap();
    assert!(saved.contains("\"batch_mode\":true"), "{saved}");
    assert!(!saved.contains(&doc) && !saved.contains(&other), "{saved}");
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
            .query_by_label_contains("0 follow-ups · buscado em")
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

// ---- "Vários documentos": batch queries from the window ----

/// The creditor with the most (ordinary) debtors, and their documents.
fn creditor_with_most_debtors(sim: &Simulator) -> (i64, Vec<String>) {
    let id_credor = sim.dataset().busiest_creditor().unwrap();
    (id_credor, sim.dataset().documents_of(id_credor))
}

/// The window with the busiest creditor typed in and its debtors' documents pasted in
/// "Vários documentos", ready to search.
fn batch_ready(sim: &Simulator) -> (Harness<'static, FollowupsApp>, i64, Vec<String>) {
    let (id_credor, docs) = creditor_with_most_debtors(sim);
    let mut harness = app_harness(sim, TOKEN);
    type_into(&mut harness, "Credor", &id_credor.to_string());
    paste_list(&mut harness, &docs.join("\n"));
    (harness, id_credor, docs)
}

/// Starts a batch that lasts over a second (one document at a time, `latency` each) and
/// steps until its first rows are on screen.
fn start_slow_batch(harness: &mut Harness<'_, FollowupsApp>, sim: &Simulator, latency: Duration) {
    harness.state_mut().persisted.batch_concurrency = 1;
    sim.set_latency(latency);
    start_batch(harness);
    step_until(harness, "the first rows", |app| {
        app.results.total_count() > 0
    });
}

/// Every `id_followup` the simulator holds for these documents: what one search per
/// document would bring, together.
fn union_of_single_searches(
    sim: &Simulator,
    id_credor: i64,
    docs: &[String],
) -> std::collections::BTreeSet<i64> {
    docs.iter()
        .flat_map(|doc| {
            sim.dataset()
                .matching(&SimFilter {
                    id_credor,
                    cpf_cnpj: doc.clone(),
                    ..SimFilter::default()
                })
                .filter_map(|row| row.id_followup())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn result_ids(app: &FollowupsApp) -> std::collections::BTreeSet<i64> {
    app.results
        .rows()
        .iter()
        .filter_map(|row| row.id_followup())
        .collect()
}

/// Switches the form to "Vários documentos" and pastes `text` into the list box, as Ctrl+V
/// does.
fn paste_list(harness: &mut Harness<'_, FollowupsApp>, text: &str) {
    if !harness.state().persisted.batch_mode {
        harness.get_by_label("Vários documentos").click();
        harness.step();
    }
    wait_for_label(harness, "CPF/CNPJs");
    harness.get_by_label("CPF/CNPJs").focus();
    harness.step();
    harness
        .input_mut()
        .events
        .push(egui::Event::Paste(text.to_owned()));
    harness.step();
    harness.step();
}

fn start_batch(harness: &mut Harness<'_, FollowupsApp>) {
    harness
        .get_by_role_and_label(Role::Button, "Buscar")
        .click();
    harness.step();
    assert!(harness.state().searching(), "the batch started");
}

fn wait_for_batch(harness: &mut Harness<'_, FollowupsApp>) {
    step_until(harness, "the batch to finish", |app| {
        !app.searching() && !app.view_pending()
    });
}

#[test]
fn a_pasted_list_is_counted_and_checked() {
    let sim = simulator();
    let mut harness = app_harness(&sim, TOKEN);
    type_into(&mut harness, "Credor", "12");
    // A column copied from a spreadsheet: a header, a masked and a bare copy of the same CPF,
    // two documents on one line, a CPF with wrong check digits, a typo.
    paste_list(
        &mut harness,
        "CPF\n529.982.247-25\n52998224725\n11.222.333/0001-81; 123.456.789-00\n12a\n",
    );
    assert!(
        harness
            .query_by_label("3 válidos · 1 com aviso de dígito · 1 inválido · 1 repetido")
            .is_some(),
        "counts under the list"
    );
    assert!(harness.query_by_label_contains("Linha 5: «12a»").is_some());
    assert!(
        harness
            .query_by_label_contains(
                "Dígito verificador não confere (serão consultados mesmo assim): linha 4."
            )
            .is_some()
    );
    assert!(harness.query_by_label_contains("Cabeçalho «CPF»").is_some());
    assert!(
        !harness
            .get_by_role_and_label(Role::Button, "Buscar")
            .accesskit_node()
            .is_disabled(),
        "valid documents can be searched"
    );
    // Enter is a new line in the list; Ctrl+Enter searches (the focus is still in the box).
    assert!(harness.state().batch.last.is_none());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.step();
    step_until(&mut harness, "the batch", |app| !app.searching());
    assert_eq!(
        harness.state().batch.last.as_ref().map(|s| s.total),
        Some(3),
        "Ctrl+Enter ran the batch of the three valid documents"
    );
    assert!(
        !harness.state().batch.text.ends_with("\n\n"),
        "no new line added"
    );

    // Only a typo left: nothing to search.
    harness.get_by_label("Limpar lista").click();
    harness.step();
    paste_list(&mut harness, "12a\n");
    assert!(
        harness
            .get_by_role_and_label(Role::Button, "Buscar")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        harness
            .query_by_label_contains("nenhum documento válido ainda")
            .is_some()
    );
}

#[test]
fn a_batch_merges_every_debtors_history_while_sorting_works() {
    let sim = simulator();
    let (mut harness, id_credor, docs) = batch_ready(&sim);
    assert!(docs.len() >= 5, "{docs:?}");
    // One document at a time, slow enough that rows stream in over several frames and the
    // batch is still running when the header is clicked.
    start_slow_batch(&mut harness, &sim, Duration::from_millis(150));
    // Sort while rows are still arriving.
    assert!(harness.state().searching(), "the batch is still running");
    harness.get_by_label("Data").click();
    harness.step();
    assert!(
        harness.state().searching(),
        "sorted while rows were arriving"
    );
    wait_for_batch(&mut harness);

    let app = harness.state();
    assert!(app.banner.is_none(), "{:?}", app.banner);
    let expected = union_of_single_searches(&sim, id_credor, &docs);
    assert!(expected.len() > docs.len());
    assert_eq!(result_ids(app), expected, "the union of single searches");
    assert_eq!(
        app.results.total_count(),
        expected.len(),
        "no repeated rows"
    );
    assert_eq!(
        app.results.view_count(),
        expected.len(),
        "the sorted view covers every row"
    );
    let dates: Vec<_> = app.results.iter_view().map(|r| r.data()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "sorted by date");
    let summary = app.batch.last.as_ref().unwrap();
    assert_eq!(summary.succeeded, docs.len());
    assert!(summary.failures.is_empty());
    let header = format!("{} documentos consultados em", docs.len());
    assert!(harness.query_by_label_contains(&header).is_some());
    assert!(
        harness
            .query_by_label_contains(&format!(
                "Último lote: {0} de {0} documentos consultados",
                docs.len()
            ))
            .is_some()
    );
}

#[test]
fn failures_are_listed_exported_and_retried() {
    let sim = simulator();
    let (mut harness, id_credor, docs) = batch_ready(&sim);
    // HTTP 500 is not retried by the client: two documents fail for good.
    sim.set_fault(Some(Fault::ServerError), Some(2));
    start_batch(&mut harness);
    wait_for_batch(&mut harness);
    let summary = harness.state().batch.last.clone().unwrap();
    assert_eq!(summary.failures.len(), 2, "{:?}", summary.failures);
    assert_eq!(summary.succeeded, docs.len() - 2);
    assert!(
        harness
            .query_by_label_contains(&format!(
                "{} de {} documentos consultados em",
                docs.len() - 2,
                docs.len()
            ))
            .is_some()
    );
    assert!(
        harness.state().results.total_count() > 0,
        "the others arrived"
    );

    harness.get_by_label("Ver falhas (2)").click();
    wait_for_label(&mut harness, "Copiar documentos");
    for failure in &summary.failures {
        assert!(
            harness.query_by_label(&failure.doc.formatted()).is_some(),
            "the failed document is listed"
        );
    }
    assert!(
        harness
            .query_all_by_label_contains("Erro no servidor")
            .count()
            >= 2
    );

    // The list as a file (the path comes from the save dialog in real use).
    let dir = tempfile::tempdir().unwrap();
    harness
        .state_mut()
        .queue(recuperador_followups::ui::Command::ExportFailuresTo(
            dir.path().join("falhas"),
        ));
    harness.step();
    step_until(&mut harness, "the failure list", |app| {
        app.batch.failures_status.is_some()
    });
    let written = std::fs::read_to_string(dir.path().join("falhas.csv")).unwrap();
    assert!(written.starts_with("\u{feff}Documento;Erro\r\n"));
    assert_eq!(written.lines().count(), 3);
    assert!(
        harness
            .query_by_label_contains("Lista de falhas exportada")
            .is_some()
    );

    // Retry: only the two documents are asked again, and the table becomes complete.
    let requests = sim.request_count();
    harness
        .get_all_by_role_and_label(Role::Button, "Tentar novamente as falhas")
        .next()
        .unwrap()
        .click();
    harness.step();
    wait_for_batch(&mut harness);
    assert_eq!(sim.request_count() - requests, 2);
    let app = harness.state();
    let merged = app.batch.last.as_ref().unwrap();
    assert!(merged.failures.is_empty());
    assert_eq!(
        (merged.succeeded, merged.total),
        (docs.len(), docs.len()),
        "the retry completes the first batch's outcome"
    );
    assert_eq!(
        result_ids(app),
        union_of_single_searches(&sim, id_credor, &docs)
    );
    assert!(!app.batch.failures_open, "the window closed for the retry");
    assert!(
        harness
            .query_by_label_contains(&format!("{} documentos consultados em", docs.len()))
            .is_some()
    );
}

#[test]
fn cancel_mid_batch_keeps_the_rows_that_arrived() {
    let sim = simulator();
    let (mut harness, id_credor, docs) = batch_ready(&sim);
    start_slow_batch(&mut harness, &sim, Duration::from_millis(150));
    // Esc, as the Cancel button's hint says.
    harness.key_press(egui::Key::Escape);
    harness.step();
    step_until(&mut harness, "the batch to stop", |app| !app.searching());
    let app = harness.state();
    let arrived = app.results.total_count();
    assert!(arrived > 0, "the rows that arrived stay");
    assert!(app.banner.is_none(), "a cancel is not an error");
    let summary = app.batch.last.as_ref().unwrap();
    assert_eq!(
        summary.stop,
        Some(recuperador_followups::batch::BatchStop::Cancelled)
    );
    assert!(!summary.not_run.is_empty(), "{summary:?}");
    assert!(summary.failures.is_empty());
    let remaining = summary.not_run.len();
    assert!(
        harness
            .query_by_label(&format!("Consultar os {remaining} restantes"))
            .is_some()
    );
    assert!(harness.query_by_label_contains("Lote cancelado").is_some());

    // Completing it adds the rest to the same table.
    sim.set_latency(Duration::ZERO);
    harness
        .get_by_label(&format!("Consultar os {remaining} restantes"))
        .click();
    harness.step();
    wait_for_batch(&mut harness);
    assert_eq!(
        result_ids(harness.state()),
        union_of_single_searches(&sim, id_credor, &docs)
    );
    let merged = harness.state().batch.last.clone().unwrap();
    assert_eq!(merged.succeeded, docs.len());
    assert!(merged.not_run.is_empty() && merged.stop.is_none());
}

#[test]
fn a_refused_token_stops_the_batch_and_keeps_the_screen() {
    let sim = simulator();
    let (id_credor, docs) = creditor_with_most_debtors(&sim);
    let (busy_credor, busy_doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    search(&mut harness, busy_credor, &busy_doc);
    let before = harness.state().results.total_count();
    assert!(before > 0);
    // The stored token stops being accepted: every document would fail alike.
    if let recuperador_followups::ui::app::TokenState::Ready { token, .. } =
        &mut harness.state_mut().token
    {
        *token = Some(Token::parse("revoked-token-0451").unwrap());
    }
    // ("Credor" is also a column header now: set the field directly.)
    harness.state_mut().persisted.id_credor = id_credor.to_string();
    paste_list(&mut harness, &docs.join("\n"));
    let requests = sim.request_count();
    start_batch(&mut harness);
    wait_for_batch(&mut harness);
    assert!(
        sim.request_count() - requests <= 4,
        "stopped at once, not once per document"
    );
    let app = harness.state();
    let banner = app.banner.as_ref().expect("the reason is shown");
    assert!(banner.token_hint, "{banner:?}");
    assert!(
        banner.message.contains("interrompida"),
        "{}",
        banner.message
    );
    assert!(
        harness
            .query_by_label("Abrir configurações do token")
            .is_some()
    );
    assert_eq!(app.results.total_count(), before, "the previous rows stay");
}

/// A file dropped on the window, as the OS hands it over.
#[derive(Debug)]
struct DroppedPath(std::path::PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_spreadsheet_dropped_on_the_window_fills_the_list() {
    let sim = simulator();
    let mut harness = app_harness(&sim, TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devedores.csv");
    // As Excel pt-BR saves it: `;`, a name column first, a CPF without its leading zero.
    std::fs::write(
        &path,
        "Nome;Documento do devedor\r\nAna;529.982.247-25\r\nBia;11.222.333/0001-81\r\nCris;1234567890\r\nDani;xyz\r\n",
    )
    .unwrap();
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(DroppedPath(path)));
    harness.step();
    step_until(&mut harness, "the file to be read", |app| {
        app.batch.imported.is_some() || app.batch.import_error.is_some()
    });
    let app = harness.state();
    assert!(app.persisted.batch_mode, "the form switched to the list");
    assert_eq!(app.batch.import_error, None);
    let imported = app.batch.imported.as_ref().unwrap();
    assert_eq!(imported.column, 1, "the document column is picked");
    wait_for_label(&mut harness, "Do arquivo devedores.csv");
    // 1234567890 lost its leading zero in the spreadsheet: completed, its digits then match.
    assert!(
        harness
            .query_by_label_contains("3 válidos · 1 inválido")
            .is_some()
    );
    assert!(harness.query_by_label_contains("Linha 5: «xyz»").is_some());

    // Another column: the names, none valid.
    harness
        .state_mut()
        .queue(recuperador_followups::ui::Command::PickListColumn(0));
    harness.step();
    // The column is checked in the background: wait for it, then draw its counts.
    step_until(&mut harness, "the column", |app| !app.batch.importing());
    assert!(
        harness
            .query_by_label_contains("0 válidos · 4 inválidos")
            .is_some()
    );

    // A file that is not a list: a clear message, the list untouched.
    let before = harness.state().batch.text.clone();
    let other = dir.path().join("foto.png");
    std::fs::write(&other, b"\x89PNG").unwrap();
    harness
        .state_mut()
        .queue(recuperador_followups::ui::Command::ImportList(other));
    harness.step();
    step_until(&mut harness, "the refusal", |app| {
        app.batch.import_error.is_some()
    });
    assert!(
        harness
            .state()
            .batch
            .import_error
            .as_ref()
            .unwrap()
            .contains("Formato de arquivo não suportado")
    );
    assert_eq!(harness.state().batch.text, before);
}

#[test]
fn a_large_list_file_is_imported_as_documents_not_as_text() {
    let sim = simulator();
    let mut harness = app_harness(&sim, TOKEN);
    type_into(&mut harness, "Credor", "12");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("carteira.csv");
    // More debtors than the list box takes: a name and a CPF per row, one row without one.
    let mut text = "Nome;CPF\n".to_owned();
    for n in 0..6_000 {
        let base = format!("{:09}", 300_000_000 + n * 7919);
        let cpf = recuperador_followups::doc_id::with_check_digits(&base).unwrap();
        text.push_str(&format!("Devedor {n};{cpf}\n"));
    }
    text.push_str("Sem documento;123\n");
    std::fs::write(&path, text).unwrap();
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(DroppedPath(path)));
    harness.step();
    step_until(&mut harness, "the file to be read", |app| {
        app.batch.imported.is_some() || app.batch.import_error.is_some()
    });
    {
        let app = harness.state_mut();
        assert_eq!(app.batch.import_error, None);
        assert!(
            app.batch.text.is_empty(),
            "the raw text stays out of the box"
        );
        assert!(app.batch.imported_outside_box().is_some());
        assert_eq!(app.batch.list().valid.len(), 6_000);
    }
    wait_for_label(&mut harness, "6.000 documentos importados de carteira.csv");
    assert!(
        harness
            .query_by_role_and_label(Role::MultilineTextInput, "CPF/CNPJs")
            .is_none(),
        "a summary in place of the box"
    );
    assert!(
        harness
            .query_by_label_contains("6.000 válidos · 1 inválido")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("Linha 6002: «123»")
            .is_some()
    );
    assert!(
        !harness
            .get_by_role_and_label(Role::Button, "Buscar")
            .accesskit_node()
            .is_disabled(),
        "the imported documents can be searched"
    );

    // Another column is checked in the background, the box still left out.
    harness
        .state_mut()
        .queue(recuperador_followups::ui::Command::PickListColumn(0));
    harness.step();
    step_until(&mut harness, "the column", |app| !app.batch.importing());
    assert!(
        harness
            .query_by_label_contains("0 válidos · 12.002 inválidos")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("… e mais 11.997 inválido(s).")
            .is_some()
    );

    // "Limpar lista" gives the box back.
    harness.get_by_label("Limpar lista").click();
    harness.step();
    harness.step();
    assert!(harness.state().batch.imported.is_none());
    assert!(
        harness
            .query_by_label_contains("documentos importados")
            .is_none()
    );
    assert!(
        harness
            .query_by_role_and_label(Role::MultilineTextInput, "CPF/CNPJs")
            .is_some(),
        "the empty box is back"
    );
}

#[test]
fn the_quick_filter_applies_while_a_batch_streams() {
    let sim = simulator();
    let (mut harness, id_credor, docs) = batch_ready(&sim);
    start_slow_batch(&mut harness, &sim, Duration::from_millis(150));
    let word = "boleto";
    type_into(&mut harness, "Buscar nos resultados", word);
    step_until(&mut harness, "the filter, or the batch's end", |app| {
        app.results.filter_text() == word || !app.searching()
    });
    assert!(
        harness.state().searching(),
        "the filter applied while rows were still arriving"
    );
    wait_for_batch(&mut harness);
    let app = harness.state();
    assert_eq!(app.results.filter_text(), word);
    assert_eq!(
        result_ids(app),
        union_of_single_searches(&sim, id_credor, &docs)
    );
    assert!(app.results.view_count() > 0);
    assert!(app.results.view_count() < app.results.total_count());
    assert_view_rows_contain(app, word);
}

#[test]
fn an_unreachable_server_stops_the_batch_and_the_rest_can_be_resumed() {
    // A loopback port where nothing listens yet; the simulator opens it later.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = SimConfig {
        token: TOKEN.to_owned(),
        dataset: support::dataset(3, 30),
        port,
        ..SimConfig::default()
    };
    let dataset = Arc::new(recuperador_followups::sim::Dataset::generate(
        &config.dataset,
    ));
    let id_credor = dataset.busiest_creditor().unwrap();
    // Every debtor's document under one creditor (the others' histories are empty there).
    let mut docs: Vec<String> = dataset
        .debtors()
        .iter()
        .map(|d| d.cpf_cnpj.clone())
        .collect();
    docs.sort();
    docs.dedup();

    let persisted = Persisted {
        base_url: format!("http://127.0.0.1:{port}/api/v1Followup/"),
        id_credor: id_credor.to_string(),
        ..Persisted::default()
    };
    let mut harness = app_harness_from(persisted, TOKEN);
    paste_list(&mut harness, &docs.join("\n"));
    let started = Instant::now();
    start_batch(&mut harness);
    wait_for_batch(&mut harness);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    let app = harness.state();
    let summary = app.batch.last.clone().unwrap();
    assert!(
        matches!(
            summary.stop,
            Some(recuperador_followups::batch::BatchStop::Unreachable { .. })
        ),
        "{:?}",
        summary.stop
    );
    let banner = app.banner.as_ref().expect("the reason is shown");
    assert!(!banner.token_hint);
    assert_eq!(
        harness
            .query_all_by_label_contains("Servidor inacessível: verifique a rede, a VPN ou o proxy")
            .count(),
        1,
        "one message, not one per document"
    );
    let remaining = summary.failures.len() + summary.not_run.len();
    assert_eq!(remaining, docs.len());
    let resume = format!("Consultar os {remaining} restantes");
    assert!(harness.query_by_label(&resume).is_some());

    // The server comes back: the rest is queried and joins the table.
    let sim = Simulator::start_with_dataset(config, dataset).expect("the port is free again");
    harness.get_by_label(&resume).click();
    harness.step();
    wait_for_batch(&mut harness);
    let app = harness.state();
    let merged = app.batch.last.clone().unwrap();
    assert!(merged.stop.is_none(), "{:?}", merged.stop);
    assert_eq!((merged.succeeded, merged.total), (docs.len(), docs.len()));
    assert_eq!(
        result_ids(app),
        union_of_single_searches(&sim, id_credor, &docs)
    );
}
