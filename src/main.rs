//! `recuperador-followups`: the desktop window.
//!
//! `--demo` starts straight in demo mode (a local simulator with fictitious data).

// No console window behind the app on Windows release builds.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use recuperador_followups::ui::{
    FollowupsApp, LaunchOptions, Persisted, STORAGE_KEY, WINDOW_TITLE,
};

/// The window and taskbar icon: the 256 px render of `assets/icon/recuperador-followups.svg`.
const WINDOW_ICON_PNG: &[u8] = include_bytes!("../assets/icon/recuperador-followups-256.png");

/// Follow-ups do Recuperador CRM.
#[derive(Parser, Debug)]
#[command(name = "recuperador-followups", version, about)]
struct Args {
    /// Abre direto na demonstração (simulador local com dados fictícios).
    #[arg(long)]
    demo: bool,
}

fn main() -> ExitCode {
    let started_at = std::time::Instant::now();
    tune_allocator();
    let args = Args::parse();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(WINDOW_TITLE)
        .with_app_id("recuperador-followups")
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([800.0, 500.0]);
    match eframe::icon_data::from_png_bytes(WINDOW_ICON_PNG) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        // Only a broken build gets here; the window still opens, with eframe's icon.
        Err(error) => eprintln!("ícone da janela inválido: {error}"),
    }
    let options = eframe::NativeOptions {
        viewport,
        ..eframe::NativeOptions::default()
    };
    let launch = LaunchOptions {
        demo: args.demo,
        started_at: Some(started_at),
        ..LaunchOptions::default()
    };
    let result = eframe::run_native(
        WINDOW_TITLE,
        options,
        Box::new(move |cc| {
            // Corrupt or old state falls back to the defaults.
            let persisted: Option<Persisted> =
                cc.storage.and_then(|s| eframe::get_value(s, STORAGE_KEY));
            Ok(Box::new(FollowupsApp::new(&cc.egui_ctx, persisted, launch)))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let message = format!(
                "Não foi possível abrir a janela do aplicativo.\n\n\
                 O computador pode não ter aceleração gráfica disponível (OpenGL, DirectX 12, Vulkan ou Metal), \
                 comum em acesso remoto ou máquinas virtuais. Atualize o driver de vídeo ou use a linha de \
                 comando recuperador-followups-cli.\n\nDetalhe técnico: {error}"
            );
            eprintln!("{message}");
            let _ = rfd::MessageDialog::new()
                .set_level(rfd::MessageLevel::Error)
                .set_title(WINDOW_TITLE)
                .set_description(message)
                .set_buttons(rfd::MessageButtons::Ok)
                .show();
            ExitCode::FAILURE
        }
    }
}

/// Fixes glibc's thresholds for returning memory to the system, before any thread starts.
///
/// By default glibc raises both as the program frees large blocks (up to 32 MiB for direct
/// mappings and 64 MiB for what each thread's heap keeps at its top). Once a search has loaded
/// a million rows, the threads that took part (the download, the parse workers, the arranging)
/// kept freed memory: 27 to 43 MiB of the window's resident memory with 1,000,000 rows loaded
/// (measured under Xvfb; README, "Benchmarks"). With both fixed at glibc's initial 128 KiB,
/// blocks that large are mapped and unmapped directly and the heaps give back their free tops.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    const THRESHOLD_BYTES: libc::c_int = 128 * 1024;
    // SAFETY: `mallopt` only sets allocator parameters (an unknown one is refused with 0, which
    // changes nothing); it is called first thing in `main`, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD_BYTES);
        libc::mallopt(libc::M_TRIM_THRESHOLD, THRESHOLD_BYTES);
    }
}

/// Other systems' allocators give memory back on their own terms.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

#[cfg(test)]
mod tests {
    #[test]
    fn window_icon_decodes_as_a_256_px_square() {
        let icon = eframe::icon_data::from_png_bytes(super::WINDOW_ICON_PNG).expect("valid PNG");
        assert_eq!((icon.width, icon.height), (256, 256));
    }
}
