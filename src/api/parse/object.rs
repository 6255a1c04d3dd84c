//! A hand-written reader for the shape almost every follow-up object has: plain keys, and
//! values that are strings, numbers, `true`, `false` or `null`.
//!
//! serde_json read each row through its `MapAccess`, finding every key and value as raw text
//! and then converting it: about 60 % of the instructions of a fetch (callgrind, 200,000
//! rows). This reader finds the same keys and raw values in one pass over the object's text,
//! and the row is then built from them by the same code as before
//! ([`super::RowInProgress::take_field`]), so every tolerance rule holds unchanged.
//!
//! It only says yes to a subset of what serde_json accepts, and gives `None` (nothing done) for
//! anything else: a key with an escape, a nested list or object, a repeated key beyond
//! [`MAX_FIELDS`], anything it does not recognise. The caller then reads the object with
//! serde_json as before, which also finds the syntax errors and their places.

use super::{
    Column, Followup, Interner, ParseReport, RowInProgress, TextArena, TextAt, column_for_key,
};

/// How many known fields an object may have before serde_json reads it instead (20 columns;
/// more means repeated keys).
const MAX_FIELDS: usize = 32;

/// The known fields of one object, in order: each column with its value's raw JSON text.
pub(super) struct Fields<'s> {
    known: [(Column, &'s str); MAX_FIELDS],
    len: usize,
}

impl<'s> Fields<'s> {
    /// The fields, in the order the object has them.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Column, &'s str)> + '_ {
        self.known.iter().take(self.len).copied()
    }

    fn push(&mut self, column: Column, raw: &'s str) -> Option<()> {
        *self.known.get_mut(self.len)? = (column, raw);
        self.len += 1;
        Some(())
    }
}

/// The known fields of the object `text` (one array item: the object and nothing else but
/// whitespace around it), or `None` when the text is outside the subset this reader takes.
pub(super) fn scan_object(text: &str) -> Option<Fields<'_>> {
    let mut cursor = Cursor {
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut fields = Fields {
        known: [(Column::IdFollowup, ""); MAX_FIELDS],
        len: 0,
    };
    cursor.skip_whitespace();
    cursor.eat(b'{')?;
    cursor.skip_whitespace();
    // The documented order is the usual one: the column after the last one is tried first.
    let mut next = 0;
    if cursor.eat(b'}').is_none() {
        loop {
            let key_start = cursor.at;
            cursor.string(false)?;
            let key = text.get(key_start + 1..cursor.at - 1)?;
            cursor.skip_whitespace();
            cursor.eat(b':')?;
            cursor.skip_whitespace();
            let value_start = cursor.at;
            match cursor.peek()? {
                b'"' => cursor.string(true)?,
                b't' => cursor.literal(b"true")?,
                b'f' => cursor.literal(b"false")?,
                b'n' => cursor.literal(b"null")?,
                _ => cursor.number()?,
            }
            let raw = text.get(value_start..cursor.at)?;
            let guess = Column::ALL.get(next).filter(|c| c.wire_name() == key);
            if let Some(column) = guess.copied().or_else(|| column_for_key(key)) {
                fields.push(column, raw)?;
                next = Column::ALL
                    .iter()
                    .position(|&c| c == column)
                    .map_or(0, |i| i + 1);
            }
            cursor.skip_whitespace();
            if cursor.eat(b',').is_some() {
                cursor.skip_whitespace();
                continue;
            }
            cursor.eat(b'}')?;
            break;
        }
    }
    cursor.skip_whitespace();
    (cursor.at == text.len()).then_some(fields)
}

/// The row of the object `text` and where its interaction text went, when the object has the
/// usual shape ([`scan_object`]); `None`, with nothing read or noted, otherwise.
pub(super) fn read_usual(
    text: &str,
    interner: &mut Interner,
    texts: &mut TextArena,
    report: &mut ParseReport,
    item: u64,
) -> Option<(Followup, Option<TextAt>)> {
    let fields = scan_object(text)?;
    let mut row = Followup::default();
    let mut interacao = None;
    let mut into = RowInProgress {
        row: &mut row,
        interacao: &mut interacao,
        interner,
        texts,
        report,
        item,
    };
    for (column, raw) in fields.iter() {
        into.take_field(column, raw);
    }
    Some((row, interacao))
}

/// A position in an object's bytes.
struct Cursor<'s> {
    bytes: &'s [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Steps over `byte`, or `None` (not moving) when another byte is next.
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// JSON's whitespace, as serde_json skips it.
    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.at += 1;
        }
    }

    /// `word` exactly.
    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at.checked_add(word.len())?;
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// One or more digits; how many.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// A number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. A digit
    /// right after a leading `0` is left for the caller, which then finds no delimiter.
    fn number(&mut self) -> Option<()> {
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.').is_some() && self.digits() == 0 {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    /// A string, from its opening quote to past its closing one. Control characters are
    /// refused, as serde_json refuses them; escapes only where `escapes`, and then only the
    /// ones serde_json accepts (`\u` with any four hex digits: whether they make text is the
    /// conversion's business, as with serde_json's raw values).
    fn string(&mut self, escapes: bool) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let rest = self.bytes.get(self.at..)?;
            let stop = memchr::memchr2(b'"', b'\\', rest)?;
            // Branch-free over the run, so that the compiler can use wide registers.
            let control = rest[..stop]
                .iter()
                .fold(false, |seen, &b| seen | (b < 0x20));
            if control {
                return None;
            }
            self.at += stop;
            if self.eat(b'"').is_some() {
                return Some(());
            }
            if !escapes {
                return None;
            }
            // A backslash.
            match self.bytes.get(self.at + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 2,
                b'u' => {
                    let digits = self.bytes.get(self.at + 2..self.at + 6)?;
                    if !digits.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    self.at += 6;
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserializer as _;

    use super::super::RowVisitor;
    use super::*;

    /// What reading one object gave: the row, its interaction text, the report.
    type Read = (Followup, Option<String>, ParseReport);

    fn text_of(arena: &TextArena, at: Option<TextAt>) -> Option<String> {
        at.map(|at| match at {
            TextAt::Arena(start, end) => arena.text[start as usize..end as usize].to_owned(),
            TextAt::Own(text) => text.to_string(),
        })
    }

    /// `text` read by hand, when this reader takes it.
    fn by_hand(text: &str) -> Option<Read> {
        let (mut interner, mut texts) = (Interner::default(), TextArena::default());
        let mut report = ParseReport::default();
        let (row, interacao) = read_usual(text, &mut interner, &mut texts, &mut report, 7)?;
        let interacao = text_of(&texts, interacao);
        Some((row, interacao, report))
    }

    /// `text` read by serde_json, as every object was before this reader.
    fn by_serde(text: &str) -> Result<Read, serde_json::Error> {
        let (mut interner, mut texts) = (Interner::default(), TextArena::default());
        let mut report = ParseReport::default();
        let visitor = RowVisitor {
            interner: &mut interner,
            texts: &mut texts,
            report: &mut report,
            item: 7,
        };
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let (row, interacao) = deserializer.deserialize_map(visitor)?;
        deserializer.end()?;
        let interacao = text_of(&texts, interacao);
        Ok((row, interacao, report))
    }

    fn agree(text: &str) -> Result<bool, TestCaseError> {
        let Some(hand) = by_hand(text) else {
            return Ok(false);
        };
        match by_serde(text) {
            Ok(serde) => {
                prop_assert!(
                    hand == serde,
                    "{text:?}: by hand {hand:?}, by serde_json {serde:?}"
                );
            }
            Err(error) => {
                prop_assert!(
                    false,
                    "{text:?}: taken by hand, refused by serde_json: {error}"
                );
            }
        }
        Ok(true)
    }

    fn key() -> impl Strategy<Value = String> {
        let mut keys: Vec<String> = Column::ALL
            .iter()
            .map(|c| format!("\"{}\"", c.wire_name()))
            .collect();
        keys.extend(["\"IdFollowup\"", "\"ID_CREDOR\"", "\"extra\"", "\"\""].map(String::from));
        let odd = prop::sample::select(vec![
            "\"cpf\\u005fcnpj\"",
            "\"nome_\\\"x\"",
            "\"a\tb\"",
            "nome",
            "12",
        ])
        .prop_map(String::from);
        prop_oneof![30 => prop::sample::select(keys), 1 => odd]
    }

    fn value() -> impl Strategy<Value = String> {
        let good = prop::sample::select(vec![
            "null",
            "true",
            "false",
            "0",
            "-0",
            "12",
            "-12",
            "1.5",
            "2002.0",
            "1e5",
            "1E+2",
            "1e-2",
            "1e400",
            "-1e400",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "\"\"",
            "\" \"",
            "\"W\"",
            "\"w\"",
            "\"S\"",
            "\"2023-09-01T14:05:09\"",
            "\"2023-09-01\"",
            "\"14:30\"",
            "\"25:00\"",
            "\"529.982.247-25\"",
            "\"=HYPERLINK(1)\"",
            "\"linha\\nnova\"",
            "\"aspas \\\" e \\\\\"",
            "\"\\/\\b\\f\\r\\t\"",
            "\"\\u00e3o\"",
            "\"\\u00E3\"",
            "\"\\ud800\"",
            "\"\\ud83d\\ude00\"",
            "\"ção ✓ 😀\"",
            "\"12\"",
            "\" 7 \"",
            "\"x\"",
        ])
        .prop_map(String::from);
        let bad = prop::sample::select(vec![
            "nul",
            "True",
            "01",
            "-",
            "1.",
            "1e",
            ".5",
            "+1",
            "\"\\uZZZZ\"",
            "\"\\u12\"",
            "\"\\x\"",
            "\"tab\tcru\"",
            "\"nul\u{0}\"",
            "\"um texto de mais de trinta e dois bytes\u{1f} e depois\"",
            "\"um texto de mais de trinta e dois bytes sem fim",
            "\"sem fim",
            "[]",
            "[1,2]",
            "{}",
            "{\"a\":1}",
        ])
        .prop_map(String::from);
        prop_oneof![
            30 => good,
            10 => "\"[^\"\\\\\\x00-\\x1f]{0,40}\"",
            10 => "-?[0-9]{1,22}(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?",
            1 => bad,
        ]
    }

    fn space() -> impl Strategy<Value = String> {
        let good = prop::sample::select(vec!["", "", "", " ", "\n  ", "\t", "\r\n"]);
        let bad = prop::sample::select(vec!["\u{a0}", "\u{b}", "\u{c}"]);
        prop_oneof![60 => good, 1 => bad].prop_map(String::from)
    }

    fn object() -> impl Strategy<Value = String> {
        let field = (space(), key(), space(), space(), value(), space());
        let sep = prop_oneof![60 => Just(","), 1 => prop::sample::select(vec![",,", ";", ""])];
        let close =
            prop_oneof![30 => Just("}"), 1 => prop::sample::select(vec!["", "]", "} x", "}}"])];
        (
            space(),
            prop::collection::vec((field, sep), 0..24),
            close,
            space(),
        )
            .prop_map(|(before, fields, close, after)| {
                let mut text = format!("{before}{{");
                let count = fields.len();
                for (index, ((a, key, b, c, value, d), sep)) in fields.into_iter().enumerate() {
                    text.push_str(&format!("{a}{key}{b}:{c}{value}{d}"));
                    if index + 1 < count {
                        text.push_str(sep);
                    }
                }
                text.push_str(close);
                text.push_str(&after);
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever the reader by hand takes, serde_json takes too and reads the same row,
        /// the same text and the same report from.
        #[test]
        fn the_reader_by_hand_agrees_with_serde_json(text in object()) {
            agree(&text)?;
        }

        /// The same for a byte of a simulated row changed, removed or doubled.
        #[test]
        fn changed_rows_agree_too(seed in 0usize..500, at in any::<prop::sample::Index>(), byte in any::<u8>(), how in 0u8..3) {
            let row = &crate::sim::huge_history_rows(seed % 50 + 1)[seed % 50];
            let mut bytes = serde_json::to_vec(row).unwrap_or_default();
            let at = at.index(bytes.len());
            match how {
                0 => bytes[at] = byte,
                1 => { bytes.remove(at); }
                _ => bytes.insert(at, bytes[at]),
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                agree(text)?;
            }
        }
    }

    #[test]
    fn the_generated_objects_go_both_ways() {
        use proptest::strategy::ValueTree as _;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let mut taken = 0;
        for _ in 0..2_000 {
            let text = object()
                .new_tree(&mut runner)
                .map(|tree| tree.current())
                .unwrap_or_default();
            taken += usize::from(scan_object(&text).is_some());
        }
        // Both readers get a fair share of the property tests' objects.
        assert!(
            (200..=1_800).contains(&taken),
            "{taken} of 2,000 taken by hand"
        );
    }

    #[test]
    fn the_usual_rows_are_read_by_hand() {
        let rows = crate::sim::huge_history_rows(2_000);
        let mut pretty = 0;
        for row in &rows {
            let compact = serde_json::to_string(row).unwrap_or_default();
            assert!(agree(&compact).unwrap_or(false), "{compact}");
            let spaced = serde_json::to_string_pretty(row).unwrap_or_default();
            pretty += usize::from(agree(&spaced).unwrap_or(false));
        }
        assert_eq!(pretty, rows.len());
    }

    #[test]
    fn what_the_reader_leaves_to_serde_json() {
        for text in [
            r#"{"id_followup":1,"nested":{"a":1}}"#,
            r#"{"id_followup":[1]}"#,
            r#"{"id_\u0066ollowup":1}"#,
            r#"{"id_followup":01}"#,
            r#"{"id_followup":1,}"#,
            r#"{"id_followup" 1}"#,
            r#"{"interacao":"a\qb"}"#,
            "{\"interacao\":\"a\u{1}b\"}",
            r#"{"id_followup":1} {"#,
            r#"{"id_followup":1"#,
            r#"[{"id_followup":1}]"#,
        ] {
            assert!(scan_object(text).is_none(), "{text}");
        }
        let many = format!(
            "{{{}}}",
            vec![r#""id_followup":1"#; MAX_FIELDS + 1].join(",")
        );
        assert!(scan_object(&many).is_none());
        let enough = format!("{{{}}}", vec![r#""id_followup":1"#; MAX_FIELDS].join(","));
        assert!(scan_object(&enough).is_some());
    }
}
