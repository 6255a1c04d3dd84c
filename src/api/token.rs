//! The API token: a secret that never shows in `Debug`, `Display`, errors or logs.

use std::fmt;

/// The Recuperador API token (sent as the Basic-auth user name, with an empty password).
///
/// `Debug` and `Display` print a mask; only [`Token::expose`] gives the secret, for the one
/// place that puts it on the wire or into the OS keyring.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

/// Why a typed token cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Nothing typed.
    #[error("Informe o token da API.")]
    Empty,
    /// Spaces, line breaks or control characters inside the token (a bad paste).
    #[error("O token tem espaços ou caracteres de controle no meio: cole-o novamente.")]
    InvalidChars,
}

impl Token {
    /// Reads a token as pasted: surrounding spaces and line breaks are dropped.
    pub fn parse(text: &str) -> Result<Token, TokenError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(TokenError::Empty);
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(TokenError::InvalidChars);
        }
        Ok(Token(trimmed.to_owned()))
    }

    /// The secret itself. Call only to send it or to store it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(••••••)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("••••••")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_never_printed() {
        let token = Token::parse("  s3cr3t-t0k3n\n").unwrap();
        assert_eq!(token.expose(), "s3cr3t-t0k3n");
        assert!(!format!("{token:?}").contains("s3cr3t"));
        assert!(!format!("{token}").contains("s3cr3t"));
        assert!(!format!("{:?}", Some(&token)).contains("s3cr3t"));
    }

    #[test]
    fn bad_pastes_are_refused() {
        assert_eq!(Token::parse(" \n"), Err(TokenError::Empty));
        assert_eq!(Token::parse("abc def"), Err(TokenError::InvalidChars));
    }
}
