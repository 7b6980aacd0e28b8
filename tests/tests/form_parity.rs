//! The phone and the server judge a visit with the same engine: for the same answers, the errors a device shows
//! while the visit is filled in are exactly the errors the server returns when those answers are pushed, and the
//! calculated facts the server merges are the values the phone showed. Run on the 特困 form (repeat group,
//! calculations, relevance, constraints, age from the ID number).

use std::collections::BTreeMap;
use std::sync::Arc;

use ruhu_core::device::{CancelToken, Device, NoProgress};
use ruhu_core::form::FieldError;
use ruhu_core::protocol::{GpsFix, SignerRole};
use ruhu_e2e_tests::{Backend, Desk, TestServer, backends, files, phone_config};
use serde_json::{Value, json};
use uuid::Uuid;

const VILLAGE: &str = "520111101901";
const HOME: (f64, f64) = (26.3275, 106.6874);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_and_server_give_the_same_verdict_on_the_same_answers() {
    for backend in backends() {
        eprintln!("--- form parity on {}", backend.name());
        parity(&backend).await;
    }
}

/// What the server says about `answers` pushed as a finalised visit: its field errors (empty when accepted).
async fn server_verdict(investigator: &Desk, assignment_id: &str, answers: &BTreeMap<String, Value>) -> Vec<FieldError> {
    let now = ruhu_core::time::process_clock().now();
    let submission = json!({
        "id": Uuid::new_v4(),
        "assignment_id": assignment_id,
        "form_id": "tekun-home-visit",
        "form_version": 1,
        "answers": answers,
        "base_facts": {},
        "media": [],
        "gps_fixes": [],
        "signatures": [],
        "started_at": now,
        "finalized_at": now,
        "device_id": "desk-qingyan.diaocha1",
        "app_version": "0.1.0-parity",
    });
    let reply = investigator.post("/api/v1/sync/submissions", submission).await;
    assert_eq!(reply.code(), "validation_failed", "incomplete answers are refused as a validation failure: {}", reply.body);
    serde_json::from_value(reply.body["details"].clone()).expect("field errors in details")
}

async fn parity(backend: &Backend) {
    let server = TestServer::start(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::login(&server.url(), "qingyan.zuzhang").await;
    let a_id = desk.user_id("qingyan.diaocha1").await;
    let b_id = desk.user_id("qingyan.diaocha2").await;
    let case_id = desk.household_with_case(VILLAGE, "特困测试申请人（演示）", HOME, "tekun").await;
    let assignment_id = desk.assign(&case_id, &a_id, &b_id).await;
    let investigator = Desk::login(&server.url(), "qingyan.diaocha1").await;

    let phone = Device::open(phone_config(&dir.path().join("phone"), &server.url(), "parity")).unwrap();
    phone.login("qingyan.diaocha1", "Ruhu#demo2026").await.unwrap();
    phone.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    let draft = phone.start_draft(assignment_id.parse().unwrap()).unwrap();
    let local = phone.assignment(assignment_id.parse().unwrap()).unwrap();
    let applicant_id = local.assignment.household.members[0].resident_id.clone();
    let today = ruhu_core::time::process_clock().today().to_string();

    // Answers arrive in the order an investigator gives them; after each batch both ends must agree.
    let batches: Vec<Vec<(&str, Value)>> = vec![
        vec![],
        vec![
            ("visit_date", json!(today)),
            ("applicant_name", json!("特困测试申请人（演示）")),
            // A mistyped ID number: the constraint fails, and the age that depends on it stays unknown.
            ("resident_id", json!("520111195801011230")),
            ("disability_type", json!("physical")),
            ("other_incapacity", json!(false)),
            ("has_supporters", json!(true)),
            ("supporters", json!([{ "supporter_name": "测试义务人（演示）", "supporter_relation": "child", "supporter_id": "123" }])),
            ("selfcare_eating", json!(true)),
            ("selfcare_dressing", json!(false)),
        ],
        vec![
            ("resident_id", json!(applicant_id)),
            ("disability_type", json!("none")),
            ("supporters", json!([{ "supporter_name": "测试义务人（演示）", "supporter_relation": "child", "supporter_ability": "able" }])),
            ("selfcare_bed", json!(false)),
            ("selfcare_toilet", json!(false)),
            ("selfcare_walking", json!(false)),
            ("selfcare_bathing", json!(true)),
            ("income_wages_fen", json!(0)),
            ("income_business_fen", json!(0)),
            ("income_property_fen", json!(1_500)),
            ("income_transfer_fen", json!(30_000)),
            ("deposits_fen", json!(100_000)),
            ("has_vehicle", json!(false)),
            ("house_count", json!(1)),
            ("assets_within_rules", json!(true)),
            ("care_preference", json!("dispersed")),
            ("living_conditions", json!("独居，房屋老旧。")),
            ("opinion", json!("符合特困人员认定条件，建议认定。")),
            ("location", json!({ "lat": HOME.0, "lon": HOME.1 })),
        ],
    ];
    for (i, batch) in batches.iter().enumerate() {
        for (q, v) in batch {
            phone.set_answer(draft, q, v.clone()).unwrap_or_else(|e| panic!("answer {q}: {e}"));
        }
        let on_device = phone.validate_draft(draft).unwrap();
        let on_server = server_verdict(&investigator, &assignment_id, &phone.draft_answers(draft).unwrap()).await;
        assert!(!on_device.is_empty(), "batch {i}: photos and signatures are still missing");
        assert_eq!(on_device, on_server, "batch {i}: the phone and the server disagree");
    }
    let state = phone.form_state(draft).unwrap();
    assert!(state.state("disability_grade").is_some_and(|q| !q.relevant), "no grade asked without a disability");
    assert!(state.errors.iter().any(|e| e.question_id == "photos_house"), "house photos still needed");

    // Photos and the three signatures complete the visit; it is finalised offline and synced.
    let files_dir = tempfile::tempdir().unwrap();
    for (question, seeds) in [("photos_house", 40..43), ("photos_documents", 50..51)] {
        for seed in seeds {
            let path = files::write(files_dir.path(), &format!("{question}{seed}.jpg"), &files::camera_jpeg(800, 600, seed));
            phone.import_photo(draft, question, &path.display().to_string()).unwrap();
        }
    }
    phone
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
    let signers = [
        (SignerRole::Investigator1, "青岩调查员一（演示）", Some(a_id.parse().unwrap())),
        (SignerRole::Investigator2, "青岩调查员二（演示）", Some(b_id.parse().unwrap())),
        (SignerRole::FamilyMember, "特困测试申请人（演示）", None),
    ];
    for (i, (role, name, user)) in signers.into_iter().enumerate() {
        let path = files::write(files_dir.path(), &format!("sign{i}.png"), &files::signature_png(i as u32 + 10));
        phone.add_signature(draft, role, name, user, &path.display().to_string()).unwrap();
    }
    let state = phone.form_state(draft).unwrap();
    assert!(state.is_complete(), "complete visit: {:?}", state.errors);
    let shown = |path: &str| state.state(path).and_then(|q| q.value.clone()).unwrap_or(Value::Null);
    assert_eq!(shown("selfcare_missing"), json!(4), "four of the six self-care items are missing");
    assert_eq!(shown("selfcare_class"), json!("fully_lost"));
    assert_eq!(shown("income_total_fen"), json!(31_500));
    assert_eq!(shown("no_able_supporter"), json!(false), "the child is able to support");
    phone.finalise(draft).unwrap();
    let report = phone.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    assert_eq!(report.rejected.len(), 0, "the server accepts what the phone accepted: {:?}", report.rejected);

    // The server merged the calculated facts the phone showed.
    let case = desk.get(&format!("/api/v1/cases/{case_id}")).await.ok();
    let fact = |key: &str| case["facts"][key]["value"].clone();
    for (key, question) in [
        ("tekun.selfcare_class", "selfcare_class"),
        ("tekun.selfcare_missing", "selfcare_missing"),
        ("income.monthly_total_fen", "income_total_fen"),
        ("person.age", "age"),
        ("tekun.no_able_supporter", "no_able_supporter"),
    ] {
        assert_eq!(fact(key), shown(question), "fact {key} as merged by the server: {case}");
    }
    assert_eq!(fact("person.disability_grade"), Value::Null, "an irrelevant answer is not a fact");

    // A later visit of the same case shows, beside each question, what the case already holds (上次记录).
    let second = desk.assign(&case_id, &a_id, &b_id).await;
    phone.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    let next_draft = phone.start_draft(second.parse().unwrap()).unwrap();
    let previous = phone.case_values(next_draft).unwrap();
    assert_eq!(previous.get("income_transfer_fen"), Some(&json!(30_000)));
    assert_eq!(previous.get("selfcare_class"), Some(&json!("fully_lost")));
    assert_eq!(previous.get("disability_grade"), None, "never recorded");
}
