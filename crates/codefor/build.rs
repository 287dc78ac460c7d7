//! Tells the tests what this machine has, so tests that need it are ignored (visibly,
//! with a reason) rather than passing silently:
//!
//! - `has_fixture`: the copy of codefor.de's Hugo site at `../../../shared/fixtures/codefor.de`;
//! - `has_browser`: chromedriver (`$CHROMEDRIVER`, else `/usr/bin/chromedriver`) and
//!   axe-core installed with `npm ci` at the repository root.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rustc-check-cfg=cfg(has_fixture)");
    println!("cargo:rustc-check-cfg=cfg(has_browser)");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CHROMEDRIVER");

    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());

    let fixture = manifest_dir.join("../../../shared/fixtures/codefor.de/config.yaml");
    watch(&fixture);
    if fixture.is_file() {
        println!("cargo:rustc-cfg=has_fixture");
    }

    let chromedriver = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"));
    let axe = manifest_dir.join("../../node_modules/axe-core/axe.min.js");
    watch(&chromedriver);
    watch(&axe);
    if chromedriver.is_file() && axe.is_file() {
        println!("cargo:rustc-cfg=has_browser");
    }
}

fn watch(path: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
}
