//! `cargo xtask <job>`: the project jobs that are more than one command.
//!
//! - `test`     `cargo fmt --check`, `cargo clippy -D warnings`, then every test suite: Rust (SQLite and PostgreSQL), Python bindings, Kotlin on the JVM, the web console
//!   in headless Chromium; starts a throwaway PostgreSQL unless RUHU_TEST_PG_URL points at one, and installs
//!   Debian's packages it needs when they are not there (PostgreSQL, Maven, Chromium, a CJK font).
//! - `kotlin`   the Kotlin bindings and the app's shared Kotlin (android/shared-jvm) built and tested on the JVM by
//!   Maven, against the host-built library and a real ruhu-server.
//! - `bindings` generate Kotlin, Swift and Python bindings from the built ruhu-mobile library.
//! - `bench`    run the benchmarks and print the figures.
//! - `console`  the web console's end-to-end test in headless Chromium (installs chromium and a CJK font if absent).
//! - `swift`    every Swift file under ios/ and the generated Swift bindings parsed with tree-sitter-swift (no Swift
//!   compiler here): a syntax error fails (installs the pinned PyPI packages if absent).

mod bindings;
mod clock;
mod console;
mod kotlin;
mod pg;
mod run;
mod swift;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let job = args.first().map(String::as_str).unwrap_or("help");
    let result = match job {
        "test" => test(&args[1..]),
        "bindings" => bindings::generate().map(|_| ()),
        "kotlin" => kotlin(),
        "bench" => bench(),
        "console" => console::e2e(&[clock::main_run()]),
        "swift" => swift::check(),
        _ => {
            eprintln!("usage: cargo xtask <test|bindings|kotlin|bench|console|swift>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {job}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every package but xtask, with the features of the whole test run: the bindings generator, and a server (and core)
/// that take the day from RUHU_TEST_CLOCK.
const ALL_PACKAGES: &[&str] = &["--workspace", "--exclude", "xtask", "--features", "ruhu-mobile/bindgen,ruhu-server/test-clock"];

/// What the year-end check runs again: the server's sync tests (pull and push), its workflow tests of deadlines and the
/// Python test of the phone's deadlines. Named targets of the whole run's build (same packages, same features), so
/// nothing is compiled again. (The 补差 suggestion and the eligibility pre-check need the year's local standard, which a
/// district enters each year: in a year without one they rightly give none, so those tests are not part of the check.)
const YEAR_END_RUST_TESTS: &[&[&str]] = &[&["--test", "sync"], &["--test", "workflow", "--", "deadline"]];
const YEAR_END_PYTHON_TESTS: &str = "tests/python/test_deadlines.py";

fn test(extra: &[String]) -> Result<(), String> {
    let pg = match std::env::var("RUHU_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => pg::Postgres::external(url),
        _ => pg::Postgres::start_throwaway()?,
    };
    let base = [("RUHU_TEST_PG_URL", pg.url()), ("RUHU_REQUIRE_PG", "1".to_string())];
    let env = [base.clone().as_slice(), &[clock::main_run()]].concat();

    // Format and lints first: they fail in seconds, before the long suites.
    run::ensure_rust_components(&["rustfmt", "clippy"])?;
    run::cargo(&["fmt", "--all", "--check"], &[])?;
    run::cargo(&[&["clippy", "--all-targets"], ALL_PACKAGES, &["--", "-D", "warnings"]].concat(), &[])?;
    // One feature set for every build of the run (the bindgen feature included), so that the test binaries, the
    // server binary, the bindings generator and the mobile library share one compilation of every dependency.
    run::cargo(&[&["build"], ALL_PACKAGES].concat(), &env)?;
    let mut cargo_args = [&["test"], ALL_PACKAGES].concat();
    cargo_args.extend(extra.iter().map(String::as_str));
    run::cargo(&cargo_args, &env)?;

    let generated = bindings::generate()?;
    swift::check()?;
    bindings::python_tests(&generated, &env, None)?;
    kotlin::jvm_tests(&env)?;
    console::e2e(&env)?;
    year_end_check(&base, &generated)
}

/// The deadline and pull tests again, as of days that span the end of the last bundled holiday year (only the
/// bundled years loaded): a deadline in the next year must be provisional, never hide the case's stage or its
/// other steps, and the suites must pass on such days as on any other.
fn year_end_check(base: &[(&str, String)], generated: &bindings::Generated) -> Result<(), String> {
    for day in clock::year_end_days()? {
        eprintln!("xtask: year-end check as of {day}");
        let env = [base, &[clock::at(&day)]].concat();
        for tests in YEAR_END_RUST_TESTS {
            run::cargo(&[&["test"], ALL_PACKAGES, tests].concat(), &env)?;
        }
        bindings::python_tests(generated, &env, Some(YEAR_END_PYTHON_TESTS))?;
    }
    Ok(())
}

fn kotlin() -> Result<(), String> {
    bindings::generate()?;
    kotlin::jvm_tests(&[clock::main_run()])
}

fn bench() -> Result<(), String> {
    let pg = match std::env::var("RUHU_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => pg::Postgres::external(url),
        _ => pg::Postgres::start_throwaway()?,
    };
    let env = [("RUHU_TEST_PG_URL", pg.url())];
    run::cargo(&["run", "--release", "-p", "ruhu-e2e-tests", "--bin", "ruhu-bench"], &env)?;
    run::cargo(&["build", "--profile", "mobile", "-p", "ruhu-mobile", "--lib"], &[])?;
    let lib = run::target_dir().join("mobile/libruhu_mobile.so");
    let size = std::fs::metadata(&lib).map_err(|e| format!("{}: {e}", lib.display()))?.len();
    println!("ruhu-mobile release library (profile mobile, host x86_64, not stripped of uniffi metadata): {:.1} MB", size as f64 / 1e6);
    Ok(())
}
