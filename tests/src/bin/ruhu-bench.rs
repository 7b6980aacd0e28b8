//! Prints the foundation's figures: pull of 5,000 assigned cases (server time, bytes, device apply time), a no-change
//! sync, push of 1,000 submissions merged per second on SQLite and PostgreSQL, and the photo pipeline per 12 MP photo.
//!
//! `cargo xtask bench` runs it in release mode (PostgreSQL from RUHU_TEST_PG_URL or a throwaway cluster).
//! Sizes can be changed with RUHU_BENCH_CASES and RUHU_BENCH_SUBMISSIONS.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ruhu_core::device::media::MediaVault;
use ruhu_core::device::{CancelToken, Device, DeviceConfig, NoProgress};
use ruhu_core::form::sample;
use ruhu_core::protocol::{GpsFix, MediaRef, PullPage, SignatureRef, SignerRole, VisitSubmission};
use ruhu_e2e_tests::{Backend, Desk, TestServer, files};
use serde_json::{Value, json};
use sha2::Digest;
use uuid::Uuid;

const VILLAGE: &str = "520111101902";
/// The installation id of the raw HTTP client (pull and push without the device engine).
const RAW_DEVICE: &str = "bench-raw-client";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let cases = env_usize("RUHU_BENCH_CASES", 5_000);
    let submissions = env_usize("RUHU_BENCH_SUBMISSIONS", 1_000).min(cases);
    photo_pipeline();
    let mut backends = vec![Backend::Sqlite];
    if let Ok(url) = std::env::var("RUHU_TEST_PG_URL") {
        backends.push(Backend::Postgres(url));
    }
    for backend in &backends {
        sync_figures(backend, cases, submissions).await;
    }
}

fn photo_pipeline() {
    let input = files::camera_jpeg(4000, 3000, 7);
    let runs = 5;
    let mut best = Duration::MAX;
    let mut total = Duration::ZERO;
    let mut out_size = 0;
    let dir = tempfile::tempdir().expect("temp dir");
    let vault = MediaVault::new(dir.path().to_path_buf(), &[7u8; 32]).expect("vault");
    for run in 0..runs {
        // A different photo each run, so the vault's "already stored" shortcut never applies.
        let input = if run == 0 { input.clone() } else { files::camera_jpeg(4000, 3000, 7 + run as u32) };
        let t = Instant::now();
        let processed = ruhu_core::device::process_photo_bytes(&input).expect("photo processes");
        let sha = vault.put(&processed.jpeg).expect("photo sealed and written");
        let elapsed = t.elapsed();
        out_size = std::fs::metadata(vault.path(&sha)).map(|m| m.len()).unwrap_or(0);
        best = best.min(elapsed);
        total += elapsed;
    }
    println!(
        "photo pipeline, 4000x3000 JPEG ({:.1} MB) -> ~2 MP JPEG (EXIF read, decode, downscale, encode, sha256, AES-256-GCM, write): best {:.0} ms, mean {:.0} ms per photo, output {:.0} KB",
        input.len() as f64 / 1e6,
        best.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / runs as f64,
        out_size as f64 / 1e3
    );
}

async fn sync_figures(backend: &Backend, cases: usize, submissions: usize) {
    println!("--- {} ---", backend.name());
    let mut server = TestServer::start(backend).await;
    let desk = Arc::new(Desk::login(&server.url(), "qingyan.zuzhang").await);
    let a = desk.user_id("qingyan.diaocha1").await;
    let b = desk.user_id("qingyan.diaocha2").await;

    let t = Instant::now();
    let mut assignment_ids = Vec::with_capacity(cases);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..cases {
        let (desk, a, b) = (desk.clone(), a.clone(), b.clone());
        tasks.spawn(async move {
            let case = desk.household_with_dibao_case(VILLAGE, &format!("基准户{i}（演示）"), 26.33, 106.69).await;
            desk.assign(&case, &a, &b).await
        });
        if tasks.len() >= 8
            && let Some(Ok(id)) = tasks.join_next().await
        {
            assignment_ids.push(id);
        }
    }
    while let Some(Ok(id)) = tasks.join_next().await {
        assignment_ids.push(id);
    }
    println!("seeded {cases} households, cases and assignments over HTTP in {:.1} s", t.elapsed().as_secs_f64());

    // Raw pull: what the server spends and sends, page by page.
    let http = reqwest::Client::new();
    let token = login_token(&http, &server.url(), "qingyan.diaocha1").await;
    let (mut cursor, mut pages, mut wire_bytes, mut changes) = (0i64, Vec::new(), 0usize, 0usize);
    let t = Instant::now();
    loop {
        let res = http
            .get(format!("{}/api/v1/sync/pull?since={cursor}&limit=500", server.url()))
            .bearer_auth(&token)
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .expect("pull");
        let body = res.bytes().await.expect("pull body");
        wire_bytes += body.len();
        let page: PullPage = decode_maybe_gzip(&body);
        changes += page.changes.len();
        cursor = page.next_cursor;
        let more = page.has_more;
        pages.push(page);
        if !more {
            break;
        }
    }
    let server_time = t.elapsed();
    println!(
        "pull of {cases} assigned cases: {} pages, {changes} changes, server+loopback time {:.2} s, {:.1} MB on the wire (gzip), {:.1} KB per case",
        pages.len(),
        server_time.as_secs_f64(),
        wire_bytes as f64 / 1e6,
        wire_bytes as f64 / 1e3 / cases as f64
    );

    // Device apply time: the same pages applied to a real SQLCipher store.
    let dir = tempfile::tempdir().expect("temp dir");
    let device = Device::open(DeviceConfig {
        data_dir: dir.path().display().to_string(),
        db_key: vec![9; 32],
        server_url: server.url(),
        device_id: format!("bench-{}", Uuid::new_v4().simple()),
        device_name: None,
        app_version: "bench".into(),
    })
    .expect("device opens");
    let t = Instant::now();
    for page in &pages {
        device.apply_pull_page(page).expect("page applies");
    }
    println!("device apply of {cases} cases into SQLCipher: {:.2} s", t.elapsed().as_secs_f64());

    // A full device sync from zero on another phone (the one above already holds every page), then a no-change sync.
    let dir = tempfile::tempdir().expect("temp dir");
    let device = Device::open(DeviceConfig {
        data_dir: dir.path().display().to_string(),
        db_key: vec![7; 32],
        server_url: server.url(),
        device_id: format!("bench-{}", Uuid::new_v4().simple()),
        device_name: None,
        app_version: "bench".into(),
    })
    .expect("device opens");
    device.login("qingyan.diaocha1", "Ruhu#demo2026").await.expect("device login");
    let t = Instant::now();
    let full = device.sync(Arc::new(NoProgress), CancelToken::new()).await.expect("full sync");
    println!(
        "device full sync: {:.2} s, {} round trips, {:.1} MB received",
        t.elapsed().as_secs_f64(),
        full.round_trips,
        full.bytes_received as f64 / 1e6
    );
    let idle = device.sync(Arc::new(NoProgress), CancelToken::new()).await.expect("idle sync");
    println!("no-change sync: {} round trip(s), {} bytes received", idle.round_trips, idle.bytes_received);

    // Push of many submissions (photos are content-addressed: upload six once, reference them everywhere).
    let media = upload_media(&http, &server.url(), &token).await;
    let a_uuid: Uuid = a.parse().expect("uuid");
    let b_uuid: Uuid = b.parse().expect("uuid");
    let bodies: Vec<Value> = assignment_ids.iter().take(submissions).map(|id| submission_json(id, a_uuid, b_uuid, &media)).collect();
    let t = Instant::now();
    let mut merged = 0;
    for body in &bodies {
        let res = http.post(format!("{}/api/v1/sync/submissions", server.url())).bearer_auth(&token).json(body).send().await.expect("push");
        let receipt: Value = res.json().await.expect("receipt");
        if receipt["state"] == "merged" {
            merged += 1;
        } else if merged == 0 {
            // Never report a silent zero: say why the first one was not merged.
            panic!("push not merged: {receipt}");
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!("push of {submissions} submissions, one client: {merged} merged in {secs:.2} s = {:.0} submissions/s", merged as f64 / secs);
    server.stop().await;
}

async fn login_token(http: &reqwest::Client, base: &str, user: &str) -> String {
    let body = json!({ "username": user, "password": "Ruhu#demo2026", "device_id": RAW_DEVICE });
    let reply: Value = http.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.expect("login").json().await.expect("json");
    reply["access_token"].as_str().expect("token").to_string()
}

/// The server compresses when asked (Accept-Encoding: gzip); the bench counts the compressed bytes and decodes here.
fn decode_maybe_gzip(body: &[u8]) -> PullPage {
    let mut json = Vec::new();
    if body.starts_with(&[0x1f, 0x8b]) {
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(body), &mut json).expect("gzip pull page");
    } else {
        json.extend_from_slice(body);
    }
    serde_json::from_slice(&json).expect("pull page JSON")
}

struct BenchMedia {
    photos: Vec<(String, u64)>,
    signatures: Vec<String>,
}

async fn upload_media(http: &reqwest::Client, base: &str, token: &str) -> BenchMedia {
    let mut photos = Vec::new();
    for i in 0..3 {
        let bytes = files::camera_jpeg(1600, 1200, 500 + i);
        photos.push((upload(http, base, token, &bytes, "image/jpeg").await, bytes.len() as u64));
    }
    let mut signatures = Vec::new();
    for i in 0..3 {
        signatures.push(upload(http, base, token, &files::signature_png(600 + i), "image/png").await);
    }
    BenchMedia { photos, signatures }
}

async fn upload(http: &reqwest::Client, base: &str, token: &str, bytes: &[u8], content_type: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let sha = hex::encode(sha2::Sha256::digest(bytes));
    let res = http
        .post(format!("{base}/api/v1/uploads"))
        .bearer_auth(token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", bytes.len().to_string())
        .header("Upload-Metadata", format!("sha256 {},content_type {}", b64.encode(&sha), b64.encode(content_type)))
        .send()
        .await
        .expect("create upload");
    let offset: usize = res.headers().get("upload-offset").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).unwrap_or(0);
    if offset < bytes.len() {
        let res = http
            .patch(format!("{base}/api/v1/uploads/{sha}"))
            .bearer_auth(token)
            .header("Tus-Resumable", "1.0.0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string())
            .body(bytes[offset..].to_vec())
            .send()
            .await
            .expect("patch upload");
        assert_eq!(res.status(), 204, "upload accepted");
    }
    sha
}

fn submission_json(assignment_id: &str, a: Uuid, b: Uuid, media: &BenchMedia) -> Value {
    let now = ruhu_core::time::process_clock().now();
    // Every answer of 低保 v2 for two members; the photos are shared out over the three house-photo questions.
    let mut answers = sample::dibao_v2_answers(&now.date_naive().to_string(), 2, 50_000);
    answers.insert("location".into(), json!({ "lat": 26.33, "lon": 106.69 }));
    let photo_question = |i: usize| sample::DIBAO_PHOTO_QUESTIONS[i % sample::DIBAO_PHOTO_QUESTIONS.len()];
    for (i, (sha, _)) in media.photos.iter().enumerate() {
        let list = answers.entry(photo_question(i).to_string()).or_insert_with(|| json!([]));
        if let Some(list) = list.as_array_mut() {
            list.push(json!(sha));
        }
    }
    for (q, sha) in ["sign_investigator_1", "sign_investigator_2", "sign_family"].into_iter().zip(&media.signatures) {
        answers.insert(q.into(), json!(sha));
    }
    let submission = VisitSubmission {
        id: Uuid::new_v4(),
        assignment_id: assignment_id.parse().expect("assignment uuid"),
        form_id: sample::DIBAO_FORM_ID.into(),
        form_version: sample::DIBAO_FORM_VERSION,
        answers,
        base_facts: Default::default(),
        media: media
            .photos
            .iter()
            .enumerate()
            .map(|(i, (sha, size))| MediaRef {
                sha256: sha.clone(),
                size: *size,
                content_type: "image/jpeg".into(),
                question_id: photo_question(i).into(),
                taken_at: Some(now),
            })
            .collect(),
        gps_fixes: vec![GpsFix { lat: 26.33, lon: 106.69, accuracy_m: 10.0, provider: "gps".into(), mock: false, taken_at: now }],
        signatures: [(SignerRole::Investigator1, Some(a)), (SignerRole::Investigator2, Some(b)), (SignerRole::FamilyMember, None)]
            .into_iter()
            .zip(&media.signatures)
            .map(|((role, user), sha)| SignatureRef {
                role,
                signer_name: "基准（演示）".into(),
                signer_user_id: user,
                media_sha256: sha.clone(),
                signed_at: now,
            })
            .collect(),
        started_at: now,
        finalized_at: now,
        // The installation the raw token was issued to (see `login_token`).
        device_id: RAW_DEVICE.into(),
        app_version: "bench".into(),
    };
    serde_json::to_value(submission).expect("submission JSON")
}
