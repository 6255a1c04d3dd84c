//! End to end over loopback: `recuperador-followups-cli fetch … --output x.csv` against
//! `curl -o file` of the same body, side by side (issue 15: target ≤ 2× curl).
//!
//! A small HTTP/1.1 server in this process answers every request with one prebuilt JSON body
//! (`FETCH_ROWS` rows of the synthetic huge history, 200,000 by default: about 118 MB), sent
//! as is (no compression), so both clients receive the same bytes and the server costs the
//! same for both. The runs alternate (`FETCH_RUNS` of each, 5 by default) and the medians and
//! their ratio are printed. Without `curl` on the `PATH`, a plain Rust download (a socket
//! copied to a file) is the reference. `FETCH_CLI` names another CLI binary to run instead
//! of this build's (an older build, for a before/after). `FETCH_SERVE=1` only serves the body
//! (its URL is printed) until the process is stopped, to profile a client by hand.
//!
//! `cargo bench --bench fetch`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use recuperador_followups::sim::huge_history_rows;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Serves `body` to every request on `listener`, one thread per connection.
fn serve(listener: TcpListener, body: Arc<Vec<u8>>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let body = Arc::clone(&body);
        std::thread::spawn(move || {
            let _ = answer(stream, &body);
        });
    }
}

/// Reads one request's head and writes the body (the connection then closes).
fn answer(stream: TcpStream, body: &[u8]) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    stream.flush()
}

/// The reference download when there is no curl: the socket's bytes copied to a file.
fn rust_download(port: u16, path: &Path) -> std::io::Result<u64> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "GET /api/followups HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut reader = BufReader::with_capacity(256 * 1024, stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let mut file = std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(path)?);
    let copied = std::io::copy(&mut reader.by_ref(), &mut file)?;
    file.flush()?;
    Ok(copied)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that does not name this bench skips it.
    if let Some(filter) = std::env::args().skip(1).find(|a| !a.starts_with('-'))
        && !"fetch".contains(filter.as_str())
    {
        return;
    }
    let rows = env_or("FETCH_ROWS", 200_000);
    let runs = env_or("FETCH_RUNS", 5).max(1);
    let body = serde_json::to_vec(&huge_history_rows(rows)).expect("rows serialize");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("address").port();
    let body = Arc::new(body);
    let size = body.len();
    std::thread::spawn({
        let body = Arc::clone(&body);
        move || serve(listener, body)
    });
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("http://127.0.0.1:{port}/");
    if std::env::var_os("FETCH_SERVE").is_some() {
        println!("serving {size} bytes at {url}");
        loop {
            std::thread::park();
        }
    }
    let has_curl = Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let reference_name = if has_curl {
        "curl -o file"
    } else {
        "Rust download to file"
    };
    println!(
        "{rows} rows, body {size} bytes, {runs} runs each, alternating; reference: {reference_name}"
    );

    let cli = std::env::var("FETCH_CLI")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_recuperador-followups-cli").to_owned());
    let mut reference_times = Vec::new();
    let mut cli_times = Vec::new();
    for run in 0..runs {
        let download = dir.path().join("body.json");
        let started = Instant::now();
        if has_curl {
            let status = Command::new("curl")
                .args(["-s", "-o"])
                .arg(&download)
                .arg(&url)
                .status()
                .expect("curl runs");
            assert!(status.success(), "curl failed: {status}");
        } else {
            rust_download(port, &download).expect("download");
        }
        reference_times.push(started.elapsed());
        let downloaded = std::fs::metadata(&download).map(|m| m.len()).unwrap_or(0);
        assert_eq!(downloaded, size as u64, "the reference got the whole body");

        let csv = dir.path().join("followups.csv");
        let started = Instant::now();
        let output = Command::new(&cli)
            .args(["fetch", "--base-url", &url, "--id-credor", "1"])
            .args(["--cpf-cnpj", "40285120425", "--output"])
            .arg(&csv)
            .env("RECUPERADOR_TOKEN", "bench-token")
            .stdin(Stdio::null())
            .output()
            .expect("the CLI runs");
        cli_times.push(started.elapsed());
        assert!(
            output.status.success(),
            "the CLI failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let written = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);
        // The CLI's own account: rows, time to receive, time to write.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let account = stderr.lines().last().unwrap_or_default();
        println!(
            "run {}: {reference_name} {:.3} s · CLI fetch to CSV {:.3} s ({written} bytes of CSV; «{account}»)",
            run + 1,
            reference_times
                .last()
                .copied()
                .unwrap_or_default()
                .as_secs_f64(),
            cli_times.last().copied().unwrap_or_default().as_secs_f64(),
        );
    }
    let reference = median(reference_times);
    let fetched = median(cli_times);
    println!(
        "median: {reference_name} {:.3} s · CLI fetch to CSV {:.3} s · ratio {:.2}×",
        reference.as_secs_f64(),
        fetched.as_secs_f64(),
        fetched.as_secs_f64() / reference.as_secs_f64().max(1e-9)
    );
}
