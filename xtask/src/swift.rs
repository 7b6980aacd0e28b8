//! The Swift side as far as this machine can check it: no Swift compiler runs here, so every Swift file under ios/
//! (and the generated bindings, when they exist) is parsed with tree-sitter-swift and any syntax error fails the
//! build with its file, line and column. Compiling, linking and XCTest need Xcode (see ios/README.md).

use std::process::Command;

use crate::run;

/// Pinned: the grammar decides what counts as an error, and ios/ci/swift_syntax.py works around the gaps of this
/// exact grammar version.
const PIP_PACKAGES: &[&str] = &["tree-sitter==0.26.1", "tree-sitter-swift==0.7.4", "pytest"];

pub fn check() -> Result<(), String> {
    run::pip_ensure(PIP_PACKAGES)?;
    let root = run::workspace_root();
    let ci = root.join("ios/ci");
    // First prove the check fails on broken Swift (and that the XCFramework script stops early off macOS), then
    // check the real files.
    run::status(Command::new("python3").args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "."]).current_dir(&ci), &[])?;
    let mut cmd = Command::new("python3");
    cmd.arg(ci.join("swift_syntax.py")).arg(root.join("ios"));
    let generated = run::target_dir().join("bindings/swift/RuhuMobile.swift");
    if generated.exists() {
        cmd.arg(&generated);
    } else {
        eprintln!("xtask: {} not generated yet (cargo xtask bindings); checking ios/ only", generated.display());
    }
    run::status(&mut cmd, &[])
}
