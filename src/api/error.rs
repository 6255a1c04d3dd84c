//! Everything that can go wrong talking to the API, as a UI can act on it.

use std::time::Duration;

/// The broad kind of an [`ApiError`], for tests, exit codes and UI decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// 401/403: the token is missing, wrong or revoked.
    InvalidToken,
    /// 404: the URL does not lead to the API.
    NotFound,
    /// 400: the server refused the parameters.
    BadRequest,
    /// 429 after every retry.
    RateLimited,
    /// 5xx after every retry.
    Server,
    /// An error object in the body (often under HTTP 200).
    Api,
    /// The answer took too long, or stalled.
    Timeout,
    /// DNS, connection refused, reset, proxy.
    Network,
    /// Certificate or handshake problem.
    Tls,
    /// A redirect that was not followed (another host, or to `http`).
    Redirect,
    /// Not the JSON the API documents (HTML, truncated, malformed).
    UnexpectedBody,
    /// The user cancelled.
    Cancelled,
    /// A wrong setting (base URL, proxy) before anything was sent.
    Config,
}

/// An error from a request, with a Portuguese message (`Display`) and a technical detail.
///
/// No variant ever holds the token; URLs are kept without their query string, which carries
/// the debtor's document.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401/403.
    #[error(
        "O servidor recusou o token da API (HTTP {status}). Confira o token nas configurações."
    )]
    InvalidToken {
        /// HTTP status.
        status: u16,
        /// The server's message, if any.
        server_message: Option<String>,
    },
    /// 404.
    #[error("Endereço da API não encontrado (HTTP 404). Confira a URL base nas configurações.")]
    NotFound {
        /// The URL without its query.
        url: String,
    },
    /// 400.
    #[error("O servidor recusou a consulta: {message}")]
    BadRequest {
        /// The server's message.
        message: String,
    },
    /// 429 after the retries.
    #[error("O servidor está limitando as consultas (HTTP 429). Aguarde {} e tente novamente.", wait_text(*retry_after))]
    RateLimited {
        /// What `Retry-After` asked for, if anything.
        retry_after: Option<Duration>,
    },
    /// 5xx after the retries.
    #[error("Erro no servidor da API (HTTP {status}){}", server_message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's message (from a JSON body), if any.
        server_message: Option<String>,
    },
    /// An error object in the body.
    #[error("A API respondeu com erro: {message}")]
    Api {
        /// HTTP status the object came with.
        status: u16,
        /// The message.
        message: String,
    },
    /// Too slow.
    #[error("A API não respondeu a tempo ({}). Tente um período menor ou aumente o tempo limite nas configurações.", crate::fmt::seconds_br(*after))]
    Timeout {
        /// The limit that was hit.
        after: Duration,
    },
    /// No byte arrived for the idle limit, before the answer's head or within its body.
    #[error("A API ficou {} sem enviar dados e a consulta foi interrompida. Tente um período menor ou tente de novo mais tarde.", crate::fmt::seconds_br(*after))]
    Stalled {
        /// The idle limit that was hit.
        after: Duration,
    },
    /// Could not reach the server, or the connection broke.
    #[error("Falha de conexão com a API: {summary}. Verifique a internet, o proxy e a URL base.")]
    Network {
        /// Short description.
        summary: String,
        /// Technical chain of causes.
        detail: String,
    },
    /// TLS problem.
    #[error(
        "Falha na conexão segura (TLS) com a API: {summary}. Se a empresa usa um proxy com certificado próprio, ele precisa estar instalado no sistema."
    )]
    Tls {
        /// Short description.
        summary: String,
        /// Technical chain of causes.
        detail: String,
    },
    /// Redirect not followed.
    #[error(
        "A API redirecionou para outro endereço ({location}); o redirecionamento não foi seguido para proteger o token. Confira a URL base."
    )]
    Redirect {
        /// Where it pointed (without query).
        location: String,
    },
    /// Not the documented JSON.
    #[error("Resposta inesperada da API (HTTP {status}, {content_type}): {summary}")]
    UnexpectedBody {
        /// HTTP status.
        status: u16,
        /// The Content-Type sent.
        content_type: String,
        /// What was wrong.
        summary: String,
    },
    /// Cancelled by the user.
    #[error("Consulta cancelada.")]
    Cancelled,
    /// A wrong setting.
    #[error("{message}")]
    Config {
        /// What is wrong, in Portuguese.
        message: String,
    },
}

fn wait_text(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) if d.as_secs() >= 1 => format!("{} s", d.as_secs()),
        _ => "alguns segundos".to_owned(),
    }
}

impl ApiError {
    /// The broad kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::InvalidToken { .. } => ErrorKind::InvalidToken,
            ApiError::NotFound { .. } => ErrorKind::NotFound,
            ApiError::BadRequest { .. } => ErrorKind::BadRequest,
            ApiError::RateLimited { .. } => ErrorKind::RateLimited,
            ApiError::Server { .. } => ErrorKind::Server,
            ApiError::Api { .. } => ErrorKind::Api,
            ApiError::Timeout { .. } | ApiError::Stalled { .. } => ErrorKind::Timeout,
            ApiError::Network { .. } => ErrorKind::Network,
            ApiError::Tls { .. } => ErrorKind::Tls,
            ApiError::Redirect { .. } => ErrorKind::Redirect,
            ApiError::UnexpectedBody { .. } => ErrorKind::UnexpectedBody,
            ApiError::Cancelled => ErrorKind::Cancelled,
            ApiError::Config { .. } => ErrorKind::Config,
        }
    }

    /// The technical part, for a "Detalhes" expander or `--verbose` output.
    pub fn technical_detail(&self) -> String {
        match self {
            ApiError::InvalidToken {
                status,
                server_message,
            } => format!(
                "HTTP {status}; mensagem do servidor: {}",
                server_message.as_deref().unwrap_or("(nenhuma)")
            ),
            ApiError::NotFound { url } => format!("HTTP 404 em {url}"),
            ApiError::BadRequest { message } => format!("HTTP 400: {message}"),
            ApiError::RateLimited { retry_after } => {
                format!("HTTP 429 após as novas tentativas; Retry-After: {retry_after:?}")
            }
            ApiError::Server {
                status,
                server_message,
            } => format!(
                "HTTP {status} após as novas tentativas; mensagem: {}",
                server_message.as_deref().unwrap_or("(nenhuma)")
            ),
            ApiError::Api { status, message } => {
                format!("HTTP {status} com objeto de erro: {message}")
            }
            ApiError::Timeout { after } => format!("tempo limite de {after:?} esgotado"),
            ApiError::Stalled { after } => {
                format!("nenhum byte recebido em {after:?} (limite de inatividade)")
            }
            ApiError::Network { detail, .. } | ApiError::Tls { detail, .. } => detail.clone(),
            ApiError::Redirect { location } => format!("redirecionamento para {location}"),
            ApiError::UnexpectedBody {
                status,
                content_type,
                summary,
            } => format!("HTTP {status}; Content-Type: {content_type}; {summary}"),
            ApiError::Cancelled => "cancelada pelo usuário".to_owned(),
            ApiError::Config { message } => message.clone(),
        }
    }

    /// Whether an identical request may succeed if sent again (used by the retry loop).
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::RateLimited { .. } | ApiError::Network { .. } => true,
            ApiError::Server { status, .. } => matches!(status, 502..=504),
            _ => false,
        }
    }
}
