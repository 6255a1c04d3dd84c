//! The settings' guards against double starts: a keyring write that runs is never orphaned
//! by a second request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use super::*;
use crate::ui::{Command, LaunchOptions};

/// A memory store whose writes wait until the test opens the gate, and are counted.
#[derive(Default)]
struct GatedStore {
    inner: MemoryStore,
    open: Mutex<bool>,
    opened: Condvar,
    writes: AtomicUsize,
}

impl GatedStore {
    /// Waits for the gate, counts the write, then runs it.
    fn gated<T>(&self, write: impl FnOnce(&MemoryStore) -> T) -> T {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        while !*open {
            open = self.opened.wait(open).unwrap_or_else(|e| e.into_inner());
        }
        self.writes.fetch_add(1, Ordering::SeqCst);
        write(&self.inner)
    }

    fn open_gate(&self) {
        *self.open.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.opened.notify_all();
    }
}

impl TokenStore for GatedStore {
    fn load(&self) -> Result<Option<Token>, SecretError> {
        self.inner.load()
    }
    fn load_proxy(&self) -> Result<Option<ProxyCredentials>, SecretError> {
        self.inner.load_proxy()
    }
    fn save(&self, token: &Token) -> Result<(), SecretError> {
        self.gated(|store| store.save(token))
    }
    fn delete(&self) -> Result<(), SecretError> {
        self.gated(MemoryStore::delete)
    }
    fn save_proxy(&self, credentials: &ProxyCredentials) -> Result<(), SecretError> {
        self.gated(|store| store.save_proxy(credentials))
    }
    fn delete_proxy(&self) -> Result<(), SecretError> {
        self.gated(MemoryStore::delete_proxy)
    }
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn is_persistent(&self) -> bool {
        self.inner.is_persistent()
    }
}

/// Polls the app's tasks until `done` holds (or fails after a few seconds).
fn poll_until(app: &mut FollowupsApp, ctx: &egui::Context, done: impl Fn(&FollowupsApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(app) {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(5));
        app.poll_tasks(ctx);
    }
}

fn app_with(store: &Arc<GatedStore>) -> (FollowupsApp, egui::Context) {
    let ctx = egui::Context::default();
    let store: Arc<dyn TokenStore> = Arc::clone(store) as Arc<dyn TokenStore>;
    let options = LaunchOptions {
        token_store: Some(store),
        ..LaunchOptions::default()
    };
    let mut app = FollowupsApp::new(&ctx, None, options);
    poll_until(&mut app, &ctx, |app| {
        matches!(app.token, TokenState::Ready { .. })
    });
    (app, ctx)
}

fn run(app: &mut FollowupsApp, ctx: &egui::Context, command: Command) {
    app.queue(command);
    app.run_commands(ctx, None);
}

#[test]
fn a_second_save_while_one_runs_does_not_orphan_the_first() {
    let store = Arc::new(GatedStore::default());
    let (mut app, ctx) = app_with(&store);
    app.settings.token_text = "primeiro-token".to_owned();
    run(&mut app, &ctx, Command::SaveToken);
    assert!(app.settings.working(), "the first save runs");
    app.settings.token_text = "segundo-token".to_owned();
    run(&mut app, &ctx, Command::SaveToken);
    run(&mut app, &ctx, Command::RemoveToken);

    store.open_gate();
    poll_until(&mut app, &ctx, |app| !app.settings.busy());
    assert_eq!(
        store.writes.load(Ordering::SeqCst),
        1,
        "one write reached the store"
    );
    let stored = store.inner.load().ok().flatten();
    assert_eq!(stored.as_ref().map(Token::expose), Some("primeiro-token"));
    assert_eq!(
        app.active_token().as_ref().map(Token::expose),
        Some("primeiro-token"),
        "the first save's outcome was applied"
    );
    assert!(matches!(app.settings.status, Some((true, _))));
}

#[test]
fn applying_again_while_the_proxy_credentials_are_stored_is_refused() {
    let store = Arc::new(GatedStore::default());
    let (mut app, ctx) = app_with(&store);
    run(&mut app, &ctx, Command::OpenSettings);
    app.settings.proxy_text = "http://proxy.local:3128".to_owned();
    app.settings.proxy_user = "maria".to_owned();
    app.settings.proxy_password = "primeira".to_owned();
    run(&mut app, &ctx, Command::ApplyConnectionSettings);
    assert!(app.settings.working(), "the credentials are being stored");
    app.settings.proxy_user = "joao".to_owned();
    app.settings.proxy_password = "segunda".to_owned();
    run(&mut app, &ctx, Command::ApplyConnectionSettings);
    assert!(
        matches!(&app.settings.status, Some((false, message)) if message.starts_with("Aguarde")),
        "the second apply says why it waits"
    );

    store.open_gate();
    poll_until(&mut app, &ctx, |app| !app.settings.busy());
    assert_eq!(store.writes.load(Ordering::SeqCst), 1);
    let stored = store.inner.load_proxy().ok().flatten();
    assert_eq!(stored.map(|c| c.user), Some("maria".to_owned()));
    assert_eq!(
        app.proxy_credentials.as_ref().map(|c| c.user.as_str()),
        Some("maria")
    );
}
