//! The agenda of reschedules at 1,000,000 rows (issue 14): every entry's situação, the
//! realizado check against the debtor's other follow-ups, the counts and the compliance
//! tables, computed exactly as the window will (`agenda` over a view's indices, off its
//! thread). Target: ≤ 300 ms with about 200,000 entries.
//!
//! Rows come from the simulator's `huge_history_rows` (three years of one debtor's synthetic
//! history, 25 % of them reschedules: about 250,000 entries). Two shapes:
//! - `one_debtor`: the rows as generated, every entry searched in one history of 1,000,000
//!   follow-ups;
//! - `50k_debtors`: the same rows spread over 50,000 debtors of three creditors (a large
//!   batch), so each entry searches a history of about 20 follow-ups.
//!
//! Run: `cargo bench --bench agenda`.

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use recuperador_followups::analysis::agenda::{Situacao, agenda};
use recuperador_followups::api::{Followup, FollowupFields};
use recuperador_followups::results::ResultSet;
use recuperador_followups::sim::huge_history_rows;

const ROWS: usize = 1_000_000;

fn bench_agenda(c: &mut Criterion) {
    let reference = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
    let one_debtor = huge_history_rows(ROWS);
    let spread: Vec<Followup> = one_debtor
        .iter()
        .enumerate()
        .map(|(i, row)| {
            Followup::from(FollowupFields {
                id_credor: Some([12, 27, 45][(i / 7) % 3]),
                id_cliente: Some(((i * 7_919) % 50_000) as i64),
                ..row.fields()
            })
        })
        .collect();
    let never = AtomicBool::new(false);

    let mut group = c.benchmark_group("agenda_1m");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (name, rows) in [("one_debtor", one_debtor), ("50k_debtors", spread)] {
        let set = ResultSet::from_rows(rows);
        let indices: Vec<u32> = set.view_indices().to_vec();
        assert_eq!(indices.len(), ROWS);
        let started = Instant::now();
        let Ok(first) = agenda(set.rows(), &indices, reference, &never) else {
            return;
        };
        println!(
            "{name}: {} entries ({}) in {:?}",
            first.entries.len(),
            Situacao::ALL
                .iter()
                .map(|s| format!("{} {}", s.as_str(), first.counts.get(*s)))
                .collect::<Vec<_>>()
                .join(", "),
            started.elapsed()
        );
        group.bench_function(name, |b| {
            b.iter(|| black_box(agenda(set.rows(), &indices, reference, &never)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_agenda);
criterion_main!(benches);
