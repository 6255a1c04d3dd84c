//! The token and the connection settings: the credential store (opened and read in the
//! background at startup), saving and removing the token, the proxy's credentials, the
//! connection test, and the client configuration they make.

use std::sync::Arc;
use std::time::Duration;

use poll_promise::Promise;

use super::super::tasks::{self, TaskPanicked};
use super::{DemoState, FollowupsApp, Persisted};
use crate::api::{ApiError, ClientConfig, FetchProgress, FollowupClient, QueryForm, Token};
use crate::secrets::{KeyringStore, MemoryStore, ProxyCredentials, SecretError, TokenStore};

/// Where the token stands.
pub enum TokenState {
    /// The store is being opened and read (it may show an unlock prompt).
    Loading,
    /// Known.
    Ready {
        /// The token, if any.
        token: Option<Token>,
        /// Where it is kept.
        store: Arc<dyn TokenStore>,
        /// Why the OS store is not used, when it is not.
        no_keyring: Option<KeyringProblem>,
    },
}

/// Why the OS credential store is not used: one plain sentence for the user and the
/// platform's technical text for "Detalhes".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyringProblem {
    /// The sentence shown.
    pub message: String,
    /// What the platform said (may be empty).
    pub detail: String,
}

impl From<&SecretError> for KeyringProblem {
    fn from(error: &SecretError) -> KeyringProblem {
        KeyringProblem {
            message: error.plain_message().to_owned(),
            detail: error.detail().to_owned(),
        }
    }
}

type KeyringOutcome = Result<(Option<Token>, String), SecretError>;

/// The settings window's fields and messages, and the settings' background work.
#[derive(Default)]
pub struct SettingsState {
    /// Whether the window is open.
    pub open: bool,
    /// The token as typed (never persisted).
    pub token_text: String,
    /// Show the token in clear.
    pub show_token: bool,
    /// Base URL as typed.
    pub base_url_text: String,
    /// Timeout as typed.
    pub timeout_secs: u64,
    /// Proxy as typed (a pasted URL with credentials is split on "Aplicar").
    pub proxy_text: String,
    /// The proxy's user name as typed (never persisted in the settings file).
    pub proxy_user: String,
    /// The proxy's password as typed; empty keeps the stored one (never persisted in the
    /// settings file, never shown back).
    pub proxy_password: String,
    /// The last message: `(ok, text)`.
    pub status: Option<(bool, String)>,
    /// The credential store being opened and read, at startup.
    token_load: Option<Promise<Result<TokenLoad, TaskPanicked>>>,
    /// The token being saved or removed.
    keyring: Option<Promise<Result<KeyringOutcome, TaskPanicked>>>,
    /// The proxy's credentials being saved or removed.
    proxy_save: Option<Promise<Result<Result<bool, SecretError>, TaskPanicked>>>,
    /// The connection test.
    test: Option<Promise<Result<Result<String, ApiError>, TaskPanicked>>>,
}

impl SettingsState {
    /// The settings at startup: the credential store is opened and read in the background
    /// (`preset` replaces the OS store, for tests). Proxy credentials found in an old settings
    /// file are taken out of `persisted` and move to the store.
    pub(super) fn load(
        ctx: &egui::Context,
        persisted: &mut Persisted,
        preset: Option<Arc<dyn TokenStore>>,
    ) -> SettingsState {
        // Settings saved before the proxy credentials moved to the credential store: take them
        // out of the file (it is rewritten without them at the next save).
        let migrated = match ProxyCredentials::split_url(&persisted.proxy) {
            Ok((url, credentials)) => {
                persisted.proxy = url;
                credentials
            }
            Err(_) => {
                persisted.proxy.clear();
                None
            }
        };
        SettingsState {
            token_load: Some(tasks::spawn(ctx, "token", move || {
                load_token(preset, migrated)
            })),
            ..SettingsState::default()
        }
    }

    /// Whether a keyring write or a connection test runs (the window's buttons wait).
    pub fn working(&self) -> bool {
        self.keyring.is_some() || self.proxy_save.is_some() || self.test.is_some()
    }

    /// Whether anything of the settings runs in the background, the startup read included.
    pub fn busy(&self) -> bool {
        self.token_load.is_some() || self.working()
    }
}

struct TokenLoad {
    store: Arc<dyn TokenStore>,
    token: Option<Token>,
    proxy: Option<ProxyCredentials>,
    no_keyring: Option<KeyringProblem>,
}

/// Opens the OS store and reads the token and the proxy credentials; falls back to memory
/// where no store exists. `migrated` are proxy credentials found in an old settings file:
/// they move to the store.
fn load_token(
    preset: Option<Arc<dyn TokenStore>>,
    migrated: Option<ProxyCredentials>,
) -> TokenLoad {
    let (store, no_keyring): (Arc<dyn TokenStore>, Option<KeyringProblem>) = match preset {
        Some(store) => (store, None),
        None => match KeyringStore::open() {
            Ok(store) => (Arc::new(store), None),
            Err(error) => (Arc::new(MemoryStore::default()), Some((&error).into())),
        },
    };
    let (store, token, no_keyring) = match store.load() {
        Ok(token) => (store, token, no_keyring),
        Err(error @ SecretError::NoStore { .. }) => (
            Arc::new(MemoryStore::default()) as Arc<dyn TokenStore>,
            None,
            Some((&error).into()),
        ),
        Err(error) => (store, None, Some((&error).into())),
    };
    let proxy = match migrated {
        // Kept for this session even if the store refuses it.
        Some(credentials) => {
            let _ = store.save_proxy(&credentials);
            Some(credentials)
        }
        None => store.load_proxy().ok().flatten(),
    };
    TokenLoad {
        store,
        token,
        proxy,
        no_keyring,
    }
}

/// The proxy URL the client gets: the settings' URL with the credentials in it (in memory
/// only); `None` for an empty URL (the environment's and the system's proxy then apply).
fn full_proxy_url(url: &str, credentials: Option<&ProxyCredentials>) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    Some(
        credentials
            .and_then(|credentials| credentials.join_url(url))
            .unwrap_or_else(|| url.to_owned()),
    )
}

impl FollowupsApp {
    /// The token in use: the simulator's in demo mode, else the stored one.
    pub fn active_token(&self) -> Option<Token> {
        match (&self.demo, &self.token) {
            (DemoState::Running(sim), _) => Token::parse(sim.token()).ok(),
            (_, TokenState::Ready { token, .. }) => token.clone(),
            _ => None,
        }
    }

    /// The client's settings: the API URL (the simulator's in demo mode), the timeout and
    /// the proxy, with its credentials from the credential store.
    pub fn client_config(&self) -> ClientConfig {
        let base_url = match &self.demo {
            DemoState::Running(sim) => sim.url().to_string(),
            _ => self.persisted.base_url.clone(),
        };
        ClientConfig {
            base_url,
            total_timeout: Duration::from_secs(self.persisted.timeout_secs.max(5)),
            proxy: full_proxy_url(&self.persisted.proxy, self.proxy_credentials.as_ref()),
            ..ClientConfig::default()
        }
    }

    /// The proxy typed in the settings: the URL without credentials and the credentials, from
    /// the URL itself (pasted whole) or from the user and password fields. An empty password
    /// field keeps the stored password of the same user.
    fn typed_proxy(&self) -> Result<(String, Option<ProxyCredentials>), String> {
        let (url, inline) = ProxyCredentials::split_url(&self.settings.proxy_text)?;
        let user = self.settings.proxy_user.trim();
        let credentials = match inline {
            Some(credentials) => Some(credentials),
            None if user.is_empty() => None,
            None => {
                let password = if self.settings.proxy_password.is_empty() {
                    self.proxy_credentials
                        .as_ref()
                        .filter(|stored| stored.user == user)
                        .map(|stored| stored.password.clone())
                        .unwrap_or_default()
                } else {
                    self.settings.proxy_password.clone()
                };
                Some(ProxyCredentials {
                    user: user.to_owned(),
                    password,
                })
            }
        };
        if url.is_empty() && credentials.is_some() {
            return Err(
                "Informe o endereço do proxy (http://servidor:porta) para usar o usuário e a senha."
                    .to_owned(),
            );
        }
        Ok((url, credentials))
    }

    /// Opens the settings window, its fields filled with the settings in use.
    pub(super) fn open_settings(&mut self) {
        self.settings.open = true;
        self.settings.base_url_text = self.persisted.base_url.clone();
        self.settings.timeout_secs = self.persisted.timeout_secs;
        self.settings.proxy_text = self.persisted.proxy.clone();
        self.settings.proxy_user = self
            .proxy_credentials
            .as_ref()
            .map(|credentials| credentials.user.clone())
            .unwrap_or_default();
        self.settings.proxy_password.clear();
        self.settings.status = None;
    }

    /// Stores the typed token in the background. While the token is being saved or removed,
    /// a second request is ignored (the first one's outcome is the one shown).
    pub(super) fn save_token(&mut self, ctx: &egui::Context) {
        if self.settings.keyring.is_some() {
            return;
        }
        let token = match Token::parse(&self.settings.token_text) {
            Ok(token) => token,
            Err(error) => {
                self.settings.status = Some((false, error.to_string()));
                return;
            }
        };
        let TokenState::Ready { store, .. } = &self.token else {
            self.settings.status = Some((
                false,
                "Aguarde: o cofre do sistema ainda está sendo aberto.".to_owned(),
            ));
            return;
        };
        let store = Arc::clone(store);
        self.settings.keyring = Some(tasks::spawn(ctx, "keyring-save", move || {
            store.save(&token).map(|()| {
                let message = if store.is_persistent() {
                    format!("Token salvo: {}.", store.name())
                } else {
                    "Token guardado só nesta sessão (este sistema não tem cofre de senhas)."
                        .to_owned()
                };
                (Some(token), message)
            })
        }));
    }

    /// Removes the stored token in the background (ignored while the token is being saved or
    /// removed).
    pub(super) fn remove_token(&mut self, ctx: &egui::Context) {
        if self.settings.keyring.is_some() {
            return;
        }
        let TokenState::Ready { store, .. } = &self.token else {
            return;
        };
        let store = Arc::clone(store);
        self.settings.keyring = Some(tasks::spawn(ctx, "keyring-delete", move || {
            store
                .delete()
                .map(|()| (None, "Token removido.".to_owned()))
        }));
    }

    /// Tries the typed (or stored) token against the typed connection settings, with a query
    /// nobody has (ignored while a test runs).
    pub(super) fn test_connection(&mut self, ctx: &egui::Context) {
        if self.settings.test.is_some() {
            return;
        }
        let typed = Token::parse(&self.settings.token_text).ok();
        let Some(token) = typed.or_else(|| self.active_token()) else {
            self.settings.status =
                Some((false, "Informe o token para testar a conexão.".to_owned()));
            return;
        };
        let mut config = self.client_config();
        if !self.is_demo() {
            let (proxy, credentials) = match self.typed_proxy() {
                Ok(typed) => typed,
                Err(message) => {
                    self.settings.status = Some((false, message));
                    return;
                }
            };
            config.base_url = self.settings.base_url_text.clone();
            config.proxy = full_proxy_url(&proxy, credentials.as_ref());
        }
        config.total_timeout = Duration::from_secs(30);
        config.max_retries = 0;
        let id_credor = self
            .persisted
            .id_credor
            .trim()
            .parse::<i32>()
            .unwrap_or(1)
            .max(1);
        self.settings.test = Some(tasks::spawn(ctx, "connection-test", move || {
            let client = FollowupClient::new(config, token)?;
            // A document nobody has: the server checks the token and answers an empty list.
            let query = QueryForm {
                id_credor: id_credor.to_string(),
                cpf_cnpj: "000.000.001-91".to_owned(),
                ..QueryForm::default()
            }
            .validate()
            .map_err(|errors| ApiError::Config {
                message: errors.first().map(ToString::to_string).unwrap_or_default(),
            })?;
            client.fetch(&query, &FetchProgress::new()).map(|outcome| {
                format!(
                    "Conexão OK: o servidor aceitou o token (respondeu em {}).",
                    crate::fmt::seconds_br(outcome.elapsed)
                )
            })
        }));
    }

    /// Applies the typed URL, timeout and proxy; the proxy's credentials go to the credential
    /// store in the background. Refused while earlier credentials are still being stored (the
    /// store would end with whichever write finished last).
    pub(super) fn apply_connection_settings(&mut self, ctx: &egui::Context) {
        if self.settings.proxy_save.is_some() {
            self.settings.status = Some((
                false,
                "Aguarde: o cofre ainda está guardando o usuário e a senha do proxy.".to_owned(),
            ));
            return;
        }
        let url = match crate::api::client::validate_base_url(&self.settings.base_url_text) {
            Ok(url) => url,
            Err(message) => {
                self.settings.status = Some((false, message));
                return;
            }
        };
        let (proxy, credentials) = match self.typed_proxy() {
            Ok(typed) => typed,
            Err(message) => {
                self.settings.status = Some((false, message));
                return;
            }
        };
        self.persisted.base_url = url.to_string();
        self.persisted.timeout_secs = self.settings.timeout_secs.clamp(5, 3600);
        // The settings file gets the proxy without credentials; the fields show what is kept.
        self.persisted.proxy.clone_from(&proxy);
        self.settings.proxy_text = proxy;
        self.settings.proxy_user = credentials
            .as_ref()
            .map(|credentials| credentials.user.clone())
            .unwrap_or_default();
        self.settings.proxy_password.clear();
        self.settings.status = Some((true, "Configurações de conexão aplicadas.".to_owned()));
        if credentials == self.proxy_credentials {
            return;
        }
        self.proxy_credentials.clone_from(&credentials);
        let TokenState::Ready { store, .. } = &self.token else {
            self.settings.status = Some((
                true,
                "Configurações de conexão aplicadas; o cofre de senhas ainda está abrindo, então o usuário e a senha do proxy valem só nesta sessão."
                    .to_owned(),
            ));
            return;
        };
        let store = Arc::clone(store);
        self.settings.proxy_save = Some(tasks::spawn(ctx, "keyring-proxy", move || {
            match &credentials {
                Some(credentials) => store.save_proxy(credentials)?,
                None => store.delete_proxy()?,
            }
            Ok(store.is_persistent())
        }));
    }

    /// Applies what the settings' background work finished: the startup read, a token saved
    /// or removed, proxy credentials stored, a connection test.
    pub(super) fn poll_settings(&mut self) {
        if let Some(load) = tasks::take_ready(&mut self.settings.token_load) {
            self.token = match load {
                Ok(load) => {
                    self.proxy_credentials = load.proxy;
                    TokenState::Ready {
                        token: load.token,
                        store: load.store,
                        no_keyring: load.no_keyring,
                    }
                }
                Err(panicked) => TokenState::Ready {
                    token: None,
                    store: Arc::new(MemoryStore::default()),
                    no_keyring: Some(KeyringProblem {
                        message: "O cofre de senhas do sistema não pôde ser aberto: o token e a senha do proxy valem só nesta sessão.".to_owned(),
                        detail: panicked.to_string(),
                    }),
                },
            };
        }
        if let Some(outcome) = tasks::take_ready(&mut self.settings.keyring) {
            match outcome {
                Ok(Ok((token, message))) => {
                    if let TokenState::Ready { token: current, .. } = &mut self.token {
                        *current = token;
                    }
                    self.settings.token_text.clear();
                    self.settings.status = Some((true, message));
                }
                Ok(Err(error)) => {
                    // Keep a typed token for this session, so the user can still work.
                    if let (Ok(token), TokenState::Ready { token: current, .. }) =
                        (Token::parse(&self.settings.token_text), &mut self.token)
                    {
                        *current = Some(token);
                    }
                    self.settings.status =
                        Some((false, format!("{error} O token vale só nesta sessão.")));
                }
                Err(panicked) => self.settings.status = Some((false, panicked.to_string())),
            }
        }
        if let Some(outcome) = tasks::take_ready(&mut self.settings.proxy_save) {
            let kept = self.proxy_credentials.is_some();
            self.settings.status = Some(match outcome {
                Ok(Ok(true)) if kept => (
                    true,
                    "Configurações de conexão aplicadas; usuário e senha do proxy guardados no cofre do sistema.".to_owned(),
                ),
                Ok(Ok(true)) => (
                    true,
                    "Configurações de conexão aplicadas; usuário e senha do proxy removidos do cofre do sistema.".to_owned(),
                ),
                Ok(Ok(false)) => (
                    true,
                    "Configurações de conexão aplicadas; sem cofre de senhas, o usuário e a senha do proxy valem só nesta sessão.".to_owned(),
                ),
                // The credentials stay in memory for this session.
                Ok(Err(error)) => (false, error.plain_message().to_owned()),
                Err(panicked) => (false, panicked.to_string()),
            });
        }
        if let Some(outcome) = tasks::take_ready(&mut self.settings.test) {
            self.settings.status = Some(match outcome {
                Ok(Ok(message)) => (true, message),
                Ok(Err(error)) => (false, error.to_string()),
                Err(panicked) => (false, panicked.to_string()),
            });
        }
    }
}

#[cfg(test)]
mod tests;
