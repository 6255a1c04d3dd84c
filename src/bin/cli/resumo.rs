//! `resumo`: the fetch's rows summarized by one or more dimensions (issue 13), written as
//! XLSX (a sheet and a chart per dimension), CSV (Excel pt-BR, a block per dimension) or JSON
//! (an array, one object per dimension), or JSON on standard output (`--output -`, CSV with
//! `--format csv`). And `fetch --com-resumo`, which adds the summary sheets to the rows' XLSX.
//!
//! The numbers come from [`summarize_rows`], the function the window's Resumo view uses.

use std::io::IsTerminal as _;
use std::path::Path;
use std::time::{Duration, Instant};

use recuperador_followups::analysis::summary::{Dimension, Summary, summarize_rows};
use recuperador_followups::export::summary::{
    SummaryFormat, export_summaries, export_summaries_to_writer,
};
use recuperador_followups::export::{ExportError, ExportFormat};
use recuperador_followups::fmt as br;

use super::{FetchArgs, FetchedRows, FormatArg, Interrupts, Product, exit, is_stdout};

/// The arguments of `resumo`.
#[derive(clap::Args, Debug)]
pub(super) struct ResumoArgs {
    #[command(flatten)]
    pub(super) fetch: FetchArgs,
    /// Agrupar por: consultor, evento, canal, tipo-evento, credor, devedor, reagendado-por,
    /// dia, semana ou mes. Repita (--por consultor --por canal) ou separe por vírgulas
    /// (--por consultor,canal); um resumo por dimensão, na ordem dada.
    #[arg(long, value_name = "DIMENSÃO", required = true, value_delimiter = ',')]
    pub(super) por: Vec<String>,
}

/// The valid dimension names, for messages: "consultor, evento, …, mes".
fn valid_names() -> String {
    Dimension::ALL
        .iter()
        .map(|dimension| dimension.cli_name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The dimensions named in `names` (each once, in the order given); a Portuguese message
/// naming the unknown one and listing the valid ones otherwise.
pub(super) fn parse_dimensions(option: &str, names: &[String]) -> Result<Vec<Dimension>, String> {
    let mut dimensions = Vec::new();
    for name in names {
        if name.trim().is_empty() {
            continue;
        }
        let Some(dimension) = Dimension::from_cli_name(name) else {
            return Err(format!(
                "{option} {:?} não é uma dimensão conhecida. Use uma destas: {}.",
                name.trim(),
                valid_names()
            ));
        };
        if !dimensions.contains(&dimension) {
            dimensions.push(dimension);
        }
    }
    if dimensions.is_empty() {
        return Err(format!(
            "{option} precisa de ao menos uma dimensão: {}.",
            valid_names()
        ));
    }
    Ok(dimensions)
}

/// The dimensions of `fetch --com-resumo` for an export in `format`: none when the option is
/// absent; exit code 2 when a name is unknown or the output is not a spreadsheet.
pub(super) fn fetch_summary_dimensions(
    names: &[String],
    format: ExportFormat,
) -> Result<Vec<Dimension>, u8> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    if format != ExportFormat::Xlsx {
        eprintln!(
            "Erro: --com-resumo acrescenta abas a uma planilha: use uma saída .xlsx (ou --format xlsx). Para um resumo em CSV ou JSON, use o comando resumo."
        );
        return Err(exit::INVALID_INPUT);
    }
    parse_dimensions("--com-resumo", names).map_err(|message| {
        eprintln!("Erro: {message}");
        exit::INVALID_INPUT
    })
}

/// Runs `resumo`: validates the output and the dimensions, then fetches like `fetch` and
/// writes the summaries.
pub(super) fn run(args: &ResumoArgs) -> u8 {
    let dimensions = match parse_dimensions("--por", &args.por) {
        Ok(dimensions) => dimensions,
        Err(message) => {
            eprintln!("Erro: {message}");
            return exit::INVALID_INPUT;
        }
    };
    let format = match output_format(&args.fetch) {
        Ok(format) => format,
        Err(code) => return code,
    };
    super::fetch(&args.fetch, &SummaryProduct { dimensions, format })
}

/// The format of the summaries from `--format` or the extension; JSON on standard output.
fn output_format(args: &FetchArgs) -> Result<SummaryFormat, u8> {
    let format = match args.format {
        Some(FormatArg::Xlsx) => SummaryFormat::Xlsx,
        Some(FormatArg::Csv) => SummaryFormat::Csv,
        Some(FormatArg::Json) => SummaryFormat::Json,
        Some(FormatArg::Tsv) => {
            eprintln!(
                "Erro: o resumo é gravado em .xlsx, .csv ou .json (--format xlsx, csv ou json)."
            );
            return Err(exit::INVALID_INPUT);
        }
        // Standard output goes to a program: JSON, which any script reads.
        None if is_stdout(&args.output) => SummaryFormat::Json,
        None => match SummaryFormat::from_path(&args.output) {
            Some(format) => format,
            None => {
                eprintln!(
                    "Erro: não sei o formato de {}: use a extensão .xlsx, .csv ou .json, ou --format.",
                    args.output.display()
                );
                return Err(exit::INVALID_INPUT);
            }
        },
    };
    if format == SummaryFormat::Xlsx && is_stdout(&args.output) && std::io::stdout().is_terminal() {
        eprintln!(
            "Erro: uma planilha .xlsx não pode ser mostrada no terminal: redirecione a saída (> arquivo.xlsx) ou use --format json."
        );
        return Err(exit::INVALID_INPUT);
    }
    Ok(format)
}

/// `resumo`'s product: the summaries of the rows.
struct SummaryProduct {
    dimensions: Vec<Dimension>,
    format: SummaryFormat,
}

impl Product for SummaryProduct {
    fn write<'a>(
        &self,
        path: &Path,
        rows: FetchedRows<'a>,
        interrupts: &Interrupts,
        since: usize,
    ) -> Result<Duration, u8> {
        let started = Instant::now();
        let rows: Vec<_> = rows.collect();
        let summaries: Vec<Summary> = self
            .dimensions
            .iter()
            .map(|&dimension| summarize_rows(rows.iter().copied(), dimension))
            .collect();
        // The summaries are small and written in a moment: an interrupt that arrived by now
        // stops before anything is written.
        if interrupts.count() > since {
            eprintln!("Interrompido: {}", ExportError::Cancelled);
            return Err(exit::CANCELLED);
        }
        let result = if is_stdout(path) {
            export_summaries_to_writer(&mut std::io::stdout(), &summaries, self.format)
        } else {
            export_summaries(path, &summaries, self.format)
        };
        match result {
            Ok(()) => Ok(started.elapsed()),
            Err(error) if is_stdout(path) && error.is_broken_pipe() => Err(exit::OK),
            Err(error) => {
                eprintln!("Erro: {error}");
                Err(exit::OUTPUT)
            }
        }
    }

    fn written(&self, rows: usize) -> String {
        let names: Vec<&str> = self.dimensions.iter().map(|d| d.cli_name()).collect();
        format!(
            "Resumo de {} por {} gravado",
            br::count_br(rows, "follow-up", "follow-ups"),
            names.join(", ")
        )
    }
}
