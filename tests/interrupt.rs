//! Interrupted work leaves nothing behind: the command line stopped by Ctrl+C (SIGINT) or
//! SIGTERM during the download and during the write of the file, run as a real process
//! against the simulator on loopback.
//!
//! In every case the process ends with 130 within the second the issue allows, no temporary
//! file stays next to the destination, and an existing destination keeps its bytes.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use recuperador_followups::sim::{DatasetConfig, Fault, SimConfig, Simulator};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_recuperador-followups-cli");
const TOKEN: &str = "interrupt-test-token-31";

/// The most the issue allows between the signal and the end of the process.
const EXIT_LIMIT: Duration = Duration::from_secs(1);

/// Rows of the huge history: enough for a write that lasts well over a second in a debug
/// build, so that both of its phases can be caught from outside.
const HUGE_ROWS: usize = 40_000;

fn simulator(huge_history_rows: usize) -> Simulator {
    support::start(SimConfig {
        token: TOKEN.to_owned(),
        dataset: DatasetConfig {
            huge_history_rows,
            ..support::dataset(5, 10)
        },
        ..SimConfig::default()
    })
}

/// Starts `fetch` of `debtor`'s history into `output`.
fn spawn_fetch(sim: &Simulator, id_credor: i64, doc: &str, output: &Path) -> Child {
    Command::new(BIN)
        .args(["fetch", "--base-url", sim.url().as_str(), "--id-credor"])
        .arg(id_credor.to_string())
        .args(["--cpf-cnpj", doc, "--output"])
        .arg(output)
        .env("RECUPERADOR_TOKEN", TOKEN)
        // No session bus: the keyring is never asked.
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

/// Sends `signal` (`INT`, `TERM`) to the child with the system's `kill`.
fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal} failed");
}

/// Waits (bounded) for the child to end; returns its status and how long it took.
fn wait_exit(child: &mut Child) -> (ExitStatus, Duration) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status, started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the process did not end within 30 s of the signal");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Polls (bounded) until `done` holds; panics if the child ended first.
fn wait_for(child: &mut Child, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the process ended ({status}) before {what}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Every name in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stderr_of(child: &mut Child) -> String {
    use std::io::Read as _;
    let mut text = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut text);
    }
    text
}

/// Checks the outcome every case shares: 130 within the limit, no temporary file, the old
/// file (when there was one) byte for byte, nothing else in the folder.
fn assert_interrupted_cleanly(
    child: &mut Child,
    dir: &Path,
    output: &Path,
    old: Option<&[u8]>,
    case: &str,
) {
    let (status, elapsed) = wait_exit(child);
    let stderr = stderr_of(child);
    eprintln!("{case}: ended {} ms after the signal", elapsed.as_millis());
    assert_eq!(
        status.code(),
        Some(130),
        "{case}: {status}; stderr: {stderr}"
    );
    assert!(
        elapsed <= EXIT_LIMIT,
        "{case}: {} ms from the signal to the end",
        elapsed.as_millis()
    );
    assert_eq!(support::temp_files(dir), Vec::<PathBuf>::new(), "{case}");
    match old {
        Some(bytes) => {
            assert_eq!(std::fs::read(output).unwrap(), bytes, "{case}");
            let name = output.file_name().unwrap().to_string_lossy().into_owned();
            assert_eq!(names(dir), vec![name], "{case}");
        }
        None => assert_eq!(names(dir), Vec::<String>::new(), "{case}"),
    }
}

/// A regular debtor with a history, as `(id_credor, document)`.
fn some_debtor(sim: &Simulator) -> (i64, String) {
    let dataset = sim.dataset();
    let debtor = dataset
        .debtors()
        .iter()
        .filter(|d| !d.huge)
        .max_by_key(|d| dataset.history_len(d))
        .unwrap();
    (debtor.id_credor, debtor.cpf_cnpj.clone())
}

/// Makes every answer trickle for minutes: a download is surely running when a signal comes.
fn trickle(sim: &Simulator) {
    sim.set_fault(
        Some(Fault::SlowTrickle {
            bytes_per_chunk: 16,
            delay: Duration::from_millis(50),
        }),
        None,
    );
}

#[test]
fn a_signal_during_the_download_ends_with_130_and_changes_nothing() {
    let sim = simulator(0);
    let (id_credor, doc) = some_debtor(&sim);
    trickle(&sim);
    for signal in ["INT", "TERM"] {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("saida.xlsx");
        std::fs::write(&output, b"planilha de ontem").unwrap();
        let before = sim.request_count();
        let mut child = spawn_fetch(&sim, id_credor, &doc, &output);
        wait_for(&mut child, "the request", || sim.request_count() > before);
        // A few chunks in.
        std::thread::sleep(Duration::from_millis(200));
        send(&child, signal);
        assert_interrupted_cleanly(
            &mut child,
            dir.path(),
            &output,
            Some(b"planilha de ontem"),
            &format!("SIG{signal} during the download"),
        );
    }
}

#[test]
fn a_signal_while_a_csv_is_written_as_rows_arrive_ends_with_130_and_changes_nothing() {
    // A CSV is written while the answer arrives: its temporary file exists from the start.
    let sim = simulator(0);
    let (id_credor, doc) = some_debtor(&sim);
    trickle(&sim);
    for (signal, existing) in [("INT", true), ("TERM", false)] {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("saida.csv");
        if existing {
            std::fs::write(&output, b"csv de ontem").unwrap();
        }
        let before = sim.request_count();
        let mut child = spawn_fetch(&sim, id_credor, &doc, &output);
        wait_for(&mut child, "the request", || sim.request_count() > before);
        wait_for(&mut child, "the temporary file", || {
            !support::temp_files(dir.path()).is_empty()
        });
        send(&child, signal);
        assert_interrupted_cleanly(
            &mut child,
            dir.path(),
            &output,
            existing.then_some(b"csv de ontem".as_slice()),
            &format!("SIG{signal} while the CSV streams"),
        );
    }
}

/// Which part of the XLSX write the signal interrupts, as seen from outside: the rows go to
/// the spreadsheet library's own anonymous files while the destination's temporary file stays
/// empty; the compressed workbook then fills it.
#[derive(Clone, Copy, Debug)]
enum WritePhase {
    Rows,
    Compression,
}

#[test]
fn a_signal_during_the_write_ends_with_130_and_leaves_no_temporary_file() {
    let sim = simulator(HUGE_ROWS);
    let huge = sim.dataset().huge_debtor().unwrap().clone();
    let cases = [
        ("INT", WritePhase::Rows, true),
        ("TERM", WritePhase::Compression, true),
        ("INT", WritePhase::Compression, false),
    ];
    for (signal, phase, existing) in cases {
        let case = format!(
            "SIG{signal} during the {phase:?} phase, {} destination",
            if existing { "existing" } else { "new" }
        );
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("saida.xlsx");
        let old: &[u8] = b"planilha de ontem";
        if existing {
            std::fs::write(&output, old).unwrap();
        }
        let mut child = spawn_fetch(&sim, huge.id_credor, &huge.cpf_cnpj, &output);
        wait_for(&mut child, &format!("the temporary file ({case})"), || {
            support::temp_files(dir.path())
                .iter()
                .any(|path| match phase {
                    WritePhase::Rows => true,
                    WritePhase::Compression => std::fs::metadata(path).is_ok_and(|m| m.len() > 0),
                })
        });
        send(&child, signal);
        assert_interrupted_cleanly(
            &mut child,
            dir.path(),
            &output,
            existing.then_some(old),
            &case,
        );
    }
}

#[test]
fn sigterm_during_a_batch_writes_what_arrived_completely_and_ends_with_130() {
    let sim = simulator(0);
    let id_credor = sim.dataset().busiest_creditor().unwrap();
    let docs = sim.dataset().documents_of(id_credor);
    assert!(docs.len() >= 3);
    // One document at a time, each answer a while in coming: the batch is mid-way.
    sim.set_latency(Duration::from_millis(300));
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("lote.json");
    let mut command = Command::new(BIN);
    command
        .args(["fetch", "--base-url", sim.url().as_str(), "--id-credor"])
        .arg(id_credor.to_string())
        .args(["--concurrency", "1", "--output"])
        .arg(&output);
    for doc in &docs {
        command.args(["--cpf-cnpj", doc]);
    }
    let mut child = command
        .env("RECUPERADOR_TOKEN", TOKEN)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    wait_for(&mut child, "two requests", || sim.request_count() >= 2);
    send(&child, "TERM");
    let (status, elapsed) = wait_exit(&mut child);
    let stderr = stderr_of(&mut child);
    eprintln!(
        "SIGTERM during a batch: ended {} ms after the signal",
        elapsed.as_millis()
    );
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(elapsed <= EXIT_LIMIT, "{} ms", elapsed.as_millis());
    assert_eq!(support::temp_files(dir.path()), Vec::<PathBuf>::new());
    // The rows that arrived, as a whole JSON file, and the documents not queried.
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    assert!(!written.as_array().unwrap().is_empty());
    assert!(dir.path().join("lote.falhas.csv").is_file(), "{stderr}");
}

#[test]
fn on_a_terminal_the_write_shows_its_progress_and_its_time() {
    let sim = simulator(HUGE_ROWS);
    let huge = sim.dataset().huge_debtor().unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("saida.xlsx");
    // `script` gives the process a terminal and copies what it shows to its own stdout.
    let command = format!(
        "{BIN} fetch --base-url {} --id-credor {} --cpf-cnpj {} --output {}",
        sim.url(),
        huge.id_credor,
        huge.cpf_cnpj,
        output.display()
    );
    let shown = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("RECUPERADOR_TOKEN", TOKEN)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.status.success(), "{text}");
    let lines: Vec<&str> = text.split(['\r', '\n']).collect();
    // Rows and percent while the rows are written, then the compression.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Gravando saida.xlsx: ") && l.contains(" linhas (")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Gravando saida.xlsx: compactando a planilha")),
        "{text}"
    );
    // The final line has the download and the write times.
    let last = lines
        .iter()
        .find(|l| l.contains("follow-ups gravados em"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        last.contains("recebidos em ") && last.contains("; arquivo gravado em "),
        "{last}"
    );
}
