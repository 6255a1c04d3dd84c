//! Fuzz-style property tests over everything that reads outside input: the answer's parser
//! (random bytes, structured JSON with values at the edges of their types, mutated fixtures),
//! its date and time readers, the CPF/CNPJ parser, the query form and the document-list parser.
//!
//! Each of the 8 targets runs `FUZZ_CASES` generated inputs (default 2,000, so a plain
//! `cargo test` runs 16,000 in all); `.ci/run` runs them again in release with 150,000 each
//! (1,200,000 in all). A panic anywhere fails the test: proptest catches it only to shrink the
//! input, then the test panics with the message and the smallest failing input. Each target
//! prints how many inputs it ran, on stderr, past the test harness's capture.
//!
//! Beyond "no panic", the properties pin behaviour: valid JSON is never lost (every item is a
//! row or a skipped item), a body cut before its end is `Truncated`, a body read in one piece
//! and trickled a few bytes at a time parse the same, ISO and ASP.NET dates read back exactly
//! (or as nothing when out of range), and a parsed CPF/CNPJ, query or document list is
//! consistent with itself.

use std::io::{Read, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseResult, TestRunner};
use recuperador_followups::api::parse::{
    Interner, ParseError, ParseOptions, ParseReport, Parsed, parse_datetime, parse_followups,
    parse_followups_slice, parse_followups_with, parse_time,
};
use recuperador_followups::api::{Column, DatePreset, Followup, QueryForm, ReagendarFiltro};
use recuperador_followups::batch::input::parse_document_list;
use recuperador_followups::doc_id::{CpfCnpj, format_lenient, with_check_digits};
use serde::Deserialize as _;

/// Inputs per target: `FUZZ_CASES`, or 2,000.
fn fuzz_cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(2_000)
}

/// Runs `test` on `fuzz_cases()` inputs drawn from `strategy`, prints the count and fails
/// (with the shrunk input) on the first failed assertion or panic.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> TestCaseResult) {
    let cases = fuzz_cases();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let ran = AtomicU64::new(0);
    let started = Instant::now();
    let result = runner.run(&strategy, |input| {
        ran.fetch_add(1, Ordering::Relaxed);
        test(input)
    });
    let line = format!(
        "fuzz {name}: {} inputs in {:.1} s\n",
        ran.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    // Straight to stderr: the harness captures `eprintln!`, and the count is wanted in CI logs.
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Err(error) = result {
        panic!("fuzz {name} failed: {error}");
    }
}

// ---------------------------------------------------------------------------------------------
// The answer's parser.

/// A reader that hands out at most a few bytes per call, so rows and values straddle reads.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
    calls: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.calls = self.calls.wrapping_add(1);
        let limit = 1 + (self.calls.wrapping_mul(self.step)) % 7;
        let n = limit.min(buf.len()).min(self.bytes.len());
        let (head, tail) = self.bytes.split_at(n);
        buf[..n].copy_from_slice(head);
        self.bytes = tail;
        Ok(n)
    }
}

/// What a parse produced, in a form two runs can be compared by.
#[derive(Debug, PartialEq)]
enum Outcome {
    Rows(Vec<Followup>, ParseReport),
    Message(String),
    Error(String),
}

fn outcome(result: Result<(Vec<Followup>, Parsed), ParseError>) -> Outcome {
    match result {
        Ok((rows, Parsed::Rows(report))) => Outcome::Rows(rows, report),
        Ok((rows, Parsed::ApiMessage(message))) => {
            assert!(rows.is_empty(), "rows beside an API message");
            Outcome::Message(message)
        }
        Err(error) => Outcome::Error(format!("{error:?}")),
    }
}

/// Parses `bytes` in one piece and trickled through a streaming reader; both must agree, and
/// the report must agree with the rows handed over.
fn parse_both_ways(bytes: &[u8], step: usize) -> Result<Outcome, TestCaseError> {
    let whole = outcome(parse_followups_slice(bytes));
    let mut rows = Vec::new();
    let mut interner = Interner::default();
    let trickle = Trickle {
        bytes,
        step,
        calls: 0,
    };
    let streamed = outcome(
        parse_followups(trickle, &mut interner, |row| rows.push(row)).map(|parsed| (rows, parsed)),
    );
    prop_assert_eq!(&whole, &streamed);
    // Split into chunks of one item each, parsed on the reading thread and on two workers:
    // the same rows, report and error as in one piece.
    for workers in [0, 2] {
        let mut rows = Vec::new();
        let options = ParseOptions {
            chunk_bytes: 1,
            workers,
        };
        let chunked = outcome(
            parse_followups_with(bytes, &mut Interner::default(), options, |row| {
                rows.push(row)
            })
            .map(|parsed| (rows, parsed)),
        );
        prop_assert_eq!(&whole, &chunked, "chunks of one item, {} workers", workers);
    }
    // For an array, the syntax verdict is serde_json's own (skipping, which converts nothing):
    // well-formed JSON is never an error, and a syntax error is found at the same place.
    if bytes.trim_ascii_start().first() == Some(&b'[') {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let checked =
            serde::de::IgnoredAny::deserialize(&mut deserializer).and_then(|_| deserializer.end());
        match (&checked, &whole) {
            (Ok(()), Outcome::Rows(..)) => {}
            (Ok(()), other) => {
                return Err(TestCaseError::fail(format!("well-formed, yet {other:?}")));
            }
            (Err(e), Outcome::Error(ours))
                if e.classify() == serde_json::error::Category::Syntax =>
            {
                let position = format!("line: {}, column: {}", e.line(), e.column());
                if e.to_string().starts_with("invalid number") {
                    // A number cut by the end of the body is truncated; a broken one is
                    // placed where serde_json places it.
                    prop_assert!(
                        ours == "Truncated"
                            || (ours.contains("invalid number") && ours.contains(&position)),
                        "{} vs {}",
                        e,
                        ours
                    );
                } else {
                    prop_assert!(ours.contains(&position), "{} vs {}", e, ours);
                }
            }
            (Err(_), _) => {}
        }
    }
    if let Outcome::Rows(rows, report) = &whole {
        prop_assert_eq!(rows.len() as u64, report.rows);
        prop_assert_eq!(report.has_problems(), report.first_problem.is_some());
        prop_assert_eq!(report.has_problems(), report.problem_summary().is_some());
    }
    Ok(whole)
}

/// The 20 field names in the spellings servers use, and unknown or odd keys.
fn key() -> impl Strategy<Value = String> {
    let known = (select(Column::ALL.to_vec()), 0..5u8).prop_map(|(column, style)| {
        let wire = column.wire_name();
        match style {
            0 | 1 => wire.to_owned(),
            2 => wire.to_ascii_uppercase(),
            3 => wire
                .split('_')
                .map(|part| {
                    let mut chars = part.chars();
                    chars.next().map_or_else(String::new, |first| {
                        first.to_ascii_uppercase().to_string() + chars.as_str()
                    })
                })
                .collect(),
            _ => wire.replace('_', ""),
        }
    });
    let odd = select(vec![
        "campo_novo",
        "",
        "ïd_followup",
        "id_followup ",
        "_id_followup_",
        "\\u0069d_followup",
        "\\ud800",
        "\\udc00x",
        "\\u0000",
        "__",
    ])
    .prop_map(str::to_owned);
    prop_oneof![8 => known.prop_map(|k| serde_json::to_string(&k).unwrap_or_default()),
                1 => odd.prop_map(|k| format!("\"{k}\"")),
                1 => any::<String>().prop_map(|k| serde_json::to_string(&k).unwrap_or_default())]
}

/// JSON numbers at and past the edges of `i64`, `u64` and `f64`, as text.
fn edge_number() -> impl Strategy<Value = String> {
    let fixed = select(vec![
        "0".to_owned(),
        "-0".to_owned(),
        "1".to_owned(),
        "-1".to_owned(),
        i64::MIN.to_string(),
        i64::MAX.to_string(),
        "-9223372036854775809".to_owned(),
        "9223372036854775808".to_owned(),
        u64::MAX.to_string(),
        "18446744073709551616".to_owned(),
        "-18446744073709551616".to_owned(),
        format!("1{}", "0".repeat(30)),
        "9".repeat(400),
        format!("-{}", "9".repeat(400)),
        "1e400".to_owned(),
        "-1e400".to_owned(),
        "1E+400".to_owned(),
        "1e-400".to_owned(),
        "1e308".to_owned(),
        "1.7976931348623157e308".to_owned(),
        "1.7976931348623159e308".to_owned(),
        "2e308".to_owned(),
        "5e-324".to_owned(),
        "0.0".to_owned(),
        "-0.0".to_owned(),
        "0e99999999999".to_owned(),
        "1e99999999999".to_owned(),
        "-1e99999999999".to_owned(),
        "1.0e-99999999999".to_owned(),
        "1.5".to_owned(),
        "2002.0".to_owned(),
        "123.000".to_owned(),
        "9e15".to_owned(),
        "9007199254740993".to_owned(),
        "1e18".to_owned(),
        format!("0.{}1", "0".repeat(400)),
        format!("{}.5", "9".repeat(400)),
    ]);
    prop_oneof![
        4 => fixed,
        1 => any::<i64>().prop_map(|v| v.to_string()),
        1 => any::<u64>().prop_map(|v| v.to_string()),
        1 => any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |v| v.is_finite())
            .prop_map(|v| format!("{v:e}")),
        1 => (any::<i64>(), -400i32..400).prop_map(|(m, e)| format!("{m}e{e}")),
    ]
}

/// Date and time texts as servers send them, and at and past every edge.
fn edge_date_text() -> impl Strategy<Value = String> {
    let fixed = select(vec![
        "/Date(8210266876799999+0100)/",
        "/Date(8210266876799999)/",
        "/Date(-8334601228800000-0100)/",
        "/Date(-8334601228800000)/",
        "/Date(9223372036854775807)/",
        "/Date(-9223372036854775808)/",
        "/Date(9223372036854775808)/",
        "/Date(0+2359)/",
        "/Date(0-2359)/",
        "/Date(0+9999)/",
        "/Date(0+24:00)/",
        "/Date(1693537200000-0300)/",
        "/Date()/",
        "/Date(+)/",
        "/Date(1-)/",
        "/Date(-)/",
        "/Date(1+12345)/",
        "-999999-01-01T00:00:00",
        "0000-01-01T00:00:00",
        "-0001-01-01",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59.9999999",
        "262143-12-31T23:59:59",
        "262144-01-01T00:00:00",
        "+262143-12-31",
        "2024-02-29T00:00:00",
        "2023-02-29",
        "29/02/2024",
        "31/04/2023",
        "2023-09-01T14:05:09.123456789012345678901234567890",
        "2023-09-01T99:99:99",
        "2023-09-01T10:00:00+25:00",
        "2023-09-01T10:00:00-03:00",
        "2023-09-01T10:00:00+3",
        "2023-09-01T",
        "2023-09-01T01/09/2023 01/09/2023",
        "99:99",
        "24:00:00",
        "23:59:60",
        "14:30:00.",
        "14:30:00.0000000",
        "14:30:00.123456789012345678901234567890",
        "1900-01-01T16:45:00",
        "4294967296:00",
        "00:00:4294967296",
        "NaN",
        "Infinity",
        "",
        " ",
    ])
    .prop_map(str::to_owned);
    let generated = (
        -300_000i64..300_000,
        0u32..15,
        0u32..34,
        0u32..30,
        0u32..70,
        "(\\.[0-9]{0,30})?",
        "(Z|[+-][0-9]{2}(:?[0-9]{2})?)?",
    )
        .prop_map(|(y, m, d, h, mi, fraction, offset)| {
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:00{fraction}{offset}")
        });
    let asp_net =
        (any::<i64>(), "([+-][0-9]{4})?").prop_map(|(ms, offset)| format!("/Date({ms}{offset})/"));
    prop_oneof![3 => fixed, 1 => generated, 1 => asp_net]
}

/// A JSON string literal (escaped), from odd texts and random Unicode.
fn edge_string() -> impl Strategy<Value = String> {
    let raw_literals = select(vec![
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"a\\ud83d\"",
        "\"\\ud83d\\ude00\"",
        "\"\\u0000\"",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
    ])
    .prop_map(str::to_owned);
    let texts = prop_oneof![
        6 => select(vec![
            "", " ", "NaN", "-NaN", "Infinity", "-Infinity", "nan", "null", "true", "1e400",
            "18446744073709551616", " 12 ", "-0", "0x1F", "Conceição", "S", "N", "P", "W",
        ])
        .prop_map(str::to_owned),
        3 => any::<String>(),
        1 => (1usize..4_000).prop_map(|n| "a".repeat(n)),
        1 => (1usize..400).prop_map(|n| "01/09/2023 ".repeat(n)),
        1 => (1usize..400).prop_map(|n| "é\u{1F600}".repeat(n)),
        6 => edge_date_text(),
    ]
    .prop_map(|text| serde_json::to_string(&text).unwrap_or_default());
    prop_oneof![1 => raw_literals, 6 => texts]
}

/// Any JSON value text: mostly a scalar at a type edge, sometimes a list or an object of
/// them, or deep nesting.
fn edge_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => edge_number(),
        4 => edge_string(),
        1 => select(vec!["null", "true", "false"]).prop_map(str::to_owned),
    ];
    let list = prop::collection::vec(leaf.clone(), 0..4)
        .prop_map(|items| format!("[{}]", items.join(",")));
    let object = prop::collection::vec((key(), leaf.clone()), 0..4).prop_map(|entries| {
        let body: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect();
        format!("{{{}}}", body.join(","))
    });
    // Nested to a depth serde_json still accepts inside a row (its limit is 128 levels).
    let deep = (1usize..120, leaf.clone())
        .prop_map(|(depth, inner)| format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth)));
    prop_oneof![24 => leaf, 2 => list, 2 => object, 1 => deep]
}

/// JSON whitespace, mostly none.
fn space() -> impl Strategy<Value = &'static str> {
    select(vec!["", "", "", "", " ", "\n", "\r\n\t", "  "])
}

/// One array item: mostly a follow-up object, sometimes something else.
fn item() -> impl Strategy<Value = String> {
    let object = prop::collection::vec((key(), edge_value(), space()), 0..24).prop_map(|fields| {
        let body: Vec<String> = fields
            .into_iter()
            .map(|(k, v, s)| format!("{s}{k}{s}:{s}{v}{s}"))
            .collect();
        format!("{{{}}}", body.join(","))
    });
    prop_oneof![6 => object, 1 => edge_value()]
}

#[test]
fn parser_survives_structured_json_at_type_edges() {
    let body = (
        prop::collection::vec((item(), space()), 0..6),
        1usize..64,
        any::<prop::sample::Index>(),
    );
    fuzz(
        "parser, structured JSON at type edges",
        body,
        |(items, step, cut)| {
            let text = format!(
                "[{}]",
                items
                    .iter()
                    .map(|(item, s)| format!("{s}{item}{s}"))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            // Valid JSON, whatever its values: the answer is never lost, every item is a row or
            // a skipped item.
            match parse_both_ways(text.as_bytes(), step)? {
                Outcome::Rows(_, report) => {
                    prop_assert_eq!(report.rows + report.rows_skipped, items.len() as u64);
                }
                other => return Err(TestCaseError::fail(format!("valid JSON lost: {other:?}"))),
            }
            // Cut before its closing bracket, it is a truncated answer.
            let end = text.len() - 1;
            let cut = cut.index(end);
            match parse_followups_slice(&text.as_bytes()[..cut]) {
                Err(ParseError::Truncated) => {}
                other => return Err(TestCaseError::fail(format!("cut at {cut}: {other:?}"))),
            }
            Ok(())
        },
    );
}

#[test]
fn parser_survives_error_objects_at_type_edges() {
    let message_key = select(vec![
        "Message",
        "mensagem",
        "MSG",
        "error_description",
        "ExceptionMessage",
        "error",
        "erro",
        "errors",
        "detail",
        "title",
        "sucesso",
        "success",
        "dados",
    ]);
    let entry = prop_oneof![
        (message_key, edge_value()).prop_map(|(k, v)| format!("\"{k}\":{v}")),
        (key(), edge_value()).prop_map(|(k, v)| format!("{k}:{v}")),
    ];
    let body = (prop::collection::vec(entry, 0..8), 1usize..64);
    fuzz("parser, error objects", body, |(entries, step)| {
        let text = format!("{{{}}}", entries.join(","));
        match parse_both_ways(text.as_bytes(), step)? {
            Outcome::Message(_) => {}
            Outcome::Error(error) if error.starts_with("UnexpectedShape") => {}
            other => {
                return Err(TestCaseError::fail(format!(
                    "an object is a message or a wrong shape: {other:?}"
                )));
            }
        }
        Ok(())
    });
}

#[test]
fn parser_survives_random_bytes() {
    let json_alphabet: Vec<u8> = b"[]{}\",:0123456789-+.eEtrufalsn \n\\/uDdZT".to_vec();
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        prop::collection::vec(select(json_alphabet), 0..512),
        prop::collection::vec(select(json_alphabet_tokens()), 0..64)
            .prop_map(|t| t.concat().into_bytes()),
    ];
    fuzz(
        "parser, random bytes",
        (bytes, 1usize..64),
        |(bytes, step)| {
            parse_both_ways(&bytes, step)?;
            Ok(())
        },
    );
}

fn json_alphabet_tokens() -> Vec<String> {
    [
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "\"id_followup\"",
        "\"data\"",
        "\"horario_reagendamento\"",
        "\"x\"",
        "1e400",
        "-0",
        "18446744073709551616",
        "null",
        "true",
        "\"/Date(8210266876799999+0100)/\"",
        "\"\\ud800\"",
        " ",
        "\"Message\"",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// The fixture files, and one body with every edge value above in one place.
fn seeds() -> Vec<Vec<u8>> {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "json"))
        .filter_map(|entry| std::fs::read(entry.path()).ok())
        .collect();
    assert!(seeds.len() >= 2, "fixtures missing in {dir}");
    seeds.push(
        br#"[{"id_followup": 1, "id_credor": 1e400, "id_cliente": 18446744073709551616,
             "data": "/Date(8210266876799999+0100)/", "data_reagendamento": "-999999-01-01T00:00:00",
             "horario_reagendamento": "14:30:00.123456789012345678901234567890",
             "nome_cliente": "\ud800", "tipo_contato": -0, "interacao": "a\nb"},
            1e400, {"\ud800": 1}, {"Message": 1e400}]"#
            .to_vec(),
    );
    seeds
}

#[test]
fn parser_survives_mutated_fixtures() {
    let seeds = seeds();
    let tokens = json_alphabet_tokens();
    #[derive(Clone, Debug)]
    enum Mutation {
        Flip(prop::sample::Index, u8),
        Insert(prop::sample::Index, String),
        Delete(prop::sample::Index, usize),
        Duplicate(prop::sample::Index, usize),
        Truncate(prop::sample::Index),
    }
    let mutation = prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<prop::sample::Index>(), select(tokens)).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<prop::sample::Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
    ];
    let strategy = (
        select(seeds),
        prop::collection::vec(mutation, 1..6),
        1usize..64,
    );
    fuzz(
        "parser, mutated fixtures",
        strategy,
        |(mut bytes, mutations, step)| {
            for mutation in mutations {
                let len = bytes.len().max(1);
                match mutation {
                    Mutation::Flip(at, byte) => {
                        if let Some(b) = bytes.get_mut(at.index(len)) {
                            *b ^= byte | 1;
                        }
                    }
                    Mutation::Insert(at, token) => {
                        let at = at.index(len + 1).min(bytes.len());
                        bytes.splice(at..at, token.into_bytes());
                    }
                    Mutation::Delete(at, n) => {
                        let at = at.index(len).min(bytes.len());
                        let end = at.saturating_add(n).min(bytes.len());
                        bytes.drain(at..end);
                    }
                    Mutation::Duplicate(at, n) => {
                        let at = at.index(len).min(bytes.len());
                        let end = at.saturating_add(n).min(bytes.len());
                        let copy = bytes[at..end].to_vec();
                        bytes.splice(at..at, copy);
                    }
                    Mutation::Truncate(at) => bytes.truncate(at.index(len)),
                }
            }
            parse_both_ways(&bytes, step)?;
            Ok(())
        },
    );
}

#[test]
fn date_and_time_readers_survive_any_text() {
    let text = prop_oneof![
        3 => edge_date_text(),
        1 => any::<String>(),
        1 => "[-+/: 0-9TZDate()t.z]{0,40}",
    ];
    // Any moment chrono can hold, written the way servers do, for the round trip.
    let moment = (
        NaiveDate::MIN.to_epoch_days()..=NaiveDate::MAX.to_epoch_days(),
        0u32..86_400,
        0u32..1_000_000_000,
    );
    let offset = (any::<bool>(), 0u32..24, 0u32..60);
    let strategy = (text, moment, any::<i64>(), offset);
    fuzz(
        "date and time readers",
        strategy,
        |(text, (days, secs, nanos), ms, (minus, h, m))| {
            let _ = parse_datetime(&text);
            let _ = parse_time(&text);
            let _ = parse_time(&format!("{text}{text}"));

            // ISO dates with four-digit years read back exactly, fractions to the nanosecond.
            let date = NaiveDate::from_epoch_days(days).unwrap_or(NaiveDate::MIN);
            let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
                .unwrap_or(chrono::NaiveTime::MIN);
            let value = NaiveDateTime::new(date, time);
            let written = value.format("%Y-%m-%dT%H:%M:%S%.9f").to_string();
            let expected = (0..=9999)
                .contains(&chrono::Datelike::year(&date))
                .then_some(value);
            prop_assert_eq!(parse_datetime(&written), expected, "{}", written);

            // ASP.NET dates: UTC milliseconds plus the offset, or nothing when out of range.
            let sign = if minus { '-' } else { '+' };
            let minutes = i64::from(h * 60 + m) * if minus { -1 } else { 1 };
            let expected = DateTime::from_timestamp_millis(ms).and_then(|utc| {
                utc.naive_utc()
                    .checked_add_signed(chrono::TimeDelta::minutes(minutes))
            });
            let asp = format!("/Date({ms}{sign}{h:02}{m:02})/");
            prop_assert_eq!(parse_datetime(&asp), expected, "{}", asp);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// CPF/CNPJ, the query form and the document list.

/// Documents as users type and paste them: valid ones, masked, lower-cased, damaged; and
/// random text.
fn document_text() -> impl Strategy<Value = String> {
    let valid = prop_oneof!["[0-9]{9}", "[0-9A-Z]{12}"]
        .prop_map(|base| with_check_digits(&base).unwrap_or(base));
    let typed = (
        valid,
        any::<bool>(),
        any::<bool>(),
        any::<prop::sample::Index>(),
        any::<char>(),
    )
        .prop_map(|(doc, mask, lower, at, damage)| {
            let mut text = match CpfCnpj::parse(&doc) {
                Ok(parsed) if mask => parsed.formatted(),
                _ => doc,
            };
            if lower {
                text = text.to_lowercase();
            }
            if damage.is_ascii_alphanumeric() && !text.is_empty() {
                let at = at.index(text.len());
                if text.is_char_boundary(at) {
                    text.insert(at, damage);
                }
            }
            text
        });
    prop_oneof![
        4 => typed,
        2 => "[0-9 ./A-Za-z-]{0,20}",
        1 => any::<String>(),
        1 => select(vec!["", " ", "00000000000", "99999999999999", "ÁÉÍ", "١٢٣٤٥٦٧٨٩٠١"]).prop_map(str::to_owned),
    ]
}

#[test]
fn cpf_cnpj_parser_survives_any_text() {
    let strategy = (document_text(), "[0-9A-Za-z]{0,16}|.{0,16}");
    fuzz("CPF/CNPJ parser", strategy, |(text, base)| {
        let _ = format_lenient(&text);
        match CpfCnpj::parse(&text) {
            Ok(doc) => {
                let normalized = doc.normalized();
                prop_assert!(matches!(normalized.len(), 11 | 14));
                prop_assert!(
                    normalized
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
                );
                // The mask reads back as the same document.
                let again = CpfCnpj::parse(&doc.formatted());
                prop_assert_eq!(again.as_ref(), Ok(&doc));
                // Check digits are right exactly when recomputing them gives the same text
                // (a repeated character is never right).
                let (head, _) = normalized.split_at(normalized.len() - 2);
                let repeated = normalized
                    .bytes()
                    .all(|b| Some(b) == normalized.bytes().next());
                let recomputed = with_check_digits(head).is_some_and(|full| full == normalized);
                prop_assert_eq!(doc.check_digits_ok(), recomputed && !repeated);
                prop_assert_eq!(doc.check_digit_warning().is_some(), !doc.check_digits_ok());
            }
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
        if let Some(full) = with_check_digits(&base) {
            prop_assert!(full.starts_with(base.as_str()));
            let doc = CpfCnpj::parse(&full);
            prop_assert!(doc.is_ok(), "{full}: {doc:?}");
        }
        Ok(())
    });
}

/// What users type in an id box.
fn id_text() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "",
            " ",
            "12",
            " 12 ",
            "0",
            "-0",
            "+5",
            "-1",
            "2147483647",
            "2147483648",
            "-2147483648",
            "99999999999999999999",
            "1.5",
            "1,5",
            "1e3",
            "٣",
            "12a",
            "00012",
        ])
        .prop_map(str::to_owned),
        "[-+ 0-9.,a]{0,12}",
        any::<i64>().prop_map(|v| v.to_string()),
        any::<String>(),
    ]
}

/// What users type in a date box.
fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "",
            " ",
            "01/09/2023",
            "2023-09-30",
            "0000-01-01",
            "9999-12-31",
            "29/02/2024",
            "29/02/2023",
            "31/12/0000",
            "00/00/0000",
            "01/13/2023",
            "2023-9-1",
            "1/1/2023",
            "01/01/23",
            "-999999-01-01",
            "262143-12-31",
            "2023/09/01",
            "ontem",
            "01-09-2023",
        ])
        .prop_map(str::to_owned),
        "[0-9]{0,5}[/-][0-9]{0,3}[/-][0-9]{0,6}",
        any::<String>(),
    ]
}

#[test]
fn query_form_survives_any_input() {
    let form = (
        id_text(),
        document_text(),
        id_text(),
        id_text(),
        select(ReagendarFiltro::ALL.to_vec()),
        date_text(),
        date_text(),
    )
        .prop_map(
            |(id_credor, cpf_cnpj, id_consultor, id_evento, reagendar, data_de, data_ate)| {
                QueryForm {
                    id_credor,
                    cpf_cnpj,
                    id_consultor,
                    id_evento,
                    reagendar,
                    data_de,
                    data_ate,
                }
            },
        );
    let today = NaiveDate::MIN.to_epoch_days()..=NaiveDate::MAX.to_epoch_days();
    fuzz("query form", (form, today), |(form, today)| {
        match form.validate() {
            Ok(query) => {
                prop_assert!(query.filters.id_credor > 0);
                prop_assert!(query.filters.id_consultor.is_none_or(|v| v > 0));
                prop_assert!(query.filters.id_evento.is_none_or(|v| v > 0));
                if let (Some(de), Some(ate)) = (query.filters.data_de, query.filters.data_ate) {
                    prop_assert!(de <= ate);
                }
                // The wire form reads back as the same seven pairs, in order.
                let pairs = query.wire_pairs();
                let base = url::Url::parse("http://127.0.0.1:1/api/v1Followup/?x=1")
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let url = query.url(&base);
                let back: Vec<(String, String)> = url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let sent: Vec<(String, String)> = pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect();
                prop_assert_eq!(back, sent);
                // A date read from the form reads back from its Brazilian display.
                for date in [query.filters.data_de, query.filters.data_ate]
                    .into_iter()
                    .flatten()
                {
                    let shown = recuperador_followups::fmt::date_br(date);
                    prop_assert_eq!(
                        recuperador_followups::api::query::parse_date(&shown),
                        Ok(Some(date))
                    );
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                let mut fields: Vec<_> = errors.iter().map(|e| e.field).collect();
                fields.dedup();
                prop_assert_eq!(
                    fields.len(),
                    errors.len(),
                    "one message per field: {:?}",
                    errors
                );
                prop_assert!(errors.iter().all(|e| !e.message.is_empty()));
            }
        }
        let today = NaiveDate::from_epoch_days(today).unwrap_or(NaiveDate::MIN);
        for preset in DatePreset::ALL {
            if let (Some(de), Some(ate)) = preset.range(today) {
                prop_assert!(de <= ate, "{preset:?} on {today}");
            }
        }
        Ok(())
    });
}

#[test]
fn document_list_parser_survives_any_text() {
    let separator = select(vec![
        "\n", "\r\n", ";", ",", "\t", " ", "\r", "\"", "'", "\u{a0}", "\u{2028}",
    ]);
    let list = prop::collection::vec((document_text(), separator), 0..16).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(doc, sep)| format!("{doc}{sep}"))
            .collect::<String>()
    });
    let text = prop_oneof![
        4 => list,
        1 => ("[A-Za-z_ ]{1,20}\n", "[0-9.\\-/\n]{0,80}").prop_map(|(header, rest)| header + &rest),
        1 => any::<String>(),
    ];
    fuzz("document-list parser", text, |text| {
        let list = parse_document_list(&text);
        let lines = text.lines().count();
        let mut seen = std::collections::HashSet::new();
        for doc in &list.valid {
            prop_assert!(
                seen.insert(doc.normalized().to_owned()),
                "a document queried twice"
            );
        }
        prop_assert!(list.warned.len() <= list.valid.len());
        prop_assert!(list.warned.iter().all(|&line| (1..=lines).contains(&line)));
        prop_assert!(list.invalid.iter().all(|e| (1..=lines).contains(&e.line)));
        prop_assert!(!list.summary().is_empty());
        Ok(())
    });
}
