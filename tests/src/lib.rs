//! Support for the end-to-end tests and benchmarks: a real `ruhu-server` on 127.0.0.1 (SQLite or a fresh PostgreSQL
//! database), a desk client speaking its HTTP API as a supervisor would, real device engines, and real image files.

pub mod desk;
pub mod files;
pub mod server;

pub use desk::Desk;
pub use server::{Backend, TestServer};

/// A phone's settings for a test: its store under `data_dir` with a fresh random key, talking to `server_url`, with an
/// installation id that starts with `name`.
pub fn phone_config(data_dir: &std::path::Path, server_url: &str, name: &str) -> ruhu_core::device::DeviceConfig {
    ruhu_core::device::DeviceConfig {
        data_dir: data_dir.display().to_string(),
        db_key: (0..32).map(|_| rand::random::<u8>()).collect(),
        server_url: server_url.to_string(),
        device_id: format!("{name}-{}", uuid::Uuid::new_v4().simple()),
        device_name: None,
        app_version: format!("0.1.0-{name}"),
    }
}

/// Every backend the tests must pass on. PostgreSQL needs RUHU_TEST_PG_URL; without it the run says so loudly
/// and, when RUHU_REQUIRE_PG=1 (as `cargo xtask test` sets), fails.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    match std::env::var("RUHU_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => all.push(Backend::Postgres(url)),
        _ if std::env::var("RUHU_REQUIRE_PG").as_deref() == Ok("1") => {
            panic!("RUHU_REQUIRE_PG=1 but RUHU_TEST_PG_URL is not set: run the tests with `cargo xtask test`")
        }
        _ => eprintln!("!!! RUHU_TEST_PG_URL is not set: the PostgreSQL half of this test was SKIPPED (use `cargo xtask test`)"),
    }
    all
}
