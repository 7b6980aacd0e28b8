//! Drives the device engine against a running ruhu-server: login, pull, fill the first open assignment's form
//! generically, finalise, push with uploads interrupted after four chunks (mid-file), resume, and print every report.
//!
//! `cargo run -p ruhu-core --features device --example device_smoke -- http://127.0.0.1:8080 qingyan.diaocha1 'Ruhu#demo2026'`
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

use std::sync::Arc;

use image::{ExtendedColorType, codecs::jpeg::JpegEncoder};
use rand::RngCore;
use ruhu_core::device::{CancelToken, Device, DeviceConfig, NoProgress, SyncOptions, SyncProgress};
use ruhu_core::form::QuestionKind;
use ruhu_core::protocol::{AssignmentStatus, GpsFix, SignerRole};
use serde_json::json;

struct Print;
impl SyncProgress for Print {
    fn on_page(&self, pages_done: u32, changes_applied: u32) {
        println!("  page {pages_done}: {changes_applied} changes applied so far");
    }
    fn on_upload_chunk(&self, sha256: String, bytes_sent: u64, total_bytes: u64) {
        println!("  upload {}…: {bytes_sent}/{total_bytes}", &sha256[..12]);
    }
}

fn photo(seed: u32, w: u32, h: u32) -> Vec<u8> {
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    let mut s = seed.wrapping_mul(2).wrapping_add(1);
    for y in 0..h {
        for x in 0..w {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            px.extend_from_slice(&[(x % 251) as u8 ^ (s as u8 & 7), (y % 241) as u8, (s >> 8) as u8 & 0x3f]);
        }
    }
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90).encode(&px, w, h, ExtendedColorType::Rgb8).expect("encode");
    out
}

fn png(marker: &[u8]) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend_from_slice(&400u32.to_be_bytes());
    b.extend_from_slice(&200u32.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    b.extend_from_slice(marker);
    b
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).cloned().unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let user = args.get(2).cloned().unwrap_or_else(|| "qingyan.diaocha1".into());
    let password = args.get(3).cloned().unwrap_or_else(|| "Ruhu#demo2026".into());
    let dir = std::env::temp_dir().join(format!("ruhu-smoke-{}", std::process::id()));
    let mut key = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let device = Device::open(DeviceConfig {
        data_dir: dir.to_string_lossy().into_owned(),
        db_key: key,
        server_url: url,
        device_id: format!("smoke-{}", std::process::id()),
        device_name: Some("smoke test".into()),
        app_version: "0.1.0-smoke".into(),
    })?;
    let me = device.login(&user, &password).await.map_err(|e| format!("{}: {}", e.code(), e.message_zh()))?;
    println!("logged in as {} ({})", me.display_name, me.org_unit_name);

    let report = device.sync(Arc::new(Print), CancelToken::new()).await?;
    println!("first sync: {report:?}");
    let list = device.assignments()?;
    println!("{} assignments on the phone", list.len());
    let Some(target) = list.iter().find(|a| a.assignment.status == AssignmentStatus::Assigned) else {
        println!("no open assignment to visit");
        return Ok(());
    };
    let a = &target.assignment;
    println!("visiting {} / {} (form {} v{})", a.case.case_no, a.household.head_name, a.form_id, a.form_version);
    let draft = device.start_draft(a.id)?;
    let form = device.form(&a.form_id, a.form_version)?;
    let files = dir.join("camera");
    std::fs::create_dir_all(&files)?;
    let home = a.household.location.unwrap_or(ruhu_core::geo::LatLon { lat: 26.33, lon: 106.68 });
    for (i, q) in form.questions.iter().enumerate() {
        let value = match q.kind {
            QuestionKind::Text => json!("入户核实，情况属实"),
            QuestionKind::Integer => json!(3),
            QuestionKind::Decimal => json!(1.5),
            QuestionKind::Money => json!(80000),
            QuestionKind::Date => json!("2026-03-14"),
            QuestionKind::YesNo => json!(false),
            QuestionKind::SelectOne => json!(q.choices[0].value),
            QuestionKind::SelectMultiple => json!([q.choices[0].value]),
            QuestionKind::Geopoint => json!({"lat": home.lat, "lon": home.lon}),
            QuestionKind::Photo => {
                for n in 0..q.min_count.unwrap_or(1).max(1) {
                    let path = files.join(format!("{i}-{n}.jpg"));
                    std::fs::write(&path, photo(i as u32 * 31 + n, 2400, 1800))?;
                    let info = device.import_photo(draft, &q.id, &path.to_string_lossy())?;
                    println!("  photo {}: {} bytes {}x{}", &info.sha256[..12], info.size, info.width, info.height);
                }
                continue;
            }
            QuestionKind::Signature => {
                let role = q.signer.unwrap_or(SignerRole::FamilyMember);
                let (name, user) = match role {
                    SignerRole::Investigator1 => (a.investigators[0].display_name.clone(), Some(a.investigators[0].id)),
                    SignerRole::Investigator2 => (a.investigators[1].display_name.clone(), Some(a.investigators[1].id)),
                    SignerRole::FamilyMember => (a.household.head_name.clone(), None),
                };
                let path = files.join(format!("sig-{i}.png"));
                std::fs::write(&path, png(q.id.as_bytes()))?;
                device.add_signature(draft, role, &name, user, &path.to_string_lossy())?;
                continue;
            }
            QuestionKind::Note => continue,
            // The published forms this smoke run fills have no repeat groups yet.
            QuestionKind::Repeat => json!([]),
        };
        device.set_answer(draft, &q.id, value)?;
    }
    device.record_fix(
        draft,
        GpsFix { lat: home.lat, lon: home.lon, accuracy_m: 9.0, provider: "gps".into(), mock: false, taken_at: chrono::Utc::now() },
    )?;
    println!("distance to household: {:?} m", device.distance_to_household(draft)?);
    let sub = device.finalise(draft)?;
    println!("finalised submission {sub}");

    let opts = SyncOptions { chunk_size: 64 * 1024, max_chunks: Some(4), ..Default::default() };
    match device.sync_with(Arc::new(Print), CancelToken::new(), opts.clone()).await {
        Err(e) => println!("interrupted sync: {} ({})", e.code(), e.message_zh()),
        Ok(r) => println!("sync finished before the interruption: {r:?}"),
    }
    println!("outbox: {:?}", device.outbox()?.iter().map(|o| (o.state, o.last_error.clone())).collect::<Vec<_>>());
    let report = device.sync_with(Arc::new(Print), CancelToken::new(), SyncOptions { max_chunks: None, ..opts }).await?;
    println!("resumed sync: {report:?}");
    println!("outbox: {:?}", device.outbox()?.iter().map(|o| (o.state, o.receipt.clone())).collect::<Vec<_>>());
    let report = device.sync(Arc::new(NoProgress), CancelToken::new()).await?;
    println!("last sync: {report:?}");
    device.logout().await?;
    device.wipe()?;
    Ok(())
}
