//! Opening the encrypted local store: SQLCipher with a raw 256-bit key from the platform keystore. Its rows are read
//! and written by concern in the submodules: `drafts` (drafts and answers), `evidence` (media, GPS fixes,
//! signatures and the encrypted files), `outbox` (frozen submissions and the server's answers).
//!
//! Order matters: key, prove SQLCipher is really there (plain SQLite ignores `PRAGMA key` and would write plain text),
//! then a real read (a wrong key only shows up there, as "file is not a database"), and only then anything that writes.
//! So a wrong key never touches the file and never creates a new store in place of the old one.

pub(crate) mod drafts;
pub(crate) mod evidence;
pub(crate) mod outbox;

use std::path::Path;

use rand::RngCore;
use rusqlite::{Connection, OptionalExtension};

use super::error::{DeviceError, Result};
use super::schema;

pub const DB_FILE: &str = "ruhu.db";
pub const KEY_LEN: usize = 32;
const MEDIA_KEY: &str = "media_key";

pub struct OpenedStore {
    pub conn: Connection,
    pub media_key: [u8; KEY_LEN],
    /// user_version before migrations ran.
    pub migrated_from: u32,
}

/// Opens (or creates) the store at `path`, applying migrations.
pub fn open(path: &Path, key: &[u8]) -> Result<OpenedStore> {
    let mut conn = open_keyed(path, key)?;
    // Only now may anything write: the key has been proven right.
    conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
    // FULL: a committed answer survives a power cut, not only an app kill.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted case data is overwritten in the file, not just unlinked from the b-tree.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let migrated_from = schema::migrate(&mut conn)?;
    let media_key = media_key(&conn)?;
    Ok(OpenedStore { conn, media_key, migrated_from })
}

/// Opens and keys a connection without writing anything; fails with `WrongKey` / `NotSqlCipher`.
pub fn open_keyed(path: &Path, key: &[u8]) -> Result<Connection> {
    if key.len() != KEY_LEN {
        return Err(DeviceError::invalid("db_key", format!("数据库密钥长度应为{KEY_LEN}字节")));
    }
    let conn = Connection::open(path)?;
    // A raw key (x'…') skips SQLCipher's passphrase KDF: the key is already 256 random bits from the keystore.
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(key)))?;
    let cipher: Option<String> = conn.query_row("PRAGMA cipher_version", [], |r| r.get(0)).optional().map_err(DeviceError::storage)?.flatten();
    if cipher.as_deref().is_none_or(str::is_empty) {
        return Err(DeviceError::NotSqlCipher);
    }
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(conn),
        Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::NotADatabase => Err(DeviceError::WrongKey),
        Err(e) => Err(e.into()),
    }
}

/// The per-store key for encrypted media files, created once. It lives inside the encrypted database, so the
/// platform keystore still guards everything with a single key.
fn media_key(conn: &Connection) -> Result<[u8; KEY_LEN]> {
    let existing: Option<Vec<u8>> = conn.query_row("SELECT value FROM meta WHERE key = ?1", [MEDIA_KEY], |r| r.get(0)).optional()?;
    let bytes = match existing {
        Some(b) => b,
        None => {
            let mut k = [0u8; KEY_LEN];
            rand::rngs::OsRng.fill_bytes(&mut k);
            // OR IGNORE + re-read: two openers racing end up with the same key.
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)", rusqlite::params![MEDIA_KEY, k.to_vec()])?;
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [MEDIA_KEY], |r| r.get(0))?
        }
    };
    bytes.try_into().map_err(|_| DeviceError::Storage("media key has the wrong length".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> Vec<u8> {
        vec![b; KEY_LEN]
    }

    #[test]
    fn wrong_key_is_refused_and_the_file_is_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            let s = open(&path, &key(1)).unwrap();
            s.conn.execute("INSERT INTO forms (id, version, title, definition) VALUES ('f', 1, 't', '{}')", []).unwrap();
            // Fold the WAL into the main file so the comparison below sees everything.
            s.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(open(&path, &key(2)), Err(DeviceError::WrongKey)));
        assert_eq!(std::fs::read(&path).unwrap(), before, "a wrong key must not change the file");
        let s = open(&path, &key(1)).unwrap();
        let n: i64 = s.conn.query_row("SELECT count(*) FROM forms", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_short_key_is_invalid_input() {
        let dir = tempfile::tempdir().unwrap();
        let err = open(&dir.path().join(DB_FILE), &[0u8; 16]).err().unwrap();
        assert_eq!(err.code(), "invalid_input");
    }

    #[test]
    fn migrates_a_version_zero_store_and_keeps_the_media_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            // A keyed but empty store, as left by a first start killed before its first migration.
            let conn = open_keyed(&path, &key(3)).unwrap();
            conn.execute_batch("CREATE TABLE scratch (x INTEGER);").unwrap();
            let v: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
            assert_eq!(v, 0);
        }
        let first = open(&path, &key(3)).unwrap();
        assert_eq!(first.migrated_from, 0);
        let v: u32 = first.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, schema::CURRENT_VERSION);
        let cursor: i64 = first.conn.query_row("SELECT cursor FROM sync_state", [], |r| r.get(0)).unwrap();
        assert_eq!(cursor, 0);
        let media_key = first.media_key;
        drop(first);
        let again = open(&path, &key(3)).unwrap();
        assert_eq!(again.migrated_from, schema::CURRENT_VERSION);
        assert_eq!(again.media_key, media_key);
    }

    #[test]
    fn a_store_from_a_newer_app_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        drop(open(&path, &key(4)).unwrap());
        {
            let conn = open_keyed(&path, &key(4)).unwrap();
            conn.pragma_update(None, "user_version", schema::CURRENT_VERSION + 1).unwrap();
        }
        assert_eq!(open(&path, &key(4)).err().unwrap().code(), "storage");
    }
}
