//! The follow-up row as the API returns it, typed.
//!
//! Field names are exactly the API's (`id_followup`, `cpf_cnpj`, …). Every field is optional:
//! the vendor documents most of them as non-null, but the real server is not fully documented,
//! and a `null` must never lose a row. Repeated strings (creditor, debtor, consultant, event,
//! login) are [`SharedStr`]s so one copy serves every row that repeats them.
//!
//! # Layout
//! A result set holds up to millions of rows, so [`Followup`] is stored compactly and read
//! through accessors (`row.tipo_contato()`); [`FollowupFields`] is the same row as plain public
//! fields, to build one (`.into()`) or read it whole. What a row holds:
//! - the five ids as plain `i64`s and one byte of presence bits (no `Option` padding, and no
//!   sentinel: `i64::MIN` is a value the server may send);
//! - shared strings as thin 8-byte pointers, 8 bytes as an `Option` too;
//! - the five codes as one byte each: absent, a documented code (its index in the enum's
//!   `KNOWN`, plus one) or "unknown"; the text of unknown codes (kept exactly as received,
//!   rare) in one boxed side table, a null pointer in a row without any;
//! - dates as chrono's (12 bytes with their `Option`), the reschedule time as chrono's
//!   (8 bytes, with a presence bit beside the ids'), the interaction text as a
//!   [`SharedText`]: a range of a text shared by the rows parsed together (16 bytes), so a
//!   chunk of the answer keeps its texts in one allocation instead of one per row.
//!
//! A test pins the size (`a_row_stays_compact`); `cargo bench --bench parse` prints the bytes
//! per row of a realistic history.

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

/// A row's interaction text: a range of a [`SharedStr`] (a pointer and two `u32`s, 16 bytes,
/// 16 as an `Option` too). The parser stores the texts of a chunk of rows one after the other
/// in one string and gives each row its range: one allocation per chunk instead of one per
/// row, without the allocator's per-allocation overhead and scattering. Equality is the
/// text's.
pub type SharedText = arcstr::Substr;

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

        impl CodeEnum for $name {
            const VARIANTS: &'static [Self] = Self::KNOWN;
            const CODES: &'static [&'static str] = &[$($code),+];
            const LABELS: &'static [&'static str] = &[$($label),+];

            fn other(raw: SharedStr) -> Self {
                $name::Other(raw)
            }

            fn other_text(&self) -> Option<&SharedStr> {
                match self {
                    $name::Other(raw) => Some(raw),
                    _ => None,
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

/// The slot of each id in [`Followup`]'s ids.
const ID_FOLLOWUP: usize = 0;
const ID_CREDOR: usize = 1;
const ID_CLIENTE: usize = 2;
const ID_CONSULTOR: usize = 3;
const ID_EVENTO: usize = 4;
/// How many id fields a row has.
const ID_FIELDS: usize = 5;

/// The slot of each code field in [`Followup`]'s code bytes.
const TIPO_EVENTO: usize = 0;
const TIPO_CONTATO: usize = 1;
const REAGENDAR: usize = 2;
const REAGENDAR_PARA: usize = 3;
const VISIVEL_CLIENTE: usize = 4;
/// How many code fields a row has.
const CODE_FIELDS: usize = 5;

/// A code byte for an absent code.
const CODE_ABSENT: u8 = 0;
/// A code byte for a code the documentation does not list (its text is in the row's
/// [`OtherCodes`]). Known codes are their index in the enum's `KNOWN`, plus one.
const CODE_OTHER: u8 = u8::MAX;

/// What a row needs from a code enum to store it in one byte.
trait CodeEnum: Clone + fmt::Debug + PartialEq + Sized + 'static {
    /// The documented values (the enum's `KNOWN`).
    const VARIANTS: &'static [Self];
    /// Their wire codes, in the same order.
    const CODES: &'static [&'static str];
    /// Their labels, in the same order.
    const LABELS: &'static [&'static str];
    /// An unknown code.
    fn other(raw: SharedStr) -> Self;
    /// The text of an unknown code.
    fn other_text(&self) -> Option<&SharedStr>;
}

/// The text of a row's unknown codes, one slot per code field. Rare: a row with only
/// documented codes has none (one null pointer in the row).
#[derive(Clone, Debug, Default, PartialEq)]
struct OtherCodes([Option<SharedStr>; CODE_FIELDS]);

/// A code as a row stores it, read from the wire by [`StoredCode::read`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum StoredCode {
    /// A documented code: its index in the enum's `KNOWN`, plus one.
    Known(u8),
    /// A code the documentation does not list, kept exactly as received.
    Other(SharedStr),
}

impl StoredCode {
    /// Reads the wire code of a code column: documented codes by matching their text (no
    /// string is kept for them), unknown ones through `intern`. `None` when `column` holds no
    /// code.
    pub(crate) fn read(
        column: Column,
        code: &str,
        intern: impl FnOnce(&str) -> SharedStr,
    ) -> Option<StoredCode> {
        let codes = match column {
            Column::TipoEvento => TipoEvento::CODES,
            Column::TipoContato => TipoContato::CODES,
            Column::Reagendar | Column::VisivelCliente => SimNao::CODES,
            Column::ReagendarPara => ReagendarPara::CODES,
            _ => return None,
        };
        Some(match known_byte(codes, code) {
            Some(byte) => StoredCode::Known(byte),
            None => StoredCode::Other(intern(code)),
        })
    }
}

/// The byte of a documented code (`codes`' index plus one), if `code` is one.
fn known_byte(codes: &[&str], code: &str) -> Option<u8> {
    let index = codes.iter().position(|known| *known == code)?;
    u8::try_from(index).ok()?.checked_add(1)
}

/// The slot of a code column in the row's code bytes.
fn code_slot(column: Column) -> Option<usize> {
    match column {
        Column::TipoEvento => Some(TIPO_EVENTO),
        Column::TipoContato => Some(TIPO_CONTATO),
        Column::Reagendar => Some(REAGENDAR),
        Column::ReagendarPara => Some(REAGENDAR_PARA),
        Column::VisivelCliente => Some(VISIVEL_CLIENTE),
        _ => None,
    }
}

/// One follow-up (an entry of the negotiation history), with the API's 20 fields, stored
/// compactly.
///
/// Read the fields through the accessors named like them (`row.id_credor()`), change them
/// with `set_*`, or build a row from the plain [`FollowupFields`]
/// (`FollowupFields { id_followup: Some(1), ..Default::default() }.into()`).
///
/// # Layout
/// A result set holds up to millions of rows, so a row's size is its memory: see the module
/// documentation.
#[derive(Clone, Default, PartialEq)]
pub struct Followup {
    /// The five ids, in [`ID_FOLLOWUP`]… order; `0` where absent (so equal rows compare equal).
    ids: [i64; ID_FIELDS],
    nome_credor: Option<SharedStr>,
    nome_cliente: Option<SharedStr>,
    cpf_cnpj: Option<SharedStr>,
    nome_consultor: Option<SharedStr>,
    nome_evento: Option<SharedStr>,
    reagendado_por: Option<SharedStr>,
    interacao: Option<SharedText>,
    /// The text of unknown codes; `None` when every code is documented or absent.
    other_codes: Option<Box<OtherCodes>>,
    data: Option<NaiveDateTime>,
    data_reagendamento: Option<NaiveDateTime>,
    /// Midnight where absent (bit [`HORARIO_PRESENT`] of [`Self::present`] clear): 8 bytes
    /// instead of the 12 of an `Option`.
    horario_reagendamento: NaiveTime,
    /// One byte per code field: [`CODE_ABSENT`], a documented code (its index plus one) or
    /// [`CODE_OTHER`].
    codes: [u8; CODE_FIELDS],
    /// Bit `1 << slot` set when the id in that slot of [`Self::ids`] is present (no sentinel:
    /// every `i64` is a value the server may send), and bit [`HORARIO_PRESENT`] when
    /// `horario_reagendamento` is.
    present: u8,
}

/// The bit of [`Followup::present`] that says `horario_reagendamento` is present (the ids
/// take the bits below it).
const HORARIO_PRESENT: u8 = 1 << ID_FIELDS;

/// A follow-up's 20 fields as plain public values: the convenient way to build a
/// [`Followup`] (`.into()`) or to read every field at once ([`Followup::fields`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FollowupFields {
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

impl From<FollowupFields> for Followup {
    fn from(fields: FollowupFields) -> Followup {
        let FollowupFields {
            id_followup,
            id_credor,
            id_cliente,
            id_consultor,
            id_evento,
            nome_credor,
            nome_cliente,
            cpf_cnpj,
            nome_consultor,
            nome_evento,
            tipo_evento,
            data,
            interacao,
            tipo_contato,
            reagendar,
            data_reagendamento,
            horario_reagendamento,
            reagendar_para,
            visivel_cliente,
            reagendado_por,
        } = fields;
        let mut row = Followup {
            nome_credor,
            nome_cliente,
            cpf_cnpj,
            nome_consultor,
            nome_evento,
            reagendado_por,
            interacao: interacao.map(SharedText::from),
            data,
            data_reagendamento,
            ..Followup::default()
        };
        row.set_horario_reagendamento(horario_reagendamento);
        row.set_id_followup(id_followup);
        row.set_id_credor(id_credor);
        row.set_id_cliente(id_cliente);
        row.set_id_consultor(id_consultor);
        row.set_id_evento(id_evento);
        row.set_tipo_evento(tipo_evento);
        row.set_tipo_contato(tipo_contato);
        row.set_reagendar(reagendar);
        row.set_reagendar_para(reagendar_para);
        row.set_visivel_cliente(visivel_cliente);
        row
    }
}

impl From<Followup> for FollowupFields {
    fn from(row: Followup) -> FollowupFields {
        row.into_fields()
    }
}

impl fmt::Debug for Followup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The fields as the API names them, not the packed layout.
        let fields = self.fields();
        f.debug_struct("Followup")
            .field("id_followup", &fields.id_followup)
            .field("id_credor", &fields.id_credor)
            .field("id_cliente", &fields.id_cliente)
            .field("id_consultor", &fields.id_consultor)
            .field("id_evento", &fields.id_evento)
            .field("nome_credor", &fields.nome_credor)
            .field("nome_cliente", &fields.nome_cliente)
            .field("cpf_cnpj", &fields.cpf_cnpj)
            .field("nome_consultor", &fields.nome_consultor)
            .field("nome_evento", &fields.nome_evento)
            .field("tipo_evento", &fields.tipo_evento)
            .field("data", &fields.data)
            .field("interacao", &fields.interacao)
            .field("tipo_contato", &fields.tipo_contato)
            .field("reagendar", &fields.reagendar)
            .field("data_reagendamento", &fields.data_reagendamento)
            .field("horario_reagendamento", &fields.horario_reagendamento)
            .field("reagendar_para", &fields.reagendar_para)
            .field("visivel_cliente", &fields.visivel_cliente)
            .field("reagendado_por", &fields.reagendado_por)
            .finish()
    }
}

/// Getters and setters of fields stored as they are read.
macro_rules! plain_accessors {
    ($( $field:ident, $setter:ident: $ty:ty => $doc:literal; )+) => {
        $(
            #[doc = concat!($doc, " (`", stringify!($field), "`).")]
            #[inline]
            pub fn $field(&self) -> Option<&$ty> {
                self.$field.as_ref()
            }

            #[doc = concat!("Sets `", stringify!($field), "`.")]
            pub fn $setter(&mut self, value: Option<$ty>) {
                self.$field = value;
            }
        )+
    };
}

/// Getters and setters of `Copy` fields stored as they are read.
macro_rules! copy_accessors {
    ($( $field:ident, $setter:ident: $ty:ty => $doc:literal; )+) => {
        $(
            #[doc = concat!($doc, " (`", stringify!($field), "`).")]
            #[inline]
            pub fn $field(&self) -> Option<$ty> {
                self.$field
            }

            #[doc = concat!("Sets `", stringify!($field), "`.")]
            pub fn $setter(&mut self, value: Option<$ty>) {
                self.$field = value;
            }
        )+
    };
}

/// Getters and setters of the ids (a value and a presence bit each in the row).
macro_rules! id_accessors {
    ($( $field:ident, $setter:ident: $slot:expr => $doc:literal; )+) => {
        $(
            #[doc = concat!($doc, " (`", stringify!($field), "`).")]
            #[inline]
            pub fn $field(&self) -> Option<i64> {
                self.id($slot)
            }

            #[doc = concat!("Sets `", stringify!($field), "`.")]
            pub fn $setter(&mut self, value: Option<i64>) {
                self.set_id($slot, value);
            }
        )+
    };
}

/// Getters and setters of the code fields (one byte each in the row).
macro_rules! code_accessors {
    ($( $field:ident, $setter:ident: $ty:ty, $slot:expr => $doc:literal; )+) => {
        $(
            #[doc = concat!($doc, " (`", stringify!($field), "`). An unknown code comes back as `Other`, exactly as received.")]
            #[inline]
            pub fn $field(&self) -> Option<$ty> {
                self.code::<$ty>($slot)
            }

            #[doc = concat!("Sets `", stringify!($field), "`.")]
            pub fn $setter(&mut self, value: Option<$ty>) {
                self.set_code($slot, value);
            }
        )+
    };
}

impl Followup {
    id_accessors! {
        id_followup, set_id_followup: ID_FOLLOWUP => "Identifier of the follow-up";
        id_credor, set_id_credor: ID_CREDOR => "Creditor id";
        id_cliente, set_id_cliente: ID_CLIENTE => "Debtor (client) id";
        id_consultor, set_id_consultor: ID_CONSULTOR => "Consultant (operator) id";
        id_evento, set_id_evento: ID_EVENTO => "Event id";
    }

    copy_accessors! {
        data, set_data: NaiveDateTime => "When the follow-up was registered";
        data_reagendamento, set_data_reagendamento: NaiveDateTime => "Date of the reschedule";
    }

    /// Time of the reschedule (`horario_reagendamento`).
    #[inline]
    pub fn horario_reagendamento(&self) -> Option<NaiveTime> {
        (self.present & HORARIO_PRESENT != 0).then_some(self.horario_reagendamento)
    }

    /// Sets `horario_reagendamento`.
    pub fn set_horario_reagendamento(&mut self, value: Option<NaiveTime>) {
        self.horario_reagendamento = value.unwrap_or_default();
        self.set_present(HORARIO_PRESENT, value.is_some());
    }

    /// Sets or clears `bit` of [`Self::present`].
    fn set_present(&mut self, bit: u8, present: bool) {
        if present {
            self.present |= bit;
        } else {
            self.present &= !bit;
        }
    }

    plain_accessors! {
        nome_credor, set_nome_credor: SharedStr => "Creditor name";
        nome_cliente, set_nome_cliente: SharedStr => "Debtor name";
        cpf_cnpj, set_cpf_cnpj: SharedStr => "Debtor's CPF or CNPJ as the server sent it";
        nome_consultor, set_nome_consultor: SharedStr => "Consultant name";
        nome_evento, set_nome_evento: SharedStr => "Event name";
        reagendado_por, set_reagendado_por: SharedStr => "Login of who rescheduled";
    }

    code_accessors! {
        tipo_evento, set_tipo_evento: TipoEvento, TIPO_EVENTO => "Productive / unproductive event";
        tipo_contato, set_tipo_contato: TipoContato, TIPO_CONTATO => "Contact channel";
        reagendar, set_reagendar: SimNao, REAGENDAR => "Whether this follow-up is a reschedule";
        reagendar_para, set_reagendar_para: ReagendarPara, REAGENDAR_PARA => "Target of the reschedule";
        visivel_cliente, set_visivel_cliente: SimNao, VISIVEL_CLIENTE => "Whether the debtor can see this follow-up";
    }

    /// The interaction text (`interacao`: free text, may hold line breaks).
    pub fn interacao(&self) -> Option<&str> {
        self.interacao.as_deref()
    }

    /// Sets `interacao` (copying the text into its own shared allocation).
    pub fn set_interacao(&mut self, value: Option<Box<str>>) {
        self.interacao = value.map(SharedText::from);
    }

    /// Sets `interacao` to a shared text (no copy).
    pub fn set_interacao_shared(&mut self, value: Option<SharedText>) {
        self.interacao = value;
    }

    /// The interaction text as stored: a range of a text other rows may share.
    pub fn interacao_shared(&self) -> Option<&SharedText> {
        self.interacao.as_ref()
    }

    /// Every field as a plain value.
    pub fn fields(&self) -> FollowupFields {
        FollowupFields {
            id_followup: self.id_followup(),
            id_credor: self.id_credor(),
            id_cliente: self.id_cliente(),
            id_consultor: self.id_consultor(),
            id_evento: self.id_evento(),
            nome_credor: self.nome_credor.clone(),
            nome_cliente: self.nome_cliente.clone(),
            cpf_cnpj: self.cpf_cnpj.clone(),
            nome_consultor: self.nome_consultor.clone(),
            nome_evento: self.nome_evento.clone(),
            tipo_evento: self.tipo_evento(),
            data: self.data,
            interacao: self.interacao.as_deref().map(Box::from),
            tipo_contato: self.tipo_contato(),
            reagendar: self.reagendar(),
            data_reagendamento: self.data_reagendamento,
            horario_reagendamento: self.horario_reagendamento(),
            reagendar_para: self.reagendar_para(),
            visivel_cliente: self.visivel_cliente(),
            reagendado_por: self.reagendado_por.clone(),
        }
    }

    /// Every field as a plain value, without copying the strings.
    pub fn into_fields(mut self) -> FollowupFields {
        let mut fields = self.fields_without_strings();
        fields.nome_credor = self.nome_credor.take();
        fields.nome_cliente = self.nome_cliente.take();
        fields.cpf_cnpj = self.cpf_cnpj.take();
        fields.nome_consultor = self.nome_consultor.take();
        fields.nome_evento = self.nome_evento.take();
        fields.reagendado_por = self.reagendado_por.take();
        fields.interacao = self.interacao.take().as_deref().map(Box::from);
        fields
    }

    /// Every field but the names and the interaction text.
    fn fields_without_strings(&self) -> FollowupFields {
        FollowupFields {
            id_followup: self.id_followup(),
            id_credor: self.id_credor(),
            id_cliente: self.id_cliente(),
            id_consultor: self.id_consultor(),
            id_evento: self.id_evento(),
            tipo_evento: self.tipo_evento(),
            data: self.data,
            tipo_contato: self.tipo_contato(),
            reagendar: self.reagendar(),
            data_reagendamento: self.data_reagendamento,
            horario_reagendamento: self.horario_reagendamento(),
            reagendar_para: self.reagendar_para(),
            visivel_cliente: self.visivel_cliente(),
            ..FollowupFields::default()
        }
    }

    /// Stores a code read from the wire in its column (nothing for a column without codes).
    pub(crate) fn set_stored_code(&mut self, column: Column, code: Option<StoredCode>) {
        let Some(slot) = code_slot(column) else {
            return;
        };
        match code {
            None => self.put_code(slot, CODE_ABSENT, None),
            Some(StoredCode::Known(byte)) => self.put_code(slot, byte, None),
            Some(StoredCode::Other(raw)) => self.put_code(slot, CODE_OTHER, Some(raw)),
        }
    }

    /// The id in `slot`.
    #[inline]
    fn id(&self, slot: usize) -> Option<i64> {
        // The slot is checked by `get` before it picks a bit.
        let value = *self.ids.get(slot)?;
        (self.present & (1 << slot) != 0).then_some(value)
    }

    fn set_id(&mut self, slot: usize, value: Option<i64>) {
        let Some(stored) = self.ids.get_mut(slot) else {
            return;
        };
        *stored = value.unwrap_or(0);
        self.set_present(1 << slot, value.is_some());
    }

    /// The code in `slot`.
    #[inline]
    fn code<C: CodeEnum>(&self, slot: usize) -> Option<C> {
        match self.codes.get(slot).copied()? {
            CODE_ABSENT => None,
            CODE_OTHER => self.other_code(slot).map(|raw| C::other(raw.clone())),
            byte => C::VARIANTS.get(usize::from(byte).checked_sub(1)?).cloned(),
        }
    }

    /// The code in `slot` as `(wire code, label)`, borrowed from the row or static.
    #[inline]
    fn code_value<C: CodeEnum>(&self, slot: usize) -> Value<'_> {
        let byte = self.codes.get(slot).copied().unwrap_or(CODE_ABSENT);
        match byte {
            CODE_ABSENT => Value::Empty,
            CODE_OTHER => self
                .other_code(slot)
                .map_or(Value::Empty, |raw| Value::Code(raw, raw)),
            byte => {
                let index = usize::from(byte).saturating_sub(1);
                match (C::CODES.get(index), C::LABELS.get(index)) {
                    (Some(code), Some(label)) => Value::Code(code, label),
                    _ => Value::Empty,
                }
            }
        }
    }

    /// The text of the unknown code in `slot`.
    fn other_code(&self, slot: usize) -> Option<&SharedStr> {
        self.other_codes.as_ref()?.0.get(slot)?.as_ref()
    }

    fn set_code<C: CodeEnum>(&mut self, slot: usize, code: Option<C>) {
        match code {
            None => self.put_code(slot, CODE_ABSENT, None),
            Some(code) => match code.other_text() {
                // An `Other` stays one, whatever its text: kept exactly as given.
                Some(raw) => self.put_code(slot, CODE_OTHER, Some(raw.clone())),
                None => {
                    let byte = C::VARIANTS
                        .iter()
                        .position(|known| *known == code)
                        .and_then(|index| u8::try_from(index).ok())
                        .and_then(|index| index.checked_add(1))
                        .unwrap_or(CODE_ABSENT);
                    self.put_code(slot, byte, None);
                }
            },
        }
    }

    /// Writes a code byte and its unknown text, keeping [`Self::other_codes`] `None` when no
    /// slot holds text (so equal rows compare equal).
    fn put_code(&mut self, slot: usize, byte: u8, other: Option<SharedStr>) {
        let Some(stored) = self.codes.get_mut(slot) else {
            return;
        };
        *stored = byte;
        match other {
            Some(raw) => {
                let others = self.other_codes.get_or_insert_with(Box::default);
                if let Some(entry) = others.0.get_mut(slot) {
                    *entry = Some(raw);
                }
            }
            None => {
                if let Some(others) = self.other_codes.as_mut() {
                    if let Some(entry) = others.0.get_mut(slot) {
                        *entry = None;
                    }
                    if others.0.iter().all(Option::is_none) {
                        self.other_codes = None;
                    }
                }
            }
        }
    }
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
    #[inline]
    pub fn value(&self, column: Column) -> Value<'_> {
        fn int(v: Option<i64>) -> Value<'static> {
            v.map_or(Value::Empty, Value::Int)
        }
        fn text<S: AsRef<str> + ?Sized>(v: Option<&S>) -> Value<'_> {
            v.map_or(Value::Empty, |s| Value::Text(s.as_ref()))
        }
        match column {
            Column::IdFollowup => int(self.id_followup()),
            Column::IdCredor => int(self.id_credor()),
            Column::IdCliente => int(self.id_cliente()),
            Column::IdConsultor => int(self.id_consultor()),
            Column::IdEvento => int(self.id_evento()),
            Column::NomeCredor => text(self.nome_credor.as_deref()),
            Column::NomeCliente => text(self.nome_cliente.as_deref()),
            Column::CpfCnpj => text(self.cpf_cnpj.as_deref()),
            Column::NomeConsultor => text(self.nome_consultor.as_deref()),
            Column::NomeEvento => text(self.nome_evento.as_deref()),
            Column::TipoEvento => self.code_value::<TipoEvento>(TIPO_EVENTO),
            Column::Data => self.data.map_or(Value::Empty, Value::DateTime),
            Column::Interacao => text(self.interacao.as_deref()),
            Column::TipoContato => self.code_value::<TipoContato>(TIPO_CONTATO),
            Column::Reagendar => self.code_value::<SimNao>(REAGENDAR),
            Column::DataReagendamento => self
                .data_reagendamento
                .map_or(Value::Empty, Value::DateTime),
            Column::HorarioReagendamento => self
                .horario_reagendamento()
                .map_or(Value::Empty, Value::Time),
            Column::ReagendarPara => self.code_value::<ReagendarPara>(REAGENDAR_PARA),
            Column::VisivelCliente => self.code_value::<SimNao>(VISIVEL_CLIENTE),
            Column::ReagendadoPor => text(self.reagendado_por.as_deref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn fields_show_labels_masks_and_first_lines() {
        let row = Followup::from(FollowupFields {
            id_followup: Some(12345),
            cpf_cnpj: Some("01234567890".into()),
            tipo_contato: Some(TipoContato::WhatsApp),
            interacao: Some("Primeira linha\r\nSegunda".into()),
            data: chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
                .and_then(|d| d.and_hms_opt(0, 0, 0)),
            ..FollowupFields::default()
        });
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

    /// The size of a row is the memory of a result set (1,000,000 rows are common): this
    /// guards against a field that brings padding or a fat pointer back.
    #[test]
    fn a_row_stays_compact() {
        assert!(
            std::mem::size_of::<Followup>() <= ROW_BYTES_AT_MOST,
            "Followup is {} bytes, more than {ROW_BYTES_AT_MOST}",
            std::mem::size_of::<Followup>()
        );
        assert_eq!(std::mem::size_of::<Option<SharedStr>>(), 8);
    }

    const ROW_BYTES_AT_MOST: usize = 152;

    /// A row with every kind of value: unknown codes, ids at the edges of `i64`, absent fields.
    fn edge_fields() -> FollowupFields {
        FollowupFields {
            id_followup: Some(i64::MIN),
            id_credor: Some(i64::MAX),
            id_cliente: Some(0),
            id_consultor: None,
            id_evento: Some(-1),
            nome_credor: Some("Banco Ipê".into()),
            nome_cliente: None,
            cpf_cnpj: Some("".into()),
            nome_consultor: Some(" Ana ".into()),
            nome_evento: None,
            tipo_evento: Some(TipoEvento::Other("Z9".into())),
            data: chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
                .and_then(|d| d.and_hms_opt(23, 59, 59)),
            interacao: Some("linha 1\nlinha 2".into()),
            tipo_contato: Some(TipoContato::WhatsApp),
            reagendar: Some(SimNao::Other("talvez".into())),
            data_reagendamento: None,
            horario_reagendamento: NaiveTime::from_hms_opt(0, 0, 0),
            reagendar_para: None,
            // A documented letter given as `Other` stays `Other`: kept exactly as given.
            visivel_cliente: Some(SimNao::Other("S".into())),
            reagendado_por: Some("marcio.simoes".into()),
        }
    }

    #[test]
    fn every_field_round_trips_through_the_compact_row() {
        let fields = edge_fields();
        let row = Followup::from(fields.clone());
        assert_eq!(row.fields(), fields);
        assert_eq!(row.clone().into_fields(), fields);

        assert_eq!(row.id_followup(), Some(i64::MIN));
        assert_eq!(row.id_credor(), Some(i64::MAX));
        assert_eq!(row.id_cliente(), Some(0));
        assert_eq!(row.id_consultor(), None);
        assert_eq!(row.id_evento(), Some(-1));
        assert_eq!(row.value(Column::IdFollowup), Value::Int(i64::MIN));
        assert_eq!(row.value(Column::IdConsultor), Value::Empty);
        assert_eq!(row.cpf_cnpj().map(|s| s.as_str()), Some(""));
        assert_eq!(row.nome_cliente(), None);
        assert_eq!(row.interacao(), Some("linha 1\nlinha 2"));

        assert_eq!(row.tipo_evento(), Some(TipoEvento::Other("Z9".into())));
        assert_eq!(row.value(Column::TipoEvento), Value::Code("Z9", "Z9"));
        assert_eq!(row.tipo_contato(), Some(TipoContato::WhatsApp));
        assert_eq!(row.value(Column::TipoContato), Value::Code("W", "WhatsApp"));
        assert_eq!(row.reagendar(), Some(SimNao::Other("talvez".into())));
        assert_eq!(row.reagendar_para(), None);
        assert_eq!(row.value(Column::ReagendarPara), Value::Empty);
        assert_eq!(row.visivel_cliente(), Some(SimNao::Other("S".into())));
        assert_ne!(row.visivel_cliente(), Some(SimNao::Sim));
        assert_eq!(row.value(Column::VisivelCliente), Value::Code("S", "S"));

        // Every column reads the same from the compact row as from the plain fields.
        let empty = Followup::default();
        assert_eq!(empty.fields(), FollowupFields::default());
        for column in Column::ALL {
            assert_eq!(empty.value(column), Value::Empty, "{column:?}");
        }
    }

    #[test]
    fn setters_replace_codes_and_leave_no_trace_of_unknown_ones() {
        let mut row = Followup::from(edge_fields());
        row.set_tipo_evento(Some(TipoEvento::Produtivo));
        row.set_reagendar(None);
        row.set_visivel_cliente(Some(SimNao::Nao));
        row.set_id_followup(None);
        row.set_id_consultor(Some(i64::MIN));
        let mut expected = edge_fields();
        expected.tipo_evento = Some(TipoEvento::Produtivo);
        expected.reagendar = None;
        expected.visivel_cliente = Some(SimNao::Nao);
        expected.id_followup = None;
        expected.id_consultor = Some(i64::MIN);
        assert_eq!(row.fields(), expected);
        // Equal to the same row built directly: no leftover text of the unknown codes.
        assert_eq!(row, Followup::from(expected));
    }

    #[test]
    fn codes_read_from_the_wire_match_documented_letters_first() {
        let mut interned = Vec::new();
        let mut intern = |text: &str| {
            interned.push(text.to_owned());
            SharedStr::from(text)
        };
        assert_eq!(
            StoredCode::read(Column::TipoContato, "W", &mut intern),
            Some(StoredCode::Known(7))
        );
        assert_eq!(
            StoredCode::read(Column::VisivelCliente, "N", &mut intern),
            Some(StoredCode::Known(2))
        );
        assert_eq!(
            StoredCode::read(Column::TipoContato, "w", &mut intern),
            Some(StoredCode::Other("w".into()))
        );
        assert_eq!(
            StoredCode::read(Column::NomeCliente, "W", &mut intern),
            None
        );
        assert_eq!(interned, ["w"], "only the unknown code is interned");

        let mut row = Followup::default();
        for (column, code) in [
            (Column::TipoEvento, "I"),
            (Column::TipoContato, "G"),
            (Column::Reagendar, "S"),
            (Column::ReagendarPara, "O"),
            (Column::VisivelCliente, "X"),
        ] {
            let stored = StoredCode::read(column, code, |text| SharedStr::from(text));
            row.set_stored_code(column, stored);
        }
        assert_eq!(row.tipo_evento(), Some(TipoEvento::Improdutivo));
        assert_eq!(row.tipo_contato(), Some(TipoContato::Telegram));
        assert_eq!(row.reagendar(), Some(SimNao::Sim));
        assert_eq!(row.reagendar_para(), Some(ReagendarPara::OutroConsultor));
        assert_eq!(row.visivel_cliente(), Some(SimNao::Other("X".into())));
        row.set_stored_code(Column::VisivelCliente, None);
        assert_eq!(row.visivel_cliente(), None);
        assert_eq!(row.other_codes, None);
    }

    fn code_strategy<C: CodeEnum + 'static>() -> impl Strategy<Value = Option<C>> {
        proptest::option::of(prop_oneof![
            (0..C::VARIANTS.len()).prop_map(|i| C::VARIANTS[i].clone()),
            "[A-Z]{0,3}".prop_map(|text| C::other(SharedStr::from(text))),
        ])
    }

    proptest! {
        #[test]
        fn any_fields_round_trip(
            ids in proptest::array::uniform5(proptest::option::of(any::<i64>())),
            tipo_evento in code_strategy::<TipoEvento>(),
            tipo_contato in code_strategy::<TipoContato>(),
            reagendar in code_strategy::<SimNao>(),
            reagendar_para in code_strategy::<ReagendarPara>(),
            visivel_cliente in code_strategy::<SimNao>(),
        ) {
            let fields = FollowupFields {
                id_followup: ids[0],
                id_credor: ids[1],
                id_cliente: ids[2],
                id_consultor: ids[3],
                id_evento: ids[4],
                tipo_evento,
                tipo_contato,
                reagendar,
                reagendar_para,
                visivel_cliente,
                ..edge_fields()
            };
            let row = Followup::from(fields.clone());
            prop_assert_eq!(row.fields(), fields.clone());
            prop_assert_eq!(row.id_followup(), ids[0]);
            prop_assert_eq!(row.id_evento(), ids[4]);
            let code = |c: &Option<TipoContato>| c.as_ref().map(|c| (c.code().to_owned(), c.label().to_owned()));
            let shown = match row.value(Column::TipoContato) {
                Value::Code(code, label) => Some((code.to_owned(), label.to_owned())),
                _ => None,
            };
            prop_assert_eq!(shown, code(&fields.tipo_contato));
        }
    }

    #[test]
    fn every_column_round_trips_its_wire_name() {
        for column in Column::ALL {
            assert_eq!(Column::from_wire_name(column.wire_name()), Some(column));
        }
        assert_eq!(Column::from_wire_name("nope"), None);
    }
}
