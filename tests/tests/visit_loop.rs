//! The offline home-visit loop, end to end, on real components: a real server on 127.0.0.1 (SQLite and PostgreSQL),
//! real device engines (SQLCipher store, photo pipeline, tus uploads) talking HTTP to it.

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::Method;
use ruhu_core::device::{CancelToken, Device, DeviceConfig, DeviceError, NoProgress, SyncOptions, SyncProgress};
use ruhu_core::form::sample;
use ruhu_core::protocol::{AssignmentStatus, GpsFix, SignerRole};
use ruhu_e2e_tests::{Desk, TestServer, backends, files};
use serde_json::{Value, json};
use uuid::Uuid;

const VILLAGE: &str = "520111101902";
const HOME: (f64, f64) = (26.3275, 106.6874);

struct Phone {
    config: DeviceConfig,
    device: Option<Device>,
}

impl Phone {
    fn new(server_url: &str, data_dir: &std::path::Path, name: &str) -> Phone {
        let config = DeviceConfig {
            data_dir: data_dir.join(name).display().to_string(),
            db_key: (0..32).map(|_| rand::random::<u8>()).collect(),
            server_url: server_url.to_string(),
            device_id: format!("e2e-{name}-{}", Uuid::new_v4().simple()),
            device_name: Some(format!("{name}的手机")),
            app_version: "0.1.0-e2e".into(),
        };
        let device = Device::open(config.clone()).expect("device store opens");
        Phone { config, device: Some(device) }
    }

    fn d(&self) -> &Device {
        self.device.as_ref().expect("device open")
    }

    /// The app process is killed and started again: the store is reopened with the key from the keystore.
    fn restart_process(&mut self) {
        self.device = None;
        self.device = Some(Device::open(self.config.clone()).expect("store reopens with its key"));
    }

    async fn sync(&self) -> ruhu_core::device::SyncReport {
        self.d().sync(Arc::new(NoProgress), CancelToken::new()).await.expect("sync succeeds")
    }

    fn media_files(&self) -> usize {
        std::fs::read_dir(std::path::Path::new(&self.config.data_dir).join("media")).map(|d| d.count()).unwrap_or(0)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_visit_loop_end_to_end() {
    for backend in backends() {
        eprintln!("--- offline visit loop on {}", backend.name());
        visit_loop(&backend).await;
    }
}

async fn visit_loop(backend: &ruhu_e2e_tests::Backend) {
    let mut server = TestServer::start(backend).await;
    let phones_dir = tempfile::tempdir().unwrap();
    let files_dir = tempfile::tempdir().unwrap();

    // 1. The supervisor registers a household, opens a 低保 case and assigns a visit to investigators A and B.
    let desk = Desk::login(&server.url(), "qingyan.zuzhang").await;
    let a_id = desk.user_id("qingyan.diaocha1").await;
    let b_id = desk.user_id("qingyan.diaocha2").await;
    let c_id = desk.user_id("qingyan.diaocha3").await;
    let case_id = desk.household_with_dibao_case(VILLAGE, "测试户主甲（演示）", HOME.0, HOME.1).await;
    let assignment_id = desk.assign(&case_id, &a_id, &b_id).await;

    // 2. A's phone logs in and pulls; then the network goes away.
    let mut phone_a = Phone::new(&server.url(), phones_dir.path(), "A");
    phone_a.d().login("qingyan.diaocha1", "Ruhu#demo2026").await.expect("A logs in");
    phone_a.sync().await;
    let assignment_uuid: Uuid = assignment_id.parse().unwrap();
    let local = phone_a.d().assignment(assignment_uuid).expect("assignment pulled to A");
    assert_eq!(local.assignment.household.members.len(), 2);
    server.stop().await;

    // In the house, offline: the form, three photos, GPS and the three signatures.
    let draft = phone_a.d().start_draft(assignment_uuid).unwrap();
    // Every answer of 低保 v2; one row per member the household record lists, with their names and ID numbers.
    let draft_form = phone_a.d().draft(draft).unwrap();
    assert_eq!((draft_form.form_id.as_str(), draft_form.form_version), (sample::DIBAO_FORM_ID, sample::DIBAO_FORM_VERSION));
    let mut answers = sample::dibao_v2_answers(&ruhu_core::time::process_clock().today().to_string(), 2, 65_000);
    let rows = answers.get_mut("members").and_then(Value::as_array_mut).expect("member rows");
    for (row, member) in rows.iter_mut().zip(&local.assignment.household.members) {
        row["member_name"] = json!(member.name);
        row["resident_id"] = json!(member.resident_id);
    }
    answers.insert("location".into(), json!({ "lat": HOME.0 + 0.0003, "lon": HOME.1 }));
    for (q, v) in &answers {
        phone_a.d().set_answer(draft, q, v.clone()).unwrap_or_else(|e| panic!("answer {q}: {e}"));
    }
    // The pre-check at the end of the visit, offline: ¥650 wages + ¥300 transfers a month for 2 people is ¥475 each,
    // the per-capita income the form calculates.
    let advice = phone_a.d().eligibility(draft).unwrap().expect("a 低保 visit with size and income has a pre-check");
    let advice = advice.dibao().expect("the 低保 pre-check").clone();
    let per_capita = (65_000 + sample::SAMPLE_TRANSFER_FEN) / 2;
    assert_eq!(advice.per_capita_income_fen, Some(per_capita));
    let calculated = phone_a.d().form_state(draft).unwrap().state("income_per_capita_fen").and_then(|q| q.value.clone());
    assert_eq!(calculated, Some(json!(per_capita)), "the pre-check reads the form's own per-capita figure");
    assert!(advice.note.contains("不是审核确认结论"));
    let mut photo_hashes = Vec::new();
    for (i, (w, h)) in [(4000, 3000), (1600, 1200), (1200, 1600)].into_iter().enumerate() {
        let path = files::write(files_dir.path(), &format!("photo{i}.jpg"), &files::camera_jpeg(w, h, i as u32));
        let info = phone_a.d().import_photo(draft, sample::DIBAO_PHOTO_QUESTIONS[i], &path.display().to_string()).expect("photo imported");
        assert!(u64::from(info.width) * u64::from(info.height) <= 2_100_000, "downscaled to about 2 MP");
        photo_hashes.push(info.sha256);
    }
    let fix = GpsFix {
        lat: HOME.0 + 0.0003,
        lon: HOME.1,
        accuracy_m: 8.0,
        provider: "gps".into(),
        mock: false,
        taken_at: ruhu_core::time::process_clock().now(),
    };
    phone_a.d().record_fix(draft, fix).unwrap();
    let distance = phone_a.d().distance_to_household(draft).unwrap().expect("distance known offline");
    assert!((25.0..45.0).contains(&distance), "about 33 m from the household: {distance}");
    let signers = [
        (SignerRole::Investigator1, "青岩调查员一（演示）", Some(a_id.parse().unwrap())),
        (SignerRole::Investigator2, "青岩调查员二（演示）", Some(b_id.parse().unwrap())),
        (SignerRole::FamilyMember, "测试户主甲（演示）", None),
    ];
    for (i, (role, name, user)) in signers.into_iter().enumerate() {
        let path = files::write(files_dir.path(), &format!("sign{i}.png"), &files::signature_png(i as u32));
        phone_a.d().add_signature(draft, role, name, user, &path.display().to_string()).expect("signature stored");
    }
    // Still offline, a sync attempt fails as offline and loses nothing.
    let offline = phone_a.d().sync(Arc::new(NoProgress), CancelToken::new()).await;
    assert!(matches!(offline, Err(DeviceError::Network(_))), "offline sync: {offline:?}");
    let submission_id = phone_a.d().finalise(draft).expect("complete visit finalises");

    // The phone's app process and the server both restart.
    phone_a.restart_process();
    assert_eq!(phone_a.d().draft_answers(draft).unwrap().len(), answers.len() + 6, "answers, photos and signatures survive");
    server.restart().await;

    // 4 (first half). A sync cut in the middle of the uploads, then resumed: finished chunks are not sent again.
    let sent_before_cut = Arc::new(UploadRecorder::default());
    let cut = phone_a
        .d()
        .sync_with(sent_before_cut.clone(), CancelToken::new(), SyncOptions { chunk_size: 64 * 1024, max_chunks: Some(3), ..SyncOptions::default() })
        .await;
    assert!(matches!(cut, Err(DeviceError::Cancelled)), "the cut sync stops: {cut:?}");
    let bytes_before_cut = sent_before_cut.total();
    assert!(bytes_before_cut > 0, "some chunks went up before the cut");
    let resumed = phone_a
        .d()
        .sync_with(Arc::new(NoProgress), CancelToken::new(), SyncOptions { chunk_size: 64 * 1024, ..SyncOptions::default() })
        .await
        .expect("resumed sync completes");
    let total_media: u64 =
        phone_a.d().submission(submission_id).unwrap().media.iter().map(|m| m.size).sum::<u64>() + signature_sizes(&phone_a, submission_id);
    assert_eq!(resumed.uploaded_bytes, total_media - bytes_before_cut, "only the unsent part is uploaded after the cut");
    assert_eq!(resumed.merged, 1);

    // 3. The case record shows the visit: photos with matching hashes, GPS and distance, signatures, actors.
    let record = desk.get(&format!("/api/v1/cases/{case_id}")).await.ok();
    // The reviewer's pre-check on the server is the one the investigator saw in the house.
    let reviewer = Desk::login(&server.url(), "qingyan.shenhe").await;
    let on_server = reviewer.get(&format!("/api/v1/cases/{case_id}/workflow")).await.ok()["eligibility"].clone();
    assert_eq!(on_server["kind"], "dibao", "{on_server}");
    assert_eq!(on_server["per_capita_income_fen"], json!(advice.per_capita_income_fen), "{on_server}");
    assert_eq!(on_server["gap_payment_fen"], json!(advice.gap_payment_fen), "{on_server}");
    assert_eq!(on_server["outcome"].as_str(), Some(advice.outcome.as_str()), "{on_server}");
    assert_eq!(on_server["findings"].as_array().map(Vec::len), Some(advice.findings.len()));
    let visits = record["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 1, "{record}");
    let visit = &visits[0];
    assert_eq!(visit["submission_id"], submission_id.to_string());
    assert_eq!(visit["completeness"]["complete"], true);
    let server_photos: Vec<&str> = visit["media"].as_array().unwrap().iter().map(|m| m["sha256"].as_str().unwrap()).collect();
    assert_eq!(server_photos, photo_hashes.iter().map(String::as_str).collect::<Vec<_>>());
    for sha in &photo_hashes {
        let bytes = desk.call(Method::GET, &format!("/api/v1/media/{sha}"), None).await;
        assert_eq!(bytes.status, 200, "photo {sha} downloadable by the supervisor");
    }
    let gps_distance = visit["gps"]["distance_m"].as_f64().expect("distance on the server");
    assert!((gps_distance - distance).abs() < 0.5, "same distance on both ends: {gps_distance} vs {distance}");
    let roles: Vec<&str> = visit["signatures"].as_array().unwrap().iter().map(|s| s["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["investigator1", "investigator2", "family_member"]);
    assert_eq!(visit["submitted_by"]["id"], a_id.as_str());
    assert_eq!(visit["device_id"], phone_a.config.device_id.as_str());
    assert_eq!(record["facts"]["income.wages_fen"]["value"], 65_000);
    assert_eq!(record["facts"]["income.per_capita_fen"]["value"], per_capita);
    assert_eq!(visit["form_version"], sample::DIBAO_FORM_VERSION);
    // The member rows are merged into the case with the age the form calculated from each ID number.
    let members = record["facts"]["household.members"]["value"].as_array().cloned().unwrap_or_default();
    assert_eq!(members.len(), 2, "{record}");
    assert!(members.iter().all(|m| m["age"].is_u64()), "{members:?}");
    assert_eq!(record["facts"]["income.wages_fen"]["source_submission"], submission_id.to_string());
    assert!(record["steps"].as_array().unwrap().iter().all(|s| s["actor"].is_object() || s["actor"].is_null()));

    // 4 (second half). A sync again, and a push replayed after a lost reply: nothing is duplicated.
    let again = phone_a.sync().await;
    assert_eq!((again.pushed, again.uploaded_bytes), (0, 0));
    let submission = phone_a.d().submission(submission_id).unwrap();
    let a_desk = Desk::login(&server.url(), "qingyan.diaocha1").await;
    let replay = a_desk.post("/api/v1/sync/submissions", serde_json::to_value(&submission).unwrap()).await.ok();
    assert_eq!(replay["state"], "merged");
    let record = desk.get(&format!("/api/v1/cases/{case_id}")).await.ok();
    assert_eq!(record["visits"].as_array().unwrap().len(), 1, "replay added nothing");

    // 5. B's phone pulls and sees the visit done.
    let phone_b = Phone::new(&server.url(), phones_dir.path(), "B");
    phone_b.d().login("qingyan.diaocha2", "Ruhu#demo2026").await.expect("B logs in");
    phone_b.sync().await;
    let seen_by_b = phone_b.d().assignment(assignment_uuid).unwrap().assignment;
    assert_eq!(seen_by_b.status, AssignmentStatus::Completed);
    assert_eq!(seen_by_b.completed_by.expect("completed by A").submitted_by.id.to_string(), a_id);

    // A second visit is moved from A to C: A's next sync removes that case's data, photos included, from A's phone.
    let case_2 = desk.household_with_dibao_case(VILLAGE, "测试户主乙（演示）", HOME.0 + 0.01, HOME.1).await;
    let assignment_2: Uuid = desk.assign(&case_2, &a_id, &b_id).await.parse().unwrap();
    phone_a.sync().await;
    let draft_2 = phone_a.d().start_draft(assignment_2).unwrap();
    let path = files::write(files_dir.path(), "photo-second.jpg", &files::camera_jpeg(800, 600, 99));
    let extra = phone_a.d().import_photo(draft_2, "photos_outside", &path.display().to_string()).unwrap();
    let files_before = phone_a.media_files();
    desk.post(&format!("/api/v1/assignments/{assignment_2}/reassign"), json!({ "investigator_ids": [c_id, b_id], "reason": "调查人员调整" }))
        .await
        .ok();
    let report = phone_a.sync().await;
    assert_eq!(report.deleted_assignments, 1);
    assert!(matches!(phone_a.d().assignment(assignment_2), Err(DeviceError::NotFound(_))));
    assert!(phone_a.d().draft(draft_2).is_err(), "the draft of the moved visit is gone");
    assert!(phone_a.d().media_bytes(&extra.sha256).is_err(), "its photo is gone");
    assert_eq!(phone_a.media_files(), files_before - 1);
    // The finished visit of the first case is still on A's phone.
    assert!(phone_a.d().assignment(assignment_uuid).is_ok());

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_on_v1_still_finalises_syncs_and_merges_as_v1() {
    for backend in backends() {
        eprintln!("--- a v1 visit after v2 is published, on {}", backend.name());
        visit_on_v1(&backend).await;
    }
}

/// Publishing a new version never breaks a draft on a phone: a visit assigned on 低保 v1 (as every visit was before
/// v2 was published) is filled, finalised, synced and merged on v1, and the server records version 1.
async fn visit_on_v1(backend: &ruhu_e2e_tests::Backend) {
    let mut server = TestServer::start(backend).await;
    let phones_dir = tempfile::tempdir().unwrap();
    let files_dir = tempfile::tempdir().unwrap();
    let desk = Desk::login(&server.url(), "qingyan.zuzhang").await;
    let a_id = desk.user_id("qingyan.diaocha1").await;
    let b_id = desk.user_id("qingyan.diaocha2").await;
    let case_id = desk.household_with_dibao_case(VILLAGE, "测试户主丙（演示）", HOME.0, HOME.1).await;
    let assignment: Uuid = desk.assign_on_form(&case_id, &a_id, &b_id, Some((sample::DIBAO_FORM_ID, 1))).await.parse().unwrap();

    let phone = Phone::new(&server.url(), phones_dir.path(), "V1");
    phone.d().login("qingyan.diaocha1", "Ruhu#demo2026").await.expect("logs in");
    phone.sync().await;
    let draft = phone.d().start_draft(assignment).unwrap();
    assert_eq!(phone.d().draft(draft).unwrap().form_version, 1);
    let mut answers = sample::dibao_v1_answers(&ruhu_core::time::process_clock().today().to_string(), 2, 40_000);
    answers.insert("location".into(), json!({ "lat": HOME.0, "lon": HOME.1 }));
    for (q, v) in answers {
        phone.d().set_answer(draft, &q, v).unwrap_or_else(|e| panic!("answer {q}: {e}"));
    }
    for i in 0..3u32 {
        let path = files::write(files_dir.path(), &format!("v1-{i}.jpg"), &files::camera_jpeg(800, 600, 40 + i));
        phone.d().import_photo(draft, sample::DIBAO_V1_PHOTO_QUESTION, &path.display().to_string()).expect("v1 photo question");
    }
    phone
        .d()
        .record_fix(
            draft,
            GpsFix {
                lat: HOME.0,
                lon: HOME.1,
                accuracy_m: 6.0,
                provider: "gps".into(),
                mock: false,
                taken_at: ruhu_core::time::process_clock().now(),
            },
        )
        .unwrap();
    for (i, (role, name, user)) in [
        (SignerRole::Investigator1, "青岩调查员一（演示）", Some(a_id.parse().unwrap())),
        (SignerRole::Investigator2, "青岩调查员二（演示）", Some(b_id.parse().unwrap())),
        (SignerRole::FamilyMember, "测试户主丙（演示）", None),
    ]
    .into_iter()
    .enumerate()
    {
        let path = files::write(files_dir.path(), &format!("v1-sign{i}.png"), &files::signature_png(10 + i as u32));
        phone.d().add_signature(draft, role, name, user, &path.display().to_string()).expect("signature stored");
    }
    let submission_id = phone.d().finalise(draft).expect("the v1 visit finalises");
    assert_eq!(phone.sync().await.merged, 1);

    let record = desk.get(&format!("/api/v1/cases/{case_id}")).await.ok();
    let visit = &record["visits"][0];
    assert_eq!(visit["submission_id"], submission_id.to_string());
    assert_eq!((visit["form_id"].as_str(), visit["form_version"].as_u64()), (Some(sample::DIBAO_FORM_ID), Some(1)));
    assert_eq!(record["facts"]["assets.deposits_fen"]["value"], sample::SAMPLE_V1_DEPOSITS_FEN);
    assert_eq!(record["facts"]["income.wages_fen"]["source_submission"], submission_id.to_string());
    server.stop().await;
}

/// Remembers how far each file got, from the per-chunk progress callbacks.
#[derive(Default)]
struct UploadRecorder(std::sync::Mutex<BTreeMap<String, u64>>);

impl UploadRecorder {
    fn total(&self) -> u64 {
        self.0.lock().unwrap().values().sum()
    }
}

impl SyncProgress for UploadRecorder {
    fn on_page(&self, _: u32, _: u32) {}
    fn on_upload_chunk(&self, sha256: String, bytes_sent: u64, _total: u64) {
        let mut sent = self.0.lock().unwrap();
        let entry = sent.entry(sha256).or_default();
        *entry = (*entry).max(bytes_sent);
    }
}

fn signature_sizes(phone: &Phone, submission_id: Uuid) -> u64 {
    let submission = phone.d().submission(submission_id).unwrap();
    submission.signatures.iter().map(|s| phone.d().media_bytes(&s.media_sha256).unwrap().len() as u64).sum()
}
