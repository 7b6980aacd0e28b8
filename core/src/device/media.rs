//! Encrypted media files: `<data_dir>/media/<sha256>.enc` = 12-byte random nonce ‖ AES-256-GCM(ciphertext ‖ tag).
//! The file's name (its content hash) is bound in as associated data, so a file renamed to another hash fails to open.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::error::{DeviceError, Result};
use crate::form::is_sha256_hex;

/// Folder under the data dir.
pub const MEDIA_DIR: &str = "media";
const NONCE_LEN: usize = 12;
const SUFFIX: &str = ".enc";
const TMP_MARK: &str = ".tmp-";

pub struct MediaVault {
    dir: PathBuf,
    cipher: Aes256Gcm,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl MediaVault {
    pub fn new(dir: PathBuf, key: &[u8; 32]) -> Result<Self> {
        fs::create_dir_all(&dir)?;
        let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| DeviceError::Storage("media key length".into()))?;
        Ok(Self { dir, cipher })
    }

    pub fn file_name(sha256: &str) -> String {
        format!("{sha256}{SUFFIX}")
    }

    pub fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(Self::file_name(sha256))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores `plain` under its own hash; returns the hash. Writing the same bytes twice keeps the first file.
    pub fn put(&self, plain: &[u8]) -> Result<String> {
        let sha = sha256_hex(plain);
        let target = self.path(&sha);
        if target.exists() {
            return Ok(sha);
        }
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plain, aad: sha.as_bytes() })
            .map_err(|_| DeviceError::Storage("media encryption failed".into()))?;
        // temp + fsync + rename: a kill leaves either no file or the whole file, never half a photo under its hash.
        let tmp = self.dir.join(format!("{sha}{SUFFIX}{TMP_MARK}{}", hex::encode(&nonce[..4])));
        let written = (|| -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&nonce)?;
            f.write_all(&sealed)?;
            f.sync_all()?;
            fs::rename(&tmp, &target)?;
            if let Ok(d) = fs::File::open(&self.dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e.into());
        }
        Ok(sha)
    }

    /// Decrypts a stored file and checks it still hashes to its name.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        if !is_sha256_hex(sha256) {
            return Err(DeviceError::invalid("sha256", "文件标识无效"));
        }
        let sealed = match fs::read(self.path(sha256)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(DeviceError::NotFound(format!("本机文件 {sha256}"))),
            Err(e) => return Err(e.into()),
        };
        if sealed.len() < NONCE_LEN {
            return Err(DeviceError::Storage(format!("media file {sha256} is truncated")));
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| DeviceError::Storage("nonce".into()))?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: body, aad: sha256.as_bytes() })
            .map_err(|_| DeviceError::Storage(format!("media file {sha256} failed authentication")))?;
        if sha256_hex(&plain) != sha256 {
            return Err(DeviceError::Storage(format!("media file {sha256} does not match its hash")));
        }
        Ok(plain)
    }

    pub fn remove(&self, sha256: &str) -> Result<()> {
        match fs::remove_file(self.path(sha256)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Hashes of every complete file on disk; leftover temp files from a kill are removed on the way.
    pub fn list(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.contains(TMP_MARK) {
                let _ = fs::remove_file(entry.path());
            } else if let Some(sha) = name.strip_suffix(SUFFIX).filter(|s| is_sha256_hex(s)) {
                out.push(sha.to_string());
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_no_plaintext_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let vault = MediaVault::new(dir.path().join("media"), &[7u8; 32]).unwrap();
        let plain = [&[0xFFu8, 0xD8, 0xFF][..], "plaintext marker 入户 photo".as_bytes()].concat().repeat(50);
        let sha = vault.put(&plain).unwrap();
        assert_eq!(sha, sha256_hex(&plain));
        let on_disk = fs::read(vault.path(&sha)).unwrap();
        assert!(!on_disk.windows(17).any(|w| w == b"plaintext marker "));
        assert_eq!(vault.get(&sha).unwrap(), plain);
        // Another key cannot read it.
        let other = MediaVault::new(dir.path().join("media"), &[8u8; 32]).unwrap();
        assert_eq!(other.get(&sha).err().unwrap().code(), "storage");
        assert_eq!(vault.list().unwrap(), vec![sha.clone()]);
        vault.remove(&sha).unwrap();
        assert_eq!(vault.get(&sha).err().unwrap().code(), "not_found");
    }
}
