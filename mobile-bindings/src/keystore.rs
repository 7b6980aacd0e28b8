//! The database key never leaves Rust in plain form except through this trait: the platform (Android Keystore,
//! iOS Keychain "this device only") wraps a fresh random key once, and unwraps it at every start. Only the wrapped
//! form is written to disk, beside the store.

use std::path::Path;

use rand::RngCore;

use crate::error::RuhuError;

#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KeyStoreError {
    /// The platform could not wrap or unwrap the key (key invalidated, device locked, …).
    #[error("{message}")]
    Unavailable { message: String },
}

#[uniffi::export(with_foreign)]
pub trait KeyStore: Send + Sync {
    /// Encrypt `key` with a key that never leaves the platform's secure hardware.
    fn wrap_key(&self, key: Vec<u8>) -> Result<Vec<u8>, KeyStoreError>;
    /// The inverse of `wrap_key`.
    fn unwrap_key(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, KeyStoreError>;
}

const WRAPPED_KEY_FILE: &str = "store.key.wrapped";
const KEY_LEN: usize = 32;

/// The store key for `data_dir`: unwrapped from the saved wrapped key, or created, wrapped and saved on first use.
pub(crate) fn database_key(data_dir: &Path, keys: &dyn KeyStore) -> Result<Vec<u8>, RuhuError> {
    let path = data_dir.join(WRAPPED_KEY_FILE);
    let wrong_key = |message: String| RuhuError::WrongKey { code: "key_unavailable".into(), message };
    match std::fs::read(&path) {
        Ok(wrapped) => {
            let key = keys.unwrap_key(wrapped).map_err(|e| wrong_key(format!("无法解开本机数据密钥：{e}")))?;
            if key.len() != KEY_LEN {
                return Err(wrong_key("本机数据密钥长度不正确".into()));
            }
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if data_dir.join(ruhu_core::device::DB_FILE).exists() {
                // A store without its wrapped key can never be opened again; never replace it with an empty one.
                return Err(wrong_key("本机数据密钥丢失，无法打开已有数据".into()));
            }
            std::fs::create_dir_all(data_dir).map_err(|e| io_error(&e))?;
            let mut key = vec![0u8; KEY_LEN];
            rand::rngs::OsRng.fill_bytes(&mut key);
            let wrapped = keys.wrap_key(key.clone()).map_err(|e| wrong_key(format!("无法保护本机数据密钥：{e}")))?;
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, &wrapped).and_then(|()| std::fs::rename(&tmp, &path)).map_err(|e| io_error(&e))?;
            Ok(key)
        }
        Err(e) => Err(io_error(&e)),
    }
}

/// Forgets the wrapped key (after a wipe the old store is gone and a new key will be made).
pub(crate) fn forget(data_dir: &Path) {
    let _ = std::fs::remove_file(data_dir.join(WRAPPED_KEY_FILE));
}

fn io_error(e: &std::io::Error) -> RuhuError {
    RuhuError::Failed { code: "storage".into(), message: format!("本机存储出错：{e}"), field: None }
}
