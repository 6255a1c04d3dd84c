//! Export speed on a realistic size: 1,000,000 rows × 20 columns to CSV (target ≤ 2 s), to
//! TSV (no target: the CSV's order of magnitude) and to XLSX (target ≤ 15 s) on a 2-core
//! machine. Files go to a temporary folder. Then the clipboard's text ([`tsv_text`]) of
//! 100,000 and 1,000,000 rows, which the window builds off the UI thread for a copy.
//!
//! The same CSV and TSV exports and clipboard text then run on the rows as the product holds
//! them (`export_parsed_layout`): written as the API's JSON and read back by the parser, so
//! that names are interned and the interaction texts of each parsed chunk share one
//! allocation. The hand-built rows give each text its own allocation.
//!
//! Peak memory is measured by the `export_memory` bench binary.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use std::sync::atomic::AtomicBool;

use recuperador_followups::api::Column;
use recuperador_followups::export::{
    ExportFormat, ExportOptions, ExportProgress, export_rows, tsv_text,
};

#[path = "support/rows.rs"]
mod support;

const ROWS: usize = 1_000_000;

fn export_1m(c: &mut Criterion) {
    let rows = support::rows(ROWS);
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut group = c.benchmark_group("export_1m_rows");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .sampling_mode(criterion::SamplingMode::Flat);
    for format in [ExportFormat::Csv, ExportFormat::Tsv, ExportFormat::Xlsx] {
        let path = dir.path().join(format!("bench.{}", format.extension()));
        let options = ExportOptions::new(format);
        // Ten samples of one export each: about 1.2 s (CSV) and 9 s (XLSX) per export here.
        group.measurement_time(Duration::from_secs(match format {
            ExportFormat::Xlsx => 100,
            _ => 15,
        }));
        group.bench_function(format.extension(), |b| {
            b.iter(|| {
                export_rows(&path, rows.iter(), &options, &ExportProgress::new()).expect("export")
            });
        });
    }
    group.finish();
}

fn export_parsed_layout(c: &mut Criterion) {
    let rows = support::rows(ROWS);
    let body = serde_json::to_vec(&rows).expect("rows serialize");
    drop(rows);
    let (rows, _) = recuperador_followups::api::parse::parse_followups_slice(&body).expect("parse");
    drop(body);
    let dir = tempfile::tempdir().expect("temporary folder");
    let cancel = AtomicBool::new(false);
    let mut group = c.benchmark_group("export_parsed_layout");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(15))
        .sampling_mode(criterion::SamplingMode::Flat);
    for format in [ExportFormat::Csv, ExportFormat::Tsv] {
        let path = dir.path().join(format!("bench.{}", format.extension()));
        let options = ExportOptions::new(format);
        group.bench_function(format.extension(), |b| {
            b.iter(|| {
                export_rows(&path, rows.iter(), &options, &ExportProgress::new()).expect("export")
            });
        });
    }
    group.bench_function("tsv_text_1000000_rows", |b| {
        b.iter(|| {
            tsv_text(&rows, &Column::ALL, &cancel)
                .expect("not cancelled")
                .len()
        });
    });
    group.finish();
}

fn tsv_clipboard_text(c: &mut Criterion) {
    let rows = support::rows(ROWS);
    let cancel = AtomicBool::new(false);
    let mut group = c.benchmark_group("tsv_text");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(15))
        .sampling_mode(criterion::SamplingMode::Flat);
    for count in [100_000, ROWS] {
        let slice = &rows[..count];
        group.bench_function(format!("{count}_rows"), |b| {
            b.iter(|| {
                tsv_text(slice, &Column::ALL, &cancel)
                    .expect("not cancelled")
                    .len()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, export_1m, tsv_clipboard_text, export_parsed_layout);
criterion_main!(benches);
