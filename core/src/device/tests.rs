//! Engine tests on a real SQLCipher store with real JPEGs; what a user of the phone would notice.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

pub(super) use super::photos::testing::{exif_app1, jpeg, png, with_exif};
use super::*;
use crate::assistance::AssistanceType;
use crate::form::sample;
use crate::geo::LatLon;
use crate::protocol::*;

const KEY: [u8; 32] = [0x5a; 32];
/// Appears in the stored snapshot; must never appear in the database files in clear.
const MARKER: &str = "PLAINTEXT-MARKER-QY-2026-000123";

pub(super) fn config(dir: &Path) -> DeviceConfig {
    DeviceConfig {
        data_dir: dir.to_string_lossy().into_owned(),
        db_key: KEY.to_vec(),
        server_url: "http://127.0.0.1:9".into(),
        device_id: "test-device-1".into(),
        device_name: Some("测试手机".into()),
        app_version: "0.1.0-test".into(),
    }
}

pub(super) fn person(name: &str) -> PersonRef {
    PersonRef { id: Uuid::new_v4(), display_name: name.into() }
}

pub(super) fn assignment(id: Uuid) -> AssignmentSnapshot {
    let desk_fact = Uuid::new_v4();
    let mut facts = BTreeMap::new();
    facts.insert("household.size".to_string(), FactValue { value: json!(3), source_submission: None });
    facts.insert("income.wages_fen".to_string(), FactValue { value: json!(120000), source_submission: Some(desk_fact) });
    AssignmentSnapshot {
        id,
        status: AssignmentStatus::Assigned,
        due_date: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        investigators: vec![person("王敏"), person("李强")],
        assigned_by: person("赵主任"),
        form_id: sample::DIBAO_FORM_ID.into(),
        form_version: sample::DIBAO_FORM_VERSION,
        case: CaseSnapshot {
            id: Uuid::new_v4(),
            case_no: MARKER.into(),
            assistance_type: AssistanceType::Dibao,
            step: "home_visit".into(),
            township_code: "520111100".into(),
            village_code: "520111100201".into(),
            village_name: "青岩村".into(),
            facts,
            precheck: None,
            progress: None,
        },
        household: HouseholdSnapshot {
            id: Uuid::new_v4(),
            head_name: "张三".into(),
            address: "青岩镇青岩村一组".into(),
            village_code: "520111100201".into(),
            location: Some(LatLon { lat: 26.3329, lon: 106.6856 }),
            members: vec![MemberSnapshot {
                id: Uuid::new_v4(),
                name: "张三".into(),
                resident_id: "52011119800101001X".into(),
                relation: "户主".into(),
            }],
        },
        completed_by: None,
        updated_at: crate::time::process_clock().now(),
    }
}

pub(super) fn page(changes: Vec<ChangeRecord>, next_cursor: i64) -> PullPage {
    let changes = changes.into_iter().enumerate().map(|(i, record)| Change { seq: next_cursor - 10 + i as i64, record }).collect();
    PullPage { changes, next_cursor, has_more: false }
}

pub(super) fn upsert(a: AssignmentSnapshot) -> ChangeRecord {
    ChangeRecord::AssignmentUpsert { assignment: Box::new(a) }
}

/// A device with one assignment pulled; returns (device, assignment id).
pub(super) fn device_with_assignment(dir: &Path) -> (Device, Uuid) {
    let device = Device::open(config(dir)).unwrap();
    let id = Uuid::new_v4();
    device.apply_pull_page(&page(vec![upsert(assignment(id))], 10)).unwrap();
    (device, id)
}

pub(super) fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

pub(super) fn fix(lat: f64, lon: f64, accuracy_m: f64, mock: bool) -> GpsFix {
    GpsFix { lat, lon, accuracy_m, provider: "gps".into(), mock, taken_at: Utc.with_ymd_and_hms(2026, 3, 14, 1, 30, 0).unwrap() }
}

/// Answers every question of the dibao form (v2: two household members; photos and signatures through the real
/// pipeline).
pub(super) fn complete_visit(device: &Device, draft: Uuid, files: &Path) {
    let mut answers = sample::dibao_v2_answers("2026-03-14", 2, 150000);
    answers.insert("location".into(), json!({"lat": 26.3330, "lon": 106.6857}));
    for (q, v) in answers {
        device.set_answer(draft, &q, v).unwrap();
    }
    for (i, q) in sample::DIBAO_PHOTO_QUESTIONS.iter().enumerate() {
        let path = write_file(files, &format!("house{i}.jpg"), &jpeg(320 + i as u32, 240));
        device.import_photo(draft, q, &path).unwrap();
    }
    let inv = device.assignment(device.draft(draft).unwrap().assignment_id).unwrap().assignment.investigators;
    for (role, name, user, marker) in [
        (SignerRole::Investigator1, "王敏", Some(inv[0].id), b"one".as_slice()),
        (SignerRole::Investigator2, "李强", Some(inv[1].id), b"two"),
        (SignerRole::FamilyMember, "张三", None, b"family"),
    ] {
        let path = write_file(files, &format!("sig-{name}.png"), &png(marker));
        device.add_signature(draft, role, name, user, &path).unwrap();
    }
    device.record_fix(draft, fix(26.3330, 106.6857, 8.0, false)).unwrap();
}

pub(super) fn files_in(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    }
}

pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn answers_survive_a_kill_and_a_wrong_key_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (device, assignment_id) = device_with_assignment(dir.path());
    let draft = device.start_draft(assignment_id).unwrap();
    device.set_answer(draft, "household_size", json!(5)).unwrap();
    device.set_answer(draft, "living_conditions", json!("住房漏雨")).unwrap();
    // Simulated kill: no close, no checkpoint, no destructor.
    std::mem::forget(device);

    let mut wrong = config(dir.path());
    wrong.db_key = vec![0x11; 32];
    let db = dir.path().join("ruhu.db");
    let before = std::fs::read(&db).unwrap();
    let err = Device::open(wrong).err().unwrap();
    assert_eq!(err.code(), "wrong_key");
    assert!(err.message_zh().contains("密钥"));
    assert_eq!(std::fs::read(&db).unwrap(), before, "a wrong key must leave the store untouched");

    let device = Device::open(config(dir.path())).unwrap();
    assert_eq!(device.start_draft(assignment_id).unwrap(), draft, "the open draft is reused");
    let answers = device.draft_answers(draft).unwrap();
    assert_eq!(answers.get("household_size"), Some(&json!(5)));
    assert_eq!(answers.get("living_conditions"), Some(&json!("住房漏雨")));
}

#[test]
fn nothing_readable_is_written_to_disk_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let (device, assignment_id) = device_with_assignment(dir.path());
    assert_eq!(device.assignment(assignment_id).unwrap().assignment.case.case_no, MARKER);
    let draft = device.start_draft(assignment_id).unwrap();
    device.set_answer(draft, "opinion", json!(MARKER)).unwrap();
    drop(device);
    let mut seen = 0;
    for name in files_in(dir.path()) {
        let path = dir.path().join(&name);
        if path.is_file() {
            seen += 1;
            let bytes = std::fs::read(&path).unwrap();
            assert!(!contains(&bytes, MARKER.as_bytes()), "{name} holds plain text");
            assert!(!contains(&bytes, b"SQLite format 3"), "{name} is a plain SQLite file");
            assert!(!contains(&bytes, "52011119800101001X".as_bytes()), "{name} holds a resident id in clear");
        }
    }
    assert!(seen >= 1);
}

#[test]
fn set_answer_refuses_unknown_questions_wrong_types_and_notes_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let (device, assignment_id) = device_with_assignment(dir.path());
    let draft = device.start_draft(assignment_id).unwrap();
    let field = |e: DeviceError| match e {
        DeviceError::Validation(errs) => (errs[0].question_id.clone(), errs[0].code.clone(), errs[0].message.clone()),
        other => panic!("expected validation, got {other:?}"),
    };
    let (q, code, msg) = field(device.set_answer(draft, "no_such_question", json!("x")).unwrap_err());
    assert_eq!((q.as_str(), code.as_str()), ("no_such_question", "unknown_question"));
    assert!(msg.contains("没有此问题"));
    let (q, code, msg) = field(device.set_answer(draft, "household_size", json!("三口人")).unwrap_err());
    assert_eq!((q.as_str(), code.as_str()), ("household_size", "wrong_type"));
    assert!(msg.contains("整数"), "{msg}");
    let (_, code, _) = field(device.set_answer(draft, "income_wages_fen", json!(-5)).unwrap_err());
    assert_eq!(code, "negative_amount");
    let (_, code, _) = field(device.set_answer(draft, "housing_condition", json!("castle")).unwrap_err());
    assert_eq!(code, "not_a_choice");
    let (_, code, _) = field(device.set_answer(draft, "intro", json!("x")).unwrap_err());
    assert_eq!(code, "not_answerable");
    // A photo that was never imported cannot be referenced.
    let (_, code, _) = field(device.set_answer(draft, "photos_outside", json!(["a".repeat(64)])).unwrap_err());
    assert_eq!(code, "unknown_photo");
    assert!(device.draft_answers(draft).unwrap().is_empty(), "refused answers are not stored");
    // Clearing works.
    device.set_answer(draft, "household_size", json!(2)).unwrap();
    device.set_answer(draft, "household_size", Value::Null).unwrap();
    assert!(device.draft_answers(draft).unwrap().is_empty());
}

#[test]
fn a_photo_is_downscaled_stripped_encrypted_and_answers_its_question() {
    let dir = tempfile::tempdir().unwrap();
    let (device, assignment_id) = device_with_assignment(dir.path());
    let draft = device.start_draft(assignment_id).unwrap();
    let src = with_exif(&jpeg(2000, 1500), &exif_app1(26.3331, 106.6855, "2026:03:14 09:30:00", 1));
    let path = write_file(dir.path(), "camera.jpg", &src);

    let info = device.import_photo(draft, "photos_outside", &path).unwrap();
    assert!(info.width as u64 * info.height as u64 <= photos::MAX_PIXELS);
    let loc = info.exif_location.expect("location kept as data");
    assert!((loc.lat - 26.3331).abs() < 1e-5 && (loc.lon - 106.6855).abs() < 1e-5);
    assert_eq!(info.taken_at.unwrap().to_rfc3339(), "2026-03-14T01:30:00+00:00");

    let enc = dir.path().join("media").join(format!("{}.enc", info.sha256));
    let on_disk = std::fs::read(&enc).unwrap();
    assert!(!on_disk.starts_with(&[0xFF, 0xD8]) && !contains(&on_disk, &[0xFF, 0xD8, 0xFF]), "the file on disk is not a JPEG");
    let plain = device.media_bytes(&info.sha256).unwrap();
    assert_eq!(media::sha256_hex(&plain), info.sha256, "the name is the hash of the uploaded bytes");
    assert_eq!(plain.len() as u64, info.size);
    assert!(plain.starts_with(&[0xFF, 0xD8, 0xFF]));
    assert_eq!(photos::read_exif(&plain).location, None, "no GPS in the file");
    assert_eq!(device.draft_answers(draft).unwrap()["photos_outside"], json!([info.sha256]));
    assert_eq!(device.draft_photos(draft).unwrap(), vec![info.clone()]);

    let again = device.import_photo(draft, "photos_outside", &path).unwrap_err();
    assert!(again.message_zh().contains("已经添加过"));
    let not_photo = device.import_photo(draft, "opinion", &path).unwrap_err();
    assert_eq!(not_photo.code(), "validation");
}

#[test]
fn a_corrupt_photo_is_refused_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (device, assignment_id) = device_with_assignment(dir.path());
    let draft = device.start_draft(assignment_id).unwrap();
    let mut broken = jpeg(400, 300);
    broken.truncate(broken.len() / 3);
    for (name, bytes) in [("broken.jpg", broken), ("fake.jpg", b"GIF89a not a jpeg".to_vec())] {
        let path = write_file(dir.path(), name, &bytes);
        let err = device.import_photo(draft, "photos_outside", &path).unwrap_err();
        assert_eq!(err.code(), "photo", "{name}");
        assert!(err.message_zh().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{}", err.message_zh());
    }
    let missing = device.import_photo(draft, "photos_outside", "/nonexistent/photo.jpg").unwrap_err();
    assert_eq!(missing.code(), "photo");
    assert!(files_in(&dir.path().join("media")).is_empty());
    assert!(device.draft_answers(draft).unwrap().is_empty());
    assert!(device.draft_photos(draft).unwrap().is_empty());
}

#[test]
fn finalise_refuses_an_incomplete_visit_naming_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (device, assignment_id) = device_with_assignment(dir.path());
    let draft = device.start_draft(assignment_id).unwrap();
    device.set_answer(draft, "household_size", json!(4)).unwrap();
    // In person: the location and the house photos are asked.
    device.set_answer(draft, "visit_mode", json!("in_person")).unwrap();
    let path = write_file(dir.path(), "one.jpg", &jpeg(100, 80));
    device.import_photo(draft, "photos_outside", &path).unwrap();

    let DeviceError::Validation(errors) = device.finalise(draft).unwrap_err() else { panic!("validation expected") };
    let ids: Vec<&str> = errors.iter().map(|e| e.question_id.as_str()).collect();
    for q in ["visit_date", "income_wages_fen", "members", "location", "sign_family", "photos_inside", "photos_kitchen"] {
        assert!(ids.contains(&q), "{q} missing from {ids:?}");
    }
    assert!(!ids.contains(&"household_size") && !ids.contains(&"photos_outside"), "answered: {ids:?}");
    assert_eq!(device.validate_draft(draft).unwrap(), errors);
    assert!(device.outbox().unwrap().is_empty());
    assert_eq!(device.draft(draft).unwrap().state, DraftState::Open);
}

#[test]
fn finalise_freezes_a_complete_visit_into_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let (device, assignment_id) = device_with_assignment(dir.path());
    let draft = device.start_draft(assignment_id).unwrap();
    complete_visit(&device, draft, files.path());
    // A photo taken and then removed from the answer is not part of the visit.
    let extra = device.import_photo(draft, "photos_outside", &write_file(files.path(), "extra.jpg", &jpeg(90, 90))).unwrap();
    let mut list = device.draft_answers(draft).unwrap()["photos_outside"].as_array().unwrap().clone();
    list.retain(|v| v != &json!(extra.sha256));
    device.set_answer(draft, "photos_outside", Value::Array(list)).unwrap();
    assert!(device.validate_draft(draft).unwrap().is_empty());

    let id = device.finalise(draft).unwrap();
    let s = device.submission(id).unwrap();
    let snapshot = device.assignment(assignment_id).unwrap().assignment;
    assert_eq!(s.assignment_id, assignment_id);
    assert_eq!((s.form_id.as_str(), s.form_version), ("dibao-home-visit", 2));
    assert_eq!(s.device_id, "test-device-1");
    let expected_base: BTreeMap<String, Option<Uuid>> = snapshot.case.facts.iter().map(|(k, f)| (k.clone(), f.source_submission)).collect();
    assert_eq!(s.base_facts, expected_base);
    assert_eq!(s.answers["household_size"], json!(2));
    assert_eq!(s.answers["members"].as_array().map(Vec::len), Some(2));
    assert_eq!(s.media.iter().filter(|m| m.content_type == "image/jpeg").count(), 3);
    assert!(s.media.iter().all(|m| m.content_type == "image/jpeg" && sample::DIBAO_PHOTO_QUESTIONS.contains(&m.question_id.as_str())));
    assert!(!s.media.iter().any(|m| m.sha256 == extra.sha256));
    assert!(!dir.path().join("media").join(format!("{}.enc", extra.sha256)).exists(), "the dropped photo's file is gone");
    assert_eq!(s.signatures.len(), 3);
    assert_eq!(s.signatures[0].signer_user_id, Some(snapshot.investigators[0].id));
    assert_eq!(s.signatures[2].role, SignerRole::FamilyMember);
    assert_eq!(s.answers["sign_family"], json!(s.signatures[2].media_sha256));
    assert_eq!(s.gps_fixes.len(), 1);
    assert!(s.finalized_at >= s.started_at);

    // Read-only from now on, and the frozen content does not change.
    let hash = submission_content_hash(&s);
    assert_eq!(device.set_answer(draft, "household_size", json!(9)).unwrap_err().code(), "invalid_input");
    assert_eq!(device.record_fix(draft, fix(26.0, 106.0, 5.0, false)).unwrap_err().code(), "invalid_input");
    let photo = write_file(files.path(), "late.jpg", &jpeg(50, 50));
    assert_eq!(device.import_photo(draft, "photos_outside", &photo).unwrap_err().code(), "invalid_input");
    assert_eq!(device.finalise(draft).unwrap_err().code(), "invalid_input");
    assert_eq!(device.start_draft(assignment_id).unwrap_err().code(), "invalid_input");
    assert_eq!(submission_content_hash(&device.submission(id).unwrap()), hash);

    let outbox = device.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0].submission_id, outbox[0].state), (id, OutboxState::Pending));
    let local = device.assignment(assignment_id).unwrap();
    assert_eq!(local.draft.unwrap().state, DraftState::Finalised);
    assert_eq!(local.outbox.unwrap().submission_id, id);
}

#[test]
fn distance_uses_the_most_accurate_real_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (device, assignment_id) = device_with_assignment(dir.path());
    let draft = device.start_draft(assignment_id).unwrap();
    assert_eq!(device.distance_to_household(draft).unwrap(), None);
    // ~1.1 km north, poor accuracy.
    device.record_fix(draft, fix(26.3429, 106.6856, 60.0, false)).unwrap();
    // At the door, good accuracy.
    device.record_fix(draft, fix(26.3330, 106.6856, 6.0, false)).unwrap();
    // Perfect accuracy but from a mock-location app: ignored.
    device.record_fix(draft, fix(30.0, 110.0, 1.0, true)).unwrap();
    let d = device.distance_to_household(draft).unwrap().unwrap();
    assert!(d < 20.0, "{d}");
    assert_eq!(device.gps_fixes(draft).unwrap().len(), 3);
    assert_eq!(device.record_fix(draft, fix(95.0, 0.0, 5.0, false)).unwrap_err().code(), "invalid_input");
    assert_eq!(device.record_fix(draft, fix(26.0, 106.0, f64::NAN, false)).unwrap_err().code(), "invalid_input");
}

#[test]
fn a_pull_delete_removes_all_local_data_of_the_assignment() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let device = Device::open(config(dir.path())).unwrap();
    let (open_id, sent_id, pending_id, kept_id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    device
        .apply_pull_page(&page(
            vec![upsert(assignment(open_id)), upsert(assignment(sent_id)), upsert(assignment(pending_id)), upsert(assignment(kept_id))],
            10,
        ))
        .unwrap();
    // An open draft with photos, signatures and fixes.
    let open_draft = device.start_draft(open_id).unwrap();
    complete_visit(&device, open_draft, files.path());
    // A finalised visit the server already merged.
    let sent_draft = device.start_draft(sent_id).unwrap();
    complete_visit(&device, sent_draft, files.path());
    let sent_sub = device.finalise(sent_draft).unwrap();
    device.with_conn(|c, _| Ok(c.execute("UPDATE outbox SET state = 'sent' WHERE submission_id = ?1", [sent_sub.to_string()])?)).unwrap();
    // A finalised visit not yet pushed: its data must wait until the server has answered.
    let pending_draft = device.start_draft(pending_id).unwrap();
    complete_visit(&device, pending_draft, files.path());
    let pending_sub = device.finalise(pending_draft).unwrap();
    // Another assignment's photo stays.
    let kept_draft = device.start_draft(kept_id).unwrap();
    let kept = device.import_photo(kept_draft, "photos_outside", &write_file(files.path(), "kept.jpg", &jpeg(77, 66))).unwrap();

    let media_dir = dir.path().join("media");
    let before = files_in(&media_dir).len();
    let deletes = vec![
        ChangeRecord::AssignmentDelete { id: open_id },
        ChangeRecord::AssignmentDelete { id: sent_id },
        ChangeRecord::AssignmentDelete { id: pending_id },
    ];
    let outcome = device.apply_pull_page(&page(deletes, 20)).unwrap();
    assert_eq!((outcome.changes_applied, outcome.deleted_assignments), (3, 3));
    assert_eq!(device.sync_cursor().unwrap(), 20);

    let ids: Vec<Uuid> = device.assignments().unwrap().into_iter().map(|a| a.assignment.id).collect();
    assert_eq!(ids, vec![kept_id]);
    assert_eq!(device.draft(open_draft).unwrap_err().code(), "not_found");
    assert_eq!(device.draft(sent_draft).unwrap_err().code(), "not_found");
    assert!(device.submission(sent_sub).is_err(), "the merged visit left the phone");
    // The unsent visit is still there, with its files, until the server answers it.
    assert_eq!(device.submission(pending_sub).unwrap().id, pending_sub);
    let pending_media = device.submission(pending_sub).unwrap().media;
    for m in &pending_media {
        assert!(media_dir.join(format!("{}.enc", m.sha256)).exists());
    }
    // Files: the kept photo + the pending visit's 6 blobs; the 12 others are gone.
    let after = files_in(&media_dir);
    assert_eq!(after.len(), 1 + 6, "{before} before, {after:?} after");
    assert!(after.contains(&format!("{}.enc", kept.sha256)));
    let rows =
        |table: &str| -> i64 { device.with_conn(|c, _| Ok(c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)).unwrap() };
    assert_eq!(rows("drafts"), 2);
    assert_eq!(rows("gps_fixes"), 1);
    assert_eq!(rows("signatures"), 3);

    // Once the server has refused the pending visit, the next page (even an empty one) clears it too.
    device.with_conn(|c, _| Ok(c.execute("UPDATE outbox SET state = 'rejected' WHERE submission_id = ?1", [pending_sub.to_string()])?)).unwrap();
    device.apply_pull_page(&page(vec![], 20)).unwrap();
    assert!(device.submission(pending_sub).is_err());
    assert_eq!(files_in(&media_dir), vec![format!("{}.enc", kept.sha256)]);
    assert_eq!((rows("drafts"), rows("gps_fixes"), rows("signatures"), rows("outbox")), (1, 0, 0, 0));
}

#[test]
fn a_draft_begun_on_v1_keeps_its_version_when_v2_arrives_and_finalises_on_v1() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let device = Device::open(config(dir.path())).unwrap();
    let assignment_id = Uuid::new_v4();
    let mut on_v1 = assignment(assignment_id);
    on_v1.form_version = 1;
    device.apply_pull_page(&page(vec![upsert(on_v1)], 10)).unwrap();
    let draft = device.start_draft(assignment_id).unwrap();
    // The district publishes v2 and the assignment moves to it while the phone holds the v1 draft.
    let v2 = crate::form::builtin_forms().into_iter().find(|f| f.id == sample::DIBAO_FORM_ID && f.version == 2).unwrap();
    let mut moved = assignment(assignment_id);
    moved.form_version = 2;
    device.apply_pull_page(&page(vec![ChangeRecord::FormUpsert { form: Box::new(v2) }, upsert(moved)], 30)).unwrap();
    assert!(device.form("dibao-home-visit", 2).unwrap().question("photos_house").is_none(), "v2 has no photos_house");
    assert_eq!(device.form("unknown", 1).unwrap_err().code(), "not_found");
    // The draft keeps v1's questions and finalises as a v1 visit.
    let mut answers = sample::dibao_v1_answers("2026-03-14", 3, 90000);
    answers.insert("location".into(), json!({"lat": 26.3330, "lon": 106.6857}));
    for (q, v) in answers {
        device.set_answer(draft, &q, v).unwrap();
    }
    for i in 0..3u32 {
        device.import_photo(draft, sample::DIBAO_V1_PHOTO_QUESTION, &write_file(files.path(), &format!("v1-{i}.jpg"), &jpeg(200 + i, 150))).unwrap();
    }
    let inv = device.assignment(assignment_id).unwrap().assignment.investigators;
    for (role, name, user) in [
        (SignerRole::Investigator1, "王敏", Some(inv[0].id)),
        (SignerRole::Investigator2, "李强", Some(inv[1].id)),
        (SignerRole::FamilyMember, "张三", None),
    ] {
        device.add_signature(draft, role, name, user, &write_file(files.path(), &format!("sig-{name}.png"), &png(name.as_bytes()))).unwrap();
    }
    device.record_fix(draft, fix(26.3330, 106.6857, 8.0, false)).unwrap();
    assert_eq!(device.draft(draft).unwrap().form_version, 1);
    let submission = device.submission(device.finalise(draft).unwrap()).unwrap();
    assert_eq!((submission.form_id.as_str(), submission.form_version), ("dibao-home-visit", 1));
    assert_eq!(submission.media.iter().filter(|m| m.question_id == sample::DIBAO_V1_PHOTO_QUESTION).count(), 3);
}

#[test]
fn wipe_deletes_the_store_and_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let (device, assignment_id) = device_with_assignment(dir.path());
    let draft = device.start_draft(assignment_id).unwrap();
    device.import_photo(draft, "photos_outside", &write_file(dir.path(), "p.jpg", &jpeg(64, 48))).unwrap();
    std::fs::remove_file(dir.path().join("p.jpg")).unwrap();
    device.wipe().unwrap();
    assert!(device.is_wiped());
    assert!(files_in(dir.path()).is_empty(), "{:?}", files_in(dir.path()));
    assert_eq!(device.assignments().unwrap_err().code(), "wiped");
    assert_eq!(device.session().unwrap_err().code(), "wiped");
    // A new store can be created in the same place.
    let fresh = Device::open(config(dir.path())).unwrap();
    assert!(fresh.assignments().unwrap().is_empty());
    drop(fresh);
    // A store whose key is lost can still be erased.
    let mut lost = config(dir.path());
    lost.db_key = vec![1; 32];
    assert_eq!(Device::open(lost).err().unwrap().code(), "wrong_key");
    Device::erase(&dir.path().to_string_lossy()).unwrap();
    assert!(files_in(dir.path()).is_empty());
    assert!(Device::open(config(dir.path())).unwrap().session().unwrap().is_none());
}

#[test]
fn a_second_signature_replaces_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let (device, assignment_id) = device_with_assignment(dir.path());
    let draft = device.start_draft(assignment_id).unwrap();
    let first = device.add_signature(draft, SignerRole::FamilyMember, "张三", None, &write_file(dir.path(), "a.png", &png(b"a"))).unwrap();
    let second = device.add_signature(draft, SignerRole::FamilyMember, "张三", None, &write_file(dir.path(), "b.png", &png(b"b"))).unwrap();
    assert_ne!(first, second);
    assert_eq!(device.draft_answers(draft).unwrap()["sign_family"], json!(second));
    assert!(!dir.path().join("media").join(format!("{first}.enc")).exists());
    assert_eq!(device.add_signature(draft, SignerRole::FamilyMember, " ", None, "x").unwrap_err().code(), "invalid_input");
    let bad = write_file(dir.path(), "c.png", b"not a png at all, definitely not");
    assert_eq!(device.add_signature(draft, SignerRole::Investigator1, "王敏", None, &bad).unwrap_err().code(), "photo");
    assert_eq!(device.set_answer(draft, "sign_family", json!(second)).unwrap_err().code(), "validation");
}

#[tokio::test]
async fn sync_without_login_and_offline_login_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let device = Device::open(config(dir.path())).unwrap();
    let err = device.sync(std::sync::Arc::new(NoProgress), CancelToken::new()).await.unwrap_err();
    assert_eq!(err.code(), "not_logged_in");
    // Port 9 (discard) is closed here: a connection error is a retryable network error.
    let err = device.login("wangmin", "secret").await.unwrap_err();
    assert_eq!(err.code(), "network");
    assert!(err.is_retryable());
    assert_eq!(device.session().unwrap(), None);
}
