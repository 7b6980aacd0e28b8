//! The Kotlin side on the JVM, built by Maven and tested against the host-built ruhu-mobile library and a real
//! ruhu-server process: android/shared-jvm (the app's platform-neutral Kotlin plus the generated bindings), then
//! android/app-robolectric (the Android screens, compiled against android-all and run under Robolectric).

use std::process::Command;

use crate::run;

/// Expects `bindings::generate()` and `cargo build -p ruhu-server` to have run with the same target dir.
pub fn jvm_tests(env: &[(&str, String)]) -> Result<(), String> {
    let has_maven = || Command::new("mvn").arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if !has_maven() {
        // Maven (with a JDK 17 or newer) builds and tests the Kotlin bindings.
        run::apt_install(&["maven"]).map_err(|e| format!("`mvn` is not installed and could not be installed: {e}"))?;
    }
    let target = format!("-Druhu.target.dir={}", run::target_dir().display());
    for project in ["android/shared-jvm", "android/app-robolectric"] {
        let pom = run::workspace_root().join(project).join("pom.xml");
        // Not -q: Surefire's "Tests run: …" summary lines are what CI reads.
        run::status(Command::new("mvn").args(["-B", "--no-transfer-progress", "-f"]).arg(&pom).args(["test", &target]), env)?;
    }
    Ok(())
}
