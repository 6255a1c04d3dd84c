//! Sorting and quick filter of the result set at one million rows.
//!
//! Rows come from the simulator's `huge_history_rows` (a deterministic synthetic history of one
//! debtor with Portuguese names and interaction texts).

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use recuperador_followups::api::Column;
use recuperador_followups::results::{ResultSet, SortSpec, filter_indices, sort_indices};
use recuperador_followups::sim::huge_history_rows;

const ROWS: usize = 1_000_000;

fn bench_results(c: &mut Criterion) {
    let set = ResultSet::from_rows(huge_history_rows(ROWS));
    let rows = set.rows().clone();
    let all: Vec<u32> = (0..rows.len() as u32).collect();
    let never = AtomicBool::new(false);

    let mut sort = c.benchmark_group("sort_1m");
    sort.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for column in [
        Column::IdFollowup,
        Column::IdConsultor,
        Column::NomeConsultor,
        Column::CpfCnpj,
        Column::Data,
        Column::Interacao,
        Column::TipoContato,
        Column::HorarioReagendamento,
    ] {
        for descending in [false, true] {
            let name = format!(
                "{}_{}",
                column.wire_name(),
                if descending { "desc" } else { "asc" }
            );
            let spec = SortSpec { column, descending };
            sort.bench_function(name, |b| {
                b.iter(|| sort_indices(&rows, black_box(&all), spec, &never))
            });
        }
    }
    sort.finish();

    let mut filter = c.benchmark_group("filter_1m");
    filter
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for (name, text) in [
        ("frequent_boleto", "boleto"),
        ("rare_comprovante_whatsapp", "comprovante via whatsapp"),
        ("unaccented_negociacao", "negociacao"),
        ("unaccented_conceicao", "conceicao"),
        ("name_alvaro", "alvaro"),
        ("document_masked", "529.982"),
        ("no_match", "xyzzy"),
    ] {
        filter.bench_function(name, |b| {
            b.iter(|| filter_indices(&rows, black_box(text), &never))
        });
    }
    filter.finish();
}

criterion_group!(benches, bench_results);
criterion_main!(benches);
