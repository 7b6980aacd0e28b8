//! Evidence rows of a draft: its media (photos and signature images, each an encrypted file in the vault), GPS fixes
//! and signatures; and the clean-up of files no row refers to any more.

use std::collections::{BTreeMap, HashSet};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;
use uuid::Uuid;

use crate::device::error::{DeviceError, Result};
use crate::device::media::MediaVault;
use crate::device::time::{from_text, now, to_text, uuid_from_text};
use crate::device::types::PhotoInfo;
use crate::geo::LatLon;
use crate::protocol::{GpsFix, MediaRef, SignatureRef, SignerRole};

/// The blobs of `kind` (`photo`, `signature`) stored for one question of a draft.
pub(crate) fn draft_media_shas(conn: &Connection, draft: Uuid, question_id: &str, kind: &str) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare("SELECT sha256 FROM media WHERE draft_id = ?1 AND question_id = ?2 AND kind = ?3")?;
    let rows = stmt.query_map(params![draft.to_string(), question_id, kind], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The question a blob is stored for in a draft, if the draft holds it.
pub(crate) fn media_question(conn: &Connection, draft: Uuid, sha: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT question_id FROM media WHERE draft_id = ?1 AND sha256 = ?2", params![draft.to_string(), sha], |r| r.get(0))
        .optional()?)
}

pub(crate) fn insert_media(tx: &Transaction<'_>, draft: Uuid, question_id: &str, kind: &str, content_type: &str, info: &PhotoInfo) -> Result<()> {
    tx.execute(
        "INSERT INTO media (draft_id, sha256, question_id, kind, content_type, size, width, height, taken_at, exif_lat,
                            exif_lon, file_name, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            draft.to_string(),
            info.sha256,
            question_id,
            kind,
            content_type,
            info.size,
            (info.width > 0).then_some(info.width),
            (info.height > 0).then_some(info.height),
            info.taken_at.map(to_text),
            info.exif_location.map(|l| l.lat),
            info.exif_location.map(|l| l.lon),
            MediaVault::file_name(&info.sha256),
            to_text(now()),
        ],
    )?;
    Ok(())
}

/// Photos of a draft with what was read from their EXIF, in the order they were taken into the draft.
pub(crate) fn load_photos(conn: &Connection, draft: Uuid) -> Result<Vec<PhotoInfo>> {
    let mut stmt = conn.prepare(
        "SELECT sha256, size, width, height, taken_at, exif_lat, exif_lon FROM media
         WHERE draft_id = ?1 AND kind = 'photo' ORDER BY created_at",
    )?;
    let rows = stmt
        .query_map([draft.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u64>(1)?,
                r.get::<_, Option<u32>>(2)?,
                r.get::<_, Option<u32>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<f64>>(5)?,
                r.get::<_, Option<f64>>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(sha256, size, w, h, taken, lat, lon)| {
            Ok(PhotoInfo {
                sha256,
                size,
                width: w.unwrap_or(0),
                height: h.unwrap_or(0),
                taken_at: taken.as_deref().map(from_text).transpose()?,
                exif_location: lat.zip(lon).map(|(lat, lon)| LatLon { lat, lon }),
            })
        })
        .collect()
}

pub(crate) fn signer_role_text(role: SignerRole) -> String {
    serde_json::to_value(role).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

pub(crate) fn load_fixes(conn: &Connection, draft: Uuid) -> Result<Vec<GpsFix>> {
    let mut stmt = conn.prepare("SELECT lat, lon, accuracy_m, provider, mock, taken_at FROM gps_fixes WHERE draft_id = ?1 ORDER BY taken_at, id")?;
    let rows = stmt
        .query_map([draft.to_string()], |r| {
            Ok((r.get::<_, f64>(0)?, r.get::<_, f64>(1)?, r.get::<_, f64>(2)?, r.get::<_, String>(3)?, r.get::<_, bool>(4)?, r.get::<_, String>(5)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(lat, lon, accuracy_m, provider, mock, taken)| Ok(GpsFix { lat, lon, accuracy_m, provider, mock, taken_at: from_text(&taken)? }))
        .collect()
}

/// The submission's `MediaRef`s of the (question id, sha256) pairs the answers refer to.
pub(crate) fn media_refs(conn: &Connection, draft: Uuid, referenced: &[(String, String)]) -> Result<Vec<MediaRef>> {
    let mut out = Vec::with_capacity(referenced.len());
    for (question_id, sha) in referenced {
        let (size, content_type, taken_at): (u64, String, Option<String>) = conn
            .query_row("SELECT size, content_type, taken_at FROM media WHERE draft_id = ?1 AND sha256 = ?2", params![draft.to_string(), sha], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?
            .ok_or_else(|| DeviceError::Storage(format!("answer refers to media {sha} that is not stored")))?;
        out.push(MediaRef {
            sha256: sha.clone(),
            size,
            content_type,
            question_id: question_id.clone(),
            taken_at: taken_at.as_deref().map(from_text).transpose()?,
        });
    }
    Ok(out)
}

/// The submission's `SignatureRef`s: each signer's stored signature that the answers still point at.
pub(crate) fn signature_refs(conn: &Connection, draft: Uuid, answers: &BTreeMap<String, Value>) -> Result<Vec<SignatureRef>> {
    let mut out = Vec::new();
    for role in [SignerRole::Investigator1, SignerRole::Investigator2, SignerRole::FamilyMember] {
        let row: Option<(String, String, Option<String>, String, String)> = conn
            .query_row(
                "SELECT question_id, signer_name, signer_user_id, media_sha256, signed_at FROM signatures
                 WHERE draft_id = ?1 AND role = ?2",
                params![draft.to_string(), signer_role_text(role)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((question_id, signer_name, user, sha, signed_at)) = row else { continue };
        // Only the signature the answer still points at is part of the visit.
        if answers.get(&question_id).and_then(Value::as_str) != Some(sha.as_str()) {
            continue;
        }
        out.push(SignatureRef {
            role,
            signer_name,
            signer_user_id: user.as_deref().map(uuid_from_text).transpose()?,
            media_sha256: sha,
            signed_at: from_text(&signed_at)?,
        });
    }
    Ok(out)
}

/// Deletes the draft's media rows the answers do not refer to; returns their hashes (their files may go next).
pub(crate) fn drop_unreferenced_media(tx: &Transaction<'_>, draft: Uuid, referenced: &[(String, String)]) -> Result<Vec<String>> {
    let keep: HashSet<&str> = referenced.iter().map(|(_, s)| s.as_str()).collect();
    let all: Vec<String> =
        tx.prepare("SELECT sha256 FROM media WHERE draft_id = ?1")?.query_map([draft.to_string()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let dropped: Vec<String> = all.into_iter().filter(|s| !keep.contains(s.as_str())).collect();
    for sha in &dropped {
        tx.execute("DELETE FROM media WHERE draft_id = ?1 AND sha256 = ?2", params![draft.to_string(), sha])?;
    }
    Ok(dropped)
}

/// Deletes the files of `shas` that no media row refers to any more.
pub(crate) fn remove_unreferenced_files(conn: &Connection, vault: &MediaVault, shas: &[String]) -> Result<()> {
    let unique: HashSet<&String> = shas.iter().collect();
    for sha in unique {
        let used: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM media WHERE sha256 = ?1)", [sha], |r| r.get(0))?;
        if !used {
            vault.remove(sha)?;
        }
    }
    Ok(())
}

/// Removes encrypted files no row refers to (left by a kill between a commit and its file clean-up).
pub(crate) fn sweep_orphan_files(conn: &Connection, vault: &MediaVault) -> Result<()> {
    let on_disk = vault.list()?;
    remove_unreferenced_files(conn, vault, &on_disk)
}
