//! `recuperador-followups-cli`: the follow-up API from scripts and scheduled jobs.
//!
//! Exit codes: 0 ok, 2 invalid input, 3 authentication refused or no token, 4 network or
//! server error, 5 could not write the output, 6 several documents were queried and some
//! failed (the rows that arrived are written, the failures listed on stderr and in
//! `<saída>.falhas.csv`), 130 cancelled with Ctrl+C (or SIGTERM, SIGHUP).
//!
//! The work runs on a helper thread while the main thread watches it: it draws the progress
//! line on a terminal and, when an interrupt arrives, cancels what is running (the download or
//! the file being written), so that the process ends within a second with no temporary file
//! left and the destination untouched.
//!
//! `--output -` writes to standard output (TSV unless `--format` says otherwise): only the
//! data goes there, every message to stderr. A reader that closes the pipe early (`| head`)
//! ends the program quietly with 0; an interrupt while the reader does not read (a pager)
//! ends it with 130 after a second.
//!
//! Subcommands beyond `fetch` reuse its fetch (arguments, exit codes, interrupts) through a
//! [`Product`] and live in their own files: `resumo` in `resumo.rs` (the summary by
//! consultant, channel, month…; JSON on standard output unless `--format csv`), `agenda` in
//! `agenda.rs` (the reschedules' situação on a reference date and the compliance table).

mod agenda;
mod resumo;

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use recuperador_followups::api::{
    ApiError, ClientConfig, ErrorKind, FetchProgress, FetchSummary, FieldError, Followup,
    FollowupClient, MemoryFootprint, QueryForm, ReagendarFiltro, Token,
};
use recuperador_followups::batch::{
    BatchRun, BatchStop, DocumentList, MergedDocuments, merge_document_lists, parse_document_list,
    read_document_file, write_failures_csv,
};
use recuperador_followups::doc_id::CpfCnpj;
use recuperador_followups::export::{
    self, CsvSeparator, ExportError, ExportFormat, ExportOptions, ExportProgress, ExportSummary,
    csv::CsvStream,
};
use recuperador_followups::fmt as br;
use recuperador_followups::results::ResultSet;
use recuperador_followups::secrets::{KeyringStore, TokenStore as _};
use recuperador_followups::sim::{DatasetConfig, SimConfig, Simulator};

/// Consulta o histórico de follow-ups da API do Recuperador CRM.
#[derive(Parser, Debug)]
#[command(name = "recuperador-followups-cli", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Busca os follow-ups de um ou vários devedores e grava em arquivo (.xlsx, .csv, .tsv ou
    /// .json) ou na saída padrão (--output -).
    Fetch(Box<FetchCommand>),
    /// Busca como o fetch e grava o resumo por consultor, canal, mês… (.xlsx com gráficos,
    /// .csv ou .json; JSON na saída padrão com --output -).
    Resumo(Box<resumo::ResumoArgs>),
    /// Agenda de reagendamentos dos follow-ups buscados: situação de cada um numa data de
    /// referência (realizado, atrasado, hoje, próximos 7 dias…) e o cumprimento por quem
    /// reagendou; grava em .xlsx, .csv ou .json.
    Agenda(Box<agenda::AgendaArgs>),
    /// Executa o simulador local da API (dados fictícios), para testes e demonstração.
    DemoServer(DemoArgs),
}

/// `fetch`: the fetch arguments and what only `fetch` writes.
#[derive(clap::Args, Debug)]
struct FetchCommand {
    #[command(flatten)]
    fetch: FetchArgs,
    /// Acrescenta à planilha .xlsx, depois da aba dos dados, uma aba de resumo (com gráfico)
    /// por dimensão: consultor, evento, canal, tipo-evento, credor, devedor, reagendado-por,
    /// dia, semana ou mes, separadas por vírgulas.
    #[arg(long, value_name = "DIMENSÕES", value_delimiter = ',')]
    com_resumo: Vec<String>,
}

#[derive(clap::Args, Debug)]
struct FetchArgs {
    /// ID do credor (Cadastros > Credores).
    #[arg(long, value_name = "N")]
    id_credor: String,
    /// CPF ou CNPJ do devedor, com ou sem máscara (CNPJ alfanumérico aceito). Repita para
    /// consultar vários devedores.
    #[arg(long, value_name = "DOC", required_unless_present = "cpf_cnpj_file")]
    cpf_cnpj: Vec<String>,
    /// Arquivo com uma lista de CPF/CNPJs (.txt, .csv ou .xlsx), um por linha ou separados
    /// por ; , tabulação ou espaço.
    #[arg(long, value_name = "ARQUIVO")]
    cpf_cnpj_file: Option<PathBuf>,
    /// Coluna do arquivo com os documentos (nome do cabeçalho ou letra: A, B…); sem ela, a
    /// coluna é escolhida pelo nome (CPF, CNPJ, documento) ou pelo conteúdo.
    #[arg(long, value_name = "NOME", requires = "cpf_cnpj_file")]
    column: Option<String>,
    /// Documentos consultados ao mesmo tempo, de 1 a 8 (vários documentos).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u8).range(1..=8))]
    concurrency: u8,
    /// ID do consultor (opcional).
    #[arg(long, value_name = "N", default_value = "")]
    id_consultor: String,
    /// ID do evento (opcional).
    #[arg(long, value_name = "N", default_value = "")]
    id_evento: String,
    /// S = somente reagendamentos, N = sem reagendamentos; omita para todos.
    #[arg(long, value_name = "S|N", default_value = "")]
    reagendar: String,
    /// Data inicial (AAAA-MM-DD ou DD/MM/AAAA), inclusive.
    #[arg(long, value_name = "DATA", default_value = "")]
    de: String,
    /// Data final (AAAA-MM-DD ou DD/MM/AAAA), inclusive.
    #[arg(long, value_name = "DATA", default_value = "")]
    ate: String,
    /// URL da API (padrão: a documentada pelo Recuperador).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Proxy HTTP (ex.: http://proxy:3128); sem ele, vale o do ambiente/sistema.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Tempo limite total da consulta, em segundos.
    #[arg(long, value_name = "SEGUNDOS", default_value_t = 900)]
    timeout_secs: u64,
    /// Arquivo de saída: .xlsx (Excel), .csv, .tsv ou .json, pela extensão. Com - os dados vão
    /// para a saída padrão (para um pipe: | clip, | pbcopy, | xclip), em TSV se --format não
    /// disser outro formato; as mensagens vão para a saída de erros.
    #[arg(long, short, value_name = "ARQUIVO|-")]
    output: PathBuf,
    /// Formato da saída, quando a extensão não basta: xlsx, csv, tsv (texto separado por
    /// tabulação, como o Excel copia; o arquivo leva BOM, a saída padrão não) ou json.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Separador do CSV: ponto-e-vírgula (Excel em português, com BOM) ou vírgula (UTF-8 puro).
    #[arg(long, value_enum, default_value = "ponto-e-virgula")]
    csv_separator: SeparatorArg,
    /// Grava os códigos como a API manda (W, P, S…) em vez dos nomes (WhatsApp, Produtivo, Sim…).
    #[arg(long)]
    raw_codes: bool,
    /// Mostra detalhes técnicos dos erros e o uso de memória.
    #[arg(long, short)]
    verbose: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum FormatArg {
    Xlsx,
    Csv,
    Tsv,
    Json,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum SeparatorArg {
    #[value(name = "ponto-e-virgula", alias = "semicolon", alias = ";")]
    PontoEVirgula,
    #[value(name = "virgula", alias = "comma", alias = ",")]
    Virgula,
}

#[derive(clap::Args, Debug)]
struct DemoArgs {
    /// Porta (0 = qualquer porta livre).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Token que o simulador aceita.
    #[arg(long, default_value = "demo-token")]
    token: String,
    /// Follow-ups do devedor com histórico enorme (0 = nenhum), para testes de volume.
    #[arg(long, value_name = "N", default_value_t = 0)]
    rows: usize,
    /// Quantidade de devedores fictícios.
    #[arg(long, default_value_t = 200)]
    debtors: usize,
    /// Semente dos dados fictícios (mesma semente, mesmos dados; padrão: a da demonstração da janela).
    #[arg(long)]
    seed: Option<u64>,
    /// Latência artificial de cada resposta, em milissegundos.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

/// Process exit codes, as documented.
mod exit {
    pub const OK: u8 = 0;
    pub const INVALID_INPUT: u8 = 2;
    pub const AUTH: u8 = 3;
    pub const NETWORK: u8 = 4;
    pub const OUTPUT: u8 = 5;
    pub const SOME_FAILED: u8 = 6;
    pub const CANCELLED: u8 = 130;
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let code = match cli.command {
        Command::Fetch(args) => match export_options(&args.fetch).and_then(|mut options| {
            options.summary = resumo::fetch_summary_dimensions(&args.com_resumo, options.format)?;
            Ok(options)
        }) {
            Ok(options) => fetch(&args.fetch, &RowsProduct { options }),
            Err(code) => code,
        },
        Command::Resumo(args) => resumo::run(&args),
        Command::Agenda(args) => agenda::run(&args),
        Command::DemoServer(args) => demo_server(&args),
    };
    ExitCode::from(code)
}

/// Prints clap's errors with a Portuguese lead; help and version go to stdout as usual.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    match error.kind() {
        K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            ExitCode::from(exit::OK)
        }
        kind => {
            let lead = match kind {
                K::MissingRequiredArgument => "faltam argumentos obrigatórios",
                K::UnknownArgument => "argumento desconhecido",
                K::InvalidValue | K::ValueValidation => "valor inválido",
                K::MissingSubcommand | K::InvalidSubcommand => {
                    "informe o comando: fetch, resumo, agenda ou demo-server"
                }
                _ => "argumentos inválidos",
            };
            eprintln!("Erro: {lead}.\n{}", error.render());
            eprintln!("Use --help para ver as opções.");
            ExitCode::from(exit::INVALID_INPUT)
        }
    }
}

/// Fetches the rows the arguments ask for (one debtor, or a batch) and writes what `product`
/// makes of them; returns the exit code.
fn fetch(args: &FetchArgs, product: &dyn Product) -> u8 {
    let Some(reagendar) = ReagendarFiltro::from_wire(&args.reagendar) else {
        eprintln!("Erro: --reagendar aceita S (somente reagendamentos) ou N (sem reagendamentos).");
        return exit::INVALID_INPUT;
    };
    let form = QueryForm {
        id_credor: args.id_credor.clone(),
        cpf_cnpj: args.cpf_cnpj.first().cloned().unwrap_or_default(),
        id_consultor: args.id_consultor.clone(),
        id_evento: args.id_evento.clone(),
        reagendar,
        data_de: args.de.clone(),
        data_ate: args.ate.clone(),
    };
    let interrupts = Interrupts::install();
    if args.cpf_cnpj.len() == 1 && args.cpf_cnpj_file.is_none() {
        fetch_one(args, &form, product, &interrupts)
    } else {
        fetch_batch(args, &form, product, &interrupts)
    }
}

/// Ctrl+C, SIGTERM and SIGHUP (the `ctrlc` crate with its "termination" feature), counted.
///
/// The handler only counts; [`watch`], on the main thread, cancels the work in progress.
#[derive(Clone, Default)]
struct Interrupts(Arc<AtomicUsize>);

impl Interrupts {
    /// Installs the process's handler (once per process).
    fn install() -> Interrupts {
        let interrupts = Interrupts::default();
        let count = Arc::clone(&interrupts.0);
        if ctrlc::set_handler(move || {
            count.fetch_add(1, Ordering::SeqCst);
        })
        .is_err()
        {
            eprintln!("Aviso: não foi possível instalar o tratamento de Ctrl+C.");
        }
        interrupts
    }

    /// How many interrupts arrived so far.
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// How often the main thread looks for an interrupt while work runs.
const WATCH_TICK: Duration = Duration::from_millis(20);

/// How often a progress line is redrawn.
const REDRAW_EVERY: Duration = Duration::from_millis(200);

/// Runs `work` on a helper thread. Meanwhile this thread calls `cancel` once more than `since`
/// interrupts have arrived and, when `status` is given (stderr is a terminal), redraws the line
/// it returns; the line is cleared at the end.
fn watch<T: Send>(
    interrupts: &Interrupts,
    since: usize,
    work: impl FnOnce() -> T + Send,
    cancel: impl Fn(),
    status: Option<&dyn Fn() -> String>,
) -> T {
    watch_with_deadline(interrupts, since, work, cancel, status, None)
}

/// [`watch`], and when `give_up_after` is given and the work has not ended that long after
/// its cancel, the process exits with 130 without waiting for it: for a write to standard
/// output blocked by a reader that does not read (a pager), which no flag can interrupt.
/// Nothing is left behind then: a stream export has no temporary file of its own (the XLSX
/// writer's are anonymous and vanish with the process).
fn watch_with_deadline<T: Send>(
    interrupts: &Interrupts,
    since: usize,
    work: impl FnOnce() -> T + Send,
    cancel: impl Fn(),
    status: Option<&dyn Fn() -> String>,
    give_up_after: Option<Duration>,
) -> T {
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        let worker = scope.spawn(move || {
            let _ = sender.send(work());
        });
        let mut cancelled_at: Option<Instant> = None;
        let mut drawn: Option<Instant> = None;
        let value = loop {
            if cancelled_at.is_none() && interrupts.count() > since {
                cancel();
                cancelled_at = Some(Instant::now());
            }
            if let (Some(at), Some(limit)) = (cancelled_at, give_up_after)
                && at.elapsed() >= limit
            {
                if drawn.is_some() {
                    eprint!("\r\x1b[2K");
                }
                eprintln!("Interrompido: a saída padrão não estava sendo lida.");
                std::process::exit(i32::from(exit::CANCELLED));
            }
            if let Some(status) = status
                && drawn.is_none_or(|at| at.elapsed() >= REDRAW_EVERY)
            {
                eprint!("\r\x1b[2K{}", status());
                drawn = Some(Instant::now());
            }
            match receiver.recv_timeout(WATCH_TICK) {
                Ok(value) => break value,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                // The worker panicked before sending: let the panic through.
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
                    Err(panic) => std::panic::resume_unwind(panic),
                    Ok(()) => unreachable!("the worker sends before it ends"),
                },
            }
        };
        if drawn.is_some() {
            eprint!("\r\x1b[2K");
        }
        value
    })
}

/// Prints each problem of the query's fields; the exit code for invalid input.
fn report_field_errors(errors: Vec<FieldError>) -> u8 {
    for error in errors {
        eprintln!("Erro: {error}");
    }
    exit::INVALID_INPUT
}

/// One document: the query, its progress, the file.
fn fetch_one(
    args: &FetchArgs,
    form: &QueryForm,
    product: &dyn Product,
    interrupts: &Interrupts,
) -> u8 {
    let query = match form.validate().map_err(report_field_errors) {
        Ok(query) => query,
        Err(code) => return code,
    };
    if let Some(warning) = query.cpf_cnpj.check_digit_warning() {
        eprintln!("Aviso: {warning}");
    }
    let client = match make_client(args) {
        Ok(client) => client,
        Err(code) => return code,
    };

    let terminal = std::io::stderr().is_terminal();
    let progress = FetchProgress::new();
    let started = Instant::now();
    let fetch_status = || {
        let now = progress.snapshot();
        let attempt = if now.attempt > 1 {
            format!(" · tentativa {}", now.attempt)
        } else {
            String::new()
        };
        format!(
            "{} follow-ups · {} · {}{attempt}",
            br::thousands(now.rows),
            br::bytes_br(now.bytes),
            br::seconds_br(started.elapsed()),
        )
    };
    let status = terminal.then_some(&fetch_status as &dyn Fn() -> String);
    if let Some(options) = product.csv_stream(&args.output) {
        let fetch = |stream: &mut CsvStream| {
            watch(
                interrupts,
                0,
                || client.fetch_into(&query, &progress, stream),
                || progress.cancel(),
                status,
            )
        };
        return fetch_streaming(args, options, product, interrupts, fetch);
    }
    // An interrupt before or during the download cancels it; one that arrives between the
    // download and the write cancels the write.
    let result = watch(
        interrupts,
        0,
        || client.fetch(&query, &progress),
        || progress.cancel(),
        status,
    );
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => return report_api_error(&error, args.verbose),
    };

    let path = &args.output;
    let write_time = match product.write(path, Box::new(outcome.rows.iter()), interrupts, 0) {
        Ok(write_time) => write_time,
        Err(code) => return code,
    };
    eprintln!(
        "{} {} ({} recebidos em {}{}; {} em {}).",
        product.written(outcome.rows.len()),
        output_place(path),
        br::bytes_br(outcome.bytes),
        br::seconds_br(outcome.elapsed),
        attempts_note(outcome.attempts),
        output_written(path),
        br::seconds_br(write_time),
    );
    if let Some(problems) = outcome.report.problem_summary() {
        eprintln!("Aviso: {problems}");
    }
    if args.verbose {
        let memory = MemoryFootprint::of(&outcome.rows);
        eprintln!(
            "Memória: {} no total, {:.0} bytes por follow-up (linhas {}, textos {}, nomes compartilhados {}).",
            br::bytes_br(memory.total_bytes() as u64),
            memory.bytes_per_row(),
            br::bytes_br(memory.row_bytes as u64),
            br::bytes_br(memory.text_bytes as u64),
            br::bytes_br(memory.shared_bytes as u64),
        );
    }
    exit::OK
}

/// `fetch` to a CSV file: the rows are written while the answer arrives, the file replacing
/// the destination once the last row is in (the same bytes as writing them afterwards). An
/// interrupt, a failed fetch or a failed write leaves the destination untouched. `fetch` runs
/// the download into the stream, watched for interrupts.
fn fetch_streaming(
    args: &FetchArgs,
    options: &ExportOptions,
    product: &dyn Product,
    interrupts: &Interrupts,
    fetch: impl FnOnce(&mut CsvStream) -> Result<FetchSummary, ApiError>,
) -> u8 {
    let path = &args.output;
    let mut stream = match CsvStream::create(path, options) {
        Ok(stream) => stream,
        Err(error) => {
            eprintln!("Erro: {error}");
            return exit::OUTPUT;
        }
    };
    let summary = match fetch(&mut stream) {
        Ok(summary) => summary,
        // Cancelled without an interrupt: the stream refused a row, its write failed.
        Err(ApiError::Cancelled) if interrupts.count() == 0 => {
            let error = stream.abandon().unwrap_or(ExportError::Cancelled);
            eprintln!("Erro: {error}");
            return exit::OUTPUT;
        }
        Err(error) => {
            // Abandoning the stream removes its temporary file first.
            let _ = stream.abandon();
            return report_api_error(&error, args.verbose);
        }
    };
    let finishing = Instant::now();
    let rows = match stream.finish() {
        Ok(rows) => rows,
        Err(error) => {
            eprintln!("Erro: {error}");
            return exit::OUTPUT;
        }
    };
    eprintln!(
        "{} {} ({} recebidos e gravados em {}{}; arquivo concluído {} depois do último).",
        product.written(rows),
        output_place(path),
        br::bytes_br(summary.bytes),
        br::seconds_br(summary.elapsed),
        attempts_note(summary.attempts),
        br::seconds_br(finishing.elapsed()),
    );
    if let Some(problems) = summary.report.problem_summary() {
        eprintln!("Aviso: {problems}");
    }
    if args.verbose {
        eprintln!("Memória: as linhas foram gravadas à medida que chegaram, sem ficar na memória.");
    }
    exit::OK
}

/// ", 3 tentativas" after the receive time of a fetch that needed retries; empty otherwise.
fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(", {attempts} tentativas")
    } else {
        String::new()
    }
}

/// The rows a subcommand fetched, in arrival order (a batch's without repeats).
type FetchedRows<'a> = Box<dyn ExactSizeIterator<Item = &'a Followup> + Send + 'a>;

/// What a subcommand makes of the rows it fetched and writes to `--output`: `fetch` writes the
/// rows themselves; other subcommands write what they compute from them.
trait Product {
    /// Writes the product of `rows` to `path` (`-`: standard output), with a progress line on a
    /// terminal; returns how long the write took. An interrupt after the first `since` ones
    /// cancels the write (exit code 130, the destination untouched); exit code 5 on failure;
    /// `Err(0)` when the reader of standard output closed the pipe.
    fn write<'a>(
        &self,
        path: &Path,
        rows: FetchedRows<'a>,
        interrupts: &Interrupts,
        since: usize,
    ) -> Result<Duration, u8>;

    /// What was written, for the final message: "1.234 follow-ups gravados".
    fn written(&self, rows: usize) -> String;

    /// The CSV options when this product is the rows themselves as CSV in a file at `path`:
    /// they are then written while the answer arrives ([`CsvStream`]).
    fn csv_stream(&self, _path: &Path) -> Option<&ExportOptions> {
        None
    }
}

/// `fetch`'s product: the rows, in the chosen format.
struct RowsProduct {
    options: ExportOptions,
}

impl Product for RowsProduct {
    fn write<'a>(
        &self,
        path: &Path,
        rows: FetchedRows<'a>,
        interrupts: &Interrupts,
        since: usize,
    ) -> Result<Duration, u8> {
        write_output(path, rows, &self.options, interrupts, since)
    }

    fn written(&self, rows: usize) -> String {
        format!("{} follow-ups gravados", br::thousands(rows as u64))
    }

    fn csv_stream(&self, path: &Path) -> Option<&ExportOptions> {
        (self.options.format == ExportFormat::Csv && !is_stdout(path)).then_some(&self.options)
    }
}

/// The output format and options from the arguments; exit code 2 when the format is unknown.
fn export_options(args: &FetchArgs) -> Result<ExportOptions, u8> {
    let format = match args.format {
        Some(FormatArg::Xlsx) => ExportFormat::Xlsx,
        Some(FormatArg::Csv) => ExportFormat::Csv,
        Some(FormatArg::Tsv) => ExportFormat::Tsv,
        Some(FormatArg::Json) => ExportFormat::Json,
        // Standard output goes to a program or the clipboard: text that pastes into a
        // spreadsheet as columns and that any script splits on tabs.
        None if is_stdout(&args.output) => ExportFormat::Tsv,
        None => match ExportFormat::from_path(&args.output) {
            Some(format) => format,
            None => {
                eprintln!(
                    "Erro: não sei o formato de {}: use a extensão .xlsx, .csv, .tsv ou .json, ou --format.",
                    args.output.display()
                );
                return Err(exit::INVALID_INPUT);
            }
        },
    };
    if format == ExportFormat::Xlsx && is_stdout(&args.output) && std::io::stdout().is_terminal() {
        eprintln!(
            "Erro: uma planilha .xlsx não pode ser mostrada no terminal: redirecione a saída (> arquivo.xlsx) ou use --format tsv."
        );
        return Err(exit::INVALID_INPUT);
    }
    Ok(ExportOptions {
        raw_codes: args.raw_codes,
        csv_separator: match args.csv_separator {
            SeparatorArg::PontoEVirgula => CsvSeparator::Semicolon,
            SeparatorArg::Virgula => CsvSeparator::Comma,
        },
        ..ExportOptions::new(format)
    })
}

/// The client, with the token; the exit code on failure.
fn make_client(args: &FetchArgs) -> Result<FollowupClient, u8> {
    let token = match load_token() {
        Ok(token) => token,
        Err(message) => {
            eprintln!("Erro: {message}");
            return Err(exit::AUTH);
        }
    };
    let config = ClientConfig {
        base_url: args
            .base_url
            .clone()
            .unwrap_or_else(|| ClientConfig::default().base_url),
        proxy: args.proxy.clone(),
        total_timeout: Duration::from_secs(args.timeout_secs.max(1)),
        ..ClientConfig::default()
    };
    FollowupClient::new(config, token).map_err(|error| report_api_error(&error, args.verbose))
}

/// Whether `--output` names standard output (`-`).
fn is_stdout(output: &Path) -> bool {
    output.as_os_str() == "-"
}

/// Where the rows went, for messages: "em saida.xlsx" or "na saída padrão".
fn output_place(output: &Path) -> String {
    if is_stdout(output) {
        "na saída padrão".to_owned()
    } else {
        format!("em {}", output.display())
    }
}

/// What took the write's time, for messages: "arquivo gravado" or "saída escrita".
fn output_written(output: &Path) -> &'static str {
    if is_stdout(output) {
        "saída escrita"
    } else {
        "arquivo gravado"
    }
}

/// How long an interrupted write to standard output may stay blocked before the process
/// exits anyway.
const STDOUT_GIVE_UP_AFTER: Duration = Duration::from_secs(1);

/// Writes the rows to the file or, for `-`, to standard output, with a progress line on a
/// terminal, and reports what Excel's limits changed; returns how long the write took. An
/// interrupt after the first `since` ones cancels the write (exit code 130, the destination
/// untouched); exit code 5 on failure. A closed pipe on standard output returns `Err(0)`:
/// the reader had what it wanted, nothing to report.
fn write_output<'a>(
    path: &Path,
    rows: impl ExactSizeIterator<Item = &'a Followup> + Send,
    options: &ExportOptions,
    interrupts: &Interrupts,
    since: usize,
) -> Result<Duration, u8> {
    let total = rows.len();
    let (write_time, summary) =
        write_export(path, total, options.format, interrupts, since, |progress| {
            if is_stdout(path) {
                export::export_to_writer(&mut std::io::stdout(), rows, options, progress)
            } else {
                export::export_rows(path, rows, options, progress)
            }
        })?;
    if summary.sheets.saturating_sub(summary.summary_sheets) > 1 {
        eprintln!(
            "Aviso: mais linhas que o limite de uma planilha do Excel; o arquivo tem {} abas.",
            summary.sheets
        );
    }
    Ok(write_time)
}

/// Runs `write` (an export of `total` rows or entries to `path`, or to standard output for
/// `-`) on a helper thread while this one draws the progress line on a terminal; reports a
/// failure and the cells cut at Excel's limit, and returns how long it took and what it
/// wrote. An interrupt after the first `since` ones cancels it (exit code 130, the destination
/// untouched); exit code 5 on failure. A closed pipe on standard output returns `Err(0)`: the
/// reader had what it wanted, nothing to report.
pub(crate) fn write_export(
    path: &Path,
    total: usize,
    format: ExportFormat,
    interrupts: &Interrupts,
    since: usize,
    write: impl FnOnce(&ExportProgress) -> Result<ExportSummary, ExportError> + Send,
) -> Result<(Duration, ExportSummary), u8> {
    let progress = ExportProgress::new();
    let started = Instant::now();
    let to_stdout = is_stdout(path);
    let lead = if to_stdout {
        "Escrevendo na saída padrão".to_owned()
    } else {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("Gravando {name}")
    };
    let status = || write_status(&progress, total, format, &lead, started.elapsed());
    // No progress line when the data itself goes to the same terminal.
    let show_status =
        std::io::stderr().is_terminal() && !(to_stdout && std::io::stdout().is_terminal());
    let result = watch_with_deadline(
        interrupts,
        since,
        || write(&progress),
        || progress.cancel(),
        show_status.then_some(&status as &dyn Fn() -> String),
        to_stdout.then_some(STDOUT_GIVE_UP_AFTER),
    );
    let write_time = started.elapsed();
    let summary = match result {
        Ok(summary) => summary,
        Err(error @ ExportError::Cancelled) => {
            eprintln!("Interrompido: {error}");
            return Err(exit::CANCELLED);
        }
        Err(error) if to_stdout && error.is_broken_pipe() => return Err(exit::OK),
        Err(error) => {
            eprintln!("Erro: {error}");
            return Err(exit::OUTPUT);
        }
    };
    if summary.truncated_cells > 0 {
        eprintln!(
            "Aviso: {} texto(s) maiores que o limite de uma célula do Excel (32.767 caracteres) foram cortados, com a marca «texto cortado».",
            br::thousands(summary.truncated_cells as u64)
        );
    }
    Ok((write_time, summary))
}

/// The progress line of a file being written (`lead` says where: "Gravando saida.xlsx"): rows
/// (of `total`) and percent, then the finishing step.
fn write_status(
    progress: &ExportProgress,
    total: usize,
    format: ExportFormat,
    lead: &str,
    elapsed: Duration,
) -> String {
    if progress.is_finishing() {
        let step = match format {
            ExportFormat::Xlsx => "compactando a planilha…",
            ExportFormat::Csv | ExportFormat::Json | ExportFormat::Tsv => "gravando no disco…",
        };
        return format!(
            "{lead}: {step} {} · {}",
            br::bytes_br(progress.bytes_written()),
            br::seconds_br(elapsed)
        );
    }
    let written = progress.rows_written().min(total);
    let percent = written
        .saturating_mul(100)
        .checked_div(total)
        .unwrap_or(100);
    format!(
        "{lead}: {} de {} linhas ({percent} %) · {}",
        br::thousands(written as u64),
        br::thousands(total as u64),
        br::seconds_br(elapsed)
    )
}

/// Where the failure list of a batch goes: `saida.xlsx` → `saida.falhas.csv`; for standard
/// output, `followups.falhas.csv` in the current folder.
fn failures_path(output: &Path) -> PathBuf {
    if is_stdout(output) {
        return PathBuf::from("followups.falhas.csv");
    }
    let stem = output
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "followups".to_owned());
    output.with_file_name(format!("{stem}.falhas.csv"))
}

/// The documents of `--cpf-cnpj` (repeated) and `--cpf-cnpj-file`, each once, with the
/// invalid entries and warnings reported; exit code 2 when none is valid.
fn batch_documents(args: &FetchArgs) -> Result<Vec<CpfCnpj>, u8> {
    let mut lists: Vec<(String, DocumentList)> = Vec::new();
    if !args.cpf_cnpj.is_empty() {
        // One argument per line, so that a line number is the argument's position.
        let list = parse_document_list(&args.cpf_cnpj.join("\n"));
        lists.push(("--cpf-cnpj nº".to_owned(), list));
    }
    if let Some(path) = &args.cpf_cnpj_file {
        let file = match read_document_file(path) {
            Ok(file) => file,
            Err(error) => {
                eprintln!("Erro: {error}");
                return Err(exit::INVALID_INPUT);
            }
        };
        let column = match file.choose_column(args.column.as_deref(), path) {
            Ok(column) => column,
            Err(error) => {
                eprintln!("Erro: {error}");
                return Err(exit::INVALID_INPUT);
            }
        };
        if file.columns.len() > 1 {
            eprintln!(
                "Usando a coluna «{}» de {} (escolha outra com --column).",
                file.columns[column],
                path.display()
            );
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        lists.push((format!("linha de {name}"), file.list_for_column(column)));
    }
    for (place, list) in &lists {
        for entry in &list.invalid {
            eprintln!(
                "Aviso: {place} {}: «{}» ignorado: {}",
                entry.line, entry.text, entry.message
            );
        }
        if list.invalid_count > list.invalid.len() {
            eprintln!(
                "Aviso: … e mais {} inválido(s) ignorado(s).",
                br::thousands((list.invalid_count - list.invalid.len()) as u64)
            );
        }
        if list.over_limit > 0 {
            eprintln!(
                "Aviso: {} documento(s) além do limite de {} por lista ignorado(s).",
                br::thousands(list.over_limit as u64),
                br::thousands(recuperador_followups::batch::MAX_LIST_DOCUMENTS as u64)
            );
        }
        if !list.warned.is_empty() {
            let lines: Vec<String> = list.warned.iter().map(usize::to_string).collect();
            eprintln!(
                "Aviso: dígito verificador não confere ({place} {}); esses documentos serão consultados mesmo assim.",
                lines.join(", ")
            );
        }
    }
    let MergedDocuments {
        docs,
        duplicates,
        invalid,
    } = merge_document_lists(lists.iter().map(|(_, list)| list));
    eprintln!(
        "{} documento(s) para consultar{}{}.",
        br::thousands(docs.len() as u64),
        if invalid > 0 {
            format!(
                ", {} inválido(s) ignorado(s)",
                br::thousands(invalid as u64)
            )
        } else {
            String::new()
        },
        if duplicates > 0 {
            format!(", {} repetido(s)", br::thousands(duplicates as u64))
        } else {
            String::new()
        },
    );
    if docs.is_empty() {
        eprintln!("Erro: nenhum CPF/CNPJ válido para consultar.");
        return Err(exit::INVALID_INPUT);
    }
    Ok(docs)
}

/// Several documents: the batch, its progress, the rows merged once each, the failures.
fn fetch_batch(
    args: &FetchArgs,
    form: &QueryForm,
    product: &dyn Product,
    interrupts: &Interrupts,
) -> u8 {
    let docs = match batch_documents(args) {
        Ok(docs) => docs,
        Err(code) => return code,
    };
    let filters = match form.validate_filters().map_err(report_field_errors) {
        Ok(filters) => filters,
        Err(code) => return code,
    };
    let client = match make_client(args) {
        Ok(client) => Arc::new(client),
        Err(code) => return code,
    };

    let terminal = std::io::stderr().is_terminal();
    let handle = BatchRun::start(client, filters, docs, usize::from(args.concurrency));
    let mut results = ResultSet::new();
    while !handle.is_finished() {
        if interrupts.count() > 0 {
            handle.cancel();
        }
        results.append(handle.take_new_rows());
        if terminal {
            let progress = handle.progress();
            eprint!("\r\x1b[2K{} · {}", progress.label(), progress.time_label());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if terminal {
        eprint!("\r\x1b[2K");
    }
    results.append(handle.take_new_rows());
    let summary = handle.summary();

    if let Some(BatchStop::Error {
        kind,
        message,
        detail,
    }) = &summary.stop
    {
        eprintln!("Erro: {message}");
        if args.verbose {
            eprintln!("Detalhes: {detail}");
        }
        if summary.succeeded == 0 {
            return exit_code_for(*kind);
        }
    }
    if let Some(stop @ BatchStop::Unreachable { detail }) = &summary.stop {
        // Said once; the documents it left are listed below as not queried.
        eprintln!("Erro: {}", stop.message());
        if args.verbose {
            eprintln!("Detalhes: {detail}");
        }
    }
    let mut code = exit::OK;
    if summary.succeeded > 0 {
        // What arrived is written even after a Ctrl+C; another one cancels the write.
        let since = interrupts.count();
        match product.write(
            &args.output,
            Box::new(results.rows().iter()),
            interrupts,
            since,
        ) {
            Err(exit::CANCELLED) => return exit::CANCELLED,
            Err(output_code) => code = output_code,
            Ok(write_time) => eprintln!(
                "{} {} ({} documento(s), {} recebidos, repetidos removidos; {}; {} em {}).",
                product.written(results.total_count()),
                output_place(&args.output),
                br::thousands(summary.succeeded as u64),
                br::thousands(summary.rows),
                br::seconds_br(summary.elapsed),
                output_written(&args.output),
                br::seconds_br(write_time),
            ),
        }
    } else {
        eprintln!(
            "Nenhum documento foi consultado com sucesso; nada foi gravado {}.",
            output_place(&args.output)
        );
    }

    let failures = summary.failure_rows();
    if !failures.is_empty() {
        const SHOWN: usize = 20;
        for failure in failures.iter().take(SHOWN) {
            eprintln!("Falha: {}: {}", failure.doc.formatted(), failure.message);
            if args.verbose && !failure.detail.is_empty() {
                eprintln!("  Detalhes: {}", failure.detail);
            }
        }
        if failures.len() > SHOWN {
            eprintln!(
                "… e mais {} falha(s).",
                br::thousands((failures.len() - SHOWN) as u64)
            );
        }
        let path = failures_path(&args.output);
        match write_failures_csv(&path, &failures) {
            Ok(()) => eprintln!(
                "{} documento(s) com falha listados em {} (tente de novo com --cpf-cnpj-file {}).",
                br::thousands(failures.len() as u64),
                path.display(),
                path.display()
            ),
            Err(error) => {
                eprintln!("Erro: {error}");
                code = exit::OUTPUT;
            }
        }
    }
    match &summary.stop {
        Some(BatchStop::Error { kind, .. }) => exit_code_for(*kind),
        Some(BatchStop::Cancelled) => exit::CANCELLED,
        Some(BatchStop::Unreachable { .. }) if code != exit::OK => code,
        Some(BatchStop::Unreachable { .. }) if summary.succeeded > 0 => exit::SOME_FAILED,
        Some(BatchStop::Unreachable { .. }) => exit::NETWORK,
        None if code != exit::OK => code,
        // Every document failed: nothing to show for the batch, as for a single query.
        None if !summary.failures.is_empty() && summary.succeeded == 0 => exit::NETWORK,
        None if !summary.failures.is_empty() => exit::SOME_FAILED,
        None => exit::OK,
    }
}

/// The token from `RECUPERADOR_TOKEN`, else from the keyring entry the window uses.
fn load_token() -> Result<Token, String> {
    if let Ok(text) = std::env::var("RECUPERADOR_TOKEN") {
        return Token::parse(&text).map_err(|e| format!("RECUPERADOR_TOKEN: {e}"));
    }
    let store = KeyringStore::open()
        .map_err(|e| format!("nenhum token: defina a variável RECUPERADOR_TOKEN ({e})"))?;
    match store.load() {
        Ok(Some(token)) => Ok(token),
        Ok(None) => Err(
            "nenhum token: defina a variável RECUPERADOR_TOKEN ou salve o token pelo aplicativo (Configurações)."
                .to_owned(),
        ),
        Err(e) => Err(format!("não foi possível ler o token do cofre: {e}")),
    }
}

fn report_api_error(error: &ApiError, verbose: bool) -> u8 {
    eprintln!("Erro: {error}");
    if verbose {
        eprintln!("Detalhes: {}", error.technical_detail());
    }
    exit_code_for(error.kind())
}

fn exit_code_for(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidToken => exit::AUTH,
        ErrorKind::Config | ErrorKind::BadRequest => exit::INVALID_INPUT,
        ErrorKind::Cancelled => exit::CANCELLED,
        _ => exit::NETWORK,
    }
}

fn demo_server(args: &DemoArgs) -> u8 {
    let config = SimConfig {
        token: args.token.clone(),
        port: args.port,
        latency: Duration::from_millis(args.latency_ms),
        dataset: DatasetConfig {
            seed: args.seed.unwrap_or(DatasetConfig::default().seed),
            debtors: args.debtors,
            huge_history_rows: args.rows,
            ..DatasetConfig::default()
        },
    };
    let simulator = match Simulator::start(config) {
        Ok(simulator) => simulator,
        Err(error) => {
            eprintln!(
                "Erro: não foi possível iniciar o simulador na porta {} ({error}). Tente outra com --port.",
                args.port
            );
            return exit::NETWORK;
        }
    };
    println!("Simulador da API de follow-ups do Recuperador (dados fictícios).");
    println!("URL:   {}", simulator.url());
    println!("Token: {}", simulator.token());
    println!("Exemplos (credor · documento · devedor · follow-ups):");
    let dataset = simulator.dataset();
    // The huge history first (when asked for), then a few debtors with the longest histories.
    let mut examples: Vec<_> = dataset
        .debtors()
        .iter()
        .filter(|d| !d.huge && dataset.history_len(d) > 0)
        .collect();
    examples.sort_by_key(|d| std::cmp::Reverse(dataset.history_len(d)));
    examples.truncate(5);
    if let Some(huge) = dataset.huge_debtor() {
        examples.insert(0, huge);
    }
    for debtor in &examples {
        println!(
            "  {:>3} · {} · {} · {}",
            debtor.id_credor,
            recuperador_followups::doc_id::format_lenient(&debtor.cpf_cnpj),
            debtor.nome,
            br::thousands(dataset.history_len(debtor) as u64)
        );
    }
    if let Some(debtor) = examples.iter().find(|d| !d.huge) {
        println!("Exemplo:");
        println!(
            "  RECUPERADOR_TOKEN={} recuperador-followups-cli fetch --base-url {} --id-credor {} --cpf-cnpj {} --output followups.json",
            simulator.token(),
            simulator.url(),
            debtor.id_credor,
            debtor.cpf_cnpj
        );
    }
    println!("Ctrl+C encerra.");
    let (sender, receiver) = std::sync::mpsc::channel();
    if ctrlc::set_handler(move || {
        let _ = sender.send(());
    })
    .is_err()
    {
        eprintln!("Aviso: não foi possível instalar o tratamento de Ctrl+C.");
    }
    let _ = receiver.recv();
    drop(simulator);
    println!("Simulador encerrado.");
    exit::OK
}
