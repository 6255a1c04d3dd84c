//! Parse throughput of the tolerant streaming parser, against serde_json scanning the same
//! bytes into `IgnoredAny` through the same reader path (the floor: no parser can read JSON
//! faster than serde_json skips it).
//!
//! Run: `cargo bench --bench parse`. Also prints the memory held per parsed row.

use std::hint::black_box;
use std::io::BufReader;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use recuperador_followups::api::MemoryFootprint;
use recuperador_followups::api::parse::{Interner, ParseOptions, Parsed, parse_followups_with};
use recuperador_followups::sim::huge_history_rows;
use serde::Deserialize as _;

fn body_of(rows: usize) -> Vec<u8> {
    let rows = huge_history_rows(rows);
    serde_json::to_vec(&rows).expect("rows serialize")
}

fn parse_all(bytes: &[u8], options: ParseOptions) -> Vec<recuperador_followups::api::Followup> {
    let mut rows = Vec::new();
    let mut interner = Interner::default();
    let reader = BufReader::with_capacity(64 * 1024, bytes);
    match parse_followups_with(reader, &mut interner, options, |row| rows.push(row)) {
        Ok(Parsed::Rows(_)) => rows,
        other => panic!("unexpected parse result: {other:?}"),
    }
}

fn floor(bytes: &[u8]) {
    let reader = BufReader::with_capacity(64 * 1024, bytes);
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    serde::de::IgnoredAny::deserialize(&mut deserializer).expect("valid JSON");
}

fn bench_parse(c: &mut Criterion) {
    for rows in [100_000usize, 1_000_000] {
        let bytes = body_of(rows);
        let parsed = parse_all(&bytes, ParseOptions::default());
        assert_eq!(parsed.len(), rows);
        let memory = MemoryFootprint::of(&parsed);
        println!(
            "{rows} rows: body {} bytes ({} per row); held in memory {} bytes = {:.0} bytes per row (struct {}, text {}, shared {})",
            bytes.len(),
            bytes.len() / rows,
            memory.total_bytes(),
            memory.bytes_per_row(),
            memory.row_bytes,
            memory.text_bytes,
            memory.shared_bytes
        );
        drop(parsed);

        let mut group = c.benchmark_group(format!("parse_{rows}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(if rows > 100_000 { 20 } else { 5 }));
        group.bench_function("floor_ignored_any", |b| b.iter(|| floor(black_box(&bytes))));
        // Chunks parsed on one worker per core while this thread splits the body (the
        // default), and every item parsed on the reading thread.
        let options = ParseOptions::default();
        group.bench_function(format!("followups_{}_workers", options.workers), |b| {
            b.iter(|| black_box(parse_all(black_box(&bytes), options)).len())
        });
        let one_thread = ParseOptions {
            workers: 0,
            ..options
        };
        group.bench_function("followups_one_thread", |b| {
            b.iter(|| black_box(parse_all(black_box(&bytes), one_thread)).len())
        });
        group.finish();
    }
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
