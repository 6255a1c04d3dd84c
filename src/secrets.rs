//! Where the secrets live: the API token and the proxy's user name and password, each in its
//! own entry of the OS credential store (Windows Credential Manager, macOS Keychain, Secret
//! Service on Linux), behind a small trait so tests use memory. The settings file keeps
//! neither: only the proxy's scheme, host and port.
//!
//! Calls into the OS store may block (a locked keyring can show an unlock prompt): never call
//! them from the UI thread.

use std::sync::Mutex;

use crate::api::Token;

/// The keyring service name shared by the window and the command line.
pub const KEYRING_SERVICE: &str = "recuperador-followups";
/// The keyring user (account) name of the API token entry.
pub const KEYRING_USER: &str = "api-token";
/// The keyring user (account) name of the proxy credentials entry.
pub const KEYRING_PROXY_USER: &str = "proxy-credentials";

/// A failure of the credential store. Messages never contain the secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// This system has no credential store the app can use (no Secret Service, no session bus).
    #[error("Este sistema não tem um cofre de senhas disponível ({detail}).")]
    NoStore {
        /// What the platform said.
        detail: String,
    },
    /// The store exists but refused access (locked, or access denied).
    #[error(
        "O cofre de senhas do sistema recusou o acesso ({detail}). Desbloqueie-o e tente novamente."
    )]
    Denied {
        /// What the platform said.
        detail: String,
    },
    /// Anything else the store reported.
    #[error("Falha no cofre de senhas do sistema: {detail}")]
    Failed {
        /// What the platform said.
        detail: String,
    },
    /// The stored value is not a usable token (or proxy credentials).
    #[error("O valor guardado no cofre está corrompido; salve-o novamente.")]
    Corrupt,
}

impl SecretError {
    /// One plain sentence for the settings window, without the platform's technical text
    /// (which [`Self::detail`] gives, for a "Detalhes" expander).
    pub fn plain_message(&self) -> &'static str {
        match self {
            SecretError::NoStore { .. } => {
                "Este sistema não tem um cofre de senhas: o token e a senha do proxy valem só nesta sessão."
            }
            SecretError::Denied { .. } => {
                "O cofre de senhas do sistema recusou o acesso: o token e a senha do proxy valem só nesta sessão."
            }
            SecretError::Failed { .. } => {
                "O cofre de senhas do sistema falhou: o token e a senha do proxy valem só nesta sessão."
            }
            SecretError::Corrupt => {
                "O valor guardado no cofre de senhas está corrompido: salve-o novamente."
            }
        }
    }

    /// What the platform said, for "Detalhes" (empty when it said nothing useful).
    pub fn detail(&self) -> &str {
        match self {
            SecretError::NoStore { detail }
            | SecretError::Denied { detail }
            | SecretError::Failed { detail } => detail,
            SecretError::Corrupt => "",
        }
    }
}

/// A proxy's user name and password. Both are personal: they live in the credential store
/// (or in memory), never in the settings file, logs or messages; `Debug` masks them.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProxyCredentials {
    /// The user name.
    pub user: String,
    /// The password (may be empty).
    pub password: String,
}

impl std::fmt::Debug for ProxyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProxyCredentials(***)")
    }
}

impl ProxyCredentials {
    /// Splits a proxy URL as typed or pasted (`http://user:senha@proxy:3128`) into the URL
    /// without credentials (what the settings file keeps) and the credentials, if any. Text
    /// without a user name comes back as it was typed (trimmed). The user name and password
    /// are percent-decoded (`%40` is `@`).
    pub fn split_url(text: &str) -> Result<(String, Option<ProxyCredentials>), String> {
        let text = text.trim();
        if !text.contains('@') {
            return Ok((text.to_owned(), None));
        }
        // A URL without a scheme (`user:senha@proxy:3128`) is an HTTP proxy, as for reqwest.
        let full = if text.contains("://") {
            text.to_owned()
        } else {
            format!("http://{text}")
        };
        // Never echo the text: it holds a password.
        let mut url = url::Url::parse(&full).map_err(|_| {
            "Endereço do proxy inválido: use o formato http://servidor:porta e informe o usuário e a senha nos campos abaixo."
                .to_owned()
        })?;
        let decode = |part: &str| {
            percent_encoding::percent_decode_str(part)
                .decode_utf8_lossy()
                .into_owned()
        };
        let credentials = ProxyCredentials {
            user: decode(url.username()),
            password: url.password().map(decode).unwrap_or_default(),
        };
        // Cannot fail for a URL that has a host, which a user name implies.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let credentials = (!credentials.user.is_empty() || !credentials.password.is_empty())
            .then_some(credentials);
        Ok((url.to_string(), credentials))
    }

    /// The proxy URL with these credentials in it, for the HTTP client (in memory only).
    /// `None` when `url` is not a URL with a host.
    pub fn join_url(&self, url: &str) -> Option<String> {
        let url = url.trim();
        let full = if url.contains("://") {
            url.to_owned()
        } else {
            format!("http://{url}")
        };
        let mut parsed = url::Url::parse(&full).ok()?;
        parsed.set_username(&self.user).ok()?;
        parsed
            .set_password(
                Some(&self.password)
                    .filter(|p| !p.is_empty())
                    .map(String::as_str),
            )
            .ok()?;
        Some(parsed.to_string())
    }

    fn to_secret(&self) -> String {
        // Serialising two strings cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    fn from_secret(secret: &str) -> Result<ProxyCredentials, SecretError> {
        serde_json::from_str(secret).map_err(|_| SecretError::Corrupt)
    }
}

/// Somewhere to keep the secrets between sessions: the token, and the proxy credentials in a
/// second entry.
pub trait TokenStore: Send + Sync {
    /// The stored token, `None` when there is none.
    fn load(&self) -> Result<Option<Token>, SecretError>;
    /// Stores (or replaces) the token.
    fn save(&self, token: &Token) -> Result<(), SecretError>;
    /// Removes the token; removing a missing token is not an error.
    fn delete(&self) -> Result<(), SecretError>;
    /// The stored proxy credentials, `None` when there are none.
    fn load_proxy(&self) -> Result<Option<ProxyCredentials>, SecretError>;
    /// Stores (or replaces) the proxy credentials.
    fn save_proxy(&self, credentials: &ProxyCredentials) -> Result<(), SecretError>;
    /// Removes the proxy credentials; removing missing ones is not an error.
    fn delete_proxy(&self) -> Result<(), SecretError>;
    /// The store's name for users ("Cofre do sistema", "Memória (só nesta sessão)").
    fn name(&self) -> &'static str;
    /// Whether the token survives a restart of the app.
    fn is_persistent(&self) -> bool;
}

/// The OS credential store, through the `keyring` crate: one entry for the token, one for the
/// proxy credentials.
pub struct KeyringStore {
    entry: keyring::Entry,
    proxy_entry: keyring::Entry,
}

impl std::fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyringStore")
    }
}

impl KeyringStore {
    /// Opens the platform store. Fails with [`SecretError::NoStore`] where none exists
    /// (e.g. Linux without a Secret Service); the caller then keeps the token in memory.
    /// May block briefly: call off the UI thread.
    pub fn open() -> Result<KeyringStore, SecretError> {
        Self::open_entries(KEYRING_SERVICE, KEYRING_USER, KEYRING_PROXY_USER)
    }

    /// Opens a named entry, and `<user>-proxy` for the proxy credentials (tests use their own
    /// names so they never touch the real secrets).
    pub fn open_entry(service: &str, user: &str) -> Result<KeyringStore, SecretError> {
        Self::open_entries(service, user, &format!("{user}-proxy"))
    }

    fn open_entries(
        service: &str,
        user: &str,
        proxy_user: &str,
    ) -> Result<KeyringStore, SecretError> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(SecretError::NoStore {
                detail: describe(e),
            });
        }
        let entry = keyring::Entry::new(service, user).map_err(|e| map_error(&e))?;
        let proxy_entry = keyring::Entry::new(service, proxy_user).map_err(|e| map_error(&e))?;
        Ok(KeyringStore { entry, proxy_entry })
    }
}

/// Reads an entry's secret, `None` when there is none.
fn read_entry(entry: &keyring::Entry) -> Result<Option<String>, SecretError> {
    match entry.get_password() {
        Ok(secret) => Ok(Some(secret)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(map_error(&e)),
    }
}

/// Removes an entry; a missing one is not an error.
fn delete_entry(entry: &keyring::Entry) -> Result<(), SecretError> {
    match entry.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(map_error(&e)),
    }
}

fn describe(error: &keyring::Error) -> String {
    use keyring::Error as E;
    match error {
        E::PlatformFailure(e) | E::NoStorageAccess(e) => e.to_string(),
        E::NoEntry => "sem token guardado".to_owned(),
        // These carry the stored bytes: never print them.
        E::BadEncoding(_) | E::BadDataFormat(..) => "valor guardado ilegível".to_owned(),
        E::NoDefaultStore => "nenhum cofre configurado".to_owned(),
        other => other.to_string(),
    }
}

fn map_error(error: &keyring::Error) -> SecretError {
    use keyring::Error as E;
    match error {
        E::NoStorageAccess(_) => SecretError::Denied {
            detail: describe(error),
        },
        E::NoDefaultStore => SecretError::NoStore {
            detail: describe(error),
        },
        E::BadEncoding(_) | E::BadDataFormat(..) => SecretError::Corrupt,
        _ => SecretError::Failed {
            detail: describe(error),
        },
    }
}

impl TokenStore for KeyringStore {
    fn load(&self) -> Result<Option<Token>, SecretError> {
        read_entry(&self.entry)?
            .map(|secret| Token::parse(&secret).map_err(|_| SecretError::Corrupt))
            .transpose()
    }

    fn save(&self, token: &Token) -> Result<(), SecretError> {
        self.entry
            .set_password(token.expose())
            .map_err(|e| map_error(&e))
    }

    fn delete(&self) -> Result<(), SecretError> {
        delete_entry(&self.entry)
    }

    fn load_proxy(&self) -> Result<Option<ProxyCredentials>, SecretError> {
        read_entry(&self.proxy_entry)?
            .map(|secret| ProxyCredentials::from_secret(&secret))
            .transpose()
    }

    fn save_proxy(&self, credentials: &ProxyCredentials) -> Result<(), SecretError> {
        self.proxy_entry
            .set_password(&credentials.to_secret())
            .map_err(|e| map_error(&e))
    }

    fn delete_proxy(&self) -> Result<(), SecretError> {
        delete_entry(&self.proxy_entry)
    }

    fn name(&self) -> &'static str {
        if cfg!(target_os = "windows") {
            "Gerenciador de Credenciais do Windows"
        } else if cfg!(target_os = "macos") {
            "Keychain do macOS"
        } else {
            "cofre de senhas do sistema (Secret Service)"
        }
    }

    fn is_persistent(&self) -> bool {
        true
    }
}

/// A store that keeps the token in memory only: for tests, and for systems without a
/// keyring (the token then lasts for this session, and the UI says so).
#[derive(Debug, Default)]
pub struct MemoryStore {
    token: Mutex<Option<Token>>,
    proxy: Mutex<Option<ProxyCredentials>>,
}

impl TokenStore for MemoryStore {
    fn load(&self) -> Result<Option<Token>, SecretError> {
        Ok(self.token.lock().map_err(|_| SecretError::Corrupt)?.clone())
    }

    fn save(&self, token: &Token) -> Result<(), SecretError> {
        *self.token.lock().map_err(|_| SecretError::Corrupt)? = Some(token.clone());
        Ok(())
    }

    fn delete(&self) -> Result<(), SecretError> {
        *self.token.lock().map_err(|_| SecretError::Corrupt)? = None;
        Ok(())
    }

    fn load_proxy(&self) -> Result<Option<ProxyCredentials>, SecretError> {
        Ok(self.proxy.lock().map_err(|_| SecretError::Corrupt)?.clone())
    }

    fn save_proxy(&self, credentials: &ProxyCredentials) -> Result<(), SecretError> {
        *self.proxy.lock().map_err(|_| SecretError::Corrupt)? = Some(credentials.clone());
        Ok(())
    }

    fn delete_proxy(&self) -> Result<(), SecretError> {
        *self.proxy.lock().map_err(|_| SecretError::Corrupt)? = None;
        Ok(())
    }

    fn name(&self) -> &'static str {
        "memória (só nesta sessão)"
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips() {
        let store = MemoryStore::default();
        assert_eq!(store.load().unwrap(), None);
        let token = Token::parse("abc123").unwrap();
        store.save(&token).unwrap();
        assert_eq!(store.load().unwrap(), Some(token));
        store.delete().unwrap();
        store.delete().unwrap();
        assert_eq!(store.load().unwrap(), None);
        assert!(!store.is_persistent());
    }

    #[test]
    fn proxy_credentials_round_trip_beside_the_token() {
        let store = MemoryStore::default();
        let token = Token::parse("abc123").unwrap();
        store.save(&token).unwrap();
        assert_eq!(store.load_proxy().unwrap(), None);
        let credentials = ProxyCredentials {
            user: "maria.souza".to_owned(),
            password: "s3nh@:forte".to_owned(),
        };
        store.save_proxy(&credentials).unwrap();
        assert_eq!(store.load_proxy().unwrap(), Some(credentials.clone()));
        // The secret as the keyring keeps it reads back the same.
        assert_eq!(
            ProxyCredentials::from_secret(&credentials.to_secret()).unwrap(),
            credentials
        );
        store.delete_proxy().unwrap();
        store.delete_proxy().unwrap();
        assert_eq!(store.load_proxy().unwrap(), None);
        assert_eq!(
            store.load().unwrap(),
            Some(token),
            "the token is another entry"
        );
        assert!(!format!("{credentials:?}").contains("maria"));
    }

    #[test]
    fn a_pasted_proxy_url_is_split_and_joined_back() {
        let (url, credentials) =
            ProxyCredentials::split_url(" http://maria:s3nh%40forte@proxy.empresa:3128 ").unwrap();
        assert_eq!(url, "http://proxy.empresa:3128/");
        let credentials = credentials.unwrap();
        assert_eq!(credentials.user, "maria");
        assert_eq!(credentials.password, "s3nh@forte");
        let joined = credentials.join_url(&url).unwrap();
        assert_eq!(joined, "http://maria:s3nh%40forte@proxy.empresa:3128/");

        // No scheme: an HTTP proxy, as the client reads it.
        let (url, credentials) = ProxyCredentials::split_url("joao:x@10.0.0.1:8080").unwrap();
        assert_eq!(url, "http://10.0.0.1:8080/");
        assert_eq!(credentials.unwrap().user, "joao");

        // Without credentials the text is kept as typed.
        assert_eq!(
            ProxyCredentials::split_url("proxy:3128").unwrap(),
            ("proxy:3128".to_owned(), None)
        );
        // A broken URL is refused without echoing it (it holds a password).
        let error = ProxyCredentials::split_url("http://maria:segredo@[::1").unwrap_err();
        assert!(!error.contains("segredo"), "{error}");
    }
}
