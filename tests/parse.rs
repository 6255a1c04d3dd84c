//! Parsing fixtures: the documented shape and every tolerance rule.

use chrono::{NaiveDate, NaiveTime};
use recuperador_followups::api::parse::{
    Interner, ParseError, ParseOptions, Parsed, parse_followups, parse_followups_slice,
    parse_followups_with,
};
use recuperador_followups::api::{
    Followup, ReagendarPara, SharedStr, SimNao, TipoContato, TipoEvento,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn rows_of(
    bytes: &[u8],
) -> (
    Vec<Followup>,
    recuperador_followups::api::parse::ParseReport,
) {
    match parse_followups_slice(bytes) {
        Ok((rows, Parsed::Rows(report))) => (rows, report),
        other => panic!("expected rows, got {other:?}"),
    }
}

#[test]
fn documented_rows_parse_into_every_field() {
    let (rows, report) = rows_of(&fixture("documented.json"));
    assert_eq!(rows.len(), 2);
    assert!(!report.has_problems(), "{report:?}");
    let first = &rows[0];
    assert_eq!(first.id_followup(), Some(1001));
    assert_eq!(first.id_credor(), Some(12));
    assert_eq!(first.id_cliente(), Some(555));
    assert_eq!(first.id_consultor(), Some(7));
    assert_eq!(first.id_evento(), Some(3));
    assert_eq!(
        first.nome_credor().map(|s| s.as_str()),
        Some("Banco Exemplo S.A.")
    );
    assert_eq!(
        first.nome_cliente().map(|s| s.as_str()),
        Some("Conceição Aparecida Gonçalves")
    );
    assert_eq!(first.cpf_cnpj().map(|s| s.as_str()), Some("529.982.247-25"));
    assert_eq!(
        first.nome_consultor().map(|s| s.as_str()),
        Some("Álvaro Nogueira")
    );
    assert_eq!(
        first.nome_evento().map(|s| s.as_str()),
        Some("Promessa de pagamento")
    );
    assert_eq!(first.tipo_evento(), Some(TipoEvento::Produtivo));
    assert_eq!(
        first.data(),
        NaiveDate::from_ymd_opt(2023, 9, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
    );
    assert_eq!(
        first.interacao(),
        Some("Cliente atendeu; prometeu pagar \"amanhã\".\r\nLigar às 14h.")
    );
    assert_eq!(first.tipo_contato(), Some(TipoContato::Telefonema));
    assert_eq!(first.reagendar(), Some(SimNao::Sim));
    assert_eq!(
        first.data_reagendamento(),
        NaiveDate::from_ymd_opt(2023, 9, 2)
            .unwrap()
            .and_hms_opt(0, 0, 0)
    );
    assert_eq!(
        first.horario_reagendamento(),
        NaiveTime::from_hms_opt(14, 0, 0)
    );
    assert_eq!(first.reagendar_para(), Some(ReagendarPara::Consultor));
    assert_eq!(first.visivel_cliente(), Some(SimNao::Nao));
    assert_eq!(
        first.reagendado_por().map(|s| s.as_str()),
        Some("alvaro.nogueira")
    );

    let second = &rows[1];
    assert_eq!(second.id_consultor(), None);
    assert_eq!(second.nome_consultor(), None);
    assert_eq!(second.tipo_evento(), None);
    assert_eq!(second.tipo_contato(), Some(TipoContato::WhatsApp));
    assert_eq!(second.reagendar(), Some(SimNao::Nao));
    assert_eq!(second.data_reagendamento(), None);
    assert_eq!(second.interacao(), Some("=HYPERLINK(\"http://x\")"));

    // Repeated strings are shared between rows, not copied.
    let (a, b) = (first.nome_credor().unwrap(), second.nome_credor().unwrap());
    assert!(SharedStr::ptr_eq(a, b));
}

#[test]
fn tolerant_rows_keep_what_can_be_read() {
    let (rows, report) = rows_of(&fixture("tolerant.json"));
    // `null` and `[1, 2, 3]` are skipped; four objects are kept.
    assert_eq!(rows.len(), 4);
    assert_eq!(report.rows, 4);
    assert_eq!(report.rows_skipped, 2);
    // Row 2003: data, id_evento, id_consultor; row 2004: id_credor, horario.
    assert_eq!(report.fields_blanked, 5, "{report:?}");
    assert!(
        report.first_problem.as_deref().unwrap().contains("item 3"),
        "{report:?}"
    );
    assert!(
        report
            .problem_summary()
            .unwrap()
            .contains("2 linha(s) ignorada(s)")
    );

    let r = &rows[0];
    assert_eq!(r.id_followup(), Some(2001), "ids sent as strings");
    assert_eq!(r.id_credor(), Some(12), "spaces around a numeric string");
    assert_eq!(r.id_cliente(), Some(9), "another casing of a field name");
    assert_eq!(
        r.data(),
        NaiveDate::from_ymd_opt(2023, 9, 1)
            .unwrap()
            .and_hms_nano_opt(8, 30, 0, 123_456_700),
        "fraction and offset; wall time kept"
    );
    assert_eq!(
        r.horario_reagendamento(),
        NaiveTime::from_hms_opt(9, 5, 0),
        "hh:mm"
    );
    assert_eq!(
        r.tipo_contato().as_ref().map(|c| c.code()),
        Some("X"),
        "unknown code kept"
    );
    assert_eq!(r.tipo_contato().as_ref().map(|c| c.label()), Some("X"));
    assert_eq!(r.reagendar(), None, "empty code is empty");
    assert_eq!(
        (r.interacao(), r.nome_cliente().map(|s| s.as_str())),
        (None, None),
        "null strings"
    );

    let r = &rows[1];
    assert_eq!(r.id_followup(), Some(2002), "integral float");
    assert_eq!(
        r.data(),
        NaiveDate::from_ymd_opt(2023, 9, 2)
            .unwrap()
            .and_hms_opt(0, 0, 0),
        "bare date"
    );
    assert_eq!(
        r.data_reagendamento(),
        NaiveDate::from_ymd_opt(2023, 9, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0),
        "ASP.NET /Date()/ with offset"
    );
    assert_eq!(
        r.horario_reagendamento(),
        NaiveTime::from_hms_opt(16, 45, 0),
        "time inside a date-time"
    );
    assert_eq!(r.tipo_evento(), Some(TipoEvento::Improdutivo));
    assert_eq!(r.id_credor(), None, "missing field");

    let r = &rows[2];
    assert_eq!(r.id_followup(), Some(2003));
    assert_eq!(
        (r.data(), r.id_evento(), r.id_consultor()),
        (None, None, None),
        "bad fields blanked"
    );
    assert_eq!(
        r.tipo_contato(),
        Some(TipoContato::WhatsApp),
        "the rest of the row is kept"
    );

    let r = &rows[3];
    assert_eq!(r.id_credor(), None, "overflowing id blanked");
    assert_eq!(r.horario_reagendamento(), None, "impossible time blanked");
    assert_eq!(
        r.nome_evento().map(|s| s.as_str()),
        Some("42"),
        "a number where text was expected"
    );
}

#[test]
fn error_objects_become_api_messages() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"Message":"An error has occurred."}"#,
            "An error has occurred.",
        ),
        (
            r#"{"sucesso": false, "mensagem": "Credor não encontrado"}"#,
            "Credor não encontrado",
        ),
        (
            r#"{"error": {"code": 7, "message": "Token expirado"}}"#,
            "Token expirado",
        ),
        (
            r#"{"errors": ["id_credor inválido", "cpf inválido"]}"#,
            "id_credor inválido; cpf inválido",
        ),
        (
            r#"{"success": false}"#,
            "a API indicou falha sem dar detalhes",
        ),
        (r#""Serviço em manutenção""#, "Serviço em manutenção"),
    ];
    for (body, expected) in cases {
        match parse_followups_slice(body.as_bytes()) {
            Ok((rows, Parsed::ApiMessage(message))) => {
                assert!(rows.is_empty());
                assert_eq!(message, *expected, "{body}");
            }
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn broken_bodies_are_errors_not_panics() {
    let truncated = br#"[{"id_followup": 1, "interacao": "abc"}, {"id_followup": 2, "inter"#;
    assert!(matches!(
        parse_followups_slice(truncated),
        Err(ParseError::Truncated)
    ));

    let malformed = br#"[{"id_followup": 1}, {"id_followup": 2 "x": 3}]"#;
    match parse_followups_slice(malformed) {
        Err(ParseError::Syntax { line, column, .. }) => assert_eq!((line, column), (1, 40)),
        other => panic!("{other:?}"),
    }

    let object = br#"{"dados": [], "total": 0}"#;
    match parse_followups_slice(object) {
        Err(ParseError::UnexpectedShape(text)) => assert!(text.contains("dados"), "{text}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_followups_slice(b"42"),
        Err(ParseError::UnexpectedShape(_))
    ));
    assert!(matches!(
        parse_followups_slice(b"[] x"),
        Err(ParseError::Syntax { .. })
    ));
    let (rows, _) = rows_of(b"  []  ");
    assert!(rows.is_empty());

    // A body cut inside a number is truncated, wherever the number stops.
    for cut in [
        &b"[-"[..],
        b"[1.",
        b"[1e",
        b"[1e+",
        br#"[{"id_followup": 1E-"#,
        br#"[{"id_followup": 12"#,
    ] {
        assert!(
            matches!(parse_followups_slice(cut), Err(ParseError::Truncated)),
            "{}",
            String::from_utf8_lossy(cut)
        );
    }
    // The same number broken before the end of the body is a syntax error.
    assert!(matches!(
        parse_followups_slice(b"[1.]"),
        Err(ParseError::Syntax { .. })
    ));
}

/// serde_json's verdict on a whole body, as `(line, column, description)`.
fn serde_json_syntax_error(body: &[u8]) -> (usize, usize, String) {
    use serde::Deserialize as _;
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let error = serde::de::IgnoredAny::deserialize(&mut deserializer)
        .and_then(|_| deserializer.end())
        .expect_err("the body is broken");
    let text = error.to_string();
    let detail = text
        .rsplit_once(" at line ")
        .map_or(&*text, |(head, _)| head);
    (error.line(), error.column(), detail.to_owned())
}

#[test]
fn a_broken_value_that_the_splitter_saw_end_is_placed_where_serde_json_places_it() {
    // The splitter ends a string at the quote after `\u`, a number or a literal at the next
    // delimiter; serde_json reads on (four hex digits, the delimiter) and finds the break
    // there. Found by the fuzz test: `"\u"` was reported as an invalid number.
    for body in [
        &br#"["\u"id_followup"d800"]"#[..],
        br#"[{"interacao": "\u"}, {"id_followup": 2}]"#,
        br#"[{"interacao": "\u1"}]"#,
        b"[\"\\u\"\n\n\n]",
        b"[-\"x\"]",
        b"[1e\n]",
        b"[tru,1]",
        b"[nul\n\n]",
    ] {
        let (line, column, detail) = serde_json_syntax_error(body);
        for step in [usize::MAX, 1, 2, 3] {
            let parsed = if step == usize::MAX {
                parse_followups_slice(body)
            } else {
                let reader = TrickleReader { bytes: body, step };
                let mut rows = Vec::new();
                parse_followups(reader, &mut Interner::default(), |row| rows.push(row))
                    .map(|parsed| (rows, parsed))
            };
            match parsed {
                Err(ParseError::Syntax {
                    line: l,
                    column: c,
                    detail: d,
                }) => assert_eq!(
                    (l, c, d),
                    (line, column, detail.clone()),
                    "{}",
                    String::from_utf8_lossy(body)
                ),
                other => panic!("{}: {other:?}", String::from_utf8_lossy(body)),
            }
        }
    }
}

/// Hands out `step` bytes per read, so an item and the bytes after it straddle reads.
struct TrickleReader<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl std::io::Read for TrickleReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.bytes.len());
        let (head, tail) = self.bytes.split_at(n);
        buf[..n].copy_from_slice(head);
        self.bytes = tail;
        Ok(n)
    }
}

/// Three rows around one value outside its type: the first and last are the documented
/// fixture's first row; the middle one carries `field: value` (raw JSON) among good fields.
fn body_with(field: &str, value: &str) -> String {
    let good = r#"{"id_followup": 1, "id_credor": 12, "nome_cliente": "Conceição",
        "data": "2023-09-01T00:00:00", "tipo_contato": "W", "horario_reagendamento": "14:00"}"#;
    format!(
        r#"[{good},
            {{"id_followup": 2, "id_credor": 12, "nome_cliente": "Conceição", "{field}": {value},
              "data_reagendamento": "2023-09-02", "tipo_contato": "T", "interacao": "texto"}},
            {good}]"#
    )
}

/// Asserts the middle row of [`body_with`] kept everything but `field`, the other rows are
/// whole, and exactly one field was counted as blanked, with its name in the first problem.
fn assert_only_field_blanked(field: &str, value: &str) {
    let body = body_with(field, value);
    let (rows, report) = rows_of(body.as_bytes());
    assert_eq!(rows.len(), 3, "{field}: {value}: every row is kept");
    assert_eq!((report.rows, report.rows_skipped), (3, 0), "{report:?}");
    assert_eq!(report.fields_blanked, 1, "{field}: {value}: {report:?}");
    let problem = report.first_problem.as_deref().unwrap_or_default();
    assert!(
        problem.contains(&format!("item 2, campo {field}")),
        "{problem}"
    );
    assert!(report.problem_summary().is_some());

    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(0, 0, 0));
    for good in [&rows[0], &rows[2]] {
        assert_eq!(good.id_followup(), Some(1));
        assert_eq!(good.id_credor(), Some(12));
        assert_eq!(good.data(), date(2023, 9, 1));
        assert_eq!(good.tipo_contato(), Some(TipoContato::WhatsApp));
        assert_eq!(
            good.horario_reagendamento(),
            NaiveTime::from_hms_opt(14, 0, 0)
        );
    }
    let row = &rows[1];
    let column = recuperador_followups::api::Column::from_wire_name(field).unwrap();
    assert_eq!(
        row.value(column),
        recuperador_followups::api::Value::Empty,
        "{field} is blank"
    );
    assert_eq!(row.id_followup(), Some(2));
    assert_eq!(row.id_credor(), Some(12));
    assert_eq!(row.nome_cliente().map(|s| s.as_str()), Some("Conceição"));
    assert_eq!(row.data_reagendamento(), date(2023, 9, 2));
    assert_eq!(row.tipo_contato(), Some(TipoContato::Telefonema));
    assert_eq!(row.interacao(), Some("texto"));
}

#[test]
fn an_asp_net_date_pushed_past_the_last_day_blanks_only_its_field() {
    // +262142-12-31T23:59:59.999 UTC, chrono's last moment, plus one hour of offset.
    assert_only_field_blanked("data", r#""/Date(8210266876799999+0100)/""#);
    // The same at the other end: the first moment minus one hour.
    assert_only_field_blanked("data", r#""/Date(-8334601228800000-0100)/""#);
}

#[test]
fn a_number_past_f64_in_an_id_blanks_only_its_field() {
    assert_only_field_blanked("id_cliente", "1e400");
    assert_only_field_blanked("id_cliente", "-1e400");
    // An exponent past i32, where serde_json stops reading the number mid-way.
    assert_only_field_blanked("id_cliente", "1e99999999999");
}

#[test]
fn an_integer_past_u64_blanks_only_its_field() {
    assert_only_field_blanked("id_consultor", "18446744073709551616");
    assert_only_field_blanked("id_consultor", "-9223372036854775809");
    let huge = "9".repeat(400);
    assert_only_field_blanked("id_consultor", &huge);
}

#[test]
fn a_year_outside_chrono_blanks_only_its_field() {
    assert_only_field_blanked("data", r#""-999999-01-01T00:00:00""#);
    assert_only_field_blanked("data", r#""262144-01-01T00:00:00""#);
}

#[test]
fn values_outside_their_type_anywhere_lose_only_themselves() {
    // A number out of range in a code field, a lone surrogate in a text and in a field name:
    // each loses one field (or is an unknown field), never the row or the answer.
    assert_only_field_blanked("tipo_evento", "1e400");
    assert_only_field_blanked("nome_consultor", r#""\ud800""#);
    let body = br#"[{"id_followup": 7, "\ud800": 1, "nome_evento": 1e400, "nome_credor": -0}]"#;
    let (rows, report) = rows_of(body);
    assert_eq!(rows[0].id_followup(), Some(7));
    // A number where text is expected is text: kept as written, whatever its size.
    assert_eq!(rows[0].nome_evento().map(|s| s.as_str()), Some("1e400"));
    assert_eq!(rows[0].nome_credor().map(|s| s.as_str()), Some("-0"));
    assert!(!report.has_problems(), "{report:?}");
    // An item that is itself out of range is skipped, not the answer.
    let (rows, report) = rows_of(br#"[1e400, {"id_followup": 8}]"#);
    assert_eq!((rows.len(), report.rows_skipped), (1, 1));
    // An error object with such a value beside its message is still the API's message.
    match parse_followups_slice(br#"{"Message": "Token expirado", "code": 1e400}"#) {
        Ok((_, Parsed::ApiMessage(message))) => assert_eq!(message, "Token expirado"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_long_run_of_dates_in_a_time_field_is_blanked_without_recursion() {
    // `01/09/2023 01/09/2023 …` once read each date's "time part" as another date-time, one
    // stack frame per date: two megabytes of them overflowed the stack and killed the process.
    let value = format!("\"{}\"", "01/09/2023 ".repeat(200_000));
    assert_only_field_blanked("horario_reagendamento", &value);
    assert_only_field_blanked("data", &value);
}

#[test]
fn fractions_past_the_nanosecond_are_cut_not_refused() {
    let body = br#"[{"data": "2023-09-01T14:05:09.123456789012345678901234567890",
                     "horario_reagendamento": "08:05:09.99999999999"}]"#;
    let (rows, report) = rows_of(body);
    assert!(!report.has_problems(), "{report:?}");
    assert_eq!(
        rows[0].data(),
        NaiveDate::from_ymd_opt(2023, 9, 1)
            .unwrap()
            .and_hms_nano_opt(14, 5, 9, 123_456_789)
    );
    assert_eq!(
        rows[0].horario_reagendamento(),
        NaiveTime::from_hms_nano_opt(8, 5, 9, 999_999_999)
    );
}

#[test]
fn a_big_answer_parsed_in_chunks_on_workers_gives_the_rows_in_order_with_one_report() {
    // About 1.8 MB: several chunks of the default size, and hundreds of small ones. A null
    // item, an unreadable date and an unknown extra field sit in different chunks.
    let source = recuperador_followups::sim::huge_history_rows(3_000);
    let mut items: Vec<String> = source
        .iter()
        .map(|row| serde_json::to_string(row).expect("row serializes"))
        .collect();
    items.insert(1_200, "null".to_owned());
    let date = items[2_000].find(r#""data":""#).expect("a date") + r#""data":""#.len();
    items[2_000].replace_range(date..date + "2025-11-30T08:00:00".len(), "ontem");
    items[2_000].insert_str(1, r#""extra": [1, {"a": 2}], "#);
    let body = format!("[{}]", items.join(",\n"));
    assert!(body.len() > 4 * ParseOptions::default().chunk_bytes);

    let parse = |options: ParseOptions| {
        let mut rows = Vec::new();
        let parsed =
            parse_followups_with(body.as_bytes(), &mut Interner::default(), options, |row| {
                rows.push(row)
            });
        match parsed {
            Ok(Parsed::Rows(report)) => (rows, report),
            other => panic!("{options:?}: {other:?}"),
        }
    };
    let (rows, report) = parse(ParseOptions::default());
    assert_eq!(rows.len(), 3_000);
    assert_eq!(
        (report.rows, report.rows_skipped, report.fields_blanked),
        (3_000, 1, 1)
    );
    assert_eq!(
        report.first_problem.as_deref(),
        Some("item 1201 ignorado: é null, não um follow-up")
    );
    // Every row as it was sent, in the order sent, except the one date left blank.
    let mut expected = source.clone();
    expected[1_999].set_data(None);
    assert!(rows == expected, "rows differ from the ones sent");
    for options in [
        ParseOptions {
            chunk_bytes: 4_096,
            workers: 3,
        },
        ParseOptions {
            chunk_bytes: 4_096,
            workers: 0,
        },
    ] {
        let (other_rows, other_report) = parse(options);
        assert!(other_rows == rows, "{options:?}: other rows");
        assert_eq!(other_report, report, "{options:?}");
    }
}
