//! The quick filter: a case- and accent-insensitive substring search over the text columns.

use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use super::Cancelled;
use super::column_filter::{ColumnFilters, CompiledFilters, FilterMemo};
use super::fold::{FoldCursor, doc_key, fold, fold_ascii, fold_char};
use super::parallel::{PAR_CHUNK, par_chunks};
use super::ptr_memo::PtrMemo;
use super::rows::Rows;
use crate::api::{Column, Followup, Value};

/// The columns whose shared text the quick filter searches (besides `cpf_cnpj`, `interacao`
/// and the codes' labels).
const SHARED_TEXT: [Column; 5] = [
    Column::NomeCredor,
    Column::NomeCliente,
    Column::NomeConsultor,
    Column::NomeEvento,
    Column::ReagendadoPor,
];

/// The code columns, searched by their Portuguese label.
const CODES: [Column; 5] = [
    Column::TipoEvento,
    Column::TipoContato,
    Column::Reagendar,
    Column::ReagendarPara,
    Column::VisivelCliente,
];

/// Where the search looks first: one byte of the folded needle that can only come from a few
/// raw bytes, found with `memchr`.
struct Anchor {
    /// Offset of the byte in the folded needle.
    at: usize,
    /// The raw bytes (one to three) that can hold it: its ASCII forms, and `0xC3` (the leading
    /// byte of `À..ÿ`) when an accented letter folds to it.
    primary: Vec<u8>,
    /// Other leading bytes (zero to three) of characters that fold to it (`0xC4`, `0xC5` for
    /// Latin Extended-A). A text holding one of these is searched the slow way.
    rare: Vec<u8>,
}

/// Rough frequency (per cent) of a folded ASCII byte in Portuguese text, to pick the anchor.
fn frequency(byte: u8) -> f32 {
    const LETTERS: [f32; 26] = [
        14.6, 1.0, 3.9, 5.0, 12.6, 1.0, 1.3, 1.3, 6.2, 0.4, 0.1, 2.8, 4.7, 5.0, 10.7, 2.5, 1.2,
        6.5, 7.8, 4.3, 4.6, 1.7, 0.1, 0.2, 0.1, 0.5,
    ];
    match byte {
        b'a'..=b'z' => LETTERS[usize::from(byte - b'a')],
        b'0'..=b'9' => 0.3,
        b' ' => 17.0,
        _ => 1.0,
    }
}

/// Runs `f` on each position of `bytes` holding one of `needles` (one to three bytes).
#[inline]
fn any_position(needles: &[u8], bytes: &[u8], mut f: impl FnMut(usize) -> bool) -> bool {
    match *needles {
        [a] => memchr::memchr_iter(a, bytes).any(&mut f),
        [a, b] => memchr::memchr2_iter(a, b, bytes).any(&mut f),
        [a, b, c] => memchr::memchr3_iter(a, b, c, bytes).any(&mut f),
        _ => false,
    }
}

/// A compiled quick-filter text: its fold and how to look for it.
pub(crate) struct Needle {
    /// The folded text looked for (never empty).
    folded: Vec<u8>,
    /// The text as a document number (digits and letters only), when it has a digit.
    doc: Option<String>,
    /// Which raw bytes can start a character whose fold holds the needle's first byte.
    starts: Box<[bool; 256]>,
    /// The fast way in, when the needle has a suitable byte.
    anchor: Option<Anchor>,
}

impl Needle {
    /// Compiles a filter text. `None` when it is blank (everything matches).
    pub(crate) fn new(filter: &str) -> Option<Needle> {
        let folded = fold(filter.trim()).into_bytes();
        let first = *folded.first()?;
        let doc = filter
            .bytes()
            .any(|b| b.is_ascii_digit())
            .then(|| doc_key(filter))
            .filter(|doc| !doc.is_empty());
        let mut starts = Box::new([false; 256]);
        for byte in 0..0x80u8 {
            starts[usize::from(byte)] = fold_ascii(byte) == first;
        }
        if first >= 0x80 {
            starts[0xC0..].fill(true);
        } else {
            let leads = &ascii_sources()[usize::from(first)];
            for (n, &can) in leads.iter().enumerate() {
                starts[0xC0 + n] = can;
            }
        }
        let anchor = folded
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b < 0x80)
            .filter_map(|(at, &b)| {
                let mut primary: Vec<u8> = (0..0x80u8).filter(|&x| fold_ascii(x) == b).collect();
                let mut rare = Vec::new();
                for (n, &can) in ascii_sources()[usize::from(b)].iter().enumerate() {
                    if can {
                        let lead = 0xC0 + n as u8;
                        if lead == 0xC3 {
                            primary.push(lead);
                        } else {
                            rare.push(lead);
                        }
                    }
                }
                if primary.len() > 3 || rare.len() > 3 {
                    return None;
                }
                let cost = frequency(b)
                    + if primary.contains(&0xC3) { 3.0 } else { 0.0 }
                    + if rare.is_empty() { 0.0 } else { 0.3 };
                Some((cost, Anchor { at, primary, rare }))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, anchor)| anchor);
        Some(Needle {
            folded,
            doc,
            starts,
            anchor,
        })
    }

    /// Whether the fold of `text` contains the needle.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        if bytes.len() < self.folded.len() / 2 {
            // Folding at most doubles the length (`ß` → `ss`).
            return false;
        }
        if let Some(anchor) = &self.anchor
            && (anchor.rare.is_empty() || !any_position(&anchor.rare, bytes, |_| true))
        {
            return any_position(&anchor.primary, bytes, |i| {
                self.matches_around(text, i, anchor.at)
            });
        }
        bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| self.starts[usize::from(b)] && self.matches_at(text, i))
    }

    /// Whether the needle matches with its byte `at` inside the fold of the character at byte
    /// `i` of `text`.
    #[inline]
    fn matches_around(&self, text: &str, i: usize, at: usize) -> bool {
        let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
            return false;
        };
        let (Some(before), Some(after)) = (text.get(..i), text.get(i + c.len_utf8()..)) else {
            return false;
        };
        let folded = fold_char(c);
        let out = folded.as_bytes();
        let (left, right) = self.folded.split_at(at);
        (0..out.len()).any(|offset| {
            // `right` starts with the anchor byte; `out[offset]` must be it.
            let n = right.len().min(out.len() - offset);
            if right[..n] != out[offset..offset + n] {
                return false;
            }
            let m = left.len().min(offset);
            if left[left.len() - m..] != out[offset - m..offset] {
                return false;
            }
            (left.len() == m || ends_with_folded(before, &left[..left.len() - m]))
                && (right.len() == n || continues(FoldCursor::new(after), &right[n..]))
        })
    }

    /// Whether a CPF/CNPJ matches: as text, or as a document typed with or without its mask.
    pub(crate) fn matches_doc(&self, text: &str) -> bool {
        self.matches(text)
            || self
                .doc
                .as_deref()
                .is_some_and(|doc| doc_key(text).contains(doc))
    }

    /// Whether the needle's fold starts at byte `i` of `text` (a character boundary), or inside
    /// the fold of the character there.
    #[inline]
    fn matches_at(&self, text: &str, i: usize) -> bool {
        let bytes = text.as_bytes();
        let Some(&byte) = bytes.get(i) else {
            return false;
        };
        if byte < 0x80 {
            if fold_ascii(byte) != self.folded[0] {
                return false;
            }
            let Some(rest) = text.get(i + 1..) else {
                return false;
            };
            return continues(FoldCursor::new(rest), &self.folded[1..]);
        }
        let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
            return false;
        };
        let folded = fold_char(c);
        let out = folded.as_bytes();
        let Some(rest) = text.get(i + c.len_utf8()..) else {
            return false;
        };
        (0..out.len()).any(|offset| {
            // A match starts at a character of the fold: anywhere in an ASCII expansion.
            if offset > 0 && out[offset] >= 0x80 {
                return false;
            }
            let head = &out[offset..];
            let n = head.len().min(self.folded.len());
            head[..n] == self.folded[..n] && continues(FoldCursor::new(rest), &self.folded[n..])
        })
    }
}

/// For each ASCII byte, which leading bytes (`0xC0..=0xFF`) of non-ASCII characters have it
/// in their fold (`0xC3` for `a`, because of `á`).
fn ascii_sources() -> &'static [[bool; 64]; 128] {
    static SOURCES: OnceLock<Box<[[bool; 64]; 128]>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        let mut sources = Box::new([[false; 64]; 128]);
        for cp in 0x80..0x11_0000u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let folded = fold_char(c);
            let mut utf8 = [0u8; 4];
            let lead = c.encode_utf8(&mut utf8).as_bytes()[0];
            for &byte in folded.as_bytes() {
                if byte < 0x80 {
                    sources[usize::from(byte)][usize::from(lead - 0xC0)] = true;
                }
            }
        }
        sources
    })
}

/// Whether the fold of `text` ends with `expected`.
#[inline]
fn ends_with_folded(text: &str, expected: &[u8]) -> bool {
    let mut remaining = expected.len();
    for c in text.chars().rev() {
        let folded = fold_char(c);
        let out = folded.as_bytes();
        let n = out.len().min(remaining);
        if out[out.len() - n..] != expected[remaining - n..remaining] {
            return false;
        }
        remaining -= n;
        if remaining == 0 {
            return true;
        }
    }
    remaining == 0
}

/// Whether the folded bytes from `cursor` start with `expected`.
#[inline]
fn continues(mut cursor: FoldCursor<'_>, expected: &[u8]) -> bool {
    expected.iter().all(|&b| cursor.next_byte() == Some(b))
}

/// Per-thread memo of matches of shared strings (by address).
struct Memo {
    text: PtrMemo<bool>,
    doc: PtrMemo<bool>,
    codes: PtrMemo<bool>,
}

impl Memo {
    fn new() -> Self {
        Memo {
            text: PtrMemo::new(),
            doc: PtrMemo::new(),
            codes: PtrMemo::new(),
        }
    }
}

/// Whether one row matches.
fn row_matches(needle: &Needle, memo: &mut Memo, row: &Followup) -> bool {
    for column in SHARED_TEXT {
        if let Value::Text(text) = row.value(column)
            && memo.text.get_or_insert_with(text, || needle.matches(text))
        {
            return true;
        }
    }
    if let Some(doc) = row.cpf_cnpj().map(|s| s.as_str())
        && memo.doc.get_or_insert_with(doc, || needle.matches_doc(doc))
    {
        return true;
    }
    for column in CODES {
        if let Value::Code(_, label) = row.value(column)
            && memo
                .codes
                .get_or_insert_with(label, || needle.matches(label))
        {
            return true;
        }
    }
    row.interacao().is_some_and(|text| needle.matches(text))
}

/// The filter of a view: the quick filter AND every column filter, compiled.
pub(crate) struct ViewFilter {
    needle: Option<Needle>,
    columns: CompiledFilters,
}

/// Per-thread memos of [`ViewFilter::matches`].
pub(crate) struct ViewFilterMemo {
    quick: Memo,
    columns: FilterMemo,
}

impl ViewFilter {
    /// Compiles the quick-filter text and the column filters.
    pub(crate) fn new(quick: &str, columns: &ColumnFilters) -> ViewFilter {
        ViewFilter {
            needle: Needle::new(quick),
            columns: CompiledFilters::new(columns),
        }
    }

    /// Whether every row passes (a blank quick filter and no column filter).
    pub(crate) fn keeps_everything(&self) -> bool {
        self.needle.is_none() && self.columns.is_empty()
    }

    /// Fresh memos for one thread.
    pub(crate) fn memo(&self) -> ViewFilterMemo {
        ViewFilterMemo {
            quick: Memo::new(),
            columns: self.columns.memo(),
        }
    }

    /// Whether `row` passes the column filters (the cheap part, first) and the quick filter.
    #[inline]
    pub(crate) fn matches(&self, memo: &mut ViewFilterMemo, row: &Followup) -> bool {
        self.columns.matches(&mut memo.columns, row)
            && self
                .needle
                .as_ref()
                .is_none_or(|needle| row_matches(needle, &mut memo.quick, row))
    }
}

/// The indices (ascending) of the rows that match the quick filter `filter`: a case- and
/// accent-insensitive substring of a name, the CPF/CNPJ (typed with or without its mask), the
/// interaction text, the login of who rescheduled, or a code's label. A blank filter matches
/// every row. Leading and trailing spaces of the filter are ignored.
///
/// Returns [`Cancelled`] soon after `cancel` is set.
pub fn filter_indices(
    rows: &Rows,
    filter: &str,
    cancel: &AtomicBool,
) -> Result<Vec<u32>, Cancelled> {
    view_filter_indices(
        rows,
        &ViewFilter::new(filter, &ColumnFilters::new()),
        cancel,
    )
}

/// The indices (ascending) of the rows that pass `filter` (every row when it keeps
/// everything), on the machine's cores. Returns [`Cancelled`] soon after `cancel` is set.
pub(crate) fn view_filter_indices(
    rows: &Rows,
    filter: &ViewFilter,
    cancel: &AtomicBool,
) -> Result<Vec<u32>, Cancelled> {
    if filter.keeps_everything() {
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(Cancelled);
        }
        return Ok((0..rows.len() as u32).collect());
    }
    let parts = par_chunks(
        rows.len(),
        PAR_CHUNK,
        cancel,
        || filter.memo(),
        |memo, range| {
            let mut out = Vec::new();
            for idx in range {
                if rows.get(idx).is_some_and(|row| filter.matches(memo, row)) {
                    out.push(idx as u32);
                }
            }
            Some(out)
        },
    )
    .ok_or(Cancelled)?;
    Ok(parts.concat())
}

/// Like [`view_filter_indices`] restricted to the rows `from..rows.len()` (for appended rows),
/// on this thread.
pub(crate) fn view_filter_range(rows: &Rows, filter: &ViewFilter, from: usize) -> Vec<u32> {
    let mut memo = filter.memo();
    (from..rows.len())
        .filter(|&idx| {
            rows.get(idx)
                .is_some_and(|row| filter.matches(&mut memo, row))
        })
        .map(|idx| idx as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(filter: &str, text: &str) -> bool {
        Needle::new(filter).is_some_and(|n| n.matches(text))
    }

    #[test]
    fn needle_matches_folded_substrings() {
        assert!(m("joao", "Falei com João hoje"));
        assert!(m("JOÃO", "falei com joao"));
        assert!(m("ção", "NEGOCIAÇÃO"));
        assert!(m("negociacao", "Negociação"));
        assert!(m("a", "Á"));
        assert!(m("sa", "Straßa"));
        assert!(!m("sa", "Straße ab"));
        assert!(m("ssa", "Straßa"));
        assert!(m("jose", "Jose\u{301} Silva"));
        assert!(m("👍", "ok 👍"));
        assert!(m("pagar boleto", "pagar\nboleto"));
        assert!(!m("joao", "Joana"));
        assert!(!m("xyz", ""));
        assert!(Needle::new("   ").is_none());
    }

    #[test]
    fn documents_match_with_or_without_mask() {
        let needle = |s: &str| {
            Needle::new(s).map(|n| {
                (
                    n.matches_doc("529.982.247-25"),
                    n.matches_doc("52998224725"),
                )
            })
        };
        assert_eq!(needle("529.982"), Some((true, true)));
        assert_eq!(needle("529982"), Some((true, true)));
        assert_eq!(needle("247-25"), Some((true, true)));
        assert_eq!(needle("111"), Some((false, false)));
    }
}
