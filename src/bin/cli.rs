//! `recuperador-followups-cli`: the follow-up API from scripts and scheduled jobs.
//!
//! Exit codes: 0 ok, 2 invalid input, 3 authentication refused or no token, 4 network or
//! server error, 5 could not write the output, 130 cancelled with Ctrl+C.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use recuperador_followups::api::{
    ApiError, ClientConfig, ErrorKind, FetchProgress, FollowupClient, MemoryFootprint, QueryForm,
    ReagendarFiltro, Token,
};
use recuperador_followups::export::{
    self, CsvSeparator, ExportFormat, ExportOptions, ExportProgress,
};
use recuperador_followups::fmt as br;
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
    /// Busca os follow-ups de um devedor e grava em arquivo (.xlsx, .csv ou .json).
    Fetch(FetchArgs),
    /// Executa o simulador local da API (dados fictícios), para testes e demonstração.
    DemoServer(DemoArgs),
}

#[derive(clap::Args, Debug)]
struct FetchArgs {
    /// ID do credor (Cadastros > Credores).
    #[arg(long, value_name = "N")]
    id_credor: String,
    /// CPF ou CNPJ do devedor, com ou sem máscara (CNPJ alfanumérico aceito).
    #[arg(long, value_name = "DOC")]
    cpf_cnpj: String,
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
    /// Arquivo de saída: .xlsx (Excel), .csv ou .json, pela extensão.
    #[arg(long, short, value_name = "ARQUIVO")]
    output: PathBuf,
    /// Formato do arquivo, quando a extensão não basta.
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
    pub const CANCELLED: u8 = 130;
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let code = match cli.command {
        Command::Fetch(args) => fetch(&args),
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
                    "informe o comando: fetch ou demo-server"
                }
                _ => "argumentos inválidos",
            };
            eprintln!("Erro: {lead}.\n{}", error.render());
            eprintln!("Use --help para ver as opções.");
            ExitCode::from(exit::INVALID_INPUT)
        }
    }
}

fn fetch(args: &FetchArgs) -> u8 {
    let Some(reagendar) = ReagendarFiltro::from_wire(&args.reagendar) else {
        eprintln!("Erro: --reagendar aceita S (somente reagendamentos) ou N (sem reagendamentos).");
        return exit::INVALID_INPUT;
    };
    let form = QueryForm {
        id_credor: args.id_credor.clone(),
        cpf_cnpj: args.cpf_cnpj.clone(),
        id_consultor: args.id_consultor.clone(),
        id_evento: args.id_evento.clone(),
        reagendar,
        data_de: args.de.clone(),
        data_ate: args.ate.clone(),
    };
    let query = match form.validate() {
        Ok(query) => query,
        Err(errors) => {
            for error in errors {
                eprintln!("Erro: {error}");
            }
            return exit::INVALID_INPUT;
        }
    };
    if let Some(warning) = query.cpf_cnpj.check_digit_warning() {
        eprintln!("Aviso: {warning}");
    }
    let format = match args.format {
        Some(FormatArg::Xlsx) => ExportFormat::Xlsx,
        Some(FormatArg::Csv) => ExportFormat::Csv,
        Some(FormatArg::Json) => ExportFormat::Json,
        None => match ExportFormat::from_path(&args.output) {
            Some(format) => format,
            None => {
                eprintln!(
                    "Erro: não sei o formato de {}: use a extensão .xlsx, .csv ou .json, ou --format.",
                    args.output.display()
                );
                return exit::INVALID_INPUT;
            }
        },
    };
    let token = match load_token() {
        Ok(token) => token,
        Err(message) => {
            eprintln!("Erro: {message}");
            return exit::AUTH;
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
    let client = match FollowupClient::new(config, token) {
        Ok(client) => client,
        Err(error) => return report_api_error(&error, args.verbose),
    };

    let progress = FetchProgress::new();
    {
        let progress = Arc::clone(&progress);
        // Without a handler, Ctrl+C simply ends the process, which is also safe.
        let _ = ctrlc::set_handler(move || progress.cancel());
    }
    let ticker = std::io::stderr()
        .is_terminal()
        .then(|| spawn_progress_ticker(Arc::clone(&progress)));
    let result = client.fetch(&query, &progress);
    if let Some((stop, handle)) = ticker {
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = handle.join();
    }
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => return report_api_error(&error, args.verbose),
    };

    let path = &args.output;
    let options = ExportOptions {
        raw_codes: args.raw_codes,
        csv_separator: match args.csv_separator {
            SeparatorArg::PontoEVirgula => CsvSeparator::Semicolon,
            SeparatorArg::Virgula => CsvSeparator::Comma,
        },
        ..ExportOptions::new(format)
    };
    let summary =
        match export::export_rows(path, outcome.rows.iter(), &options, &ExportProgress::new()) {
            Ok(summary) => summary,
            Err(error) => {
                eprintln!("Erro: {error}");
                return exit::OUTPUT;
            }
        };
    if summary.truncated_cells > 0 {
        eprintln!(
            "Aviso: {} texto(s) maiores que o limite de uma célula do Excel (32.767 caracteres) foram cortados, com a marca «texto cortado».",
            br::thousands(summary.truncated_cells as u64)
        );
    }
    if summary.sheets > 1 {
        eprintln!(
            "Aviso: mais linhas que o limite de uma planilha do Excel; o arquivo tem {} abas.",
            summary.sheets
        );
    }
    eprintln!(
        "{} follow-ups gravados em {} ({} recebidos em {}{}).",
        br::thousands(outcome.rows.len() as u64),
        path.display(),
        br::bytes_br(outcome.bytes),
        br::seconds_br(outcome.elapsed),
        if outcome.attempts > 1 {
            format!(", {} tentativas", outcome.attempts)
        } else {
            String::new()
        }
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
    match error.kind() {
        ErrorKind::InvalidToken => exit::AUTH,
        ErrorKind::Config | ErrorKind::BadRequest => exit::INVALID_INPUT,
        ErrorKind::Cancelled => exit::CANCELLED,
        _ => exit::NETWORK,
    }
}

fn spawn_progress_ticker(
    progress: Arc<FetchProgress>,
) -> (
    Arc<std::sync::atomic::AtomicBool>,
    std::thread::JoinHandle<()>,
) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_flag = Arc::clone(&stop);
    let handle = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        while !stop_flag.load(std::sync::atomic::Ordering::SeqCst) {
            let now = progress.snapshot();
            let attempt = if now.attempt > 1 {
                format!(" · tentativa {}", now.attempt)
            } else {
                String::new()
            };
            eprint!(
                "\r\x1b[2K{} follow-ups · {} · {}{attempt}",
                br::thousands(now.rows),
                br::bytes_br(now.bytes),
                br::seconds_br(started.elapsed()),
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        eprint!("\r\x1b[2K");
    });
    (stop, handle)
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
