//! Parsing fixtures: the documented shape and every tolerance rule.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};
use recuperador_followups::api::parse::{ParseError, Parsed, parse_followups_slice};
use recuperador_followups::api::{Followup, ReagendarPara, SimNao, TipoContato, TipoEvento};

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
    assert_eq!(first.id_followup, Some(1001));
    assert_eq!(first.id_credor, Some(12));
    assert_eq!(first.id_cliente, Some(555));
    assert_eq!(first.id_consultor, Some(7));
    assert_eq!(first.id_evento, Some(3));
    assert_eq!(first.nome_credor.as_deref(), Some("Banco Exemplo S.A."));
    assert_eq!(
        first.nome_cliente.as_deref(),
        Some("Conceição Aparecida Gonçalves")
    );
    assert_eq!(first.cpf_cnpj.as_deref(), Some("529.982.247-25"));
    assert_eq!(first.nome_consultor.as_deref(), Some("Álvaro Nogueira"));
    assert_eq!(first.nome_evento.as_deref(), Some("Promessa de pagamento"));
    assert_eq!(first.tipo_evento, Some(TipoEvento::Produtivo));
    assert_eq!(
        first.data,
        NaiveDate::from_ymd_opt(2023, 9, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
    );
    assert_eq!(
        first.interacao.as_deref(),
        Some("Cliente atendeu; prometeu pagar \"amanhã\".\r\nLigar às 14h.")
    );
    assert_eq!(first.tipo_contato, Some(TipoContato::Telefonema));
    assert_eq!(first.reagendar, Some(SimNao::Sim));
    assert_eq!(
        first.data_reagendamento,
        NaiveDate::from_ymd_opt(2023, 9, 2)
            .unwrap()
            .and_hms_opt(0, 0, 0)
    );
    assert_eq!(
        first.horario_reagendamento,
        NaiveTime::from_hms_opt(14, 0, 0)
    );
    assert_eq!(first.reagendar_para, Some(ReagendarPara::Consultor));
    assert_eq!(first.visivel_cliente, Some(SimNao::Nao));
    assert_eq!(first.reagendado_por.as_deref(), Some("alvaro.nogueira"));

    let second = &rows[1];
    assert_eq!(second.id_consultor, None);
    assert_eq!(second.nome_consultor, None);
    assert_eq!(second.tipo_evento, None);
    assert_eq!(second.tipo_contato, Some(TipoContato::WhatsApp));
    assert_eq!(second.reagendar, Some(SimNao::Nao));
    assert_eq!(second.data_reagendamento, None);
    assert_eq!(
        second.interacao.as_deref(),
        Some("=HYPERLINK(\"http://x\")")
    );

    // Repeated strings are shared between rows, not copied.
    let (a, b) = (
        first.nome_credor.as_ref().unwrap(),
        second.nome_credor.as_ref().unwrap(),
    );
    assert!(Arc::ptr_eq(a, b));
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
    assert_eq!(r.id_followup, Some(2001), "ids sent as strings");
    assert_eq!(r.id_credor, Some(12), "spaces around a numeric string");
    assert_eq!(r.id_cliente, Some(9), "another casing of a field name");
    assert_eq!(
        r.data,
        NaiveDate::from_ymd_opt(2023, 9, 1)
            .unwrap()
            .and_hms_nano_opt(8, 30, 0, 123_456_700),
        "fraction and offset; wall time kept"
    );
    assert_eq!(
        r.horario_reagendamento,
        NaiveTime::from_hms_opt(9, 5, 0),
        "hh:mm"
    );
    assert_eq!(
        r.tipo_contato.as_ref().map(|c| c.code()),
        Some("X"),
        "unknown code kept"
    );
    assert_eq!(r.tipo_contato.as_ref().map(|c| c.label()), Some("X"));
    assert_eq!(r.reagendar, None, "empty code is empty");
    assert_eq!(
        (r.interacao.as_deref(), r.nome_cliente.as_deref()),
        (None, None),
        "null strings"
    );

    let r = &rows[1];
    assert_eq!(r.id_followup, Some(2002), "integral float");
    assert_eq!(
        r.data,
        NaiveDate::from_ymd_opt(2023, 9, 2)
            .unwrap()
            .and_hms_opt(0, 0, 0),
        "bare date"
    );
    assert_eq!(
        r.data_reagendamento,
        NaiveDate::from_ymd_opt(2023, 9, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0),
        "ASP.NET /Date()/ with offset"
    );
    assert_eq!(
        r.horario_reagendamento,
        NaiveTime::from_hms_opt(16, 45, 0),
        "time inside a date-time"
    );
    assert_eq!(r.tipo_evento, Some(TipoEvento::Improdutivo));
    assert_eq!(r.id_credor, None, "missing field");

    let r = &rows[2];
    assert_eq!(r.id_followup, Some(2003));
    assert_eq!(
        (r.data, r.id_evento, r.id_consultor),
        (None, None, None),
        "bad fields blanked"
    );
    assert_eq!(
        r.tipo_contato,
        Some(TipoContato::WhatsApp),
        "the rest of the row is kept"
    );

    let r = &rows[3];
    assert_eq!(r.id_credor, None, "overflowing id blanked");
    assert_eq!(r.horario_reagendamento, None, "impossible time blanked");
    assert_eq!(
        r.nome_evento.as_deref(),
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
}
