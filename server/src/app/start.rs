//! Start-up: the policy file (a broken one stops the start with the key path before anything is touched), the
//! database (connected, migrated, seeded with the org tree, the built-in forms and the bundled calendar years), the
//! signing key and the blob store.

use std::path::Path;

use ruhu_core::policy::Policy;

use crate::{
    access::{jwt::JwtKeys, org},
    app::{config::ServerConfig, state::AppState},
    records::{calendar, forms},
    store::{
        blobs::BlobStore,
        db::{Db, redact_url},
        error::{Error, Result},
    },
    workflow::legacy_states,
};

/// The policy file at `file`, or Huaxi's bundled policy when there is none.
pub fn load_policy(file: Option<&Path>) -> Result<Policy> {
    let Some(path) = file else { return Ok(Policy::huaxi()) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("policy file {}: cannot read: {e} / 无法读取政策参数文件", path.display())))?;
    let policy = Policy::from_toml(&text).map_err(|e| Error::Config(format!("policy file {}: {e} / {}", path.display(), e.message_zh())))?;
    tracing::info!(file = %path.display(), district = policy.district_code(), "policy loaded");
    Ok(policy)
}

/// Loads the policy, connects and migrates the database, seeds the org tree, the built-in forms and the bundled
/// calendar years, loads (or creates) the JWT signing key and opens the blob store.
pub async fn open_state(config: &ServerConfig) -> Result<AppState> {
    let policy = load_policy(config.policy_file.as_deref())?;
    std::fs::create_dir_all(&config.data_dir)?;
    let url = config.database_url();
    tracing::info!(database = %redact_url(&url), "opening database");
    let db = Db::connect(&url, config.clock).await?;
    db.migrate().await?;
    legacy_states::fill(&db).await?;
    org::seed_district(&db).await?;
    forms::publish_builtin(&db).await?;
    calendar::seed_bundled_calendar(&db).await?;
    let jwt = JwtKeys::load_or_create(&config.signing_key_path())?;
    let blobs = BlobStore::open(&config.blob_dir(), &config.upload_dir())?;
    Ok(AppState::new(config.clone(), db, jwt, blobs, policy))
}
