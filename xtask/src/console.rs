//! `cargo xtask console`: the web console's end-to-end test in headless Chromium.
//!
//! Installs Debian's chromium and a Chinese font (fonts-noto-cjk) when absent, builds ruhu-server and the phone
//! helper (ruhu-phone-visit, the real device core), runs `npm ci` in tests/console and then `node --test` there with
//! the binaries' paths in RUHU_SERVER_BIN / RUHU_PHONE_BIN. Screenshots land in <target>/console-screenshots.

use std::path::Path;
use std::process::Command;

use crate::run;

const CHROMIUM: &str = "/usr/bin/chromium";

pub fn e2e(extra_env: &[(&str, String)]) -> Result<(), String> {
    ensure_packages()?;
    // The whole test run's build (a no-op inside `cargo xtask test`): ruhu-server and ruhu-phone-visit are in it.
    run::cargo(&[&["build"], crate::ALL_PACKAGES].concat(), &[])?;
    let target = run::target_dir();
    let server = target.join("debug/ruhu-server");
    let phone = target.join("debug/ruhu-phone-visit");
    for bin in [&server, &phone] {
        if !bin.is_file() {
            return Err(format!("{} was not built", bin.display()));
        }
    }
    let shots = target.join("console-screenshots");
    let dir = run::workspace_root().join("tests/console");
    // playwright-core never downloads a browser; the variable makes sure no install script tries.
    let npm_env = [("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1".to_string())];
    run::status(Command::new("npm").arg("ci").arg("--no-audit").arg("--no-fund").current_dir(&dir), &npm_env)?;
    let mut env = extra_env.to_vec();
    env.extend([
        ("RUHU_SERVER_BIN", server.display().to_string()),
        ("RUHU_PHONE_BIN", phone.display().to_string()),
        ("RUHU_CHROMIUM", CHROMIUM.to_string()),
        ("RUHU_SCREENSHOT_DIR", shots.display().to_string()),
    ]);
    run::status(Command::new("node").args(["--test", "--test-concurrency=1"]).current_dir(&dir), &env)?;
    eprintln!("xtask console: screenshots in {}", shots.display());
    Ok(())
}

fn has_chinese_font() -> bool {
    Command::new("fc-list").args([":lang=zh", "family"]).output().map(|o| o.status.success() && !o.stdout.trim_ascii().is_empty()).unwrap_or(false)
}

/// Debian's packages, installed only when missing (a browser is never downloaded by a test tool).
fn ensure_packages() -> Result<(), String> {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).is_file() {
        missing.push("chromium");
    }
    if !has_chinese_font() {
        missing.push("fonts-noto-cjk");
    }
    if missing.is_empty() {
        return Ok(());
    }
    run::apt_install(&missing)?;
    if !Path::new(CHROMIUM).is_file() || !has_chinese_font() {
        return Err(format!("{} still missing after apt-get", missing.join(" ")));
    }
    Ok(())
}
