//! Export speed on a realistic size: 1,000,000 rows × 20 columns to CSV (target ≤ 2 s) and
//! to XLSX (target ≤ 15 s) on a 2-core machine. Files go to a temporary folder.
//!
//! Peak memory is measured by the `export_memory` bench binary.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use recuperador_followups::export::{ExportFormat, ExportOptions, ExportProgress, export_rows};

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
    for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
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

criterion_group!(benches, export_1m);
criterion_main!(benches);
