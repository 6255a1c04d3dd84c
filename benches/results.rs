//! Sorting and quick filter of the result set at one million rows.
//!
//! Rows come from the simulator's `huge_history_rows` (a deterministic synthetic history of one
//! debtor with Portuguese names and interaction texts).
//!
//! `sort_1m` sorts with the free function (no cached keys); `interacao_1m` sorts `interacao`
//! the way the table does, through the result set with its sort keys built, and measures that
//! one-off build.

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use recuperador_followups::api::Column;
use recuperador_followups::results::{ResultSet, SortSpec, ViewSpec, filter_indices, sort_indices};
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

    // How the table sorts by `interacao`: through the result set, whose sort keys (the rank of
    // each row's folded text) are built once when the rows arrive.
    let mut cached = c.benchmark_group("interacao_1m");
    cached
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    set.prepare_sort_keys(&never).expect("not cancelled");
    for (filter, label) in [("", "all"), ("boleto", "filtered_boleto")] {
        for descending in [false, true] {
            let spec = ViewSpec {
                sort: Some(SortSpec {
                    column: Column::Interacao,
                    descending,
                }),
                filter: filter.to_owned(),
                ..ViewSpec::default()
            };
            let name = format!(
                "sort_keys_cached_{label}_{}",
                if descending { "desc" } else { "asc" }
            );
            cached.bench_function(name, |b| {
                b.iter(|| set.request_view(black_box(spec.clone())).compute(&never))
            });
        }
    }
    // The filter alone, to read the cost of the sort in the filtered views above.
    cached.bench_function("filter_only_boleto", |b| {
        let spec = ViewSpec {
            sort: None,
            filter: "boleto".to_owned(),
            ..ViewSpec::default()
        };
        b.iter(|| set.request_view(black_box(spec.clone())).compute(&never))
    });
    // The one-off cost, paid in the background when the rows arrive.
    let source = huge_history_rows(ROWS);
    cached.bench_function("rank_build_one_off", |b| {
        b.iter_batched_ref(
            || ResultSet::from_rows(source.clone()),
            |fresh| fresh.prepare_sort_keys(&never),
            BatchSize::PerIteration,
        )
    });
    drop(source);
    cached.finish();

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
