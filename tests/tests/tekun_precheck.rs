//! The 特困 pre-check (特困人员认定办法 art. 4–6, 8) on both ends: a phone filling the 特困 form sees the advice
//! offline, with the ages of art. 5 from the district's policy, and the reviewer sees the same advice on the server
//! once the visit is merged. A 62-year-old without an able supporter meets the conditions; a 40-year-old able to
//! work does not, and the advice says why in Chinese.

use std::sync::Arc;

use chrono::Datelike;
use ruhu_core::device::{CancelToken, Device, NoProgress};
use ruhu_core::eligibility::{Advice, TekunOutcome};
use ruhu_core::protocol::{GpsFix, SignerRole};
use ruhu_core::resident_id::make_resident_id;
use ruhu_e2e_tests::{Backend, Desk, TestServer, backends, files, phone_config};
use serde_json::{Value, json};
use uuid::Uuid;

const VILLAGE: &str = "520111101901";
const HOME: (f64, f64) = (26.3275, 106.6874);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tekun_precheck_reads_the_ages_of_article_5_on_the_phone_and_the_server() {
    for backend in backends() {
        eprintln!("--- 特困 pre-check on {}", backend.name());
        precheck_on(&backend).await;
    }
}

/// One 特困 applicant as the visit finds them.
struct Applicant {
    name: &'static str,
    age: i32,
    able_to_work: bool,
    able_supporter: bool,
}

async fn precheck_on(backend: &Backend) {
    let mut server = TestServer::start(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::login(&server.url(), "qingyan.zuzhang").await;
    let reviewer = Desk::login(&server.url(), "qingyan.shenhe").await;
    let phone = Device::open(phone_config(&dir.path().join("phone"), &server.url(), "tekun")).unwrap();
    phone.login("qingyan.diaocha1", "Ruhu#demo2026").await.unwrap();

    let elderly = Applicant { name: "特困老人（演示）", age: 62, able_to_work: false, able_supporter: false };
    let (advice, on_server) = visit(&desk, &reviewer, &phone, dir.path(), &elderly, 700).await;
    assert_eq!(advice.outcome, TekunOutcome::Tekun, "{advice:?}");
    assert!(advice.findings.iter().all(|f| f.met == Some(true)), "{advice:?}");
    assert!(advice.findings[0].explanation.starts_with("62周岁，属于60周岁以上的老年人"), "{}", advice.findings[0].explanation);
    assert!(advice.findings[0].inputs.contains(&("elderly_age", 60)));
    assert_eq!(on_server["outcome"], "tekun", "{on_server}");

    let working = Applicant { name: "特困测试中年人（演示）", age: 40, able_to_work: true, able_supporter: false };
    let (advice, on_server) = visit(&desk, &reviewer, &phone, dir.path(), &working, 710).await;
    assert_eq!(advice.outcome, TekunOutcome::NotEligible, "{advice:?}");
    let capacity = &advice.findings[0];
    assert_eq!((capacity.code, capacity.met), ("no_work_capacity", Some(false)));
    assert_eq!(capacity.explanation, "40周岁，不属于60周岁以上的老年人或未满16周岁的未成年人，残疾情况也不属于无劳动能力情形，视为有劳动能力");
    assert_eq!(on_server["outcome"], "not_eligible", "{on_server}");
    assert_eq!(on_server["findings"][0]["explanation"], capacity.explanation.as_str());
    server.stop().await;
}

/// Assigns, fills, finalises and syncs a 特困 visit of `who`; returns the phone's advice before finalising and the
/// reviewer's advice on the server after the merge (which must agree on every finding).
async fn visit(
    desk: &Desk,
    reviewer: &Desk,
    phone: &Device,
    dir: &std::path::Path,
    who: &Applicant,
    seq: u16,
) -> (ruhu_core::eligibility::TekunAdvice, Value) {
    let a_id = desk.user_id("qingyan.diaocha1").await;
    let b_id = desk.user_id("qingyan.diaocha2").await;
    let case_id = desk.household_with_case(VILLAGE, who.name, HOME, "tekun").await;
    let assignment: Uuid = desk.assign(&case_id, &a_id, &b_id).await.parse().unwrap();
    phone.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    let draft = phone.start_draft(assignment).unwrap();

    // Born `age` years and a month before today (China time), so the age on the visit day is exactly `age`.
    let today = ruhu_core::time::process_clock().today();
    let born = today.with_year(today.year() - who.age).and_then(|d| d.checked_sub_days(chrono::Days::new(31))).unwrap();
    let resident_id = make_resident_id("520111", born, seq);
    let supporter = json!({ "supporter_name": "测试义务人（演示）", "supporter_relation": "child",
                            "supporter_ability": if who.able_supporter { "able" } else { "tekun" }, "supporter_ability_note": "本人为特困人员" });
    for (q, v) in [
        ("visit_date", json!(today.to_string())),
        ("applicant_name", json!(who.name)),
        ("resident_id", json!(resident_id.as_str())),
        ("disability_type", json!("none")),
        ("other_incapacity", json!(false)),
        ("income_wages_fen", json!(if who.able_to_work { 20_000 } else { 0 })),
        ("income_business_fen", json!(0)),
        ("income_property_fen", json!(0)),
        ("income_transfer_fen", json!(10_000)),
        ("deposits_fen", json!(50_000)),
        ("has_vehicle", json!(false)),
        ("house_count", json!(1)),
        ("assets_within_rules", json!(true)),
        ("has_supporters", json!(true)),
        ("supporters", json!([supporter])),
        ("care_preference", json!("dispersed")),
        ("living_conditions", json!("独居，房屋老旧。")),
        ("opinion", json!("请审核。")),
        ("location", json!({ "lat": HOME.0, "lon": HOME.1 })),
    ] {
        phone.set_answer(draft, q, v).unwrap_or_else(|e| panic!("answer {q}: {e}"));
    }
    for item in ["eating", "dressing", "bed", "toilet", "walking", "bathing"] {
        phone.set_answer(draft, &format!("selfcare_{item}"), json!(true)).unwrap();
    }
    let advice = match phone.eligibility(draft).unwrap() {
        Some(Advice::Tekun(a)) => a,
        other => panic!("a 特困 visit with the applicant's age has the 特困 pre-check: {other:?}"),
    };

    for (seed, question) in ["photos_house", "photos_house", "photos_house", "photos_documents"].into_iter().enumerate() {
        let path = files::write(dir, &format!("{seq}-photo{seed}.jpg"), &files::camera_jpeg(800, 600, u32::from(seq) + seed as u32));
        phone.import_photo(draft, question, &path.display().to_string()).unwrap();
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
    for (i, (role, name, user)) in [
        (SignerRole::Investigator1, "青岩调查员一（演示）", Some(a_id.parse().unwrap())),
        (SignerRole::Investigator2, "青岩调查员二（演示）", Some(b_id.parse().unwrap())),
        (SignerRole::FamilyMember, who.name, None),
    ]
    .into_iter()
    .enumerate()
    {
        let path = files::write(dir, &format!("{seq}-sign{i}.png"), &files::signature_png(seq as u32 + i as u32));
        phone.add_signature(draft, role, name, user, &path.display().to_string()).unwrap();
    }
    phone.finalise(draft).expect("the 特困 visit is complete");
    let report = phone.sync(Arc::new(NoProgress), CancelToken::new()).await.unwrap();
    assert_eq!(report.merged, 1, "{report:?}");

    let on_server = reviewer.get(&format!("/api/v1/cases/{case_id}/workflow")).await.ok()["eligibility"].clone();
    assert_eq!(on_server["kind"], "tekun", "{on_server}");
    assert_eq!(on_server["findings"].as_array().map(Vec::len), Some(advice.findings.len()), "{on_server}");
    for (i, f) in advice.findings.iter().enumerate() {
        assert_eq!(on_server["findings"][i]["met"], json!(f.met), "finding {}: {on_server}", f.code);
        assert_eq!(on_server["findings"][i]["explanation"], f.explanation.as_str());
    }
    (advice, on_server)
}
