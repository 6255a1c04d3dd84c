//! `agenda`: the reschedules of the fetched follow-ups, with their situação on a reference
//! date and the compliance table (issue 14). The fetch is `fetch`'s (same arguments, exit
//! codes and interrupts); this file only makes and writes the agenda.

use std::cell::Cell;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use recuperador_followups::analysis::agenda::{Agenda, Situacao, agenda_of};
use recuperador_followups::api::Followup;
use recuperador_followups::api::query::parse_date;
use recuperador_followups::export::ExportOptions;
use recuperador_followups::export::agenda::{export_agenda, export_agenda_to_writer};
use recuperador_followups::fmt as br;

use super::{FetchArgs, FetchedRows, Interrupts, Product, exit, is_stdout, write_export};

/// Arguments of `agenda`: the fetch's, and the reference date.
#[derive(clap::Args, Debug)]
pub(crate) struct AgendaArgs {
    #[command(flatten)]
    pub(crate) fetch: FetchArgs,
    /// Data de referência da agenda (AAAA-MM-DD ou DD/MM/AAAA); padrão: hoje. Define o que
    /// está atrasado, é para hoje, para os próximos 7 dias ou depois.
    #[arg(long, value_name = "DATA")]
    pub(crate) data_referencia: Option<String>,
}

/// Runs `agenda`; returns the exit code.
pub(crate) fn run(args: &AgendaArgs) -> u8 {
    let reference = match reference_date(args.data_referencia.as_deref()) {
        Ok(day) => day,
        Err(message) => {
            eprintln!("Erro: --data-referencia: {message}");
            return exit::INVALID_INPUT;
        }
    };
    let options = match super::export_options(&args.fetch) {
        Ok(options) => options,
        Err(code) => return code,
    };
    super::fetch(
        &args.fetch,
        &AgendaProduct {
            options,
            reference,
            entries: Cell::new(0),
        },
    )
}

/// The reference date typed (`AAAA-MM-DD` or `DD/MM/AAAA`), today when absent.
fn reference_date(text: Option<&str>) -> Result<NaiveDate, String> {
    match text {
        None => Ok(chrono::Local::now().date_naive()),
        Some(text) => match parse_date(text)? {
            Some(day) => Ok(day),
            None => Err("informe uma data (AAAA-MM-DD ou DD/MM/AAAA).".to_owned()),
        },
    }
}

/// `agenda`'s product: the agenda of the fetched rows, in the chosen format.
struct AgendaProduct {
    options: ExportOptions,
    reference: NaiveDate,
    /// Entries written, for the final message.
    entries: Cell<usize>,
}

impl Product for AgendaProduct {
    fn write<'a>(
        &self,
        path: &Path,
        rows: FetchedRows<'a>,
        interrupts: &Interrupts,
        since: usize,
    ) -> Result<Duration, u8> {
        let rows: Vec<&Followup> = rows.collect();
        let agenda = agenda_of(&rows, self.reference);
        report(&agenda);
        self.entries.set(agenda.entries.len());
        write_agenda(path, &agenda, &rows, &self.options, interrupts, since)
    }

    fn written(&self, rows: usize) -> String {
        format!(
            "Agenda de {} ({} follow-ups lidos) gravada",
            br::count_br(self.entries.get(), "reagendamento", "reagendamentos"),
            br::thousands(rows as u64)
        )
    }
}

/// The period caveat and one line of counts, on stderr.
fn report(agenda: &Agenda) {
    eprintln!(
        "Atenção: a API filtra pela data do follow-up; a agenda só vê os reagendamentos registrados no período consultado, e só os contatos dentro dele contam como realizados (amplie --ate até hoje para conferir o cumprimento)."
    );
    let counts: Vec<String> = Situacao::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s.label().to_lowercase(),
                br::thousands(agenda.counts.get(*s))
            )
        })
        .collect();
    let pct = agenda
        .total
        .pct_cumprimento()
        .map(|pct| format!("{} %", format!("{pct:.1}").replace('.', ",")))
        .unwrap_or_else(|| "sem reagendamentos devidos".to_owned());
    eprintln!(
        "Agenda em {}: {} reagendamento(s): {}; cumprimento {}.",
        br::date_br(agenda.reference),
        br::thousands(agenda.counts.total()),
        counts.join(", "),
        pct
    );
}

/// Writes the agenda to the file or to standard output, as `fetch` writes rows: a progress
/// line on a terminal, an interrupt cancels (130), a failure is 5, a closed pipe ends quietly.
fn write_agenda(
    path: &Path,
    agenda: &Agenda,
    rows: &[&Followup],
    options: &ExportOptions,
    interrupts: &Interrupts,
    since: usize,
) -> Result<Duration, u8> {
    let total = agenda.entries.len();
    write_export(path, total, options.format, interrupts, since, |progress| {
        if is_stdout(path) {
            export_agenda_to_writer(&mut std::io::stdout(), agenda, rows, options, progress)
        } else {
            export_agenda(path, agenda, rows, options, progress)
        }
    })
    .map(|(write_time, _)| write_time)
}
