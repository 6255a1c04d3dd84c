//! Where the API token lives: the OS credential store (Windows Credential Manager, macOS
//! Keychain, Secret Service on Linux), behind a small trait so tests use memory.
//!
//! Calls into the OS store may block (a locked keyring can show an unlock prompt): never call
//! them from the UI thread.

use std::sync::Mutex;

use crate::api::Token;

/// The keyring service name shared by the window and the command line.
pub const KEYRING_SERVICE: &str = "recuperador-followups";
/// The keyring user (account) name of the API token entry.
pub const KEYRING_USER: &str = "api-token";

/// A failure of the credential store. Messages never contain the secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// This system has no credential store the app can use (no Secret Service, no session bus).
    #[error(
        "Este sistema não tem um cofre de senhas disponível ({detail}). O token valerá só nesta sessão."
    )]
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
    /// The stored value is not a usable token.
    #[error("O token guardado no cofre está corrompido; salve-o novamente.")]
    Corrupt,
}

/// Somewhere to keep the token between sessions.
pub trait TokenStore: Send + Sync {
    /// The stored token, `None` when there is none.
    fn load(&self) -> Result<Option<Token>, SecretError>;
    /// Stores (or replaces) the token.
    fn save(&self, token: &Token) -> Result<(), SecretError>;
    /// Removes the token; removing a missing token is not an error.
    fn delete(&self) -> Result<(), SecretError>;
    /// The store's name for users ("Cofre do sistema", "Memória (só nesta sessão)").
    fn name(&self) -> &'static str;
    /// Whether the token survives a restart of the app.
    fn is_persistent(&self) -> bool;
}

/// The OS credential store, through the `keyring` crate.
pub struct KeyringStore {
    entry: keyring::Entry,
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
        Self::open_entry(KEYRING_SERVICE, KEYRING_USER)
    }

    /// Opens a named entry (tests use their own names so they never touch the real token).
    pub fn open_entry(service: &str, user: &str) -> Result<KeyringStore, SecretError> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(SecretError::NoStore {
                detail: describe(e),
            });
        }
        let entry = keyring::Entry::new(service, user).map_err(|e| map_error(&e))?;
        Ok(KeyringStore { entry })
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
        match self.entry.get_password() {
            Ok(secret) => Token::parse(&secret)
                .map(Some)
                .map_err(|_| SecretError::Corrupt),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(&e)),
        }
    }

    fn save(&self, token: &Token) -> Result<(), SecretError> {
        self.entry
            .set_password(token.expose())
            .map_err(|e| map_error(&e))
    }

    fn delete(&self) -> Result<(), SecretError> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(&e)),
        }
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
}
