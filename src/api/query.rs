//! The query a user builds, its validation, and its wire form.
//!
//! [`QueryForm`] holds what was typed; [`QueryForm::validate`] turns it into a
//! [`FollowupQuery`] or a list of [`FieldError`]s, each tied to its field with a Portuguese
//! message. A [`FollowupQuery`] is one debtor's document plus the [`QueryFilters`] (creditor,
//! consultant, event, reschedule, period); a batch validates the filters alone with
//! [`QueryForm::validate_filters`] and pairs them with each document of its list through
//! [`QueryFilters::query_for`]. Nothing here does I/O.

use std::fmt;

use chrono::NaiveDate;

use crate::doc_id::CpfCnpj;

/// The `reagendar` filter: three states.
///
/// The vendor's example URL sends `reagendar=N`, which silently hides reschedules; the default
/// here is [`ReagendarFiltro::Todos`] (the parameter is sent empty).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum ReagendarFiltro {
    /// No filter (`reagendar=`).
    #[default]
    Todos,
    /// Only reschedules (`reagendar=S`).
    SomenteReagendados,
    /// No reschedules (`reagendar=N`).
    SemReagendamento,
}

impl ReagendarFiltro {
    /// All states, for pickers.
    pub const ALL: [ReagendarFiltro; 3] = [
        ReagendarFiltro::Todos,
        ReagendarFiltro::SomenteReagendados,
        ReagendarFiltro::SemReagendamento,
    ];

    /// The wire value: `""`, `"S"` or `"N"`.
    pub fn wire(self) -> &'static str {
        match self {
            ReagendarFiltro::Todos => "",
            ReagendarFiltro::SomenteReagendados => "S",
            ReagendarFiltro::SemReagendamento => "N",
        }
    }

    /// The Portuguese label.
    pub fn label(self) -> &'static str {
        match self {
            ReagendarFiltro::Todos => "Todos",
            ReagendarFiltro::SomenteReagendados => "Somente reagendados",
            ReagendarFiltro::SemReagendamento => "Sem reagendamento",
        }
    }

    /// Reads `S`, `N` or empty (case-insensitive); `None` for anything else.
    pub fn from_wire(value: &str) -> Option<ReagendarFiltro> {
        match value.trim() {
            "" => Some(ReagendarFiltro::Todos),
            "S" | "s" => Some(ReagendarFiltro::SomenteReagendados),
            "N" | "n" => Some(ReagendarFiltro::SemReagendamento),
            _ => None,
        }
    }
}

/// Quick choices for the period filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatePreset {
    /// Today only.
    Hoje,
    /// The last 7 days, today included.
    Ultimos7Dias,
    /// The last 30 days, today included.
    Ultimos30Dias,
    /// From the first day of this month to today.
    EsteMes,
    /// The whole previous month.
    MesPassado,
    /// No period.
    Limpar,
}

impl DatePreset {
    /// Every preset, in the order shown.
    pub const ALL: [DatePreset; 6] = [
        DatePreset::Hoje,
        DatePreset::Ultimos7Dias,
        DatePreset::Ultimos30Dias,
        DatePreset::EsteMes,
        DatePreset::MesPassado,
        DatePreset::Limpar,
    ];

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            DatePreset::Hoje => "Hoje",
            DatePreset::Ultimos7Dias => "Últimos 7 dias",
            DatePreset::Ultimos30Dias => "Últimos 30 dias",
            DatePreset::EsteMes => "Este mês",
            DatePreset::MesPassado => "Mês passado",
            DatePreset::Limpar => "Limpar",
        }
    }

    /// The `(de, até)` range this preset means on `today`.
    pub fn range(self, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
        use chrono::{Datelike as _, Days};
        let first_of_month = today.with_day(1).unwrap_or(today);
        match self {
            DatePreset::Hoje => (Some(today), Some(today)),
            DatePreset::Ultimos7Dias => (today.checked_sub_days(Days::new(6)), Some(today)),
            DatePreset::Ultimos30Dias => (today.checked_sub_days(Days::new(29)), Some(today)),
            DatePreset::EsteMes => (Some(first_of_month), Some(today)),
            DatePreset::MesPassado => {
                let last = first_of_month.pred_opt();
                (last.and_then(|d| d.with_day(1)), last)
            }
            DatePreset::Limpar => (None, None),
        }
    }
}

/// A field of the query form, to tie a message to the input it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueryField {
    /// Creditor id.
    IdCredor,
    /// Debtor's CPF/CNPJ.
    CpfCnpj,
    /// Consultant id.
    IdConsultor,
    /// Event id.
    IdEvento,
    /// Reschedule filter.
    Reagendar,
    /// Start date.
    DataDe,
    /// End date.
    DataAte,
}

impl QueryField {
    /// The field's label as shown in the form.
    pub fn label(self) -> &'static str {
        match self {
            QueryField::IdCredor => "Credor",
            QueryField::CpfCnpj => "CPF/CNPJ",
            QueryField::IdConsultor => "Consultor",
            QueryField::IdEvento => "Evento",
            QueryField::Reagendar => "Reagendamento",
            QueryField::DataDe => "Período de",
            QueryField::DataAte => "Período até",
        }
    }
}

/// A validation message for one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field it is about.
    pub field: QueryField,
    /// What is wrong, in Portuguese.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.message)
    }
}

/// What the user typed, before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryForm {
    /// Creditor id as typed.
    pub id_credor: String,
    /// CPF/CNPJ as typed or pasted.
    pub cpf_cnpj: String,
    /// Consultant id as typed (empty: no filter).
    pub id_consultor: String,
    /// Event id as typed (empty: no filter).
    pub id_evento: String,
    /// Reschedule filter.
    pub reagendar: ReagendarFiltro,
    /// Start date as typed (`dd/mm/aaaa` or `aaaa-mm-dd`; empty: none).
    pub data_de: String,
    /// End date as typed (`dd/mm/aaaa` or `aaaa-mm-dd`; empty: none).
    pub data_ate: String,
}

/// Everything a query asks but the debtor's document, validated: what every document of a
/// batch shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryFilters {
    /// Creditor id (positive, within the API's `int`).
    pub id_credor: i32,
    /// Consultant filter.
    pub id_consultor: Option<i32>,
    /// Event filter.
    pub id_evento: Option<i32>,
    /// Reschedule filter.
    pub reagendar: ReagendarFiltro,
    /// Follow-ups on or after this date.
    pub data_de: Option<NaiveDate>,
    /// Follow-ups on or before this date.
    pub data_ate: Option<NaiveDate>,
}

impl QueryFilters {
    /// The query for one debtor's document with these filters.
    pub fn query_for(&self, cpf_cnpj: CpfCnpj) -> FollowupQuery {
        FollowupQuery {
            cpf_cnpj,
            filters: self.clone(),
        }
    }
}

/// A validated query, ready to send: one debtor's document and the filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowupQuery {
    /// Debtor's document.
    pub cpf_cnpj: CpfCnpj,
    /// Creditor and the optional filters.
    pub filters: QueryFilters,
}

impl QueryForm {
    /// Validates every field; returns the query, or every problem found, in the form's order
    /// (blocking ones only; a wrong check digit is a warning carried by the query's
    /// [`CpfCnpj`]).
    pub fn validate(&self) -> Result<FollowupQuery, Vec<FieldError>> {
        let filters = self.validate_filters();
        let cpf_cnpj = CpfCnpj::parse(&self.cpf_cnpj).map_err(|e| FieldError {
            field: QueryField::CpfCnpj,
            message: e.to_string(),
        });
        match (filters, cpf_cnpj) {
            (Ok(filters), Ok(cpf_cnpj)) => Ok(FollowupQuery { cpf_cnpj, filters }),
            (filters, cpf_cnpj) => {
                let mut errors = filters.err().unwrap_or_default();
                if let Err(error) = cpf_cnpj {
                    // The document's message goes where its field is: right after the creditor.
                    let at = errors
                        .iter()
                        .take_while(|e| e.field == QueryField::IdCredor)
                        .count();
                    errors.insert(at, error);
                }
                Err(errors)
            }
        }
    }

    /// Validates every field but the CPF/CNPJ (a batch brings its own documents), with the
    /// same rules and messages as [`Self::validate`]; returns the filters or every problem.
    pub fn validate_filters(&self) -> Result<QueryFilters, Vec<FieldError>> {
        fn check<T>(
            errors: &mut Vec<FieldError>,
            field: QueryField,
            result: Result<T, String>,
        ) -> Option<T> {
            result
                .map_err(|message| errors.push(FieldError { field, message }))
                .ok()
        }
        let mut errors = Vec::new();
        let id_credor = check(
            &mut errors,
            QueryField::IdCredor,
            parse_id(&self.id_credor, "ID do credor").and_then(|v| {
                v.ok_or_else(|| "Informe o ID do credor (Cadastros > Credores).".to_owned())
            }),
        );
        let id_consultor = check(
            &mut errors,
            QueryField::IdConsultor,
            parse_id(&self.id_consultor, "ID do consultor"),
        );
        let id_evento = check(
            &mut errors,
            QueryField::IdEvento,
            parse_id(&self.id_evento, "ID do evento"),
        );
        let data_de = check(&mut errors, QueryField::DataDe, parse_date(&self.data_de));
        let data_ate = check(&mut errors, QueryField::DataAte, parse_date(&self.data_ate));
        if let (Some(Some(de)), Some(Some(ate))) = (data_de, data_ate)
            && de > ate
        {
            errors.push(FieldError {
                field: QueryField::DataAte,
                message: format!(
                    "A data final ({}) é anterior à inicial ({}).",
                    crate::fmt::date_br(ate),
                    crate::fmt::date_br(de)
                ),
            });
        }
        match (id_credor, id_consultor, id_evento, data_de, data_ate) {
            (
                Some(id_credor),
                Some(id_consultor),
                Some(id_evento),
                Some(data_de),
                Some(data_ate),
            ) if errors.is_empty() => Ok(QueryFilters {
                id_credor,
                id_consultor,
                id_evento,
                reagendar: self.reagendar,
                data_de,
                data_ate,
            }),
            _ => Err(errors),
        }
    }
}

/// Parses an optional id: empty → `None`; otherwise a positive integer within `i32`.
pub fn parse_id(input: &str, what: &str) -> Result<Option<i32>, String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(rest) = text.strip_prefix('-')
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("O {what} deve ser maior que zero."));
    }
    if text.contains([',', '.'])
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        return Err(format!(
            "O {what} deve ser um número inteiro, sem casas decimais nem pontos."
        ));
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "O {what} deve conter apenas números (ex.: 12); «{text}» não é válido."
        ));
    }
    match text.parse::<i32>() {
        Ok(0) => Err(format!("O {what} deve ser maior que zero.")),
        Ok(value) => Ok(Some(value)),
        Err(_) => Err(format!(
            "O {what} é grande demais: o máximo aceito pela API é {}.",
            crate::fmt::thousands(i32::MAX)
        )),
    }
}

/// Parses an optional date typed as `dd/mm/aaaa` or `aaaa-mm-dd`; empty → `None`.
pub fn parse_date(input: &str) -> Result<Option<NaiveDate>, String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let parts: Option<(i32, u32, u32)> = if let [d, m, y] = text.split('/').collect::<Vec<_>>()[..]
    {
        numeric_parts(y, m, d, 4)
    } else if let [y, m, d] = text.split('-').collect::<Vec<_>>()[..] {
        numeric_parts(y, m, d, 4)
    } else {
        None
    };
    let Some((year, month, day)) = parts else {
        return Err(format!(
            "Data «{text}» em formato inválido: use dd/mm/aaaa."
        ));
    };
    NaiveDate::from_ymd_opt(year, month, day)
        .map(Some)
        .ok_or_else(|| format!("A data {day:02}/{month:02}/{year:04} não existe."))
}

fn numeric_parts(y: &str, m: &str, d: &str, year_len: usize) -> Option<(i32, u32, u32)> {
    fn digits(s: &str, min: usize, max: usize) -> Option<&str> {
        (s.len() >= min && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
    }
    Some((
        digits(y, year_len, year_len)?.parse().ok()?,
        digits(m, 1, 2)?.parse().ok()?,
        digits(d, 1, 2)?.parse().ok()?,
    ))
}

impl FollowupQuery {
    /// The seven parameters in the documented order, as `(name, value)` pairs: unset ints as
    /// `0`, unset strings empty, the document normalised, dates `aaaa-mm-dd`.
    pub fn wire_pairs(&self) -> [(&'static str, String); 7] {
        let date = |d: Option<NaiveDate>| {
            d.map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        let filters = &self.filters;
        [
            ("id_credor", filters.id_credor.to_string()),
            ("cpf_cnpj_formatado", self.cpf_cnpj.normalized().to_owned()),
            (
                "id_consultor",
                filters.id_consultor.unwrap_or(0).to_string(),
            ),
            ("id_evento", filters.id_evento.unwrap_or(0).to_string()),
            ("reagendar", filters.reagendar.wire().to_owned()),
            ("datagte", date(filters.data_de)),
            ("datalte", date(filters.data_ate)),
        ]
    }

    /// The percent-encoded query string: `id_credor=12&cpf_cnpj_formatado=…&…&datalte=`.
    pub fn query_string(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.wire_pairs())
            .finish()
    }

    /// The full request URL on `base` (its own query, if any, is replaced).
    pub fn url(&self, base: &url::Url) -> url::Url {
        let mut url = base.clone();
        url.set_query(Some(&self.query_string()));
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(id_credor: &str, cpf_cnpj: &str) -> QueryForm {
        QueryForm {
            id_credor: id_credor.into(),
            cpf_cnpj: cpf_cnpj.into(),
            ..QueryForm::default()
        }
    }

    fn errors_for(form: &QueryForm, field: QueryField) -> Vec<String> {
        match form.validate() {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .filter(|e| e.field == field)
                .map(|e| e.message)
                .collect(),
        }
    }

    #[test]
    fn id_credor_rules() {
        let cases: &[(&str, Option<&str>)] = &[
            ("12", None),
            (" 12 ", None),
            ("2147483647", None),
            ("", Some("Informe o ID do credor")),
            ("   ", Some("Informe o ID do credor")),
            ("12a", Some("apenas números")),
            ("-1", Some("maior que zero")),
            ("0", Some("maior que zero")),
            ("1.5", Some("sem casas decimais")),
            ("1,5", Some("sem casas decimais")),
            ("2147483648", Some("grande demais")),
            ("99999999999999999999", Some("grande demais")),
            ("+5", Some("apenas números")),
        ];
        for (input, expected) in cases {
            let errors = errors_for(&form(input, "529.982.247-25"), QueryField::IdCredor);
            match expected {
                None => assert!(errors.is_empty(), "{input:?}: {errors:?}"),
                Some(fragment) => assert!(
                    errors.len() == 1 && errors[0].contains(fragment),
                    "{input:?}: {errors:?}"
                ),
            }
        }
    }

    #[test]
    fn optional_ids_empty_means_no_filter() {
        let mut f = form("12", "52998224725");
        f.id_consultor = " ".into();
        f.id_evento = "".into();
        let q = f.validate().unwrap();
        assert_eq!((q.filters.id_consultor, q.filters.id_evento), (None, None));
        f.id_consultor = "7".into();
        f.id_evento = "x".into();
        assert_eq!(errors_for(&f, QueryField::IdEvento).len(), 1);
        assert!(errors_for(&f, QueryField::IdConsultor).is_empty());
    }

    #[test]
    fn document_rules() {
        assert!(errors_for(&form("1", ""), QueryField::CpfCnpj)[0].contains("Informe"));
        assert!(errors_for(&form("1", "123"), QueryField::CpfCnpj)[0].contains("3 caracteres"));
        // A wrong check digit does not block.
        let q = form("1", "529.982.247-24").validate().unwrap();
        assert!(q.cpf_cnpj.check_digit_warning().is_some());
        let q = form("1", " 12.abc.345/01de-35 ").validate().unwrap();
        assert_eq!(q.cpf_cnpj.normalized(), "12ABC34501DE35");
    }

    #[test]
    fn date_rules() {
        let mut f = form("1", "52998224725");
        f.data_de = "01/09/2023".into();
        f.data_ate = "2023-09-30".into();
        let q = f.validate().unwrap();
        assert_eq!(q.filters.data_de, NaiveDate::from_ymd_opt(2023, 9, 1));
        assert_eq!(q.filters.data_ate, NaiveDate::from_ymd_opt(2023, 9, 30));

        f.data_de = "31/02/2023".into();
        assert!(errors_for(&f, QueryField::DataDe)[0].contains("não existe"));
        f.data_de = "2023/09/01".into();
        assert!(errors_for(&f, QueryField::DataDe)[0].contains("formato"));
        f.data_de = "01/10/2023".into();
        assert!(errors_for(&f, QueryField::DataAte)[0].contains("anterior"));
        f.data_de = "30/09/2023".into();
        assert!(f.validate().is_ok());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let f = QueryForm {
            id_credor: "x".into(),
            cpf_cnpj: "1".into(),
            id_consultor: "-3".into(),
            id_evento: "1.2".into(),
            reagendar: ReagendarFiltro::Todos,
            data_de: "32/01/2024".into(),
            data_ate: "ontem".into(),
        };
        let fields: Vec<_> = f
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                QueryField::IdCredor,
                QueryField::CpfCnpj,
                QueryField::IdConsultor,
                QueryField::IdEvento,
                QueryField::DataDe,
                QueryField::DataAte
            ]
        );
    }

    #[test]
    fn filters_from_a_form_ignore_the_document() {
        let form = QueryForm {
            id_credor: "12".into(),
            data_de: "01/09/2023".into(),
            ..QueryForm::default()
        };
        let filters = form.validate_filters().unwrap();
        assert_eq!(filters.id_credor, 12);
        let doc = CpfCnpj::parse("11.222.333/0001-81").unwrap();
        let query = filters.query_for(doc);
        assert_eq!(query.cpf_cnpj.normalized(), "11222333000181");
        assert_eq!(query.filters.data_de, NaiveDate::from_ymd_opt(2023, 9, 1));

        let errors = QueryForm::default().validate_filters().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, QueryField::IdCredor);
    }

    #[test]
    fn filters_validate_alone_with_the_query_rules() {
        // No document at all: the filters are still valid (a batch brings its documents).
        let mut f = form("12", "");
        f.id_consultor = "3".into();
        f.data_de = "01/09/2023".into();
        let filters = f.validate_filters().unwrap();
        assert_eq!(filters.id_credor, 12);
        assert_eq!(filters.id_consultor, Some(3));
        assert_eq!(filters.data_de, NaiveDate::from_ymd_opt(2023, 9, 1));
        // A document typed wrong does not matter to the filters either.
        f.cpf_cnpj = "123".into();
        assert_eq!(f.validate_filters(), Ok(filters.clone()));

        // The query is the document plus those very filters.
        f.cpf_cnpj = "11.222.333/0001-81".into();
        let query = f.validate().unwrap();
        assert_eq!(query.filters, filters);
        let doc = CpfCnpj::parse("52998224725").unwrap();
        let other = filters.query_for(doc.clone());
        assert_eq!((&other.cpf_cnpj, &other.filters), (&doc, &filters));

        // The same messages as the whole form's, the document's left out.
        let bad = QueryForm {
            id_credor: String::new(),
            cpf_cnpj: "1".into(),
            data_de: "02/09/2023".into(),
            data_ate: "01/09/2023".into(),
            ..QueryForm::default()
        };
        let filter_errors = bad.validate_filters().unwrap_err();
        let mut all_errors = bad.validate().unwrap_err();
        assert_eq!(
            filter_errors.iter().map(|e| e.field).collect::<Vec<_>>(),
            [QueryField::IdCredor, QueryField::DataAte]
        );
        assert_eq!(all_errors.remove(1).field, QueryField::CpfCnpj);
        assert_eq!(all_errors, filter_errors);
    }

    #[test]
    fn wire_form_sends_all_seven_keys_in_order() {
        let q = form("12", "529.982.247-25").validate().unwrap();
        assert_eq!(
            q.query_string(),
            "id_credor=12&cpf_cnpj_formatado=52998224725&id_consultor=0&id_evento=0&reagendar=&datagte=&datalte="
        );
        let mut f = form("12", "12.abc.345/01de-35");
        f.id_consultor = "3".into();
        f.id_evento = "44".into();
        f.reagendar = ReagendarFiltro::SemReagendamento;
        f.data_de = "01/09/2023".into();
        f.data_ate = "01/09/2023".into();
        let q = f.validate().unwrap();
        assert_eq!(
            q.query_string(),
            "id_credor=12&cpf_cnpj_formatado=12ABC34501DE35&id_consultor=3&id_evento=44&reagendar=N&datagte=2023-09-01&datalte=2023-09-01"
        );
        let base = url::Url::parse("https://app.recuperador.com.br/api/v1Followup/?old=1").unwrap();
        assert_eq!(
            q.url(&base).as_str(),
            "https://app.recuperador.com.br/api/v1Followup/?id_credor=12&cpf_cnpj_formatado=12ABC34501DE35&id_consultor=3&id_evento=44&reagendar=N&datagte=2023-09-01&datalte=2023-09-01"
        );
    }

    #[test]
    fn date_presets() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        let today = d(2026, 3, 15).unwrap();
        assert_eq!(DatePreset::Hoje.range(today), (Some(today), Some(today)));
        assert_eq!(
            DatePreset::Ultimos7Dias.range(today),
            (d(2026, 3, 9), Some(today))
        );
        assert_eq!(
            DatePreset::Ultimos30Dias.range(today),
            (d(2026, 2, 14), Some(today))
        );
        assert_eq!(
            DatePreset::EsteMes.range(today),
            (d(2026, 3, 1), Some(today))
        );
        assert_eq!(
            DatePreset::MesPassado.range(today),
            (d(2026, 2, 1), d(2026, 2, 28))
        );
        assert_eq!(
            DatePreset::MesPassado.range(d(2026, 1, 1).unwrap()),
            (d(2025, 12, 1), d(2025, 12, 31))
        );
        assert_eq!(DatePreset::Limpar.range(today), (None, None));
    }

    #[test]
    fn reagendar_default_is_all() {
        assert_eq!(ReagendarFiltro::default().wire(), "");
        assert_eq!(
            ReagendarFiltro::from_wire("s"),
            Some(ReagendarFiltro::SomenteReagendados)
        );
        assert_eq!(ReagendarFiltro::from_wire("X"), None);
    }
}
