//! A phone doing one home visit against a running server, for the web console's browser test: the real device core
//! (SQLCipher store, photo pipeline, tus uploads, push) logs in as an investigator, pulls, fills the assignment's
//! form, takes three photos, records a GPS fix about 30 m from the household, collects the three signatures,
//! finalises and syncs. Prints one JSON line: {"submission_id", "distance_m", "merged"}. A district re-visit
//! assignment (`district-revisit` form) is answered as a re-visit that finds one member fewer than the record.
//!
//! Usage: ruhu-phone-visit SERVER_URL USERNAME PASSWORD ASSIGNMENT_ID [WAGES_FEN [GATE_FILE]]
//!
//! With GATE_FILE the phone finalises the visit (its base is the case as pulled), creates GATE_FILE.ready and waits
//! (up to 120 s) for GATE_FILE to exist before it pushes: two phones that both finalised before either pushed change
//! the same facts from the same base, which is how a conflict arises in the field.

use std::{process::ExitCode, sync::Arc};

use ruhu_core::{
    device::{CancelToken, Device, DeviceConfig, NoProgress},
    form::sample,
    protocol::{GpsFix, SignerRole},
};
use ruhu_e2e_tests::files;
use serde_json::{Value, json};
use uuid::Uuid;

/// The fix is placed this far north of the household (1e-4 degree of latitude is about 11 m).
const NORTH_OFFSET_DEG: f64 = 0.0003;
const DEFAULT_WAGES_FEN: i64 = 65_000;

/// Announces that the visit is finalised, then waits for the go-ahead to push.
async fn wait_at_gate(gate: &std::path::Path) -> Result<(), String> {
    let ready = gate.with_extension("ready");
    std::fs::write(&ready, b"").map_err(|e| format!("gate {}: {e}", ready.display()))?;
    for _ in 0..1200 {
        if gate.exists() {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(format!("no go-ahead at {} within 120 s", gate.display()))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (server, username, password, assignment, rest) = match args.as_slice() {
        [s, u, p, a, rest @ ..] if rest.len() <= 2 => (s, u, p, a, rest),
        _ => {
            eprintln!("usage: ruhu-phone-visit SERVER_URL USERNAME PASSWORD ASSIGNMENT_ID [WAGES_FEN [GATE_FILE]]");
            return ExitCode::from(2);
        }
    };
    let wages = match rest.first().map(|w| w.parse::<i64>()) {
        None => DEFAULT_WAGES_FEN,
        Some(Ok(w)) => w,
        Some(Err(e)) => {
            eprintln!("ruhu-phone-visit: WAGES_FEN: {e}");
            return ExitCode::from(2);
        }
    };
    let gate = rest.get(1).map(std::path::PathBuf::from);
    match visit(server, username, password, assignment, wages, gate).await {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ruhu-phone-visit: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn visit(
    server: &str,
    username: &str,
    password: &str,
    assignment: &str,
    wages: i64,
    gate: Option<std::path::PathBuf>,
) -> Result<Value, String> {
    let assignment_id: Uuid = assignment.parse().map_err(|e| format!("assignment id: {e}"))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config = DeviceConfig {
        data_dir: dir.path().join("phone").display().to_string(),
        db_key: (0..32).map(|_| rand::random::<u8>()).collect(),
        server_url: server.to_string(),
        device_id: format!("console-e2e-{}", Uuid::new_v4().simple()),
        device_name: Some(format!("{username}的手机（测试）")),
        app_version: "0.1.0-console-e2e".into(),
    };
    let phone = Device::open(config).map_err(|e| format!("open store: {e}"))?;
    phone.login(username, password).await.map_err(|e| format!("login: {e}"))?;
    phone.sync(Arc::new(NoProgress), CancelToken::new()).await.map_err(|e| format!("pull: {e}"))?;
    let local = phone.assignment(assignment_id).map_err(|e| format!("assignment not pulled: {e}"))?;
    let snapshot = local.assignment;
    let home = snapshot.household.location.ok_or("the household has no known location")?;
    let (lat, lon) = (home.lat + NORTH_OFFSET_DEG, home.lon);

    let draft = phone.start_draft(assignment_id).map_err(|e| format!("draft: {e}"))?;
    let files_dir = dir.path().join("camera");
    std::fs::create_dir_all(&files_dir).map_err(|e| e.to_string())?;
    if snapshot.form_id == REVISIT_FORM_ID {
        let answers = revisit_answers(snapshot.household.members.len(), wages, lat, lon);
        for (q, v) in answers {
            phone.set_answer(draft, q, v).map_err(|e| format!("answer {q}: {e}"))?;
        }
        let path = files::write(&files_dir, "revisit.jpg", &files::camera_jpeg(1600, 1200, 11));
        phone.import_photo(draft, "photos_house", &path.display().to_string()).map_err(|e| format!("photo: {e}"))?;
    } else {
        fill_dibao_v2(&phone, draft, &snapshot, wages, lat, lon, &files_dir)?;
    }
    finish(phone, draft, snapshot, lat, lon, &files_dir, gate).await
}

const REVISIT_FORM_ID: &str = "district-revisit";

/// A re-visit that finds one member fewer than the household record and says the result needs correcting.
fn revisit_answers(members_on_record: usize, income_fen: i64, lat: f64, lon: f64) -> Vec<(&'static str, Value)> {
    vec![
        ("visit_date", json!(ruhu_core::time::process_clock().today().to_string())),
        ("household_size", json!(members_on_record.saturating_sub(1).max(1))),
        ("income_total_fen", json!(income_fen)),
        ("deposits_fen", json!(50_000)),
        ("has_vehicle", json!(false)),
        ("housing_condition", json!("own_safe")),
        ("matches_original", json!(false)),
        ("differences", json!("共同生活人口与原记录不一致（测试）")),
        ("conclusion", json!("to_correct")),
        ("conclusion_note", json!("建议乡镇重新核定家庭人口（测试）")),
        ("location", json!({ "lat": lat, "lon": lon })),
    ]
}

fn fill_dibao_v2(
    phone: &Device,
    draft: Uuid,
    snapshot: &ruhu_core::protocol::AssignmentSnapshot,
    wages: i64,
    lat: f64,
    lon: f64,
    files_dir: &std::path::Path,
) -> Result<(), String> {
    // Every answer of the assignment's 低保 form (v2): one member row per person of the household record, and at
    // least two rows (the visit may find a co-resident member the record does not list yet).
    let size = snapshot.household.members.len().max(2);
    let mut answers = sample::dibao_v2_answers(&ruhu_core::time::process_clock().today().to_string(), size, wages);
    if let Some(rows) = answers.get_mut("members").and_then(Value::as_array_mut) {
        for (row, member) in rows.iter_mut().zip(&snapshot.household.members) {
            row["member_name"] = json!(member.name);
            row["resident_id"] = json!(member.resident_id);
        }
    }
    answers.insert("housing_condition".into(), json!("own_unsafe"));
    answers.insert("location".into(), json!({ "lat": lat, "lon": lon }));
    for (q, v) in answers {
        phone.set_answer(draft, &q, v).map_err(|e| format!("answer {q}: {e}"))?;
    }
    for (i, (w, h)) in [(1600, 1200), (1200, 1600), (1600, 1200)].into_iter().enumerate() {
        let path = files::write(files_dir, &format!("photo{i}.jpg"), &files::camera_jpeg(w, h, i as u32 + 7));
        phone.import_photo(draft, sample::DIBAO_PHOTO_QUESTIONS[i], &path.display().to_string()).map_err(|e| format!("photo: {e}"))?;
    }
    Ok(())
}

/// The GPS fix, the three signatures, finalise and push.
async fn finish(
    phone: Device,
    draft: Uuid,
    snapshot: ruhu_core::protocol::AssignmentSnapshot,
    lat: f64,
    lon: f64,
    files_dir: &std::path::Path,
    gate: Option<std::path::PathBuf>,
) -> Result<Value, String> {
    let fix = GpsFix { lat, lon, accuracy_m: 8.0, provider: "gps".into(), mock: false, taken_at: ruhu_core::time::process_clock().now() };
    phone.record_fix(draft, fix).map_err(|e| format!("fix: {e}"))?;
    let distance = phone.distance_to_household(draft).map_err(|e| format!("distance: {e}"))?;
    let investigators = &snapshot.investigators;
    let (first, second) = match investigators.as_slice() {
        [a, b] => (a, b),
        _ => return Err("the assignment does not name two investigators".into()),
    };
    let signers = [
        (SignerRole::Investigator1, first.display_name.clone(), Some(first.id)),
        (SignerRole::Investigator2, second.display_name.clone(), Some(second.id)),
        (SignerRole::FamilyMember, snapshot.household.head_name.clone(), None),
    ];
    for (i, (role, name, user)) in signers.into_iter().enumerate() {
        let path = files::write(files_dir, &format!("sign{i}.png"), &files::signature_png(i as u32));
        phone.add_signature(draft, role, &name, user, &path.display().to_string()).map_err(|e| format!("signature: {e}"))?;
    }
    let submission_id = phone.finalise(draft).map_err(|e| format!("finalise: {e}"))?;
    if let Some(gate) = gate {
        wait_at_gate(&gate).await?;
    }
    let report = phone.sync(Arc::new(NoProgress), CancelToken::new()).await.map_err(|e| format!("push: {e}"))?;
    if !report.rejected.is_empty() {
        return Err(format!("the server rejected the visit: {:?}", report.rejected));
    }
    Ok(json!({ "submission_id": submission_id, "distance_m": distance, "merged": report.merged }))
}
