//! The simulator over loopback, with a plain HTTP client: auth, validation, filters,
//! compression, faults, streaming of a huge history, determinism and shutdown.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use recuperador_followups::api::{FollowupQuery, QueryForm, ReagendarFiltro};
use recuperador_followups::doc_id::CpfCnpj;
use recuperador_followups::sim::{
    Dataset, DatasetConfig, Debtor, Fault, SimConfig, SimFilter, Simulator,
};
use serde_json::Value;

fn start() -> Simulator {
    Simulator::start(SimConfig::default()).unwrap()
}

/// reqwest is built with `rustls-no-provider`: even for plain HTTP, building a client needs a
/// crypto provider installed (it panics otherwise).
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A client that neither decompresses nor uses proxies: what is on the wire is what we get.
fn client() -> reqwest::blocking::Client {
    install_crypto_provider();
    reqwest::blocking::Client::builder()
        .no_proxy()
        .no_gzip()
        .no_brotli()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn get(sim: &Simulator, query: &str) -> reqwest::blocking::Response {
    let mut url = sim.url();
    url.set_query(Some(query));
    client()
        .get(url)
        .basic_auth(sim.token(), Some(""))
        .send()
        .unwrap()
}

fn query_for(debtor: &Debtor, extra: &str) -> String {
    format!(
        "id_credor={}&cpf_cnpj_formatado={}&id_consultor=0&id_evento=0&reagendar=&datagte=&datalte={extra}",
        debtor.id_credor, debtor.cpf_cnpj
    )
}

fn filter_for(debtor: &Debtor) -> SimFilter {
    SimFilter {
        id_credor: debtor.id_credor,
        cpf_cnpj: debtor.cpf_cnpj.clone(),
        ..SimFilter::default()
    }
}

fn expected(dataset: &Dataset, filter: &SimFilter) -> Value {
    Value::Array(
        dataset
            .matching(filter)
            .map(|row| serde_json::to_value(&row).unwrap())
            .collect(),
    )
}

fn json(response: reqwest::blocking::Response) -> Value {
    serde_json::from_slice(&response.bytes().unwrap()).unwrap()
}

/// The regular debtor with the longest history.
fn busiest(dataset: &Dataset) -> Debtor {
    dataset
        .debtors()
        .iter()
        .filter(|d| !d.huge)
        .max_by_key(|d| dataset.history_len(d))
        .unwrap()
        .clone()
}

/// Sends raw bytes and reads until the server closes (or 10 s pass).
fn raw_exchange(sim: &Simulator, request: &str) -> (Vec<u8>, bool) {
    let mut stream = TcpStream::connect(sim.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let closed = loop {
        let mut buf = [0_u8; 8192];
        match stream.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
            Err(_) => break false,
        }
    };
    (out, closed)
}

fn raw_get(sim: &Simulator, query: &str, extra_headers: &str) -> String {
    format!(
        "GET /api/v1Followup/?{query} HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {}\r\n{extra_headers}\r\n",
        sim.addr(),
        base64(&format!("{}:", sim.token()))
    )
}

fn base64(input: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn auth_is_basic_with_the_token_as_username() {
    let sim = start();
    let debtor = busiest(sim.dataset());
    let mut url = sim.url();
    url.set_query(Some(&query_for(&debtor, "")));
    let c = client();
    for request in [
        c.get(url.clone()),
        c.get(url.clone()).basic_auth("wrong-token", Some("")),
        c.get(url.clone()).basic_auth(sim.token(), Some("password")),
        c.get(url.clone()).bearer_auth(sim.token()),
    ] {
        let response = request.send().unwrap();
        assert_eq!(response.status(), 401);
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
        assert_eq!(
            json(response),
            serde_json::json!({"Message": "Authorization has been denied for this request."})
        );
    }
    let response = c
        .get(url)
        .basic_auth(sim.token(), None::<&str>)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[test]
fn invalid_parameters_are_400_naming_the_parameter() {
    let sim = start();
    let cases = [
        ("cpf_cnpj_formatado=52998224725", "id_credor"),
        ("id_credor=&cpf_cnpj_formatado=52998224725", "id_credor"),
        ("id_credor=12", "cpf_cnpj_formatado"),
        ("id_credor=12&cpf_cnpj_formatado=", "cpf_cnpj_formatado"),
        ("id_credor=doze&cpf_cnpj_formatado=52998224725", "id_credor"),
        (
            "id_credor=12&cpf_cnpj_formatado=52998224725&id_consultor=1.5",
            "id_consultor",
        ),
        (
            "id_credor=12&cpf_cnpj_formatado=52998224725&id_evento=x",
            "id_evento",
        ),
        (
            "id_credor=12&cpf_cnpj_formatado=1234567890123456789",
            "cpf_cnpj_formatado",
        ),
        (
            "id_credor=12&cpf_cnpj_formatado=52998224725&reagendar=SN",
            "reagendar",
        ),
        (
            "id_credor=12&cpf_cnpj_formatado=52998224725&reagendar=X",
            "reagendar",
        ),
        (
            "id_credor=12&cpf_cnpj_formatado=52998224725&datagte=01%2F09%2F2023",
            "datagte",
        ),
        (
            "id_credor=12&cpf_cnpj_formatado=52998224725&datalte=2023-13-01",
            "datalte",
        ),
    ];
    for (query, parameter) in cases {
        let response = get(&sim, query);
        assert_eq!(response.status(), 400, "{query}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let message = json(response)["Message"].as_str().unwrap().to_owned();
        assert!(
            message.contains(&format!("'{parameter}'")),
            "{query}: {message}"
        );
    }
    // Unknown parameters are ignored; an unknown debtor is an empty list.
    let response = get(
        &sim,
        "id_credor=12&cpf_cnpj_formatado=52998224725&foo=bar&reagendar=",
    );
    assert_eq!(response.status(), 200);
    assert_eq!(json(response), serde_json::json!([]));
}

#[test]
fn other_paths_are_404_and_other_methods_405() {
    let sim = start();
    let mut url = sim.url();
    url.set_path("/api/v2Outra/");
    let response = client()
        .get(url)
        .basic_auth(sim.token(), Some(""))
        .send()
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(json(response)["Message"].is_string());
    let response = client()
        .post(sim.url())
        .basic_auth(sim.token(), Some(""))
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(response.status(), 405);
    assert!(json(response)["Message"].as_str().unwrap().contains("POST"));
}

#[test]
fn the_answer_is_the_documented_json_of_the_matching_rows() {
    let sim = start();
    let dataset = sim.dataset();
    let debtor = busiest(dataset);
    let response = get(&sim, &query_for(&debtor, ""));
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(response.headers()["transfer-encoding"], "chunked");
    let body = json(response);
    let rows = body.as_array().unwrap();
    assert_eq!(rows.len(), dataset.history_len(&debtor));
    assert_eq!(body, expected(dataset, &filter_for(&debtor)));
    let first = rows[0].as_object().unwrap();
    assert_eq!(first.len(), 20);
    assert!(first["data"].as_str().unwrap().len() == 19);
    assert_eq!(first["cpf_cnpj"], debtor.cpf_cnpj.as_str());

    // The same answer with a masked document, and without the trailing slash.
    let masked = CpfCnpj::parse(&debtor.cpf_cnpj).unwrap().formatted();
    let mut url = sim.url();
    url.set_path("/api/v1Followup");
    url.query_pairs_mut()
        .append_pair("id_credor", &debtor.id_credor.to_string())
        .append_pair("cpf_cnpj_formatado", &masked);
    let response = client()
        .get(url)
        .basic_auth(sim.token(), Some(""))
        .send()
        .unwrap();
    assert_eq!(json(response), body);

    // The creditor must match too.
    let other = get(
        &sim,
        &format!("id_credor=999&cpf_cnpj_formatado={}", debtor.cpf_cnpj),
    );
    assert_eq!(json(other), serde_json::json!([]));
}

#[test]
fn every_filter_returns_what_the_contract_says() {
    let sim = start();
    let dataset = sim.dataset();
    let debtor = busiest(dataset);
    let all: Vec<Value> = json(get(&sim, &query_for(&debtor, "")))
        .as_array()
        .unwrap()
        .clone();
    let run = |extra: &str| -> Vec<Value> {
        let query = format!(
            "id_credor={}&cpf_cnpj_formatado={}{extra}",
            debtor.id_credor, debtor.cpf_cnpj
        );
        json(get(&sim, &query)).as_array().unwrap().clone()
    };

    let s = run("&reagendar=S");
    let n = run("&reagendar=N");
    assert!(!s.is_empty() && !n.is_empty());
    assert!(
        s.iter()
            .all(|r| r["reagendar"] == "S" && r["data_reagendamento"].is_string())
    );
    assert!(
        n.iter()
            .all(|r| r["reagendar"] == "N" && r["reagendar_para"].is_null())
    );
    assert_eq!(s.len() + n.len(), all.len());

    let consultant = all.iter().find_map(|r| r["id_consultor"].as_i64()).unwrap();
    let by_consultant = run(&format!("&id_consultor={consultant}"));
    assert!(!by_consultant.is_empty());
    assert!(
        by_consultant
            .iter()
            .all(|r| r["id_consultor"] == consultant)
    );
    assert_eq!(
        by_consultant.len(),
        all.iter()
            .filter(|r| r["id_consultor"] == consultant)
            .count()
    );

    let event = all.iter().find_map(|r| r["id_evento"].as_i64()).unwrap();
    let by_event = run(&format!("&id_evento={event}"));
    assert!(!by_event.is_empty());
    assert!(by_event.iter().all(|r| r["id_evento"] == event));

    let day = all[all.len() / 2]["data"].as_str().unwrap()[..10].to_owned();
    let on_day = run(&format!("&datagte={day}&datalte={day}"));
    assert!(!on_day.is_empty());
    assert!(
        on_day
            .iter()
            .all(|r| r["data"].as_str().unwrap().starts_with(&day))
    );
    let from_day = run(&format!("&datagte={day}"));
    assert!(
        from_day
            .iter()
            .all(|r| r["data"].as_str().unwrap()[..10] >= *day)
    );
    let to_day = run(&format!("&datalte={day}"));
    assert!(
        to_day
            .iter()
            .all(|r| r["data"].as_str().unwrap()[..10] <= *day)
    );
    assert_eq!(from_day.len() + to_day.len() - on_day.len(), all.len());

    // A validated client query gets exactly what `Dataset::matching` computes for it.
    let form = QueryForm {
        id_credor: debtor.id_credor.to_string(),
        cpf_cnpj: CpfCnpj::parse(&debtor.cpf_cnpj).unwrap().formatted(),
        id_consultor: consultant.to_string(),
        reagendar: ReagendarFiltro::SemReagendamento,
        data_ate: day.clone(),
        ..QueryForm::default()
    };
    let query: FollowupQuery = form.validate().unwrap();
    let response = client()
        .get(query.url(&sim.url()))
        .basic_auth(sim.token(), Some(""))
        .send()
        .unwrap();
    assert_eq!(json(response), expected(dataset, &SimFilter::from(&query)));
    assert_eq!(sim.last_query().unwrap(), query.query_string());
}

#[test]
fn gzip_and_brotli_decode_to_the_plain_body() {
    let sim = start();
    let debtor = busiest(sim.dataset());
    let query = query_for(&debtor, "");
    let plain = get(&sim, &query).bytes().unwrap();
    let mut url = sim.url();
    url.set_query(Some(&query));
    let fetch = |accept: &str| {
        let response = client()
            .get(url.clone())
            .basic_auth(sim.token(), Some(""))
            .header("Accept-Encoding", accept)
            .send()
            .unwrap();
        let encoding = response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        (encoding, response.bytes().unwrap().to_vec())
    };

    let (encoding, gz) = fetch("gzip");
    assert_eq!(encoding.as_deref(), Some("gzip"));
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain);
    assert!(gz.len() < plain.len());

    let (encoding, br) = fetch("gzip, deflate, br");
    assert_eq!(encoding.as_deref(), Some("br"));
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&br[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain);

    let (encoding, identity) = fetch("identity");
    assert_eq!(encoding, None);
    assert_eq!(identity, plain);

    // A decompressing client (reqwest's defaults) reads the same thing.
    install_crypto_provider();
    let auto = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(url)
        .basic_auth(sim.token(), Some(""))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(auto, plain);
}

#[test]
fn status_faults_are_what_a_client_sees() {
    let sim = start();
    let debtor = busiest(sim.dataset());
    let query = query_for(&debtor, "");
    let with = |fault: Fault| {
        sim.set_fault(Some(fault), Some(1));
        get(&sim, &query)
    };

    let r = with(Fault::ServerError);
    assert_eq!(r.status(), 500);
    assert_eq!(
        json(r),
        serde_json::json!({"Message": "An error has occurred."})
    );

    let r = with(Fault::BadGatewayHtml);
    assert_eq!(r.status(), 502);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.text().unwrap().contains("<html>"));

    let r = with(Fault::RateLimited {
        retry_after_secs: 7,
    });
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    assert!(json(r)["Message"].as_str().unwrap().contains("7 segundos"));

    let r = with(Fault::ServiceUnavailable);
    assert_eq!(r.status(), 503);

    let r = with(Fault::SuccessFalse);
    assert_eq!(r.status(), 200);
    assert_eq!(
        json(r),
        serde_json::json!({"sucesso": false, "mensagem": "Credor não encontrado"})
    );

    let r = with(Fault::Unauthorized);
    assert_eq!(r.status(), 401);

    // Armed once: the next request is normal again.
    let r = get(&sim, &query);
    assert_eq!(r.status(), 200);
    assert_eq!(json(r), expected(sim.dataset(), &filter_for(&debtor)));
}

#[test]
fn fault_counts_and_clearing() {
    let sim = start();
    let debtor = busiest(sim.dataset());
    let query = query_for(&debtor, "");
    sim.set_fault(Some(Fault::ServiceUnavailable), Some(2));
    let statuses: Vec<u16> = (0..3)
        .map(|_| get(&sim, &query).status().as_u16())
        .collect();
    assert_eq!(statuses, [503, 503, 200]);
    sim.set_fault(Some(Fault::ServerError), None);
    let statuses: Vec<u16> = (0..3)
        .map(|_| get(&sim, &query).status().as_u16())
        .collect();
    assert_eq!(statuses, [500, 500, 500]);
    sim.set_fault(None, None);
    assert_eq!(get(&sim, &query).status(), 200);
}

#[test]
fn malformed_json_breaks_midway() {
    let sim = start();
    let debtor = busiest(sim.dataset());
    sim.set_fault(Some(Fault::MalformedJson), Some(1));
    let r = get(&sim, &query_for(&debtor, ""));
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body = r.bytes().unwrap();
    assert!(body.starts_with(b"[{\"id_followup\""));
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    // The rows before the break are intact.
    let first_row_end = body.iter().position(|&b| b == b'}').unwrap();
    let first: Value = serde_json::from_slice(&body[1..=first_row_end]).unwrap();
    assert_eq!(first, expected(sim.dataset(), &filter_for(&debtor))[0]);
}

#[test]
fn truncated_body_stops_mid_array_and_closes() {
    let sim = start();
    let debtor = busiest(sim.dataset());
    sim.set_fault(Some(Fault::TruncatedBody), Some(1));
    // A high-level client reports an error while reading the body.
    let r = get(&sim, &query_for(&debtor, ""));
    assert_eq!(r.status(), 200);
    assert!(r.bytes().is_err());

    // On the wire: chunked, no last chunk, no `]`, connection closed.
    sim.set_fault(Some(Fault::TruncatedBody), Some(1));
    let (raw, closed) = raw_exchange(&sim, &raw_get(&sim, &query_for(&debtor, ""), ""));
    assert!(closed);
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 200 OK"));
    assert!(text.contains("Transfer-Encoding: chunked"));
    assert!(!text.ends_with("0\r\n\r\n"));
    assert!(!text.trim_end().ends_with("]\r\n") && !text.contains("}]"));

    // Compressed, the stream is cut too (and what came is decodable as far as it goes).
    sim.set_fault(Some(Fault::TruncatedBody), Some(1));
    let (raw, closed) = raw_exchange(
        &sim,
        &raw_get(&sim, &query_for(&debtor, ""), "Accept-Encoding: gzip\r\n"),
    );
    assert!(closed);
    assert!(String::from_utf8_lossy(&raw).contains("Content-Encoding: gzip"));
}

#[test]
fn drop_connection_sends_nothing() {
    let sim = start();
    let debtor = busiest(sim.dataset());
    sim.set_fault(Some(Fault::DropConnection), Some(1));
    let (raw, closed) = raw_exchange(&sim, &raw_get(&sim, &query_for(&debtor, ""), ""));
    assert!(closed);
    assert!(raw.is_empty());
    sim.set_fault(Some(Fault::DropConnection), Some(1));
    let mut url = sim.url();
    url.set_query(Some(&query_for(&debtor, "")));
    assert!(
        client()
            .get(url)
            .basic_auth(sim.token(), Some(""))
            .send()
            .is_err()
    );
}

#[test]
fn slow_trickle_sends_the_normal_answer_slowly() {
    let sim = start();
    let debtor = sim
        .dataset()
        .debtors()
        .iter()
        .filter(|d| sim.dataset().history_len(d) > 0)
        .min_by_key(|d| sim.dataset().history_len(d))
        .unwrap()
        .clone();
    let normal = get(&sim, &query_for(&debtor, "")).bytes().unwrap();
    sim.set_fault(
        Some(Fault::SlowTrickle {
            bytes_per_chunk: normal.len().div_ceil(5).max(1),
            delay: Duration::from_millis(40),
        }),
        Some(1),
    );
    let started = Instant::now();
    let trickled = get(&sim, &query_for(&debtor, "")).bytes().unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(trickled, normal);

    // A client can give up mid-answer; the server carries on with others.
    sim.set_fault(
        Some(Fault::SlowTrickle {
            bytes_per_chunk: 1,
            delay: Duration::from_millis(20),
        }),
        Some(1),
    );
    let mut r = get(&sim, &query_for(&debtor, ""));
    let mut first = [0_u8; 3];
    r.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"[{\"");
    drop(r);
    assert_eq!(get(&sim, &query_for(&debtor, "")).bytes().unwrap(), normal);
}

#[test]
fn latency_applies_and_requests_run_in_parallel() {
    let sim = Arc::new(start());
    let debtor = busiest(sim.dataset());
    sim.set_latency(Duration::from_millis(100));
    let started = Instant::now();
    assert_eq!(get(&sim, &query_for(&debtor, "")).status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(100));

    let started = Instant::now();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let sim = sim.clone();
            let debtor = debtor.clone();
            std::thread::spawn(move || get(&sim, &query_for(&debtor, "")).bytes().unwrap().len())
        })
        .collect();
    let sizes: Vec<usize> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(sizes.windows(2).all(|w| w[0] == w[1]));
    // Eight requests of 100 ms each, served in parallel.
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    sim.set_latency(Duration::ZERO);
}

#[test]
fn query_log_and_request_count() {
    let sim = start();
    assert_eq!(sim.last_query(), None);
    assert_eq!(sim.request_count(), 0);
    let _ = get(
        &sim,
        "id_credor=12&cpf_cnpj_formatado=52998224725&reagendar=",
    );
    assert_eq!(
        sim.last_query().as_deref(),
        Some("id_credor=12&cpf_cnpj_formatado=52998224725&reagendar=")
    );
    let _ = get(&sim, "");
    assert_eq!(sim.last_query().as_deref(), Some(""));
    assert_eq!(sim.request_count(), 2);
}

#[test]
fn keep_alive_and_pipelined_requests_share_a_connection() {
    let sim = start();
    let debtor = busiest(sim.dataset());
    let one = raw_get(&sim, &query_for(&debtor, ""), "");
    let last = raw_get(&sim, &query_for(&debtor, ""), "Connection: close\r\n");
    let (raw, closed) = raw_exchange(&sim, &format!("{one}{one}{last}"));
    assert!(closed);
    let text = String::from_utf8_lossy(&raw);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 3);
    assert_eq!(text.matches("\r\n0\r\n\r\n").count(), 3);
    assert_eq!(sim.request_count(), 3);
}

#[test]
fn http10_and_head_are_framed_correctly() {
    let sim = start();
    let debtor = busiest(sim.dataset());
    // HTTP/1.0: no chunked coding, the body ends with the connection. (hyper answers an
    // HTTP/1.0 request with an HTTP/1.0 status line.)
    let request = raw_get(&sim, &query_for(&debtor, ""), "").replacen("HTTP/1.1", "HTTP/1.0", 1);
    let (raw, closed) = raw_exchange(&sim, &request);
    assert!(closed);
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.0 200 OK"), "{head}");
    assert!(!head.to_ascii_lowercase().contains("chunked"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("content-length"),
        "{head}"
    );
    let rows: Value = serde_json::from_str(body).unwrap();
    assert_eq!(rows, expected(sim.dataset(), &filter_for(&debtor)));

    // HEAD is not allowed, and its answer has no body (the connection stays usable).
    let head = format!(
        "HEAD /api/v1Followup/ HTTP/1.1\r\nHost: x\r\n\r\n{}",
        raw_get(&sim, "", "Connection: close\r\n")
    );
    let (raw, _) = raw_exchange(&sim, &head);
    let text = String::from_utf8(raw).unwrap();
    assert!(text.starts_with("HTTP/1.1 405"));
    let second = text.find("HTTP/1.1 400").unwrap();
    assert!(text[..second].ends_with("\r\n\r\n"));
}

#[test]
fn same_seed_same_answers() {
    let a = start();
    let b = start();
    assert_eq!(a.dataset().debtors(), b.dataset().debtors());
    for debtor in a.dataset().debtors().iter().take(20) {
        let query = query_for(debtor, "");
        assert_eq!(
            get(&a, &query).bytes().unwrap(),
            get(&b, &query).bytes().unwrap()
        );
    }
    let c = Simulator::start(SimConfig {
        dataset: DatasetConfig {
            seed: 42,
            ..DatasetConfig::default()
        },
        ..SimConfig::default()
    })
    .unwrap();
    assert_ne!(a.dataset().debtors(), c.dataset().debtors());
}

#[test]
fn dropping_the_simulator_stops_it_promptly() {
    let sim = start();
    let debtor = busiest(sim.dataset());
    let addr = sim.addr();
    sim.set_fault(
        Some(Fault::SlowTrickle {
            bytes_per_chunk: 1,
            delay: Duration::from_millis(50),
        }),
        None,
    );
    let mut url = sim.url();
    url.set_query(Some(&query_for(&debtor, "")));
    let token = sim.token().to_owned();
    let reader = std::thread::spawn(move || {
        let response = client().get(url).basic_auth(token, Some("")).send();
        response.and_then(|r| r.bytes()).is_err()
    });
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    drop(sim);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(reader.join().unwrap(), "the slow answer must be cut");
    assert!(TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err());
}

/// Streams a huge history and counts rows without keeping the body; checks the process's
/// resident memory does not grow with the answer.
fn stream_huge(rows: usize, accept_encoding: Option<&str>) {
    let sim = Simulator::start(SimConfig {
        dataset: DatasetConfig {
            debtors: 10,
            huge_history_rows: rows,
            ..DatasetConfig::default()
        },
        ..SimConfig::default()
    })
    .unwrap();
    let huge = sim
        .dataset()
        .debtors()
        .iter()
        .find(|d| d.huge)
        .unwrap()
        .clone();
    let mut url = sim.url();
    url.set_query(Some(&query_for(&huge, "")));
    install_crypto_provider();
    let mut request = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap()
        .get(url)
        .basic_auth(sim.token(), Some(""));
    if let Some(accept) = accept_encoding {
        request = request.header("Accept-Encoding", accept);
    }
    let mut response = request.send().unwrap();
    assert_eq!(response.status(), 200);
    let rss_before = resident_bytes();
    let mut max_rss = rss_before;
    let needle = b"\"id_followup\":";
    let mut carry: Vec<u8> = Vec::new();
    let mut count = 0_usize;
    let mut total_bytes = 0_usize;
    let mut buf = vec![0_u8; 64 * 1024];
    loop {
        let n = response.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        total_bytes += n;
        carry.extend_from_slice(&buf[..n]);
        count += carry.windows(needle.len()).filter(|w| w == needle).count();
        let keep = carry.len().min(needle.len() - 1);
        carry.drain(..carry.len() - keep);
        if total_bytes % (16 * 1024 * 1024) < n {
            max_rss = max_rss.max(resident_bytes());
        }
    }
    assert_eq!(count, rows);
    let growth = max_rss.saturating_sub(rss_before);
    assert!(
        growth < 64 * 1024 * 1024,
        "resident memory grew by {growth} bytes while streaming {total_bytes} bytes"
    );
}

/// Resident set size of this process (Linux); 0 elsewhere.
fn resident_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

#[test]
fn a_huge_history_streams_in_little_memory() {
    stream_huge(50_000, None);
    stream_huge(20_000, Some("br"));
}

/// A million rows; slow in debug builds (run with `--ignored`, ideally `--release`).
#[test]
#[ignore = "a million rows: about a minute in debug builds"]
fn a_million_rows_stream_in_little_memory() {
    stream_huge(1_000_000, Some("gzip"));
}

#[test]
fn the_busiest_creditor_has_the_most_documents() {
    let dataset = recuperador_followups::sim::Dataset::generate(&DatasetConfig {
        debtors: 60,
        ..DatasetConfig::default()
    });
    let busiest = dataset.busiest_creditor().unwrap();
    let docs = dataset.documents_of(busiest);
    assert!(!docs.is_empty());
    for creditor in dataset.creditors() {
        assert!(dataset.documents_of(creditor.id).len() <= docs.len());
    }
    let unique: std::collections::HashSet<_> = docs.iter().collect();
    assert_eq!(unique.len(), docs.len(), "each document once");
    assert!(docs.iter().all(|doc| {
        dataset
            .debtors()
            .iter()
            .any(|d| &d.cpf_cnpj == doc && d.id_credor == busiest && !d.huge)
    }));
}
