//! The vendor's request rules, free of any HTTP machinery: Basic-auth check, query-parameter
//! validation as the ASP.NET server does it, and the choice of a content coding.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::dataset::SimFilter;

/// Whether the `Authorization` header is Basic with the token as username and an empty
/// password.
pub(crate) fn authorized(header: Option<&str>, token: &str) -> bool {
    let Some(header) = header else {
        return false;
    };
    let mut parts = header.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or("");
    let Some(credentials) = parts.next() else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Some(decoded) = base64_decode(credentials.trim()) else {
        return false;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return false;
    };
    match decoded.split_once(':') {
        Some((user, password)) => !token.is_empty() && user == token && password.is_empty(),
        None => false,
    }
}

/// Decodes standard base64 (padding optional).
fn base64_decode(input: &str) -> Option<Vec<u8>> {
    fn value(byte: u8) -> Option<u32> {
        match byte {
            b'A'..=b'Z' => Some(u32::from(byte - b'A')),
            b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let trimmed = input.trim_end_matches('=');
    if input.len() - trimmed.len() > 2 || trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    for group in trimmed.as_bytes().chunks(4) {
        let mut acc = 0_u32;
        for &byte in group {
            acc = (acc << 6) | value(byte)?;
        }
        acc <<= 6 * (4 - group.len() as u32);
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..group.len()]);
    }
    Some(out)
}

/// Parses the seven query parameters as the ASP.NET server would, or lists every problem
/// (in Portuguese, each naming its parameter). Names match case-insensitively; the first
/// occurrence wins; unknown parameters are ignored.
pub(crate) fn parse_params(query: &str) -> Result<SimFilter, Vec<String>> {
    let mut values: HashMap<String, String> = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        values
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| value.into_owned());
    }
    let get = |name: &str| values.get(name).map(String::as_str).unwrap_or("");
    let mut problems = Vec::new();

    let mut int = |name: &str, required: bool| -> Option<i64> {
        let raw = get(name).trim();
        if raw.is_empty() {
            if required {
                problems.push(format!("O parâmetro '{name}' é obrigatório."));
            }
            return None;
        }
        match parse_dotnet_int(raw) {
            Some(value) => Some(value),
            None => {
                problems.push(format!(
                    "O parâmetro '{name}' aceita apenas valores inteiros; '{raw}' não é válido."
                ));
                None
            }
        }
    };
    let id_credor = int("id_credor", true);
    let id_consultor = int("id_consultor", false);
    let id_evento = int("id_evento", false);

    let cpf_cnpj = get("cpf_cnpj_formatado").to_owned();
    if cpf_cnpj.trim().is_empty() {
        problems.push("O parâmetro 'cpf_cnpj_formatado' é obrigatório.".to_owned());
    } else if cpf_cnpj.chars().count() > 18 {
        problems
            .push("O parâmetro 'cpf_cnpj_formatado' aceita no máximo 18 caracteres.".to_owned());
    }

    let reagendar = match get("reagendar") {
        "" => None,
        "S" => Some('S'),
        "N" => Some('N'),
        other if other.chars().count() > 1 => {
            problems.push("O parâmetro 'reagendar' aceita no máximo um caractere.".to_owned());
            None
        }
        _ => {
            problems.push(
                "O parâmetro 'reagendar' deve ser S (maiúsculo), N (maiúsculo) ou vazio."
                    .to_owned(),
            );
            None
        }
    };

    let mut date = |name: &str| -> Option<NaiveDate> {
        let raw = get(name);
        if raw.is_empty() {
            return None;
        }
        let parsed = parse_iso_date(raw);
        if parsed.is_none() {
            problems.push(format!(
                "O parâmetro '{name}' deve estar no formato aaaa-mm-dd; '{raw}' não é válido."
            ));
        }
        parsed
    };
    let datagte = date("datagte");
    let datalte = date("datalte");

    match id_credor {
        Some(id_credor) if problems.is_empty() => Ok(SimFilter {
            id_credor,
            cpf_cnpj,
            id_consultor,
            id_evento,
            reagendar,
            datagte,
            datalte,
        }),
        _ => Err(problems),
    }
}

/// An `Int32` as .NET parses it: optional sign, digits, within range.
fn parse_dotnet_int(raw: &str) -> Option<i64> {
    let digits = raw.strip_prefix(['+', '-']).unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse::<i32>().ok().map(i64::from)
}

/// Exactly `aaaa-mm-dd`, and a real date.
fn parse_iso_date(raw: &str) -> Option<NaiveDate> {
    let bytes = raw.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()
}

/// A content coding the client accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coding {
    /// No compression.
    Identity,
    /// `gzip`.
    Gzip,
    /// `br`.
    Brotli,
}

impl Coding {
    /// Picks a coding from `Accept-Encoding`: `br` preferred, then `gzip`, else none.
    pub fn negotiate(accept_encoding: Option<&str>) -> Coding {
        let Some(header) = accept_encoding else {
            return Coding::Identity;
        };
        let mut br = None;
        let mut gzip = None;
        let mut any = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let accepted = quality > 0.0;
            match name.as_str() {
                "br" => br = Some(accepted),
                "gzip" | "x-gzip" => gzip = Some(accepted),
                "*" => any = Some(accepted),
                _ => {}
            }
        }
        let any = any.unwrap_or(false);
        if br.unwrap_or(any) {
            Coding::Brotli
        } else if gzip.unwrap_or(any) {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }

    /// The `Content-Encoding` value, if any.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some("gzip"),
            Coding::Brotli => Some("br"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_basic_auth() {
        assert_eq!(base64_decode("ZGVtby10b2tlbjo=").unwrap(), b"demo-token:");
        assert_eq!(base64_decode("ZGVtby10b2tlbjo").unwrap(), b"demo-token:");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert!(base64_decode("Y").is_none());
        assert!(base64_decode("@@@@").is_none());
        assert!(authorized(Some("Basic ZGVtby10b2tlbjo="), "demo-token"));
        assert!(authorized(Some("basic  ZGVtby10b2tlbjo="), "demo-token"));
        assert!(!authorized(Some("Bearer ZGVtby10b2tlbjo="), "demo-token"));
        assert!(!authorized(Some("Basic ZGVtby10b2tlbjp4"), "demo-token")); // password "x"
        assert!(!authorized(None, "demo-token"));
        assert!(!authorized(Some("Basic Og=="), ""));
    }

    #[test]
    fn params_follow_the_contract() {
        let ok = parse_params(
            "id_credor=12&cpf_cnpj_formatado=529.982.247-25&id_consultor=0&id_evento=&reagendar=S&datagte=2023-09-01&datalte=2023-09-30&extra=1",
        )
        .unwrap();
        assert_eq!(ok.id_credor, 12);
        assert_eq!(ok.cpf_cnpj, "529.982.247-25");
        assert_eq!((ok.id_consultor, ok.id_evento), (Some(0), None));
        assert_eq!(ok.reagendar, Some('S'));
        assert_eq!(ok.datagte, NaiveDate::from_ymd_opt(2023, 9, 1));
        let bad = |q: &str, fragment: &str| {
            let problems = parse_params(q).unwrap_err();
            assert!(
                problems.iter().any(|p| p.contains(fragment)),
                "{q}: {problems:?}"
            );
        };
        bad("cpf_cnpj_formatado=1", "'id_credor' é obrigatório");
        bad(
            "id_credor=&cpf_cnpj_formatado=1",
            "'id_credor' é obrigatório",
        );
        bad("id_credor=1", "'cpf_cnpj_formatado' é obrigatório");
        bad(
            "id_credor=x&cpf_cnpj_formatado=1",
            "'id_credor' aceita apenas",
        );
        bad(
            "id_credor=1.5&cpf_cnpj_formatado=1",
            "'id_credor' aceita apenas",
        );
        bad("id_credor=2147483648&cpf_cnpj_formatado=1", "'id_credor'");
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&id_evento=a",
            "'id_evento'",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1234567890123456789",
            "18 caracteres",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&reagendar=SN",
            "no máximo um",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&reagendar=s",
            "'reagendar'",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&datagte=01/09/2023",
            "'datagte'",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&datalte=2023-9-1",
            "'datalte'",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&datalte=2023-02-30",
            "'datalte'",
        );
        // The mask fits in 18 characters.
        assert!(parse_params("id_credor=1&cpf_cnpj_formatado=12.ABC.345%2F01DE-35").is_ok());
        assert!(parse_params("ID_CREDOR=1&Cpf_Cnpj_Formatado=1").is_ok());
    }

    #[test]
    fn negotiation_prefers_brotli_then_gzip() {
        let cases = [
            (None, Coding::Identity),
            (Some(""), Coding::Identity),
            (Some("gzip, deflate, br"), Coding::Brotli),
            (Some("gzip"), Coding::Gzip),
            (Some("br;q=0, gzip"), Coding::Gzip),
            (Some("identity"), Coding::Identity),
            (Some("*"), Coding::Brotli),
            (Some("*;q=0"), Coding::Identity),
            (Some("deflate"), Coding::Identity),
        ];
        for (header, expected) in cases {
            assert_eq!(Coding::negotiate(header), expected, "{header:?}");
        }
    }
}
