//! Enables the fixture test when the codefor.de fixture lies beside the checkout.

use std::path::Path;

fn main() {
    const FIXTURE: &str = "../../../shared/fixtures/codefor.de/config.yaml";
    println!("cargo:rustc-check-cfg=cfg(has_fixture)");
    println!("cargo:rerun-if-changed={FIXTURE}");
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    if Path::new(&manifest_dir).join(FIXTURE).exists() {
        println!("cargo:rustc-cfg=has_fixture");
    }
}
