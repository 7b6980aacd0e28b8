//! Running commands with their output streamed, failing with a readable message.

use std::path::PathBuf;
use std::process::Command;

/// `cargo run` sets CARGO_MANIFEST_DIR for the running binary too; prefer it to the path baked in at compile time,
/// because a target folder shared between checkouts can hand one checkout the xtask binary built in another.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.parent().map(PathBuf::from).unwrap_or_default()
}

/// Honours CARGO_TARGET_DIR, which CI points at a folder that survives between runs on the same machine.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() { dir } else { workspace_root().join(dir) }
        }
        _ => workspace_root().join("target"),
    }
}

pub fn cargo(args: &[&str], env: &[(&str, String)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(args).current_dir(workspace_root());
    status(&mut cmd, env)
}

pub fn status(cmd: &mut Command, env: &[(&str, String)]) -> Result<(), String> {
    for (k, v) in env {
        cmd.env(k, v);
    }
    eprintln!("xtask: running {cmd:?}");
    let status = cmd.status().map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{cmd:?} failed: {status}")) }
}

pub fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Adds rustup components (rustfmt, clippy) that a minimal toolchain lacks.
pub fn ensure_rust_components(components: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let has = |c: &str| {
        let sub = if c == "rustfmt" { "fmt" } else { c };
        Command::new(&cargo).args([sub, "--version"]).output().map(|o| o.status.success()).unwrap_or(false)
    };
    let missing: Vec<&str> = components.iter().copied().filter(|c| !has(c)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    status(Command::new("rustup").args(["component", "add"]).args(&missing), &[])
        .map_err(|e| format!("{e}: install the rustup components {} first", missing.join(" ")))
}

/// Installs Debian packages a test suite needs (as root only; otherwise says what to install).
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    let root = output(Command::new("id").arg("-u")).map(|s| s.trim() == "0").unwrap_or(false);
    if !root {
        return Err(format!("not root: install Debian's {} first", packages.join(" ")));
    }
    eprintln!("xtask: installing {} from Debian's packages", packages.join(" "));
    let _ = Command::new("apt-get").arg("update").status();
    let ok = Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok { Ok(()) } else { Err(format!("apt-get install {} failed", packages.join(" "))) }
}

/// Installs the PyPI packages a check needs when they are not there (`name` or `name==version`; a pinned package
/// of another version is reinstalled).
pub fn pip_ensure(requirements: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = requirements
        .iter()
        .copied()
        .filter(|req| {
            let (name, version) = req.split_once("==").unwrap_or((req, ""));
            let probe = format!("import importlib.metadata as m, sys; v = m.version('{name}'); sys.exit(0 if '{version}' in ('', v) else 1)");
            !Command::new("python3").args(["-c", &probe]).status().map(|s| s.success()).unwrap_or(false)
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    status(Command::new("python3").args(["-m", "pip", "install", "--quiet"]).args(&missing), &[])
}
