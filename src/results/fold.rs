//! Folding of text for sorting and matching: lower case, accents removed.
//!
//! Latin letters with diacritics (Latin-1 Supplement and Latin Extended-A: `á à â ã ä é ê è í ì
//! ó ô õ ò ú ü ù ç ñ` and their upper-case forms, among others) fold to their base ASCII letter
//! in lower case; a few ligatures expand (`ß` → `ss`, `æ` → `ae`). Combining diacritical marks
//! (text typed in decomposed form, `e` + `U+0301`) fold to nothing. Tabs, line breaks and the
//! no-break space fold to a plain space. Other characters fold to their lower case when it is a
//! single character and pass through unchanged otherwise (emoji, CJK, symbols).
//!
//! Folded text is compared byte-wise, which for UTF-8 is code point order.

/// First code point of the table of Latin letters.
const TABLE_START: u32 = 0xA0;
/// One past the last code point of the table of Latin letters.
const TABLE_END: u32 = 0x180;

/// Folds of `U+00A0..U+0180`: up to two ASCII bytes, `[0, 0]` when the character is not mapped.
static LATIN: [[u8; 2]; (TABLE_END - TABLE_START) as usize] = build_latin();

/// Folds of ASCII bytes: lower case, tabs and line breaks as spaces.
static ASCII: [u8; 128] = build_ascii();

const fn build_ascii() -> [u8; 128] {
    let mut table = [0u8; 128];
    let mut byte = 0;
    while byte < 128 {
        table[byte] = match byte as u8 {
            b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => b' ',
            b @ b'A'..=b'Z' => b + 32,
            b => b,
        };
        byte += 1;
    }
    table
}

const fn build_latin() -> [[u8; 2]; (TABLE_END - TABLE_START) as usize] {
    let mut table = [[0u8; 2]; (TABLE_END - TABLE_START) as usize];
    let mut cp = TABLE_START;
    while cp < TABLE_END {
        table[(cp - TABLE_START) as usize] = latin_base(cp);
        cp += 1;
    }
    table
}

/// The ASCII fold of one Latin code point, `[0, 0]` if it has none.
const fn latin_base(cp: u32) -> [u8; 2] {
    match cp {
        0xA0 => [b' ', 0],
        0xAA => [b'a', 0],
        0xBA => [b'o', 0],
        0xC0..=0xC5 | 0xE0..=0xE5 | 0x100..=0x105 => [b'a', 0],
        0xC6 | 0xE6 => *b"ae",
        0xC7 | 0xE7 | 0x106..=0x10D => [b'c', 0],
        0xC8..=0xCB | 0xE8..=0xEB | 0x112..=0x11B => [b'e', 0],
        0xCC..=0xCF | 0xEC..=0xEF | 0x128..=0x131 => [b'i', 0],
        0xD0 | 0xF0 | 0x10E..=0x111 => [b'd', 0],
        0xD1 | 0xF1 | 0x143..=0x14B => [b'n', 0],
        0xD2..=0xD6 | 0xD8 | 0xF2..=0xF6 | 0xF8 | 0x14C..=0x151 => [b'o', 0],
        0xD9..=0xDC | 0xF9..=0xFC | 0x168..=0x173 => [b'u', 0],
        0xDD | 0xFD | 0xFF | 0x176..=0x178 => [b'y', 0],
        0xDE | 0xFE => *b"th",
        0xDF => *b"ss",
        0x11C..=0x123 => [b'g', 0],
        0x124..=0x127 => [b'h', 0],
        0x132 | 0x133 => *b"ij",
        0x134 | 0x135 => [b'j', 0],
        0x136..=0x138 => [b'k', 0],
        0x139..=0x142 => [b'l', 0],
        0x152 | 0x153 => *b"oe",
        0x154..=0x159 => [b'r', 0],
        0x15A..=0x161 | 0x17F => [b's', 0],
        0x162..=0x167 => [b't', 0],
        0x174 | 0x175 => [b'w', 0],
        0x179..=0x17E => [b'z', 0],
        _ => [0, 0],
    }
}

/// The fold of one character: up to four bytes of UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FoldedChar {
    /// The bytes; only the first `len` are meaningful.
    pub(crate) bytes: [u8; 4],
    /// How many bytes the fold has (0 for a combining mark).
    pub(crate) len: u8,
}

impl FoldedChar {
    /// The folded bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Folds an ASCII byte (lower case; tabs and line breaks become spaces).
#[inline]
pub(crate) fn fold_ascii(byte: u8) -> u8 {
    if byte < 0x80 {
        ASCII[usize::from(byte)]
    } else {
        byte
    }
}

/// Folds one character.
#[inline]
pub(crate) fn fold_char(c: char) -> FoldedChar {
    let cp = u32::from(c);
    if cp < 0x80 {
        return FoldedChar {
            bytes: [ASCII[cp as usize], 0, 0, 0],
            len: 1,
        };
    }
    if (TABLE_START..TABLE_END).contains(&cp) {
        let [a, b] = LATIN[(cp - TABLE_START) as usize];
        if a != 0 {
            return FoldedChar {
                bytes: [a, b, 0, 0],
                len: if b == 0 { 1 } else { 2 },
            };
        }
    }
    if (0x300..0x370).contains(&cp) {
        // Combining diacritical marks: the accent of a decomposed letter.
        return FoldedChar {
            bytes: [0; 4],
            len: 0,
        };
    }
    let mut lower = c.to_lowercase();
    let folded = match (lower.next(), lower.next()) {
        (Some(single), None) => single,
        _ => c,
    };
    let lower_cp = u32::from(folded);
    if lower_cp < 0x80 {
        // For example the Kelvin sign, whose lower case is `k`.
        return FoldedChar {
            bytes: [lower_cp as u8, 0, 0, 0],
            len: 1,
        };
    }
    if (TABLE_START..TABLE_END).contains(&lower_cp) {
        let [a, b] = LATIN[(lower_cp - TABLE_START) as usize];
        if a != 0 {
            return FoldedChar {
                bytes: [a, b, 0, 0],
                len: if b == 0 { 1 } else { 2 },
            };
        }
    }
    let mut bytes = [0u8; 4];
    let len = folded.encode_utf8(&mut bytes).len() as u8;
    FoldedChar { bytes, len }
}

/// Appends the fold of `text` to `out`.
pub fn fold_into(text: &str, out: &mut String) {
    out.reserve(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            // ASCII folds to one ASCII byte.
            out.push(char::from(ASCII[c as usize]));
            continue;
        }
        let folded = fold_char(c);
        // Folds are whole characters (ASCII or one char's UTF-8), so this never fails.
        if let Ok(s) = std::str::from_utf8(folded.as_bytes()) {
            out.push_str(s);
        }
    }
}

/// The fold of `text`: lower case, accents removed (`"Álvaro"` → `"alvaro"`).
///
/// Compare folded strings to order text the way people expect: `"élio"` and `"Elio"` are
/// equal, `"Álvaro"` sorts with the A's, before `"Zé"`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// A reader of the folded bytes of a string, resumable from a compact state.
///
/// The state packs the byte position of the next character to read (30 bits) and how many bytes
/// of that character's fold were already given out (2 bits), so sorts can keep it in a `u32`.
pub(crate) struct FoldCursor<'a> {
    text: &'a str,
    /// Byte position of the next character to fold.
    pos: usize,
    /// The fold of the character before `pos`, when not all of it was given out.
    pending: FoldedChar,
    /// How many bytes of `pending` were given out.
    pending_at: u8,
}

/// Strings longer than this are folded only up to here by [`FoldCursor`] states.
pub(crate) const CURSOR_MAX_POS: usize = (1 << 30) - 1;

impl<'a> FoldCursor<'a> {
    /// A cursor at the start of `text`.
    #[inline]
    pub(crate) fn new(text: &'a str) -> Self {
        FoldCursor {
            text,
            pos: 0,
            pending: FoldedChar {
                bytes: [0; 4],
                len: 0,
            },
            pending_at: 0,
        }
    }

    /// A cursor resumed from [`Self::state`].
    pub(crate) fn resume(text: &'a str, state: u32) -> Self {
        let start = (state & CURSOR_MAX_POS as u32) as usize;
        let skip = (state >> 30) as u8;
        let mut cursor = FoldCursor::new(text);
        if start > text.len() || !text.is_char_boundary(start) {
            cursor.pos = text.len();
            return cursor;
        }
        cursor.pos = start;
        if skip > 0
            && let Some(c) = text[start..].chars().next()
        {
            cursor.pending = fold_char(c);
            cursor.pending_at = skip.min(cursor.pending.len);
            cursor.pos = start + c.len_utf8();
        }
        cursor
    }

    /// The compact state to resume from later (see [`Self::resume`]).
    pub(crate) fn state(&self) -> u32 {
        if self.pending_at < self.pending.len {
            let width = self
                .text
                .get(..self.pos)
                .and_then(|before| before.chars().next_back())
                .map_or(0, char::len_utf8);
            let start = (self.pos - width).min(CURSOR_MAX_POS);
            start as u32 | (u32::from(self.pending_at) << 30)
        } else {
            self.pos.min(CURSOR_MAX_POS) as u32
        }
    }

    /// The next folded byte.
    #[inline]
    pub(crate) fn next_byte(&mut self) -> Option<u8> {
        if self.pending_at < self.pending.len {
            let byte = self.pending.bytes[usize::from(self.pending_at)];
            self.pending_at += 1;
            return Some(byte);
        }
        loop {
            let byte = *self.text.as_bytes().get(self.pos)?;
            if byte < 0x80 {
                self.pos += 1;
                return Some(ASCII[usize::from(byte)]);
            }
            let c = self.text.get(self.pos..)?.chars().next()?;
            self.pos += c.len_utf8();
            let folded = fold_char(c);
            if folded.len > 0 {
                self.pending = folded;
                self.pending_at = 1;
                return Some(folded.bytes[0]);
            }
        }
    }
}

/// The next (up to) seven folded bytes from `cursor` packed for sorting: the bytes big-endian in
/// the top 56 bits, their count in the low 8 bits. Comparing keys compares the folded text; a
/// count of 7 means the text may go on.
#[inline]
pub(crate) fn next_chunk_key(cursor: &mut FoldCursor<'_>) -> u64 {
    let mut key = 0u64;
    let mut count = 0u64;
    while count < 7 {
        let Some(byte) = cursor.next_byte() else {
            break;
        };
        key |= u64::from(byte) << (56 - 8 * count);
        count += 1;
    }
    key | count
}

/// The key of CPF/CNPJ text: its fold without mask characters (`.`, `-`, `/`, spaces).
pub(crate) fn doc_key(text: &str) -> String {
    let mut key = fold(text);
    key.retain(|c| !matches!(c, '.' | '-' | '/' | ' '));
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_portuguese_letters() {
        assert_eq!(fold("Álvaro"), "alvaro");
        assert_eq!(fold("ÉLIO élio"), "elio elio");
        assert_eq!(
            fold("áàâãä éêè íì óôõò úüù ç ñ ÁÀÂÃÄ ÉÊÈ ÍÌ ÓÔÕÒ ÚÜÙ Ç Ñ"),
            "aaaaa eee ii oooo uuu c n aaaaa eee ii oooo uuu c n"
        );
        assert_eq!(fold("Straße Æther"), "strasse aether");
        assert_eq!(fold("Jose\u{301}"), "jose");
        assert_eq!(fold("linha\num\ttab"), "linha um tab");
        assert_eq!(fold("ok 👍 ΣΑ"), "ok 👍 σα");
    }

    #[test]
    fn cursor_matches_fold_and_resumes() {
        let text = "ÁÉ ßtraße Ω👍 José\u{301}!";
        let folded = fold(text);
        let mut cursor = FoldCursor::new(text);
        let mut out = Vec::new();
        while let Some(b) = cursor.next_byte() {
            out.push(b);
        }
        assert_eq!(out, folded.as_bytes());
        // Resume after every possible prefix.
        for n in 0..folded.len() {
            let mut cursor = FoldCursor::new(text);
            for _ in 0..n {
                cursor.next_byte();
            }
            let mut resumed = FoldCursor::resume(text, cursor.state());
            let mut rest = Vec::new();
            while let Some(b) = resumed.next_byte() {
                rest.push(b);
            }
            assert_eq!(rest, &folded.as_bytes()[n..], "after {n} bytes");
        }
    }

    #[test]
    fn chunk_keys_compare_like_folded_text() {
        let key = |s: &str| next_chunk_key(&mut FoldCursor::new(s));
        assert!(key("ab") < key("abc"));
        assert!(key("Álvaro") < key("Zé"));
        assert_eq!(key("élio"), key("Elio"));
        assert_eq!(key("abcdefgh") & 0xFF, 7);
    }
}
