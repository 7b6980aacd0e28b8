//! Bindings for Kotlin, Swift and Python, generated from the built (unstripped) ruhu-mobile library in library mode.

use std::path::PathBuf;
use std::process::Command;

use crate::run;

pub struct Generated {
    pub python_dir: PathBuf,
}

/// Generates from the debug build: it is never stripped, so the uniffi metadata is always there.
pub fn generate() -> Result<Generated, String> {
    run::cargo(&[&["build"], crate::ALL_PACKAGES].concat(), &[])?;
    // libruhu_mobile.so on Linux, libruhu_mobile.dylib on macOS (where ios/build-xcframework.sh runs).
    let lib_name = format!("{}ruhu_mobile{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
    let lib = run::target_dir().join("debug").join(&lib_name);
    let bindgen = run::target_dir().join("debug/uniffi-bindgen");
    let out = run::target_dir().join("bindings");
    let _ = std::fs::remove_dir_all(&out);
    for language in ["kotlin", "swift", "python"] {
        let lang_out = out.join(language);
        let lib_arg = lib.display().to_string();
        let out_arg = lang_out.display().to_string();
        let mut cmd = Command::new(&bindgen);
        cmd.args(["generate", "--library", &lib_arg, "--language", language, "--out-dir", &out_arg])
            .current_dir(run::workspace_root().join("mobile-bindings"));
        run::status(&mut cmd, &[])?;
    }
    // Python loads lib<name>.so from the folder of the generated module.
    let python_dir = out.join("python");
    std::fs::copy(&lib, python_dir.join(&lib_name)).map_err(|e| format!("copy library: {e}"))?;
    eprintln!("xtask: bindings in {}", out.display());
    Ok(Generated { python_dir })
}

/// The Python bindings tests (`only`: one file of them).
pub fn python_tests(generated: &Generated, env: &[(&str, String)], only: Option<&str>) -> Result<(), String> {
    let root = run::workspace_root();
    let mut env = env.to_vec();
    env.push(("RUHU_BINDINGS_DIR", generated.python_dir.display().to_string()));
    env.push(("RUHU_SERVER_BIN", run::target_dir().join("debug/ruhu-server").display().to_string()));
    // pytest runs the tests; Pillow writes the real JPEG and PNG files they import.
    run::pip_ensure(&["pytest", "pillow"])?;
    run::status(Command::new("python3").args(["-m", "pytest", "-q", only.unwrap_or("tests/python")]).current_dir(&root), &env)
}
