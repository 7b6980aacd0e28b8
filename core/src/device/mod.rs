//! The offline device engine: an encrypted store (SQLCipher), drafts that survive a kill, a photo pipeline that
//! strips location from files, GPS fixes, signatures, a frozen outbox and the sync client (pull, push, tus uploads).
//!
//! [`Device`] is `Send + Sync`; the database sits behind one mutex that is never held across an `.await`.

mod client;
mod drafts;
mod error;
mod local;
pub mod media;
pub mod photos;
mod schema;
mod session;
mod store;
mod sync;
mod time;
mod types;
mod unlock;
mod upload;

#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;

pub use error::{DeviceError, Result};
pub use local::PageOutcome;
pub use photos::{ProcessedPhoto, process_photo_bytes};
pub use schema::CURRENT_VERSION as SCHEMA_VERSION;
pub use store::DB_FILE;
pub use types::*;
pub use unlock::{MAX_WRONG_PINS, PIN_LEN, UnlockOutcome, UnlockState, check_new_pin};

use media::MediaVault;

/// One installation's engine. Create it once per process with [`Device::open`].
pub struct Device {
    config: DeviceConfig,
    data_dir: PathBuf,
    /// None after [`Device::wipe`]: every call then fails with `Wiped`.
    store: Mutex<Option<OpenStore>>,
    http: client::Http,
    /// One sync at a time.
    sync_lock: tokio::sync::Mutex<()>,
    /// Compiled forms by (id, version): compiling a 300-question form takes ≈6 ms, evaluating it after an answer
    /// ≈1 ms (`cargo bench -p ruhu-core --bench form_eval`), and the app evaluates after every answer. Published
    /// versions never change, so an entry never goes stale. Locked after the store, never before.
    form_sessions: Mutex<std::collections::HashMap<(String, u32), crate::form::FormSession>>,
    /// One token refresh at a time: rotating refresh tokens must not be spent twice.
    refresh_lock: tokio::sync::Mutex<()>,
}

struct OpenStore {
    conn: Connection,
    vault: Arc<MediaVault>,
}

impl Device {
    /// Opens (or creates) the encrypted store in `config.data_dir`. A wrong key fails with `WrongKey` and leaves the
    /// existing store untouched; a SQLite without SQLCipher fails with `NotSqlCipher`.
    pub fn open(config: DeviceConfig) -> Result<Device> {
        if config.data_dir.trim().is_empty() {
            return Err(DeviceError::invalid("data_dir", "数据目录不能为空"));
        }
        if config.device_id.trim().is_empty() {
            return Err(DeviceError::invalid("device_id", "设备标识不能为空"));
        }
        let http = client::Http::new(&config.server_url, &config.app_version)?;
        let data_dir = PathBuf::from(&config.data_dir);
        std::fs::create_dir_all(&data_dir)?;
        let opened = store::open(&data_dir.join(store::DB_FILE), &config.db_key)?;
        if opened.migrated_from != schema::CURRENT_VERSION {
            tracing::info!(from = opened.migrated_from, to = schema::CURRENT_VERSION, "local store migrated");
        }
        let vault = Arc::new(MediaVault::new(data_dir.join(media::MEDIA_DIR), &opened.media_key)?);
        let open = OpenStore { conn: opened.conn, vault };
        // Files left behind by a kill between a delete and its file clean-up.
        store::evidence::sweep_orphan_files(&open.conn, &open.vault)?;
        // The key is in the platform keystore; the engine does not need to keep a copy.
        let config = DeviceConfig { db_key: Vec::new(), ..config };
        Ok(Device {
            config,
            data_dir,
            store: Mutex::new(Some(open)),
            http,
            sync_lock: tokio::sync::Mutex::new(()),
            form_sessions: Mutex::new(std::collections::HashMap::new()),
            refresh_lock: tokio::sync::Mutex::new(()),
        })
    }

    pub fn config(&self) -> &DeviceConfig {
        &self.config
    }

    fn lock(&self) -> Result<MutexGuard<'_, Option<OpenStore>>> {
        // A panic elsewhere while holding the lock leaves SQLite consistent (transactions roll back on drop).
        let guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            return Err(DeviceError::Wiped);
        }
        Ok(guard)
    }

    /// Runs `f` with the connection. Never call across an `.await`.
    fn with_conn<T>(&self, f: impl FnOnce(&mut Connection, &MediaVault) -> Result<T>) -> Result<T> {
        let mut guard = self.lock()?;
        let open = guard.as_mut().ok_or(DeviceError::Wiped)?;
        f(&mut open.conn, &open.vault)
    }

    fn vault(&self) -> Result<Arc<MediaVault>> {
        let guard = self.lock()?;
        guard.as_ref().map(|o| o.vault.clone()).ok_or(DeviceError::Wiped)
    }

    /// Deletes the database (with its WAL and SHM files) and every media file. The `Device` is unusable afterwards.
    pub fn wipe(&self) -> Result<()> {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        // Close the connection before unlinking its files.
        drop(guard.take());
        remove_store_files(&self.data_dir)
    }

    /// Deletes a store that cannot be opened any more (its key was lost, e.g. after a keystore reset), without
    /// needing the key. Only the engine's own files in `data_dir` are removed.
    pub fn erase(data_dir: &str) -> Result<()> {
        remove_store_files(std::path::Path::new(data_dir))
    }

    pub fn is_wiped(&self) -> bool {
        self.store.lock().map(|g| g.is_none()).unwrap_or(true)
    }

    /// Decrypted bytes of a stored photo or signature (for display).
    pub fn media_bytes(&self, sha256: &str) -> Result<Vec<u8>> {
        self.vault()?.get(sha256)
    }

    /// Writes a decrypted copy of a stored file to `dest_path` (for an image view that wants a path). The caller
    /// deletes it when done.
    pub fn export_media(&self, sha256: &str, dest_path: &str) -> Result<()> {
        let bytes = self.media_bytes(sha256)?;
        std::fs::write(dest_path, bytes)?;
        Ok(())
    }
}

fn remove_store_files(data_dir: &std::path::Path) -> Result<()> {
    let db = data_dir.join(store::DB_FILE);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = db.clone().into_os_string();
        p.push(suffix);
        remove_if_exists(&PathBuf::from(p))?;
    }
    match std::fs::remove_dir_all(data_dir.join(media::MEDIA_DIR)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn remove_if_exists(p: &std::path::Path) -> Result<()> {
    match std::fs::remove_file(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[allow(dead_code)]
fn assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<Device>();
}
