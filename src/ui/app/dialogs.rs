//! Native file dialogs: whether this system can show one, the folder they start in, and the
//! save dialog awaited off the UI thread.
//!
//! rfd dialogs are created on the UI thread (macOS requires it) and awaited on a worker. The
//! folder they start in (the user's documents folder) needs the disk to find, so it is looked
//! up once in the background when the window opens, never in a frame.

use std::path::PathBuf;

use poll_promise::Promise;

use super::super::tasks::{self, TaskPanicked};

/// A save or open dialog's answer: the chosen path, `None` when the user cancelled.
pub(super) type DialogPromise = Promise<Result<Option<PathBuf>, TaskPanicked>>;

/// Native dialogs on this system.
pub struct NativeDialogs {
    /// Whether a native open or save dialog can be shown here; without one the panels ask for
    /// a typed path.
    pub available: bool,
    /// The user's documents folder, once looked up (`None` before, or without a home).
    start_folder: Option<PathBuf>,
    /// The lookup of `start_folder`, while it runs.
    lookup: Option<Promise<Result<Option<PathBuf>, TaskPanicked>>>,
}

impl NativeDialogs {
    /// Checks whether dialogs can be shown (from the environment, when the window is created)
    /// and starts looking up the documents folder in the background.
    pub(super) fn new(ctx: &egui::Context) -> NativeDialogs {
        NativeDialogs {
            available: native_dialog_available(),
            start_folder: None,
            lookup: Some(tasks::spawn(ctx, "documents-folder", documents_folder)),
        }
    }

    /// Whether the documents folder is still being looked up.
    pub fn busy(&self) -> bool {
        self.lookup.is_some()
    }

    /// Keeps the documents folder once the lookup ends (a failed lookup leaves the home
    /// folder as the start).
    pub(super) fn poll(&mut self) {
        if let Some(found) = tasks::take_ready(&mut self.lookup) {
            self.start_folder = found.ok().flatten();
        }
    }

    /// A native file dialog titled `title`, starting in the user's documents folder (the home
    /// folder until that is known), parented to the window. Create it on the UI thread and
    /// await it off it.
    pub(super) fn file_dialog(
        &self,
        title: &str,
        frame: Option<&eframe::Frame>,
    ) -> rfd::AsyncFileDialog {
        let mut dialog = rfd::AsyncFileDialog::new().set_title(title);
        if let Some(folder) = self.start_folder.clone().or_else(home_folder) {
            dialog = dialog.set_directory(folder);
        }
        if let Some(frame) = frame {
            dialog = dialog.set_parent(frame);
        }
        dialog
    }
}

/// Shows `dialog` as a save dialog and waits for the user's choice on a worker thread.
pub(super) fn ask_save_path(
    ctx: &egui::Context,
    name: &'static str,
    dialog: rfd::AsyncFileDialog,
) -> DialogPromise {
    let future = dialog.save_file();
    tasks::spawn(ctx, name, move || {
        pollster::block_on(future).map(|handle| handle.path().to_path_buf())
    })
}

/// Whether a native save dialog can be shown. On Linux rfd needs the desktop portal (over the
/// session bus) or `zenity`; without either it returns nothing, as if cancelled.
fn native_dialog_available() -> bool {
    if cfg!(target_os = "linux") || cfg!(target_os = "freebsd") {
        let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
        let zenity = std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join("zenity").is_file())
        });
        bus || zenity
    } else {
        true
    }
}

/// The user's home folder, from the environment only (no disk access).
fn home_folder() -> Option<PathBuf> {
    let home = std::env::var_os(if cfg!(windows) { "USERPROFILE" } else { "HOME" })?;
    Some(PathBuf::from(home))
}

/// The user's documents folder ("Documentos" or "Documents" in the home folder), else the
/// home folder. Reads the disk: call it off the UI thread.
fn documents_folder() -> Option<PathBuf> {
    let home = home_folder()?;
    ["Documentos", "Documents"]
        .iter()
        .map(|name| home.join(name))
        .find(|path| path.is_dir())
        .or(Some(home))
}
