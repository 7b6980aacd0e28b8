//! Media uploads with tus 1.0 (creation + checksum). The upload URL is content-addressed, so resuming after any
//! interruption asks the server for its offset and continues from there: finished chunks are never sent again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::Method;
use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};

use super::Device;
use super::client::{API, Counters, Reply};
use super::error::{DeviceError, Result};
use super::types::{CancelToken, SyncOptions, SyncProgress};
use crate::protocol::TUS_VERSION;

/// Everything one sync run shares between its steps.
pub(crate) struct SyncCtx {
    pub counters: Counters,
    pub progress: Arc<dyn SyncProgress>,
    pub cancel: CancelToken,
    pub options: SyncOptions,
    pub chunks_sent: AtomicU32,
    pub uploaded_bytes: AtomicU64,
}

impl SyncCtx {
    pub fn check_cancel(&self) -> Result<()> {
        if self.cancel.is_cancelled() { Err(DeviceError::Cancelled) } else { Ok(()) }
    }
}

/// A checksum mismatch (tus 460) is retried this many times per chunk before giving up.
const CHECKSUM_RETRIES: u32 = 3;
/// Offset disagreements (409) resolved by asking the server again before giving up.
const OFFSET_RESYNCS: u32 = 3;

fn parse_offset(reply: &Reply) -> Option<u64> {
    reply.header("Upload-Offset").and_then(|v| v.trim().parse().ok())
}

impl Device {
    /// Uploads one stored blob (decrypted on the fly) and marks it uploaded. Returns the bytes sent by this call.
    pub(crate) async fn upload_media(&self, ctx: &SyncCtx, sha256: &str) -> Result<u64> {
        let content_type: String = self
            .with_conn(|conn, _| {
                Ok(conn.query_row("SELECT content_type FROM media WHERE sha256 = ?1 LIMIT 1", [sha256], |r| r.get(0)).optional()?)
            })?
            .ok_or_else(|| DeviceError::NotFound(format!("本机文件 {sha256}")))?;
        let bytes = self.vault()?.get(sha256)?;
        let total = bytes.len() as u64;

        let collection = format!("{API}/uploads");
        let metadata = format!("sha256 {},content_type {}", B64.encode(sha256), B64.encode(&content_type));
        let created = self
            .send_authed(&ctx.counters, |token| {
                self.http
                    .authed(Method::POST, &collection, token)
                    .header("Tus-Resumable", TUS_VERSION)
                    .header("Upload-Length", total.to_string())
                    .header("Upload-Metadata", metadata.clone())
            })
            .await?;
        // 409: the upload already exists (an earlier, interrupted attempt); its offset is asked below.
        if !created.ok() && created.status != 409 {
            return Err(created.error());
        }
        let url = created.header("Location").map(|l| self.http.resolve(l)).unwrap_or_else(|| format!("{collection}/{sha256}"));

        let mut offset = self.tus_offset(ctx, &url).await?;
        let mut sent_here = 0u64;
        let mut resyncs = 0;
        let mut checksum_failures = 0;
        while offset < total {
            ctx.check_cancel()?;
            if ctx.options.max_chunks.is_some_and(|max| ctx.chunks_sent.load(Ordering::SeqCst) >= max) {
                return Err(DeviceError::Cancelled);
            }
            let chunk_size = ctx.options.chunk_size.max(1);
            let end = total.min(offset + chunk_size);
            let chunk = &bytes[offset as usize..end as usize];
            let checksum = format!("sha256 {}", B64.encode(Sha256::digest(chunk)));
            let reply = self
                .send_authed(&ctx.counters, |token| {
                    self.http
                        .authed(Method::PATCH, &url, token)
                        .header("Tus-Resumable", TUS_VERSION)
                        .header("Upload-Offset", offset.to_string())
                        .header("Upload-Checksum", checksum.clone())
                        .header("Content-Type", "application/offset+octet-stream")
                        .body(chunk.to_vec())
                })
                .await?;
            match reply.status {
                200..=299 => {
                    let new_offset = parse_offset(&reply).unwrap_or(end);
                    if new_offset <= offset || new_offset > total {
                        return Err(DeviceError::Server {
                            status: reply.status,
                            code: "bad_offset".into(),
                            message: "服务器返回的上传进度无效".into(),
                        });
                    }
                    let n = new_offset - offset;
                    offset = new_offset;
                    sent_here += n;
                    checksum_failures = 0;
                    ctx.chunks_sent.fetch_add(1, Ordering::SeqCst);
                    ctx.uploaded_bytes.fetch_add(n, Ordering::SeqCst);
                    ctx.progress.on_upload_chunk(sha256.to_string(), offset, total);
                }
                409 if resyncs < OFFSET_RESYNCS => {
                    resyncs += 1;
                    offset = self.tus_offset(ctx, &url).await?;
                }
                460 if checksum_failures < CHECKSUM_RETRIES => checksum_failures += 1,
                _ => return Err(reply.error()),
            }
        }
        self.with_conn(|conn, _| {
            conn.execute("UPDATE media SET uploaded = 1 WHERE sha256 = ?1", [sha256])?;
            Ok(())
        })?;
        Ok(sent_here)
    }

    /// The server's current offset for an upload (HEAD).
    async fn tus_offset(&self, ctx: &SyncCtx, url: &str) -> Result<u64> {
        let reply = self.send_authed(&ctx.counters, |token| self.http.authed(Method::HEAD, url, token).header("Tus-Resumable", TUS_VERSION)).await?;
        if !reply.ok() {
            return Err(reply.error());
        }
        parse_offset(&reply).ok_or_else(|| DeviceError::Server {
            status: reply.status,
            code: "bad_offset".into(),
            message: "服务器未返回上传进度".into(),
        })
    }
}
