//! Password hashing with Argon2id (the crate's defaults), off the async threads.

use std::sync::OnceLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};
use rand::RngCore;

use crate::store::error::{Error, Result};

pub fn hash_blocking(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Invalid(e.to_string()))?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| Error::Invalid(e.to_string()))
}

pub fn verify_blocking(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(|e| Error::Invalid(e.to_string()))?
}

/// Verifies against the stored hash, or against a fixed dummy hash when the user does not exist, so the answer
/// takes the same time either way and does not reveal which usernames exist.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let dummy_used = stored.is_none();
        let hash = stored.unwrap_or_else(|| DUMMY.get_or_init(|| hash_blocking("ruhu-dummy-password").unwrap_or_default()).clone());
        verify_blocking(&password, &hash) && !dummy_used
    })
    .await
    .unwrap_or(false)
}
