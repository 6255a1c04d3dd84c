//! The simulator's synthetic data: creditors, consultants, events, debtors and their
//! negotiation histories, all derived from a seed.
//!
//! Regular debtors' follow-ups are generated once and stored, sorted as the server returns
//! them (by `data`, then `id_followup`). The optional debtor with a huge history is never
//! stored: each of its rows is computed from `(seed, index)` when asked for, so serving a
//! million rows costs the memory of one row at a time.
//!
//! Dates are anchored on a fixed day ([`LAST_DAY`]) rather than on today, so the same seed
//! yields the same rows on every run, on every machine.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::api::model::{
    Followup, FollowupFields, ReagendarPara, SharedStr, SimNao, TipoContato, TipoEvento,
};
use crate::api::query::{FollowupQuery, ReagendarFiltro};
use crate::doc_id::with_check_digits;

/// The last day a generated follow-up can have (`data`); histories span the three years
/// before it. Fixed so that datasets do not depend on the clock.
pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 30) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// The reference date of the agenda debtors ([`Dataset::agenda_debtors`]): their reschedules
/// are kept, missed, due today and upcoming relative to this day (the last day of history).
pub const AGENDA_REFERENCE: NaiveDate = LAST_DAY;

/// How many days of history the dataset covers, ending on [`LAST_DAY`].
pub const HISTORY_DAYS: i64 = 3 * 365;

/// Sizes and seed of a synthetic dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetConfig {
    /// Seed of every random choice: the same seed gives the same dataset.
    pub seed: u64,
    /// Number of regular debtors (their follow-ups are stored in memory).
    pub debtors: usize,
    /// Upper bound of follow-ups per regular debtor (each gets `0..=max`).
    pub max_followups_per_debtor: usize,
    /// Rows of the extra debtor with a huge history, generated lazily; `0` = no such debtor.
    pub huge_history_rows: usize,
}

impl Default for DatasetConfig {
    fn default() -> Self {
        DatasetConfig {
            seed: 0x5EED_CAFE,
            debtors: 200,
            max_followups_per_debtor: 60,
            huge_history_rows: 0,
        }
    }
}

/// A creditor (bank, store, finance company) whose debts are collected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Creditor {
    /// `id_credor`.
    pub id: i64,
    /// `nome_credor`.
    pub nome: SharedStr,
}

/// A consultant (collection operator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consultant {
    /// `id_consultor`.
    pub id: i64,
    /// `nome_consultor`.
    pub nome: SharedStr,
    /// The login shown in `reagendado_por`.
    pub login: SharedStr,
}

/// A negotiation event (the outcome recorded by a follow-up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// `id_evento`.
    pub id: i64,
    /// `nome_evento`.
    pub nome: SharedStr,
    /// `tipo_evento`: productive or unproductive.
    pub tipo_evento: TipoEvento,
}

/// A debtor of one creditor. The same document may be a debtor of several creditors,
/// each time with its own `id_cliente`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Debtor {
    /// `id_cliente`.
    pub id_cliente: i64,
    /// The creditor this debt is owed to.
    pub id_credor: i64,
    /// `nome_cliente` (a person or a company).
    pub nome: SharedStr,
    /// CPF or CNPJ, normalised: digits and upper-case letters only (leading zeros kept).
    pub cpf_cnpj: String,
    /// Whether this is the debtor with the huge, lazily generated history.
    pub huge: bool,
}

/// What the server filters on: the seven query parameters, already parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimFilter {
    /// `id_credor` (required).
    pub id_credor: i64,
    /// `cpf_cnpj_formatado` as sent; normalised (mask dropped, upper-cased) when compared.
    pub cpf_cnpj: String,
    /// `id_consultor`; `None` or `Some(0)` = no filter.
    pub id_consultor: Option<i64>,
    /// `id_evento`; `None` or `Some(0)` = no filter.
    pub id_evento: Option<i64>,
    /// `reagendar`: `Some('S')` only reschedules, `Some('N')` none, `None` (or any other
    /// character, which the server rejects before filtering) all.
    pub reagendar: Option<char>,
    /// `datagte`: follow-ups on or after this day.
    pub datagte: Option<NaiveDate>,
    /// `datalte`: follow-ups on or before this day.
    pub datalte: Option<NaiveDate>,
}

impl From<&FollowupQuery> for SimFilter {
    fn from(query: &FollowupQuery) -> Self {
        let filters = &query.filters;
        SimFilter {
            id_credor: i64::from(filters.id_credor),
            cpf_cnpj: query.cpf_cnpj.normalized().to_owned(),
            id_consultor: filters.id_consultor.map(i64::from),
            id_evento: filters.id_evento.map(i64::from),
            reagendar: match filters.reagendar {
                ReagendarFiltro::Todos => None,
                ReagendarFiltro::SomenteReagendados => Some('S'),
                ReagendarFiltro::SemReagendamento => Some('N'),
            },
            datagte: filters.data_de,
            datalte: filters.data_ate,
        }
    }
}

impl SimFilter {
    /// Whether a row passes the optional filters (consultant, event, reschedule, dates).
    /// Creditor and document select the debtor and are not checked here.
    fn accepts(&self, row: &Followup) -> bool {
        if let Some(id) = self.id_consultor.filter(|&id| id != 0)
            && row.id_consultor() != Some(id)
        {
            return false;
        }
        if let Some(id) = self.id_evento.filter(|&id| id != 0)
            && row.id_evento() != Some(id)
        {
            return false;
        }
        let is_reschedule = row.reagendar() == Some(SimNao::Sim);
        match self.reagendar {
            Some('S') if !is_reschedule => return false,
            Some('N') if is_reschedule => return false,
            _ => {}
        }
        let day = row.data().map(|d| d.date());
        if let Some(from) = self.datagte
            && day.is_none_or(|d| d < from)
        {
            return false;
        }
        if let Some(to) = self.datalte
            && day.is_none_or(|d| d > to)
        {
            return false;
        }
        true
    }
}

/// Normalises a document as the server compares it: drops `.`, `-`, `/` and whitespace,
/// upper-cases letters; any other character is kept (and then matches nothing).
pub fn normalize_document(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, '.' | '-' | '/') && !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The shared reference tables: who and what rows point to.
#[derive(Debug)]
struct Tables {
    creditors: Vec<Creditor>,
    consultants: Vec<Consultant>,
    events: Vec<Event>,
}

impl Tables {
    fn new() -> Tables {
        let creditors = [
            (12, "Banco Meridional S.A."),
            (27, "Lojas Paulistânia Ltda."),
            (45, "Crédito Fácil Financeira S.A."),
        ]
        .into_iter()
        .map(|(id, nome)| Creditor {
            id,
            nome: SharedStr::from(nome),
        })
        .collect();
        let consultants = [
            (3, "Ana Paula Ribeiro", "ana.ribeiro"),
            (5, "João Vítor Nascimento", "joao.nascimento"),
            (7, "Maria da Conceição Araújo", "conceicao.araujo"),
            (8, "Márcio Gonçalves", "marcio.goncalves"),
            (11, "Fernanda Lúcia Peixoto", "fernanda.peixoto"),
            (14, "Ângela Maria Brandão", "angela.brandao"),
            (19, "Álvaro Figueiredo", "alvaro.figueiredo"),
            (23, "Patrícia Simões", "patricia.simoes"),
        ]
        .into_iter()
        .map(|(id, nome, login)| Consultant {
            id,
            nome: SharedStr::from(nome),
            login: SharedStr::from(login),
        })
        .collect();
        let events = [
            (101, "Promessa de pagamento", TipoEvento::Produtivo),
            (102, "Acordo fechado", TipoEvento::Produtivo),
            (103, "Pagamento confirmado", TipoEvento::Produtivo),
            (104, "Boleto enviado", TipoEvento::Produtivo),
            (105, "Negociação em andamento", TipoEvento::Produtivo),
            (201, "Não atende", TipoEvento::Improdutivo),
            (202, "Número inexistente", TipoEvento::Improdutivo),
            (203, "Recado com terceiros", TipoEvento::Improdutivo),
            (204, "Caixa postal", TipoEvento::Improdutivo),
            (205, "Cliente se recusa a negociar", TipoEvento::Improdutivo),
        ]
        .into_iter()
        .map(|(id, nome, tipo_evento)| Event {
            id,
            nome: SharedStr::from(nome),
            tipo_evento,
        })
        .collect();
        Tables {
            creditors,
            consultants,
            events,
        }
    }
}

const FIRST_NAMES: &[&str] = &[
    "João",
    "Maria",
    "José",
    "Conceição",
    "Ângela",
    "Álvaro",
    "Antônio",
    "Luíza",
    "Sebastião",
    "Lúcia",
    "Fábio",
    "Inês",
    "Cláudio",
    "Vitória",
    "Estêvão",
    "Márcia",
    "Raimundo",
    "Tânia",
    "Otávio",
    "Aparecida",
    "Caio",
    "Bárbara",
    "Emanuel",
    "Jéssica",
];
const SURNAMES: &[&str] = &[
    "da Silva",
    "Gonçalves",
    "Araújo",
    "Conceição",
    "Simões",
    "Magalhães",
    "Brandão",
    "Assunção",
    "Peçanha",
    "Lopes",
    "Guimarães",
    "Esteves",
    "Nogueira",
    "Carvalho",
    "Sant'Ana",
    "Damião",
    "Fontes",
    "Ribeiro",
    "D'Ávila",
    "Souza",
];
const COMPANY_SUBJECTS: &[&str] = &[
    "Padaria Pão de Açúcar",
    "Mercearia São João",
    "Ótica Visão",
    "Transportes Águia Dourada",
    "Confecções Maré Alta",
    "Açougue Boi Gordo",
    "Construtora Horizonte",
    "Farmácia Saúde & Vida",
    "Auto Peças Ipê",
    "Restaurante Sabor Mineiro",
];
const COMPANY_SUFFIXES: &[&str] = &["Ltda.", "ME", "EIRELI", "S.A.", "Comércio Ltda."];

/// Special interaction texts that stress exports and parsers; each appears in every dataset
/// with at least this many rows.
fn special_texts() -> Vec<String> {
    let paragraph = "Cliente relatou dificuldades financeiras após a demissão; informou que \
                     \"assim que receber o acerto\" fará contato. Explicadas as condições do acordo, \
                     juros e multa; enviado resumo por e-mail.\r\n";
    let long = |n: usize| -> String {
        let mut text = String::from("Histórico consolidado da negociação:\n");
        while text.len() < n {
            text.push_str(paragraph);
        }
        text
    };
    vec![
        "=SOMA(A1:A9) cliente digitou isso no portal".to_owned(),
        "+55 (11) 98765-4321 não atende; tentar fixo".to_owned(),
        "-- ligação caiu durante a negociação".to_owned(),
        "@joao.nascimento favor retornar ao cliente".to_owned(),
        "Cliente respondeu 👍 no WhatsApp e mandou 🙏 depois".to_owned(),
        "Proposta: \"entrada de R$ 150,00; saldo em 10x\"; cliente disse \"vou pensar\"."
            .to_owned(),
        "Linha 1\r\nLinha 2\r\nLinha 3 com acentuação: ção, ã, é".to_owned(),
        "Primeira linha\nSegunda linha\n\nQuarta linha após linha em branco".to_owned(),
        long(45_000),
        long(60_000),
        long(41_000),
        String::new(),
    ]
}

/// Fills an ordinary interaction text.
fn ordinary_text(rng: &mut fastrand::Rng, day: NaiveDate) -> String {
    let reais = rng.u32(50..5_000);
    let centavos = rng.u32(0..100);
    let parcelas = rng.u32(2..13);
    let due = day + Duration::days(rng.i64(1..15));
    let due = due.format("%d/%m/%Y");
    match rng.u8(0..14) {
        0 => {
            format!("Cliente atendeu e informou que vai pagar R$ {reais},{centavos:02} até {due}.")
        }
        1 => format!(
            "Liguei às {}h; ninguém atendeu.\nDeixei recado na caixa postal.",
            rng.u8(8..19)
        ),
        2 => "Enviado boleto por e-mail; aguardando confirmação do pagamento.".to_owned(),
        3 => "Cliente pediu 2ª via do boleto.\r\nEnviada via WhatsApp.".to_owned(),
        4 => format!(
            "Negociação: entrada de R$ {reais},00 + {parcelas}x de R$ {},{centavos:02}. Cliente disse \"vou pensar\".",
            reais / 3 + 10
        ),
        5 => "Número inexistente; tentar telefone comercial.".to_owned(),
        6 => format!("Acordo fechado em {parcelas} parcelas; 1ª parcela vence em {due}."),
        7 => "Cliente alega que já pagou; solicitado comprovante por e-mail.".to_owned(),
        8 => "Notificação automática enviada (lembrete de vencimento).".to_owned(),
        9 => "Reagendado a pedido do cliente — ligar após o almoço.".to_owned(),
        10 => "Cônjuge atendeu; pediu para retornar à noite.".to_owned(),
        11 => format!(
            "Cliente informou desemprego; proposta de desconto de {}% recusada.",
            rng.u8(5..40)
        ),
        12 => "Mensagem lida no WhatsApp, sem resposta.".to_owned(),
        _ => format!(
            "Contato realizado; cliente confirmou endereço e promessa para {due}.\nValor: R$ {reais},{centavos:02}."
        ),
    }
}

fn midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN)
}

fn first_day() -> NaiveDate {
    LAST_DAY - Duration::days(HISTORY_DAYS - 1)
}

/// The fields of a row that do not depend on its date or id.
fn fill_row_details(
    rng: &mut fastrand::Rng,
    tables: &Tables,
    creditor: &Creditor,
    debtor: &Debtor,
    cpf_cnpj: &SharedStr,
    data: NaiveDateTime,
    interacao: String,
) -> Followup {
    let consultant =
        (rng.u8(0..100) >= 4).then(|| &tables.consultants[rng.usize(..tables.consultants.len())]);
    let event = (rng.u8(0..100) >= 3).then(|| &tables.events[rng.usize(..tables.events.len())]);
    let tipo_contato = TipoContato::KNOWN[rng.usize(..TipoContato::KNOWN.len())].clone();
    let reschedule = rng.u8(0..100) < 25;
    let mut row = Followup::from(FollowupFields {
        id_followup: None,
        id_credor: Some(creditor.id),
        id_cliente: Some(debtor.id_cliente),
        id_consultor: consultant.map(|c| c.id),
        id_evento: event.map(|e| e.id),
        nome_credor: Some(creditor.nome.clone()),
        nome_cliente: Some(debtor.nome.clone()),
        cpf_cnpj: Some(cpf_cnpj.clone()),
        nome_consultor: consultant.map(|c| c.nome.clone()),
        nome_evento: event.map(|e| e.nome.clone()),
        tipo_evento: event.map(|e| e.tipo_evento.clone()),
        data: Some(data),
        interacao: Some(interacao.into_boxed_str()),
        tipo_contato: Some(tipo_contato),
        reagendar: Some(if reschedule { SimNao::Sim } else { SimNao::Nao }),
        data_reagendamento: None,
        horario_reagendamento: None,
        reagendar_para: None,
        visivel_cliente: Some(if rng.u8(0..100) < 30 {
            SimNao::Sim
        } else {
            SimNao::Nao
        }),
        reagendado_por: None,
    });
    if reschedule {
        let day = data.date() + Duration::days(rng.i64(1..=20));
        row.set_data_reagendamento(Some(midnight(day)));
        row.set_horario_reagendamento(NaiveTime::from_hms_opt(
            rng.u32(8..19),
            [0, 15, 30, 45][rng.usize(..4)],
            0,
        ));
        row.set_reagendar_para(Some(ReagendarPara::KNOWN[rng.usize(..3)].clone()));
        let by = consultant.unwrap_or(&tables.consultants[rng.usize(..tables.consultants.len())]);
        row.set_reagendado_por(Some(by.login.clone()));
    }
    row
}

/// Mixes a seed and an index into an independent seed (SplitMix64 finaliser).
fn mix(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The debtor with a huge history: rows computed on demand from `(seed, index)`.
///
/// Rows are in the server's order by construction: the day and time of day never decrease
/// with the index, and `id_followup` is `id_base + index`.
#[derive(Debug)]
struct HugeHistory {
    seed: u64,
    rows: usize,
    id_base: i64,
    debtor: Debtor,
    creditor: Creditor,
    cpf_cnpj: SharedStr,
    tables: Arc<Tables>,
}

impl HugeHistory {
    /// Share of a day's rows registered at `00:00:00` (the rest get increasing times).
    const MIDNIGHT_PERCENT: usize = 85;

    fn new(seed: u64, rows: usize, id_base: i64, id_cliente: i64, tables: Arc<Tables>) -> Self {
        let creditor = tables.creditors[0].clone();
        let cpf_cnpj = with_check_digits("07ALF3RUMB00").unwrap_or_else(|| "07ALF3RUMB0000".into());
        let debtor = Debtor {
            id_cliente,
            id_credor: creditor.id,
            nome: SharedStr::from("Distribuidora Ômega Atacadista de Alimentos Ltda."),
            cpf_cnpj: cpf_cnpj.clone(),
            huge: true,
        };
        HugeHistory {
            seed,
            rows,
            id_base,
            debtor,
            creditor,
            cpf_cnpj: SharedStr::from(cpf_cnpj),
            tables,
        }
    }

    /// Day offset (from the first day) of row `index`: non-decreasing.
    fn day_offset(&self, index: usize) -> i64 {
        let days = HISTORY_DAYS as u128;
        ((index as u128 * days) / self.rows.max(1) as u128) as i64
    }

    /// The first index whose day offset is at least `offset`.
    fn first_index_of_day(&self, offset: i64) -> usize {
        if offset <= 0 {
            return 0;
        }
        if offset >= HISTORY_DAYS {
            return self.rows;
        }
        // Smallest i with i * days / rows >= offset, i.e. i >= ceil(offset * rows / days).
        let rows = self.rows as u128;
        let days = HISTORY_DAYS as u128;
        (((offset as u128) * rows).div_ceil(days)) as usize
    }

    /// Row index range of the rows dated within `[from, to]` (inclusive days).
    fn index_range(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> std::ops::Range<usize> {
        let first = first_day();
        let start = from.map_or(0, |d| self.first_index_of_day((d - first).num_days()));
        let end = to.map_or(self.rows, |d| {
            self.first_index_of_day((d - first).num_days().saturating_add(1))
        });
        start..end.max(start)
    }

    fn row(&self, index: usize) -> Followup {
        let mut rng = fastrand::Rng::with_seed(mix(self.seed ^ 0x4855_4745, index as u64));
        let offset = self.day_offset(index);
        let day = first_day() + Duration::days(offset);
        let day_start = self.first_index_of_day(offset);
        let day_end = self.first_index_of_day(offset + 1).max(day_start + 1);
        let count = day_end - day_start;
        let position = index - day_start;
        let timed_from = count * Self::MIDNIGHT_PERCENT / 100;
        let data = if position < timed_from || count == 0 {
            midnight(day)
        } else {
            // 08:00:00 to about 19:00:00, increasing with the position in the day.
            let timed = (count - timed_from) as u64;
            let seconds = 8 * 3600 + ((position - timed_from) as u64 * 11 * 3600) / timed.max(1);
            day.and_time(
                NaiveTime::from_num_seconds_from_midnight_opt(seconds as u32, 0)
                    .unwrap_or(NaiveTime::MIN),
            )
        };
        let text = ordinary_text(&mut rng, day);
        let mut row = fill_row_details(
            &mut rng,
            &self.tables,
            &self.creditor,
            &self.debtor,
            &self.cpf_cnpj,
            data,
            text,
        );
        row.set_id_followup(Some(self.id_base + index as i64));
        row
    }
}

/// Materialises the first `n` rows of a huge history (default seed), for benchmarks of
/// sorting and filtering. The rows are the ones the simulator would serve for a debtor
/// with an `n`-row history.
pub fn huge_history_rows(n: usize) -> Vec<Followup> {
    let tables = Arc::new(Tables::new());
    let history = HugeHistory::new(DatasetConfig::default().seed, n, 1, 900_001, tables);
    (0..n).map(|i| history.row(i)).collect()
}

/// A deterministic synthetic dataset.
#[derive(Debug)]
pub struct Dataset {
    tables: Arc<Tables>,
    debtors: Vec<Debtor>,
    /// Stored rows of each regular debtor (same index as `debtors`), in the server's order.
    rows: Vec<Vec<Followup>>,
    /// `(id_credor, normalised document)` → index in `debtors`.
    by_key: HashMap<(i64, String), usize>,
    huge: Option<HugeHistory>,
    /// Where the agenda debtors are in `debtors`.
    agenda_debtors: std::ops::Range<usize>,
}

impl Dataset {
    /// Generates the dataset for a configuration; the same configuration always gives the
    /// same data.
    pub fn generate(config: &DatasetConfig) -> Dataset {
        let tables = Arc::new(Tables::new());
        let mut rng = fastrand::Rng::with_seed(config.seed);
        let mut debtors: Vec<Debtor> = Vec::with_capacity(config.debtors + 1);
        let mut used_documents = HashSet::new();
        for index in 0..config.debtors {
            let creditor = &tables.creditors[rng.usize(..tables.creditors.len())];
            // Every so often the previous debtor also owes another creditor.
            if index % 17 == 5
                && let Some(previous) = debtors.last()
            {
                let other = tables
                    .creditors
                    .iter()
                    .find(|c| c.id != previous.id_credor)
                    .unwrap_or(creditor);
                let twin = Debtor {
                    id_cliente: 10_000 + index as i64 * 7,
                    id_credor: other.id,
                    nome: previous.nome.clone(),
                    cpf_cnpj: previous.cpf_cnpj.clone(),
                    huge: false,
                };
                debtors.push(twin);
                continue;
            }
            let (nome, cpf_cnpj) = loop {
                let candidate = random_party(&mut rng, index);
                if used_documents.insert(candidate.1.clone()) {
                    break candidate;
                }
            };
            debtors.push(Debtor {
                id_cliente: 10_000 + index as i64 * 7,
                id_credor: creditor.id,
                nome: SharedStr::from(nome),
                cpf_cnpj,
                huge: false,
            });
        }

        // Rows of every regular debtor, then ids in global date order, like a database.
        let first = first_day();
        let mut all: Vec<(usize, Followup)> = Vec::new();
        for (index, debtor) in debtors.iter().enumerate() {
            let count = if config.max_followups_per_debtor == 0 || rng.u8(0..100) < 5 {
                0
            } else {
                rng.usize(1..=config.max_followups_per_debtor)
            };
            let creditor = tables
                .creditors
                .iter()
                .find(|c| c.id == debtor.id_credor)
                .unwrap_or(&tables.creditors[0]);
            // One copy of the document for all of this debtor's rows.
            let cpf_cnpj: SharedStr = SharedStr::from(debtor.cpf_cnpj.as_str());
            for _ in 0..count {
                let day = first + Duration::days(rng.i64(0..HISTORY_DAYS));
                let data = if rng.u8(0..100) < 85 {
                    midnight(day)
                } else {
                    day.and_time(
                        NaiveTime::from_hms_opt(rng.u32(8..20), rng.u32(0..60), rng.u32(0..60))
                            .unwrap_or(NaiveTime::MIN),
                    )
                };
                let text = ordinary_text(&mut rng, day);
                let row =
                    fill_row_details(&mut rng, &tables, creditor, debtor, &cpf_cnpj, data, text);
                all.push((index, row));
            }
        }
        // Plant the special texts at spread, deterministic positions.
        if !all.is_empty() {
            let total = all.len();
            for (k, text) in special_texts().into_iter().enumerate() {
                let at = (k * 7919 + 13) % total;
                all[at].1.set_interacao(Some(text.into_boxed_str()));
            }
        }
        all.sort_by_key(|(index, row)| (row.data(), *index));
        let mut rows: Vec<Vec<Followup>> = vec![Vec::new(); debtors.len()];
        for (id, (index, mut row)) in (1_i64..).zip(all) {
            row.set_id_followup(Some(id));
            rows[index].push(row);
        }
        let next_id = 1 + rows.iter().map(Vec::len).sum::<usize>() as i64;

        // The agenda debtors take the ids after the huge history's, so that adding them
        // changed no other row.
        let agenda_ids = next_id.saturating_add(config.huge_history_rows as i64);
        let regular_debtors = debtors.len();
        for (debtor, history) in agenda_examples(&tables, agenda_ids, &used_documents) {
            debtors.push(debtor);
            rows.push(history);
        }
        let agenda_debtors = regular_debtors..debtors.len();

        let huge = (config.huge_history_rows > 0).then(|| {
            HugeHistory::new(
                config.seed,
                config.huge_history_rows,
                next_id,
                900_001,
                tables.clone(),
            )
        });
        if let Some(history) = &huge {
            debtors.push(history.debtor.clone());
            rows.push(Vec::new());
        }
        let by_key = debtors
            .iter()
            .enumerate()
            .map(|(index, d)| ((d.id_credor, d.cpf_cnpj.clone()), index))
            .collect();
        Dataset {
            tables,
            debtors,
            rows,
            by_key,
            huge,
            agenda_debtors,
        }
    }

    /// The debtors planted for the agenda (issue 14), whatever the seed: one whose reschedules
    /// were all kept, one whose were missed (and one without a date), one with reschedules
    /// due on [`AGENDA_REFERENCE`] and after it (within 7 days, on the 7th, on the 8th).
    /// All of creditor 12; listed among [`Self::debtors`] before the huge one.
    pub fn agenda_debtors(&self) -> &[Debtor] {
        self.debtors.get(self.agenda_debtors.clone()).unwrap_or(&[])
    }

    /// Every debtor, the huge-history one (if any) last with `huge: true`.
    pub fn debtors(&self) -> &[Debtor] {
        &self.debtors
    }

    /// The creditors.
    pub fn creditors(&self) -> &[Creditor] {
        &self.tables.creditors
    }

    /// The consultants.
    pub fn consultants(&self) -> &[Consultant] {
        &self.tables.consultants
    }

    /// The events, productive and unproductive.
    pub fn events(&self) -> &[Event] {
        &self.tables.events
    }

    /// The debtor with the huge, lazily generated history, if the dataset has one.
    pub fn huge_debtor(&self) -> Option<&Debtor> {
        self.huge.as_ref().map(|h| &h.debtor)
    }

    /// The creditor with the most documents in [`Self::documents_of`] (the lowest id on a
    /// tie), if there are debtors: where a list of many documents finds the most histories.
    pub fn busiest_creditor(&self) -> Option<i64> {
        let mut seen = std::collections::HashSet::new();
        let mut counts: std::collections::BTreeMap<i64, usize> = Default::default();
        for debtor in self.debtors.iter().filter(|d| !d.huge) {
            if seen.insert((debtor.id_credor, debtor.cpf_cnpj.as_str())) {
                *counts.entry(debtor.id_credor).or_default() += 1;
            }
        }
        // `max_by_key` keeps the last maximum: iterate from the highest id.
        counts
            .into_iter()
            .rev()
            .max_by_key(|&(_, count)| count)
            .map(|(id, _)| id)
    }

    /// The documents of `id_credor`'s ordinary debtors (the huge one left out), normalised,
    /// each once (twins share one), in the dataset's order.
    pub fn documents_of(&self, id_credor: i64) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.debtors
            .iter()
            .filter(|d| !d.huge && d.id_credor == id_credor)
            .filter(|d| seen.insert(d.cpf_cnpj.as_str()))
            .map(|d| d.cpf_cnpj.clone())
            .collect()
    }

    /// Total number of follow-ups of a debtor (before any optional filter).
    pub fn history_len(&self, debtor: &Debtor) -> usize {
        match self
            .by_key
            .get(&(debtor.id_credor, debtor.cpf_cnpj.clone()))
        {
            Some(&index) if self.debtors[index].huge => self.huge.as_ref().map_or(0, |h| h.rows),
            Some(&index) => self.rows[index].len(),
            None => 0,
        }
    }

    /// The rows the server returns for a filter, in the server's order (`data`, then
    /// `id_followup`). Computed lazily: nothing is collected, even for the huge history.
    pub fn matching<'a>(
        &'a self,
        filter: &SimFilter,
    ) -> Box<dyn Iterator<Item = Followup> + Send + 'a> {
        let key = (filter.id_credor, normalize_document(&filter.cpf_cnpj));
        let Some(&index) = self.by_key.get(&key) else {
            return Box::new(std::iter::empty());
        };
        let filter = filter.clone();
        if self.debtors[index].huge {
            let Some(history) = &self.huge else {
                return Box::new(std::iter::empty());
            };
            let range = history.index_range(filter.datagte, filter.datalte);
            return Box::new(
                range
                    .map(move |i| history.row(i))
                    .filter(move |row| filter.accepts(row)),
            );
        }
        let rows = &self.rows[index];
        // Rows are sorted by date: narrow to the date range first.
        let start = filter.datagte.map_or(0, |from| {
            rows.partition_point(|r| r.data().is_some_and(|d| d.date() < from))
        });
        let end = filter.datalte.map_or(rows.len(), |to| {
            rows.partition_point(|r| r.data().is_some_and(|d| d.date() <= to))
        });
        let slice = rows.get(start..end.max(start)).unwrap_or(&[]);
        Box::new(slice.iter().filter(move |row| filter.accepts(row)).cloned())
    }
}

/// A planted reschedule: `None` = not one; else the due day (offset from the reference, or
/// none) and time (or none).
type Reschedule = Option<(Option<i64>, Option<(u32, u32)>)>;

/// One planted follow-up: days before [`AGENDA_REFERENCE`] it was registered (and its time),
/// and its reschedule: `None` = not a reschedule; `Some((None, None))` = a reschedule without
/// date or time; else the due day (offset from the reference) and time.
struct Planted {
    on: i64,
    at: (u32, u32),
    reschedule: Reschedule,
    consultant: usize,
    event: usize,
    text: &'static str,
}

const fn planted(
    on: i64,
    at: (u32, u32),
    reschedule: Reschedule,
    consultant: usize,
    event: usize,
    text: &'static str,
) -> Planted {
    Planted {
        on,
        at,
        reschedule,
        consultant,
        event,
        text,
    }
}

/// The agenda debtors of [`Dataset::agenda_debtors`] and their histories (in the server's
/// order), ids from `first_id`. Their documents avoid `used`.
fn agenda_examples(
    tables: &Tables,
    first_id: i64,
    used: &HashSet<String>,
) -> Vec<(Debtor, Vec<Followup>)> {
    // Offsets are days from the reference date R. Consultant 0 is Ana Paula Ribeiro
    // (ana.ribeiro), 1 João Vítor Nascimento (joao.nascimento), 2 Maria da Conceição Araújo.
    let kept = [
        // Due R-25 at 10:00, kept on R-25.
        planted(
            -30,
            (9, 0),
            Some((Some(-25), Some((10, 0)))),
            0,
            4,
            "Cliente pediu retorno na próxima semana.",
        ),
        // Keeps the first; due R-20 at 14:30, kept late on R-18.
        planted(
            -25,
            (10, 5),
            Some((Some(-20), Some((14, 30)))),
            0,
            0,
            "Retorno feito; cliente promete pagar a entrada. Ligar para confirmar.",
        ),
        planted(
            -18,
            (11, 0),
            None,
            1,
            3,
            "Boleto da entrada enviado por e-mail.",
        ),
        // Registered and due on R-10: kept by the other contact that afternoon.
        planted(
            -10,
            (15, 0),
            Some((Some(-10), Some((16, 0)))),
            1,
            5,
            "Cliente ocupado; retornar hoje às 16h.",
        ),
        planted(-10, (16, 5), None, 1, 1, "Acordo fechado em 6 parcelas."),
    ];
    let missed = [
        // Due R-14 at 09:00; nothing after it.
        planted(
            -20,
            (9, 30),
            Some((Some(-14), Some((9, 0)))),
            2,
            5,
            "Ninguém atendeu; tentar de novo pela manhã.",
        ),
        // Due R-15, without a time.
        planted(
            -20,
            (17, 0),
            Some((Some(-15), None)),
            0,
            8,
            "Caixa postal; deixar para outro dia.",
        ),
        // A reschedule with neither date nor time.
        planted(
            -16,
            (8, 45),
            Some((None, None)),
            2,
            7,
            "Recado com a irmã; ela vai avisar o cliente.",
        ),
    ];
    let upcoming = [
        // Due on R at 11:00.
        planted(
            -2,
            (10, 0),
            Some((Some(0), Some((11, 0)))),
            0,
            4,
            "Cliente recebe o salário na segunda; ligar às 11h.",
        ),
        // Due R+3, R+7 (still within the next 7 days) and R+8 (later).
        planted(
            -1,
            (9, 0),
            Some((Some(3), Some((15, 0)))),
            1,
            0,
            "Promessa de pagamento; confirmar o depósito.",
        ),
        planted(
            -1,
            (9, 30),
            Some((Some(7), Some((9, 0)))),
            1,
            4,
            "Enviar proposta revisada.",
        ),
        planted(
            -1,
            (10, 0),
            Some((Some(8), Some((14, 0)))),
            2,
            4,
            "Segunda parcela: lembrar o cliente.",
        ),
    ];
    let people: [(&str, &str, &[Planted]); 3] = [
        ("Agenda Cumprida dos Santos", "318540276", &kept),
        ("Agenda Perdida de Oliveira", "707224915", &missed),
        ("Agenda Próxima Fagundes", "640193582", &upcoming),
    ];
    let creditor = &tables.creditors[0];
    let mut id = first_id;
    let mut out = Vec::new();
    for (k, (nome, base, history)) in people.into_iter().enumerate() {
        // A document no other debtor has: the planted one, or the next free one.
        let first: u64 = base.parse().unwrap_or(0);
        let cpf_cnpj = (0..)
            .map(|step: u64| {
                let base = format!("{:09}", (first + step) % 1_000_000_000);
                with_check_digits(&base).unwrap_or(base)
            })
            .find(|doc| !used.contains(doc))
            .unwrap_or_default();
        let debtor = Debtor {
            id_cliente: 9_000_001 + k as i64,
            id_credor: creditor.id,
            nome: SharedStr::from(nome),
            cpf_cnpj,
            huge: false,
        };
        let shared_doc: SharedStr = SharedStr::from(debtor.cpf_cnpj.as_str());
        let mut rows = Vec::new();
        for p in history {
            let consultant = &tables.consultants[p.consultant % tables.consultants.len()];
            let event = &tables.events[p.event % tables.events.len()];
            let day = AGENDA_REFERENCE + Duration::days(p.on);
            let mut row = Followup::from(FollowupFields {
                id_followup: Some(id),
                id_credor: Some(creditor.id),
                id_cliente: Some(debtor.id_cliente),
                id_consultor: Some(consultant.id),
                id_evento: Some(event.id),
                nome_credor: Some(creditor.nome.clone()),
                nome_cliente: Some(debtor.nome.clone()),
                cpf_cnpj: Some(shared_doc.clone()),
                nome_consultor: Some(consultant.nome.clone()),
                nome_evento: Some(event.nome.clone()),
                tipo_evento: Some(event.tipo_evento.clone()),
                data: Some(day.and_time(
                    NaiveTime::from_hms_opt(p.at.0, p.at.1, 0).unwrap_or(NaiveTime::MIN),
                )),
                interacao: Some(p.text.into()),
                tipo_contato: Some(TipoContato::Telefonema),
                reagendar: Some(SimNao::Nao),
                visivel_cliente: Some(SimNao::Nao),
                ..FollowupFields::default()
            });
            if let Some((due, time)) = p.reschedule {
                row.set_reagendar(Some(SimNao::Sim));
                row.set_data_reagendamento(
                    due.map(|offset| midnight(AGENDA_REFERENCE + Duration::days(offset))),
                );
                row.set_horario_reagendamento(
                    time.and_then(|(h, m)| NaiveTime::from_hms_opt(h, m, 0)),
                );
                row.set_reagendar_para(Some(ReagendarPara::Consultor));
                row.set_reagendado_por(Some(consultant.login.clone()));
            }
            rows.push(row);
            id = id.saturating_add(1);
        }
        out.push((debtor, rows));
    }
    out
}

/// A random debtor name and normalised document: persons with CPF (some with leading
/// zeros), companies with numeric or alphanumeric CNPJ. The first four debtors cover each
/// kind whatever the seed.
fn random_party(rng: &mut fastrand::Rng, index: usize) -> (String, String) {
    let kind = match index {
        0 => 0,
        1 => 2,
        2 => 3,
        3 => 1,
        _ => match rng.u8(0..100) {
            0..=59 => 1,
            60..=69 => 0,
            70..=87 => 2,
            _ => 3,
        },
    };
    let digits = |rng: &mut fastrand::Rng, n: usize| -> String {
        (0..n).map(|_| char::from(b'0' + rng.u8(0..10))).collect()
    };
    match kind {
        // A person with a CPF starting with zero.
        0 | 1 => {
            let first = FIRST_NAMES[rng.usize(..FIRST_NAMES.len())];
            let middle = SURNAMES[rng.usize(..SURNAMES.len())];
            let last = SURNAMES[rng.usize(..SURNAMES.len())];
            let name = format!("{first} {middle} {last}");
            let base = if kind == 0 {
                format!("0{}", digits(rng, 8))
            } else {
                format!("{}{}", rng.u8(1..10), digits(rng, 8))
            };
            let cpf = with_check_digits(&base).unwrap_or(base);
            (name, cpf)
        }
        // A company with a numeric CNPJ (head office `0001`).
        2 => {
            let name = company_name(rng);
            let base = format!("{}0001", digits(rng, 8));
            let cnpj = with_check_digits(&base).unwrap_or(base);
            (name, cnpj)
        }
        // A company with an alphanumeric CNPJ.
        _ => {
            let name = company_name(rng);
            let base: String = (0..12)
                .map(|i| {
                    if i < 2 || rng.bool() {
                        char::from(b'0' + rng.u8(0..10))
                    } else {
                        char::from(b'A' + rng.u8(0..26))
                    }
                })
                .collect();
            let cnpj = with_check_digits(&base).unwrap_or(base);
            (name, cnpj)
        }
    }
}

fn company_name(rng: &mut fastrand::Rng) -> String {
    format!(
        "{} {}",
        COMPANY_SUBJECTS[rng.usize(..COMPANY_SUBJECTS.len())],
        COMPANY_SUFFIXES[rng.usize(..COMPANY_SUFFIXES.len())]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc_id::CpfCnpj;

    fn small() -> DatasetConfig {
        DatasetConfig {
            huge_history_rows: 5_000,
            ..DatasetConfig::default()
        }
    }

    fn all_rows(dataset: &Dataset, debtor: &Debtor) -> Vec<Followup> {
        dataset
            .matching(&SimFilter {
                id_credor: debtor.id_credor,
                cpf_cnpj: debtor.cpf_cnpj.clone(),
                ..SimFilter::default()
            })
            .collect()
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = Dataset::generate(&small());
        let b = Dataset::generate(&small());
        assert_eq!(a.debtors(), b.debtors());
        for debtor in a.debtors() {
            assert_eq!(all_rows(&a, debtor), all_rows(&b, debtor));
        }
        let c = Dataset::generate(&DatasetConfig { seed: 7, ..small() });
        assert_ne!(a.debtors(), c.debtors());
    }

    #[test]
    fn documents_are_valid_and_varied() {
        let dataset = Dataset::generate(&DatasetConfig::default());
        let docs: Vec<&str> = dataset
            .debtors()
            .iter()
            .map(|d| d.cpf_cnpj.as_str())
            .collect();
        for doc in &docs {
            let parsed = CpfCnpj::parse(doc).unwrap();
            assert!(parsed.check_digits_ok(), "{doc}");
            assert_eq!(parsed.normalized(), *doc);
        }
        assert!(docs.iter().any(|d| d.len() == 11 && d.starts_with('0')));
        assert!(
            docs.iter()
                .any(|d| d.len() == 14 && d.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(
            docs.iter()
                .any(|d| d.bytes().any(|b| b.is_ascii_uppercase()))
        );
        // Some documents owe more than one creditor.
        let mut seen = HashSet::new();
        assert!(docs.iter().any(|d| !seen.insert(*d)));
        assert!(
            dataset
                .debtors()
                .iter()
                .any(|d| d.nome.contains(['ã', 'ç', 'Â', 'Á', 'ô', 'é']))
        );
    }

    #[test]
    fn rows_are_varied_ordered_and_uniquely_identified() {
        let dataset = Dataset::generate(&small());
        let mut ids = HashSet::new();
        let mut rows = Vec::new();
        for debtor in dataset.debtors() {
            let history = all_rows(&dataset, debtor);
            assert_eq!(history.len(), dataset.history_len(debtor));
            for pair in history.windows(2) {
                assert!(
                    (pair[0].data(), pair[0].id_followup())
                        < (pair[1].data(), pair[1].id_followup())
                );
            }
            for row in &history {
                assert!(ids.insert(row.id_followup().unwrap()), "duplicate id");
                assert_eq!(
                    row.cpf_cnpj().map(|s| s.as_str()),
                    Some(debtor.cpf_cnpj.as_str())
                );
                assert_eq!(row.id_cliente(), Some(debtor.id_cliente));
            }
            rows.extend(history);
        }
        let texts: Vec<&str> = rows.iter().filter_map(|r| r.interacao()).collect();
        assert!(texts.iter().filter(|t| t.len() > 40_000).count() >= 3);
        for prefix in ['=', '+', '-', '@'] {
            assert!(texts.iter().any(|t| t.starts_with(prefix)), "{prefix}");
        }
        assert!(texts.iter().any(|t| t.contains("\r\n")));
        assert!(texts.iter().any(|t| t.contains('\n') && !t.contains('\r')));
        assert!(texts.iter().any(|t| t.contains(';') && t.contains('"')));
        assert!(texts.iter().any(|t| t.chars().any(|c| c as u32 > 0xFFFF)));
        for code in TipoContato::KNOWN {
            assert!(rows.iter().any(|r| r.tipo_contato().as_ref() == Some(code)));
        }
        for code in ReagendarPara::KNOWN {
            assert!(
                rows.iter()
                    .any(|r| r.reagendar_para().as_ref() == Some(code))
            );
        }
        // The agenda debtors' rows are written by hand (one reschedule has no date or time on
        // purpose): the generator's invariants below are the random rows'.
        let planted: HashSet<i64> = dataset
            .agenda_debtors()
            .iter()
            .map(|d| d.id_cliente)
            .collect();
        for row in rows
            .iter()
            .filter(|r| !planted.contains(&r.id_cliente().unwrap()))
        {
            let reschedule = row.reagendar() == Some(SimNao::Sim);
            assert_eq!(row.data_reagendamento().is_some(), reschedule);
            assert_eq!(row.horario_reagendamento().is_some(), reschedule);
            assert_eq!(row.reagendar_para().is_some(), reschedule);
            assert_eq!(row.reagendado_por().is_some(), reschedule);
            let day = row.data().unwrap().date();
            assert!(day >= first_day() && day <= LAST_DAY);
        }
        assert!(rows.iter().any(|r| r.id_consultor().is_none()));
        assert!(rows.iter().any(|r| r.id_evento().is_none()));
        assert!(
            rows.iter()
                .any(|r| r.visivel_cliente() == Some(SimNao::Sim))
        );
        assert!(
            rows.iter()
                .any(|r| r.data().unwrap().time() != NaiveTime::MIN)
        );
        let midnight_rows = rows
            .iter()
            .filter(|r| r.data().unwrap().time() == NaiveTime::MIN);
        assert!(midnight_rows.count() > rows.len() / 2);
    }

    #[test]
    fn filters_select_the_documented_rows() {
        let dataset = Dataset::generate(&small());
        let debtor = dataset
            .debtors()
            .iter()
            .filter(|d| !d.huge)
            .max_by_key(|d| dataset.history_len(d))
            .unwrap();
        let everything = all_rows(&dataset, debtor);
        let base = SimFilter {
            id_credor: debtor.id_credor,
            cpf_cnpj: CpfCnpj::parse(&debtor.cpf_cnpj)
                .unwrap()
                .formatted()
                .to_lowercase(),
            ..SimFilter::default()
        };
        assert_eq!(dataset.matching(&base).count(), everything.len());
        let wrong_creditor = SimFilter {
            id_credor: 999,
            ..base.clone()
        };
        assert_eq!(dataset.matching(&wrong_creditor).count(), 0);

        let only = |f: SimFilter| dataset.matching(&f).collect::<Vec<_>>();
        let s = only(SimFilter {
            reagendar: Some('S'),
            ..base.clone()
        });
        let n = only(SimFilter {
            reagendar: Some('N'),
            ..base.clone()
        });
        assert!(s.iter().all(|r| r.reagendar() == Some(SimNao::Sim)));
        assert!(n.iter().all(|r| r.reagendar() == Some(SimNao::Nao)));
        assert_eq!(s.len() + n.len(), everything.len());

        let consultant = everything.iter().find_map(|r| r.id_consultor()).unwrap();
        let by_consultant = only(SimFilter {
            id_consultor: Some(consultant),
            ..base.clone()
        });
        assert!(!by_consultant.is_empty());
        assert_eq!(
            by_consultant.len(),
            everything
                .iter()
                .filter(|r| r.id_consultor() == Some(consultant))
                .count()
        );
        let zero = only(SimFilter {
            id_consultor: Some(0),
            id_evento: Some(0),
            ..base.clone()
        });
        assert_eq!(zero.len(), everything.len());

        let day = everything[everything.len() / 2].data().unwrap().date();
        let on_day = only(SimFilter {
            datagte: Some(day),
            datalte: Some(day),
            ..base.clone()
        });
        assert!(!on_day.is_empty());
        assert!(on_day.iter().all(|r| r.data().unwrap().date() == day));
        assert_eq!(
            on_day.len(),
            everything
                .iter()
                .filter(|r| r.data().unwrap().date() == day)
                .count()
        );
    }

    #[test]
    fn huge_history_is_lazy_ordered_and_filterable_by_date() {
        let dataset = Dataset::generate(&small());
        let huge = dataset.debtors().iter().find(|d| d.huge).unwrap();
        let rows = all_rows(&dataset, huge);
        assert_eq!(rows.len(), 5_000);
        for pair in rows.windows(2) {
            assert!(
                (pair[0].data(), pair[0].id_followup()) < (pair[1].data(), pair[1].id_followup())
            );
        }
        let day = rows[2_500].data().unwrap().date();
        let filter = SimFilter {
            id_credor: huge.id_credor,
            cpf_cnpj: huge.cpf_cnpj.clone(),
            datagte: Some(day),
            datalte: Some(day + Duration::days(10)),
            ..SimFilter::default()
        };
        let expected: Vec<_> = rows
            .iter()
            .filter(|r| {
                let d = r.data().unwrap().date();
                d >= day && d <= day + Duration::days(10)
            })
            .cloned()
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(dataset.matching(&filter).collect::<Vec<_>>(), expected);
        assert_eq!(huge_history_rows(100).len(), 100);
        assert_eq!(huge_history_rows(10)[..], huge_history_rows(10)[..]);
    }

    #[test]
    fn agenda_debtors_have_kept_missed_and_upcoming_reschedules() {
        use crate::analysis::agenda::{Situacao, agenda_of};
        for config in [
            DatasetConfig::default(),
            small(),
            DatasetConfig {
                seed: 7,
                debtors: 3,
                ..small()
            },
        ] {
            let dataset = Dataset::generate(&config);
            let planted = dataset.agenda_debtors();
            assert_eq!(planted.len(), 3);
            // Each is findable like any debtor and has its own document.
            let mut situacoes = Vec::new();
            for debtor in planted {
                assert_eq!(
                    dataset
                        .documents_of(12)
                        .iter()
                        .filter(|d| **d == debtor.cpf_cnpj)
                        .count(),
                    1
                );
                let history = all_rows(&dataset, debtor);
                assert!(!history.is_empty());
                for pair in history.windows(2) {
                    assert!(
                        (pair[0].data(), pair[0].id_followup())
                            < (pair[1].data(), pair[1].id_followup())
                    );
                }
                let agenda = agenda_of(&history, AGENDA_REFERENCE);
                let mut mine: Vec<Situacao> = agenda.entries.iter().map(|e| e.situacao).collect();
                mine.sort();
                situacoes.push(mine);
            }
            use Situacao::*;
            assert_eq!(
                situacoes,
                [
                    vec![Realizado, Realizado, Realizado],
                    vec![SemData, Atrasado, Atrasado],
                    vec![Hoje, Proximos7Dias, Proximos7Dias, Depois],
                ]
            );
            // Their ids are new: no other row has them.
            let mut ids = HashSet::new();
            for debtor in dataset.debtors() {
                for row in all_rows(&dataset, debtor) {
                    assert!(ids.insert(row.id_followup().unwrap()));
                }
            }
            assert!(dataset.huge_debtor().is_none_or(|h| !planted.contains(h)));
        }
    }
}
