//! Peak memory of an XLSX (and CSV) export at 100,000 and 1,000,000 rows.
//!
//! A counting global allocator records the peak of live heap bytes during the export alone
//! (the rows, built before, are the baseline): with rust_xlsxwriter's constant-memory mode the
//! export's own peak does not grow with the row count. Also prints the process's VmHWM
//! (resident high-water mark, rows included) from `/proc/self/status` where available.
//!
//! Run: `cargo bench --bench export_memory`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use recuperador_followups::export::{ExportFormat, ExportOptions, ExportProgress, export_rows};

#[path = "support/rows.rs"]
mod support;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let live = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing useful: only
    // measure when benchmarking.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    println!("format  rows       rows heap MiB  export peak MiB  VmHWM MiB  seconds");
    for format in [ExportFormat::Xlsx, ExportFormat::Csv] {
        for n in [100_000, 1_000_000] {
            let rows = support::rows(n);
            let path = dir.path().join(format!("mem-{n}.{}", format.extension()));
            let baseline = LIVE.load(Ordering::Relaxed);
            PEAK.store(baseline, Ordering::Relaxed);
            let start = std::time::Instant::now();
            let summary = export_rows(
                &path,
                rows.iter(),
                &ExportOptions::new(format),
                &ExportProgress::new(),
            )
            .expect("export");
            let seconds = start.elapsed().as_secs_f64();
            let peak = PEAK.load(Ordering::Relaxed) - baseline;
            assert_eq!(summary.rows, n);
            println!(
                "{:<7} {:<10} {:>13.1} {:>16.2} {:>10.1} {:>8.2}",
                format.extension(),
                n,
                mib(baseline),
                mib(peak),
                vm_hwm_kib().map_or(f64::NAN, |kib| kib as f64 / 1024.0),
                seconds,
            );
            drop(rows);
        }
    }
}
