//! CPF and CNPJ: normalising what users type or paste, check digits, and the display mask.
//!
//! CNPJ includes the alphanumeric form in force since July 2026 (IN RFB 2.229/2024): twelve
//! characters `0-9A-Z` followed by two numeric check digits, where each character's value is
//! its ASCII code minus 48. Numeric CNPJs are the special case with digits only.
//!
//! A wrong length or a foreign character is an error (the query cannot be sent); a wrong check
//! digit is only a warning, because legacy records with bad documents exist and must stay
//! reachable.

use std::fmt;

/// Which kind of document a [`CpfCnpj`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// Individual taxpayer number: 11 digits.
    Cpf,
    /// Company number: 14 characters, numeric or alphanumeric.
    Cnpj,
}

impl DocKind {
    /// `"CPF"` or `"CNPJ"`.
    pub fn name(self) -> &'static str {
        match self {
            DocKind::Cpf => "CPF",
            DocKind::Cnpj => "CNPJ",
        }
    }
}

/// Why a typed document cannot be used at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocIdError {
    /// Nothing typed.
    #[error("Informe o CPF ou CNPJ do devedor.")]
    Empty,
    /// A character that is neither a digit, a letter (CNPJ) nor a mask symbol.
    #[error(
        "Caractere inválido «{found}» na posição {position}: use apenas números, letras (CNPJ alfanumérico) e os símbolos . - /"
    )]
    ForeignChar {
        /// The offending character.
        found: char,
        /// Its 1-based position in what was typed.
        position: usize,
    },
    /// Neither 11 (CPF) nor 14 (CNPJ) characters once the mask is removed.
    #[error("CPF/CNPJ com {len} caracteres: o CPF tem 11 dígitos e o CNPJ tem 14 caracteres.")]
    WrongLength {
        /// Characters left after removing the mask.
        len: usize,
    },
    /// A CPF can only have digits.
    #[error("CPF com letra: o CPF tem apenas números (só o CNPJ pode ter letras).")]
    LetterInCpf,
    /// The two check digits of a CNPJ are always numbers.
    #[error("Os dois últimos caracteres do CNPJ (dígitos verificadores) devem ser números.")]
    LetterInCheckDigits,
}

/// A CPF or CNPJ, normalised: digits and upper-case letters only.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CpfCnpj {
    normalized: String,
    kind: DocKind,
    check_digits_ok: bool,
}

impl fmt::Debug for CpfCnpj {
    // Personal data: the debug form does not print the number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CpfCnpj")
            .field("kind", &self.kind)
            .field("check_digits_ok", &self.check_digits_ok)
            .finish_non_exhaustive()
    }
}

impl CpfCnpj {
    /// Reads a document as typed or pasted: `529.982.247-25`, `52998224725`,
    /// ` 11.222.333/0001-81 `, `12.abc.345/01de-35`.
    ///
    /// Check digits are verified but a mismatch is not an error: see [`Self::check_digit_warning`].
    pub fn parse(input: &str) -> Result<CpfCnpj, DocIdError> {
        let mut normalized = String::with_capacity(14);
        for (index, ch) in input.chars().enumerate() {
            match ch {
                '.' | '-' | '/' => {}
                c if c.is_whitespace() => {}
                c if c.is_ascii_digit() => normalized.push(c),
                c if c.is_ascii_alphabetic() => normalized.push(c.to_ascii_uppercase()),
                found => {
                    return Err(DocIdError::ForeignChar {
                        found,
                        position: index + 1,
                    });
                }
            }
        }
        let kind = match normalized.len() {
            0 => return Err(DocIdError::Empty),
            11 => DocKind::Cpf,
            14 => DocKind::Cnpj,
            len => return Err(DocIdError::WrongLength { len }),
        };
        let bytes = normalized.as_bytes();
        let check_digits_ok = match kind {
            DocKind::Cpf => {
                if !bytes.iter().all(u8::is_ascii_digit) {
                    return Err(DocIdError::LetterInCpf);
                }
                cpf_check_digits_ok(bytes)
            }
            DocKind::Cnpj => {
                if !bytes[12..].iter().all(u8::is_ascii_digit) {
                    return Err(DocIdError::LetterInCheckDigits);
                }
                cnpj_check_digits_ok(bytes)
            }
        };
        Ok(CpfCnpj {
            normalized,
            kind,
            check_digits_ok,
        })
    }

    /// CPF or CNPJ.
    pub fn kind(&self) -> DocKind {
        self.kind
    }

    /// Digits and upper-case letters only, as sent to the API: `52998224725`.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Whether the check digits match (and, for CPF, it is not a repeated sequence).
    pub fn check_digits_ok(&self) -> bool {
        self.check_digits_ok
    }

    /// A warning to show when the check digits do not match; the user may still search.
    pub fn check_digit_warning(&self) -> Option<String> {
        (!self.check_digits_ok).then(|| {
            format!(
                "Dígito verificador não confere: confira o {}. Você pode buscar mesmo assim (registros antigos podem ter documentos inválidos).",
                self.kind.name()
            )
        })
    }

    /// The document with its mask: `529.982.247-25`, `12.ABC.345/01DE-35`.
    pub fn formatted(&self) -> String {
        let s = &self.normalized;
        match self.kind {
            DocKind::Cpf => format!("{}.{}.{}-{}", &s[0..3], &s[3..6], &s[6..9], &s[9..11]),
            DocKind::Cnpj => format!(
                "{}.{}.{}/{}-{}",
                &s[0..2],
                &s[2..5],
                &s[5..8],
                &s[8..12],
                &s[12..14]
            ),
        }
    }
}

/// Formats a document that came from the server: the mask when it parses, else as received.
pub fn format_lenient(raw: &str) -> String {
    match Masked::of(raw) {
        Some(masked) => masked.as_str().to_owned(),
        None => raw.to_owned(),
    }
}

/// A document with its mask, on the stack: what [`CpfCnpj::formatted`] gives for a document
/// that [`CpfCnpj::parse`] reads, without the parse's allocation and check digits (exports
/// format one per row).
#[derive(Clone, Copy)]
pub struct Masked {
    bytes: [u8; 18],
    len: u8,
}

impl Masked {
    /// The masked form of `raw`, or `None` when [`CpfCnpj::parse`] would refuse it.
    pub fn of(raw: &str) -> Option<Masked> {
        // The characters that count, as the parse normalises them; a fifteenth is already a
        // wrong length.
        let mut chars = [0u8; 14];
        let mut count = 0;
        for ch in raw.chars() {
            match ch {
                '.' | '-' | '/' => {}
                c if c.is_whitespace() => {}
                c if c.is_ascii_alphanumeric() => {
                    *chars.get_mut(count)? = c.to_ascii_uppercase() as u8;
                    count += 1;
                }
                _ => return None,
            }
        }
        let (groups, seps): (&[usize], &[u8]) = match count {
            11 if chars[..11].iter().all(u8::is_ascii_digit) => (&[3, 3, 3, 2], b"..-"),
            14 if chars[12..].iter().all(u8::is_ascii_digit) => (&[2, 3, 3, 4, 2], b"../-"),
            _ => return None,
        };
        let mut masked = Masked {
            bytes: [0; 18],
            len: 0,
        };
        let mut from = 0;
        let mut at = 0;
        for (index, &group) in groups.iter().enumerate() {
            if let Some(&sep) = index.checked_sub(1).and_then(|i| seps.get(i)) {
                masked.bytes[at] = sep;
                at += 1;
            }
            masked.bytes[at..at + group].copy_from_slice(&chars[from..from + group]);
            at += group;
            from += group;
        }
        masked.len = at as u8;
        Some(masked)
    }

    /// `529.982.247-25`, `12.ABC.345/01DE-35`.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, upper-case letters and the mask's symbols are ever written.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Debug for Masked {
    // Personal data: the debug form does not print the number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Masked").finish_non_exhaustive()
    }
}

/// [`format_lenient`], borrowing `raw` when it is already masked (or has no mask to take):
/// for code that reads many documents (the summary's debtors).
pub fn format_lenient_cow(raw: &str) -> std::borrow::Cow<'_, str> {
    match Masked::of(raw) {
        Some(masked) if masked.as_str() != raw => {
            std::borrow::Cow::Owned(masked.as_str().to_owned())
        }
        _ => std::borrow::Cow::Borrowed(raw),
    }
}

fn check_digit(values: impl Iterator<Item = u32>, weights: &[u32]) -> u32 {
    let sum: u32 = values.zip(weights).map(|(v, w)| v * w).sum();
    let r = sum % 11;
    if r < 2 { 0 } else { 11 - r }
}

fn cpf_check_digits_ok(bytes: &[u8]) -> bool {
    if bytes.iter().all(|&b| b == bytes[0]) {
        return false;
    }
    let digits: Vec<u32> = bytes.iter().map(|&b| u32::from(b - b'0')).collect();
    let dv1 = check_digit(digits[..9].iter().copied(), &[10, 9, 8, 7, 6, 5, 4, 3, 2]);
    let dv2 = check_digit(
        digits[..10].iter().copied(),
        &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2],
    );
    digits[9] == dv1 && digits[10] == dv2
}

const CNPJ_WEIGHTS_1: [u32; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_WEIGHTS_2: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

fn cnpj_check_digits_ok(bytes: &[u8]) -> bool {
    if bytes.iter().all(|&b| b == bytes[0]) {
        return false;
    }
    // Character value = ASCII code − 48, for digits and letters alike.
    let values: Vec<u32> = bytes.iter().map(|&b| u32::from(b) - 48).collect();
    let dv1 = check_digit(values[..12].iter().copied(), &CNPJ_WEIGHTS_1);
    let dv2 = check_digit(values[..13].iter().copied(), &CNPJ_WEIGHTS_2);
    values[12] == dv1 && values[13] == dv2
}

/// Completes a base with the right check digits: 9 digits → CPF, 12 characters → CNPJ.
///
/// Used by the simulator and tests to make valid documents. Returns `None` for other lengths
/// or characters outside `0-9A-Z`.
pub fn with_check_digits(base: &str) -> Option<String> {
    let bytes = base.as_bytes();
    let ok_chars = |allow_letters: bool| {
        bytes
            .iter()
            .all(|b| b.is_ascii_digit() || (allow_letters && b.is_ascii_uppercase()))
    };
    match bytes.len() {
        9 if ok_chars(false) => {
            let digits: Vec<u32> = bytes.iter().map(|&b| u32::from(b - b'0')).collect();
            let dv1 = check_digit(digits.iter().copied(), &[10, 9, 8, 7, 6, 5, 4, 3, 2]);
            let dv2 = check_digit(
                digits.iter().copied().chain([dv1]),
                &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2],
            );
            Some(format!("{base}{dv1}{dv2}"))
        }
        12 if ok_chars(true) => {
            let values: Vec<u32> = bytes.iter().map(|&b| u32::from(b) - 48).collect();
            let dv1 = check_digit(values.iter().copied(), &CNPJ_WEIGHTS_1);
            let dv2 = check_digit(values.iter().copied().chain([dv1]), &CNPJ_WEIGHTS_2);
            Some(format!("{base}{dv1}{dv2}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_borrowing_format_agrees_with_the_lenient_one() {
        for raw in [
            "52998224725",
            "529.982.247-25",
            "529.982.247-26",
            "11222333000181",
            "11.222.333/0001-81",
            "12.ABC.345/01DE-35",
            "12.abc.345/01de-35",
            "12ABC34501DE35",
            "529 982 247 25",
            "5299822472",
            "529.982.247.25",
            "abc",
            "",
            "１２３",
        ] {
            let cow = super::format_lenient_cow(raw);
            assert_eq!(cow, super::format_lenient(raw), "{raw:?}");
            assert_eq!(
                matches!(cow, std::borrow::Cow::Borrowed(_)),
                cow == raw,
                "{raw:?} borrowed exactly when unchanged"
            );
        }
    }

    use super::*;

    #[test]
    fn check_digit_vectors() {
        // (input, kind, check digits ok, formatted)
        let cases = [
            ("529.982.247-25", DocKind::Cpf, true, "529.982.247-25"),
            ("52998224725", DocKind::Cpf, true, "529.982.247-25"),
            ("529.982.247-24", DocKind::Cpf, false, "529.982.247-24"),
            ("111.111.111-11", DocKind::Cpf, false, "111.111.111-11"),
            ("000.000.000-00", DocKind::Cpf, false, "000.000.000-00"),
            (
                " 11.222.333/0001-81 ",
                DocKind::Cnpj,
                true,
                "11.222.333/0001-81",
            ),
            ("11222333000181", DocKind::Cnpj, true, "11.222.333/0001-81"),
            (
                "11.222.333/0001-82",
                DocKind::Cnpj,
                false,
                "11.222.333/0001-82",
            ),
            (
                "12.ABC.345/01DE-35",
                DocKind::Cnpj,
                true,
                "12.ABC.345/01DE-35",
            ),
            (
                "12.abc.345/01de-35",
                DocKind::Cnpj,
                true,
                "12.ABC.345/01DE-35",
            ),
            ("12ABC34501DE36", DocKind::Cnpj, false, "12.ABC.345/01DE-36"),
            (
                "00.000.000/0000-00",
                DocKind::Cnpj,
                false,
                "00.000.000/0000-00",
            ),
        ];
        for (input, kind, ok, formatted) in cases {
            let doc = CpfCnpj::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(doc.kind(), kind, "{input}");
            assert_eq!(doc.check_digits_ok(), ok, "{input}");
            assert_eq!(doc.check_digit_warning().is_some(), !ok, "{input}");
            assert_eq!(doc.formatted(), formatted, "{input}");
        }
    }

    #[test]
    fn blocking_errors() {
        let cases = [
            ("", DocIdError::Empty),
            ("  .-/ ", DocIdError::Empty),
            ("5299822472", DocIdError::WrongLength { len: 10 }),
            ("529982247251", DocIdError::WrongLength { len: 12 }),
            (
                "529.982.247_25",
                DocIdError::ForeignChar {
                    found: '_',
                    position: 12,
                },
            ),
            (
                "5299822472É",
                DocIdError::ForeignChar {
                    found: 'É',
                    position: 11,
                },
            ),
            ("5299822A725", DocIdError::LetterInCpf),
            ("12ABC34501DE3A", DocIdError::LetterInCheckDigits),
        ];
        for (input, expected) in cases {
            assert_eq!(CpfCnpj::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn generated_check_digits_validate() {
        assert_eq!(
            with_check_digits("529982247").as_deref(),
            Some("52998224725")
        );
        assert_eq!(
            with_check_digits("112223330001").as_deref(),
            Some("11222333000181")
        );
        assert_eq!(
            with_check_digits("12ABC34501DE").as_deref(),
            Some("12ABC34501DE35")
        );
        assert_eq!(with_check_digits("12abc34501de"), None);
        assert_eq!(with_check_digits("1234"), None);
    }

    #[test]
    fn debug_hides_the_number() {
        let doc = CpfCnpj::parse("529.982.247-25").unwrap();
        assert!(!format!("{doc:?}").contains("529"));
    }

    proptest::proptest! {
        #[test]
        fn the_stack_mask_is_the_parse_then_format(raw in "[0-9A-Za-z./ \\-\t\u{a0}é=]{0,22}|[0-9]{11}|[0-9A-Z]{12}[0-9]{2}|[0-9]{3}\\.[0-9]{3}\\.[0-9]{3}-[0-9]{2}") {
            let expected = CpfCnpj::parse(&raw).map_or_else(|_| raw.clone(), |doc| doc.formatted());
            proptest::prop_assert_eq!(format_lenient(&raw), expected.clone());
            let cow = format_lenient_cow(&raw);
            proptest::prop_assert_eq!(matches!(cow, std::borrow::Cow::Borrowed(_)), expected == raw);
            proptest::prop_assert_eq!(cow, expected);
        }

        #[test]
        fn formatting_then_parsing_round_trips(base in "[0-9]{9}|[0-9A-Z]{12}", lower in proptest::bool::ANY) {
            let full = with_check_digits(&base).unwrap();
            let doc = CpfCnpj::parse(&full).unwrap();
            proptest::prop_assert!(doc.check_digits_ok() || full.bytes().all(|b| b == full.as_bytes()[0]));
            let typed = if lower { doc.formatted().to_lowercase() } else { doc.formatted() };
            let again = CpfCnpj::parse(&typed).unwrap();
            proptest::prop_assert_eq!(again.normalized(), full.as_str());
            proptest::prop_assert_eq!(again.formatted(), doc.formatted());
        }
    }
}
