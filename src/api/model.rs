//! The follow-up row as the API returns it, typed.
//!
//! Field names are exactly the API's (`id_followup`, `cpf_cnpj`, …). Every field is optional:
//! the vendor documents most of them as non-null, but the real server is not fully documented,
//! and a `null` must never lose a row. Repeated strings (creditor, debtor, consultant, event,
//! login) are [`SharedStr`]s so one copy serves every row that repeats them.

use std::fmt;

use chrono::{NaiveDateTime, NaiveTime};

/// A string shared between rows (reference counted, immutable).
///
/// A thin pointer ([`arcstr::ArcStr`]): 8 bytes, and 8 bytes as an `Option` too (an
/// `Arc<str>` is a 16-byte fat pointer). The count and the length sit in a 16-byte header
/// before the text, whose address ([`str::as_ptr`]) is fixed for the allocation's lifetime:
/// memos keyed by a shared string's address rely on it. Equality, order and hashing are the
/// text's.
pub type SharedStr = arcstr::ArcStr;

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A code the documentation does not list, kept exactly as received.
            Other(SharedStr),
        }

        impl $name {
            /// Every documented value, in the documentation's order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// Reads the wire code. Unknown codes are kept as [`Self::Other`].
            pub fn from_code(code: &str) -> Self {
                match code {
                    $( $code => $name::$variant, )+
                    other => $name::Other(SharedStr::from(other)),
                }
            }

            /// Reads the wire code, sharing unknown codes through `intern` instead of allocating
            /// one string per row.
            pub fn from_code_interned(code: &str, intern: impl FnOnce(&str) -> SharedStr) -> Self {
                match code {
                    $( $code => $name::$variant, )+
                    other => $name::Other(intern(other)),
                }
            }

            /// The code as the API spells it (`"W"`).
            pub fn code(&self) -> &str {
                match self {
                    $( $name::$variant => $code, )+
                    $name::Other(raw) => raw,
                }
            }

            /// The Portuguese label shown to users (`"WhatsApp"`); an unknown code shows as-is.
            pub fn label(&self) -> &str {
                match self {
                    $( $name::$variant => $label, )+
                    $name::Other(raw) => raw,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

code_enum! {
    /// `tipo_evento`: whether the event counts as productive.
    TipoEvento {
        /// `P`
        Produtivo = "P" => "Produtivo",
        /// `I`
        Improdutivo = "I" => "Improdutivo",
    }
}

code_enum! {
    /// `tipo_contato`: the channel of the interaction.
    TipoContato {
        /// `A`
        Presencial = "A" => "Atendimento presencial",
        /// `E`
        Email = "E" => "E-mail",
        /// `R`
        Notificacao = "R" => "Notificação automática",
        /// `S`
        Sms = "S" => "SMS",
        /// `T`
        Telefonema = "T" => "Telefonema",
        /// `G`
        Telegram = "G" => "Telegram",
        /// `W`
        WhatsApp = "W" => "WhatsApp",
        /// `O`
        Outros = "O" => "Outros",
    }
}

code_enum! {
    /// A yes/no flag (`reagendar`, `visivel_cliente`).
    SimNao {
        /// `S`
        Sim = "S" => "Sim",
        /// `N`
        Nao = "N" => "Não",
    }
}

code_enum! {
    /// `reagendar_para`: to whom a reschedule was assigned.
    ReagendarPara {
        /// `C`
        Consultor = "C" => "Consultor",
        /// `G`
        Grupo = "G" => "Grupo de consultores",
        /// `O`
        OutroConsultor = "O" => "Outro consultor",
    }
}

/// One follow-up (an entry of the negotiation history), with the API's 20 fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Followup {
    /// Identifier of the follow-up.
    pub id_followup: Option<i64>,
    /// Creditor id.
    pub id_credor: Option<i64>,
    /// Debtor (client) id.
    pub id_cliente: Option<i64>,
    /// Consultant (operator) id.
    pub id_consultor: Option<i64>,
    /// Event id.
    pub id_evento: Option<i64>,
    /// Creditor name.
    pub nome_credor: Option<SharedStr>,
    /// Debtor name.
    pub nome_cliente: Option<SharedStr>,
    /// Debtor's CPF or CNPJ as the server sent it.
    pub cpf_cnpj: Option<SharedStr>,
    /// Consultant name.
    pub nome_consultor: Option<SharedStr>,
    /// Event name.
    pub nome_evento: Option<SharedStr>,
    /// Productive / unproductive event.
    pub tipo_evento: Option<TipoEvento>,
    /// When the follow-up was registered.
    pub data: Option<NaiveDateTime>,
    /// The interaction text (free text, may hold line breaks).
    pub interacao: Option<Box<str>>,
    /// Contact channel.
    pub tipo_contato: Option<TipoContato>,
    /// Whether this follow-up is a reschedule.
    pub reagendar: Option<SimNao>,
    /// Date of the reschedule.
    pub data_reagendamento: Option<NaiveDateTime>,
    /// Time of the reschedule.
    pub horario_reagendamento: Option<NaiveTime>,
    /// Target of the reschedule.
    pub reagendar_para: Option<ReagendarPara>,
    /// Whether the debtor can see this follow-up.
    pub visivel_cliente: Option<SimNao>,
    /// Login of who rescheduled.
    pub reagendado_por: Option<SharedStr>,
}

/// How a column's values compare and display.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    /// An integer id.
    Int,
    /// Free or name text.
    Text,
    /// A one-letter code shown with its label.
    Code,
    /// A date, possibly with a time of day.
    DateTime,
    /// A time of day.
    Time,
}

/// The 20 fields of a follow-up, in the API's order.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[allow(missing_docs)]
pub enum Column {
    IdFollowup,
    IdCredor,
    IdCliente,
    IdConsultor,
    IdEvento,
    NomeCredor,
    NomeCliente,
    CpfCnpj,
    NomeConsultor,
    NomeEvento,
    TipoEvento,
    Data,
    Interacao,
    TipoContato,
    Reagendar,
    DataReagendamento,
    HorarioReagendamento,
    ReagendarPara,
    VisivelCliente,
    ReagendadoPor,
}

impl Column {
    /// All columns in the API's order.
    pub const ALL: [Column; 20] = [
        Column::IdFollowup,
        Column::IdCredor,
        Column::IdCliente,
        Column::IdConsultor,
        Column::IdEvento,
        Column::NomeCredor,
        Column::NomeCliente,
        Column::CpfCnpj,
        Column::NomeConsultor,
        Column::NomeEvento,
        Column::TipoEvento,
        Column::Data,
        Column::Interacao,
        Column::TipoContato,
        Column::Reagendar,
        Column::DataReagendamento,
        Column::HorarioReagendamento,
        Column::ReagendarPara,
        Column::VisivelCliente,
        Column::ReagendadoPor,
    ];

    /// The field name as the API spells it.
    pub fn wire_name(self) -> &'static str {
        match self {
            Column::IdFollowup => "id_followup",
            Column::IdCredor => "id_credor",
            Column::IdCliente => "id_cliente",
            Column::IdConsultor => "id_consultor",
            Column::IdEvento => "id_evento",
            Column::NomeCredor => "nome_credor",
            Column::NomeCliente => "nome_cliente",
            Column::CpfCnpj => "cpf_cnpj",
            Column::NomeConsultor => "nome_consultor",
            Column::NomeEvento => "nome_evento",
            Column::TipoEvento => "tipo_evento",
            Column::Data => "data",
            Column::Interacao => "interacao",
            Column::TipoContato => "tipo_contato",
            Column::Reagendar => "reagendar",
            Column::DataReagendamento => "data_reagendamento",
            Column::HorarioReagendamento => "horario_reagendamento",
            Column::ReagendarPara => "reagendar_para",
            Column::VisivelCliente => "visivel_cliente",
            Column::ReagendadoPor => "reagendado_por",
        }
    }

    /// The column for an API field name.
    pub fn from_wire_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.wire_name() == name)
    }

    /// The Portuguese header shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Column::IdFollowup => "ID follow-up",
            Column::IdCredor => "ID credor",
            Column::IdCliente => "ID cliente",
            Column::IdConsultor => "ID consultor",
            Column::IdEvento => "ID evento",
            Column::NomeCredor => "Credor",
            Column::NomeCliente => "Cliente",
            Column::CpfCnpj => "CPF/CNPJ",
            Column::NomeConsultor => "Consultor",
            Column::NomeEvento => "Evento",
            Column::TipoEvento => "Tipo do evento",
            Column::Data => "Data",
            Column::Interacao => "Interação",
            Column::TipoContato => "Tipo de contato",
            Column::Reagendar => "Reagendar",
            Column::DataReagendamento => "Data do reagendamento",
            Column::HorarioReagendamento => "Horário do reagendamento",
            Column::ReagendarPara => "Reagendar para",
            Column::VisivelCliente => "Visível ao cliente",
            Column::ReagendadoPor => "Reagendado por",
        }
    }

    /// How values of this column compare and display.
    pub fn kind(self) -> ColumnKind {
        match self {
            Column::IdFollowup
            | Column::IdCredor
            | Column::IdCliente
            | Column::IdConsultor
            | Column::IdEvento => ColumnKind::Int,
            Column::NomeCredor
            | Column::NomeCliente
            | Column::CpfCnpj
            | Column::NomeConsultor
            | Column::NomeEvento
            | Column::Interacao
            | Column::ReagendadoPor => ColumnKind::Text,
            Column::TipoEvento
            | Column::TipoContato
            | Column::Reagendar
            | Column::ReagendarPara
            | Column::VisivelCliente => ColumnKind::Code,
            Column::Data | Column::DataReagendamento => ColumnKind::DateTime,
            Column::HorarioReagendamento => ColumnKind::Time,
        }
    }
}

/// One field's value, borrowed from a row: what sorting, filtering and exports read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// The field is null, missing or was unreadable.
    Empty,
    /// An integer id.
    Int(i64),
    /// Text.
    Text(&'a str),
    /// A code: `(raw code, Portuguese label)`.
    Code(&'a str, &'a str),
    /// A date and time.
    DateTime(NaiveDateTime),
    /// A time of day.
    Time(NaiveTime),
}

impl Followup {
    /// A field as users see it: codes by label, dates `dd/mm/aaaa`, times `hh:mm`, the
    /// CPF/CNPJ with its mask; empty for a missing value.
    pub fn field_br(&self, column: Column) -> String {
        match self.value(column) {
            Value::Empty => String::new(),
            Value::Int(v) => v.to_string(),
            Value::Text(text) if column == Column::CpfCnpj => crate::doc_id::format_lenient(text),
            Value::Text(text) => text.to_owned(),
            Value::Code(_, label) => label.to_owned(),
            Value::DateTime(v) => crate::fmt::datetime_br(v),
            Value::Time(v) => crate::fmt::time_br(v),
        }
    }

    /// Like [`Followup::field_br`], on one line: the first line of a multi-line text, with `…`
    /// when more follows (for table cells).
    pub fn field_br_line(&self, column: Column) -> String {
        let text = self.field_br(column);
        match text.split_once(['\n', '\r']) {
            Some((first, _)) => format!("{} …", first.trim_end()),
            None => text,
        }
    }

    /// The value of one column.
    pub fn value(&self, column: Column) -> Value<'_> {
        fn int(v: Option<i64>) -> Value<'static> {
            v.map_or(Value::Empty, Value::Int)
        }
        fn text<S: AsRef<str> + ?Sized>(v: Option<&S>) -> Value<'_> {
            v.map_or(Value::Empty, |s| Value::Text(s.as_ref()))
        }
        macro_rules! code {
            ($v:expr) => {
                $v.as_ref()
                    .map_or(Value::Empty, |c| Value::Code(c.code(), c.label()))
            };
        }
        match column {
            Column::IdFollowup => int(self.id_followup),
            Column::IdCredor => int(self.id_credor),
            Column::IdCliente => int(self.id_cliente),
            Column::IdConsultor => int(self.id_consultor),
            Column::IdEvento => int(self.id_evento),
            Column::NomeCredor => text(self.nome_credor.as_deref()),
            Column::NomeCliente => text(self.nome_cliente.as_deref()),
            Column::CpfCnpj => text(self.cpf_cnpj.as_deref()),
            Column::NomeConsultor => text(self.nome_consultor.as_deref()),
            Column::NomeEvento => text(self.nome_evento.as_deref()),
            Column::TipoEvento => code!(self.tipo_evento),
            Column::Data => self.data.map_or(Value::Empty, Value::DateTime),
            Column::Interacao => text(self.interacao.as_deref()),
            Column::TipoContato => code!(self.tipo_contato),
            Column::Reagendar => code!(self.reagendar),
            Column::DataReagendamento => self
                .data_reagendamento
                .map_or(Value::Empty, Value::DateTime),
            Column::HorarioReagendamento => {
                self.horario_reagendamento.map_or(Value::Empty, Value::Time)
            }
            Column::ReagendarPara => code!(self.reagendar_para),
            Column::VisivelCliente => code!(self.visivel_cliente),
            Column::ReagendadoPor => text(self.reagendado_por.as_deref()),
        }
    }

    /// Bytes this row holds on the heap that are not shared with other rows
    /// (the interaction text); shared strings are counted once by their owner.
    pub fn unshared_heap_bytes(&self) -> usize {
        self.interacao.as_ref().map_or(0, |s| s.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_show_labels_masks_and_first_lines() {
        let row = Followup {
            id_followup: Some(12345),
            cpf_cnpj: Some("01234567890".into()),
            tipo_contato: Some(TipoContato::WhatsApp),
            interacao: Some("Primeira linha\r\nSegunda".into()),
            data: chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
                .and_then(|d| d.and_hms_opt(0, 0, 0)),
            ..Followup::default()
        };
        assert_eq!(row.field_br(Column::IdFollowup), "12345");
        assert_eq!(row.field_br(Column::CpfCnpj), "012.345.678-90");
        assert_eq!(row.field_br(Column::TipoContato), "WhatsApp");
        assert_eq!(row.field_br(Column::Data), "29/11/2026");
        assert_eq!(row.field_br(Column::NomeCliente), "");
        assert_eq!(row.field_br_line(Column::Interacao), "Primeira linha …");
        assert_eq!(row.field_br(Column::Interacao), "Primeira linha\r\nSegunda");
    }

    #[test]
    fn known_codes_have_labels_and_unknown_codes_are_kept() {
        assert_eq!(TipoContato::from_code("W"), TipoContato::WhatsApp);
        assert_eq!(TipoContato::from_code("W").label(), "WhatsApp");
        assert_eq!(TipoEvento::from_code("P").label(), "Produtivo");
        assert_eq!(ReagendarPara::from_code("C").label(), "Consultor");
        let unknown = TipoContato::from_code("X9");
        assert_eq!(unknown.code(), "X9");
        assert_eq!(unknown.label(), "X9");
        assert_eq!(TipoContato::KNOWN.len(), 8);
    }

    #[test]
    fn every_column_round_trips_its_wire_name() {
        for column in Column::ALL {
            assert_eq!(Column::from_wire_name(column.wire_name()), Some(column));
        }
        assert_eq!(Column::from_wire_name("nope"), None);
    }
}
