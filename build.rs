//! Embeds the icon and the version information into the Windows executables.
//!
//! The target is read from `CARGO_CFG_TARGET_OS` (not `cfg!`, which describes the machine that
//! runs this script), so cross-compiling from Linux with mingw-w64's `windres` embeds them too.

use std::path::Path;

/// Product name shown in Explorer's file properties.
const PRODUCT_NAME: &str = "Recuperador Follow-ups";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/icon/recuperador-followups.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let icon = Path::new(&manifest_dir).join("assets/icon/recuperador-followups.ico");
    let Some(icon) = icon.to_str() else {
        panic!("the icon path is not UTF-8: {}", icon.display());
    };
    for (binary, description) in [
        ("recuperador-followups", PRODUCT_NAME),
        (
            "recuperador-followups-cli",
            "Recuperador Follow-ups (linha de comando)",
        ),
    ] {
        let mut resource = winresource::WindowsResource::new();
        resource
            .set_icon(icon)
            .set("ProductName", PRODUCT_NAME)
            .set("FileDescription", description)
            .set("InternalName", binary)
            .set("OriginalFilename", &format!("{binary}.exe"))
            .set("CompanyName", "Recuperador")
            .set("LegalCopyright", "Licença MIT")
            // Brazilian Portuguese.
            .set_language(0x0416);
        if let Err(error) = resource.compile_for(binary) {
            // A Windows build without its icon is a packaging bug, not something to ship quietly.
            panic!("could not embed the Windows resources of {binary}: {error}");
        }
    }
}
