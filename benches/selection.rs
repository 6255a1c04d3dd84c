//! The table's selection at one million rows: what one key press or click costs on the UI
//! thread, and why the selected set is a bitset.
//!
//! `selection_1m` measures [`Selection`] itself: Ctrl+A over a million-row view, keeping the
//! selection when a new view (a sort, a filter) is installed, listing the selected rows in
//! view order (what a copy reads), and a move of the cursor right after the view changed (its
//! position must then be searched for). `select_all_1m` compares Ctrl+A with the two other
//! representations considered: a hash set of row indices and a sorted vector of them.
//!
//! Run: `cargo bench --bench selection`.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use recuperador_followups::results::{Motion, Selection};

const ROWS: u32 = 1_000_000;

/// A view in an order unrelated to arrival order (as after a sort by a text column).
fn shuffled_view() -> Vec<u32> {
    let mut view: Vec<u32> = (0..ROWS).collect();
    let mut rng = fastrand::Rng::with_seed(12);
    rng.shuffle(&mut view);
    view
}

fn bench_selection(c: &mut Criterion) {
    let view = shuffled_view();
    let half: Vec<u32> = view.iter().copied().filter(|r| r % 2 == 0).collect();
    let mut all = Selection::default();
    all.select_all(&view);

    let mut group = c.benchmark_group("selection_1m");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("select_all", |b| {
        let mut selection = Selection::default();
        b.iter(|| selection.select_all(black_box(&view)));
    });
    group.bench_function("select_all_fresh", |b| {
        b.iter_batched(
            Selection::default,
            |mut selection| {
                selection.select_all(black_box(&view));
                selection
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("retain_in_view_half", |b| {
        b.iter_batched(
            || all.clone(),
            |mut selection| {
                selection.retain_in_view(black_box(&half));
                selection
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("retain_in_view_nothing_selected", |b| {
        let mut selection = Selection::default();
        b.iter(|| selection.retain_in_view(black_box(&half)));
    });
    group.bench_function("rows_in_view_order", |b| {
        b.iter(|| all.rows_in_view_order(black_box(&view)).count());
    });
    group.bench_function("shift_end_from_top", |b| {
        b.iter_batched(
            || {
                let mut selection = Selection::default();
                selection.click(&view, 0);
                selection
            },
            |mut selection| {
                selection.move_current(black_box(&view), Motion::End, true);
                selection
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("down_after_view_change", |b| {
        // The cursor sits on the last row; the new view shows every row one place earlier, so
        // the move searches the whole view for it (the worst case of a single key press).
        let mut rotated = view.clone();
        rotated.rotate_left(1);
        b.iter_batched(
            || {
                let mut selection = Selection::default();
                selection.move_current(&view, Motion::End, false);
                selection
            },
            |mut selection| {
                selection.move_current(black_box(&rotated), Motion::Down, false);
                selection
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("down_same_view", |b| {
        let mut selection = Selection::default();
        selection.click(&view, ROWS as usize / 2);
        b.iter(|| {
            selection.move_current(black_box(&view), Motion::Down, false);
            selection.move_current(black_box(&view), Motion::Up, false)
        });
    });
    group.finish();

    // The alternatives: the same Ctrl+A into a hash set and into a sorted vector.
    let mut compare = c.benchmark_group("select_all_1m");
    compare
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    compare.bench_function("bitset", |b| {
        let mut selection = Selection::default();
        b.iter(|| selection.select_all(black_box(&view)));
    });
    compare.bench_function("hash_set", |b| {
        b.iter(|| {
            let set: HashSet<u32> = black_box(&view).iter().copied().collect();
            set.len()
        });
    });
    compare.bench_function("sorted_vec", |b| {
        b.iter(|| {
            let mut rows = black_box(&view).clone();
            rows.sort_unstable();
            rows.len()
        });
    });
    compare.finish();
}

criterion_group!(benches, bench_selection);
criterion_main!(benches);
