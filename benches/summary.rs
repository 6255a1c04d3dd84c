//! The summary (issue 13) at 1,000,000 rows, every dimension, as the window computes it off
//! its thread: [`summarize`] over a view's indices. Target: ≤ 200 ms on the 2-core machine.
//!
//! Rows come from the simulator's `huge_history_rows` (a synthetic history: a few consultants,
//! events and channels, dates over years) with the debtor replaced by one of 100,000 (a large
//! batch: id, name and CPF each distinct, shared strings as the parser makes them), so every
//! dimension also counts the distinct debtors of each group, and `devedor` meets 100,000
//! groups. `devedor_1m` has a different debtor on every row: the worst case, a million groups.
//!
//! The time is the computation's: the summary is dropped outside the measurement
//! (`iter_with_large_drop`), as the window drops a replaced summary on a helper thread.
//!
//! Run: `cargo bench --bench summary`.

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use recuperador_followups::analysis::summary::{Dimension, summarize};
use recuperador_followups::api::{Followup, FollowupFields, SharedStr};
use recuperador_followups::results::ResultSet;
use recuperador_followups::sim::huge_history_rows;

const ROWS: usize = 1_000_000;

/// The rows with the debtor (id, name, CPF) one of `distinct`.
fn with_many_debtors(rows: &[Followup], distinct: usize) -> Vec<Followup> {
    let debtors: Vec<(i64, SharedStr, SharedStr)> = (0..distinct)
        .map(|n| {
            (
                1_000_000 + n as i64,
                SharedStr::from(format!("Devedor Sintético da Silva {n}")),
                SharedStr::from(format!("{:011}", 10_000_000_000u64 + n as u64 * 7)),
            )
        })
        .collect();
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let (id, name, doc) = &debtors[(i * 7_919) % distinct];
            Followup::from(FollowupFields {
                id_cliente: Some(*id),
                nome_cliente: Some(name.clone()),
                cpf_cnpj: Some(doc.clone()),
                ..row.fields()
            })
        })
        .collect()
}

fn bench_summary(c: &mut Criterion) {
    let rows = huge_history_rows(ROWS);
    let many = ResultSet::from_rows(with_many_debtors(&rows, 100_000));
    let every = ResultSet::from_rows(with_many_debtors(&rows, ROWS));
    let indices: Vec<u32> = (0..ROWS as u32).collect();
    let never = AtomicBool::new(false);

    let mut group = c.benchmark_group("summary_1m");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for dimension in Dimension::ALL {
        group.bench_function(dimension.cli_name(), |b| {
            b.iter_with_large_drop(|| {
                black_box(summarize(many.rows(), &indices, dimension, &never).expect("summary"))
            })
        });
    }
    group.bench_function("devedor_1m", |b| {
        b.iter_with_large_drop(|| {
            black_box(
                summarize(every.rows(), &indices, Dimension::Devedor, &never).expect("summary"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench_summary);
criterion_main!(benches);
