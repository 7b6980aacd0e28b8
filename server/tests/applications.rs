//! Applications and acceptance through the API (57号 第九条、第十条): an application registered at the counter or by the
//! village committee on the applicant's behalf, a one-time notice of everything missing, acceptance by the township
//! alone, and no visit before acceptance.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use common::{Session, TestEnv, on_both, today_plus};
use reqwest::StatusCode;
use ruhu_core::resident_id::make_resident_id;
use serde_json::{Value, json};

/// A new household in 示范一村 (青岩镇) with one member.
async fn household(env: &TestEnv, s: &Session, seq: u16) -> String {
    let id = make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1968, 4, 5).unwrap(), seq).as_str().to_string();
    let members = json!([{ "name": "申请测试户主（演示）", "resident_id": id, "relation": "户主" }]);
    let h = env
        .post(
            s,
            "/api/v1/households",
            json!({ "village_code": "520111101901", "head_name": "申请测试户主（演示）", "address": "示范一村（演示）", "members": members }),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{h:?}");
    h.body["id"].as_str().unwrap().to_string()
}

async fn workflow(env: &TestEnv, s: &Session, case: &str) -> Value {
    env.get(s, &format!("/api/v1/cases/{case}/workflow")).await.body
}

async fn act(env: &TestEnv, s: &Session, case: &str, action: Value) -> common::Reply {
    env.post(s, &format!("/api/v1/cases/{case}/actions"), action).await
}

#[tokio::test]
async fn a_counter_application_gets_a_one_time_notice_then_is_accepted_and_only_then_visited() {
    on_both("app_counter", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let boss = env.login("qingyan.zuzhang").await;
        let village = env.login("qingyan.cunwei").await;
        let investigator = env.login("qingyan.diaocha1").await;
        let h = household(&env, &clerk, 701).await;

        // Received yesterday at the counter: an application, no clock running yet.
        let c = env
            .post(&clerk, "/api/v1/cases", json!({ "household_id": h, "assistance_type": "dibao", "received_on": today_plus(-1), "area": "urban" }))
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{c:?}");
        assert_eq!((c.body["step"].as_str(), c.body["step_label"].as_str()), (Some("applied"), Some("已申请待受理")));
        let case = c.body["id"].as_str().unwrap().to_string();
        let w = workflow(&env, &clerk, &case).await;
        assert_eq!((w.state_str("channel"), w.state_str("applied_on")), ("counter", today_plus(-1).to_string().as_str()));
        assert_eq!(w["state"]["received_by"], clerk.user_id.to_string());
        assert_eq!(w["open_steps"], json!([]), "no deadline before acceptance");
        assert!(w["application_materials"].as_array().unwrap().iter().any(|m| m == "户籍证明"));
        let record = env.get(&clerk, &format!("/api/v1/cases/{case}")).await.body;
        assert_eq!(record["facts"]["household.area"]["value"], "urban", "the area is a fact the eligibility check reads");

        // No visit before acceptance.
        let ids = [env.user_id("qingyan.diaocha1").await, env.user_id("qingyan.diaocha2").await];
        let before = env.count("assignments").await;
        let r = env.post(&boss, "/api/v1/assignments", json!({ "case_id": case, "investigator_ids": ids, "due_date": today_plus(5) })).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "illegal_transition"), "{r:?}");
        assert_eq!(env.count("assignments").await, before, "nothing stored");

        // Everything missing, at once; a notice listing nothing is refused.
        let r = act(&env, &clerk, &case, json!({ "action": "notice_missing", "items": ["  "] })).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "reason_required"));
        let r = act(&env, &clerk, &case, json!({ "action": "notice_missing", "items": ["户籍证明", "家庭经济状况书面声明"] })).await;
        assert_eq!((r.status, r.body["stage"].as_str()), (StatusCode::OK, Some("materials_missing")), "{r:?}");
        assert_eq!(workflow(&env, &clerk, &case).await["state"]["missing_items"], json!(["户籍证明", "家庭经济状况书面声明"]));

        // Neither the village assistant nor an investigator accepts; the township does, and the clocks start.
        for s in [&village, &investigator] {
            let r = act(&env, s, &case, json!({ "action": "accept" })).await;
            assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"), "{} may not accept: {r:?}", s.username);
        }
        let r = act(&env, &clerk, &case, json!({ "action": "accept" })).await;
        assert_eq!((r.status, r.body["stage"].as_str()), (StatusCode::OK, Some("accepted")), "{r:?}");
        assert_eq!(r.body["transition"]["responsible"]["accountability_zh"], "谁受理谁负责");
        let w = workflow(&env, &clerk, &case).await;
        assert_eq!(w.state_str("accepted_on"), today_plus(0).to_string());
        assert!(w["open_steps"].as_array().unwrap().iter().any(|s| s["key"] == "investigation_start"), "{w}");
        let r = env.post(&boss, "/api/v1/assignments", json!({ "case_id": case, "investigator_ids": ids, "due_date": today_plus(5) })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        assert_eq!(workflow(&env, &clerk, &case).await["stage"], "investigating", "the visit starts the investigation");

        let kinds: Vec<String> = env.get(&clerk, &format!("/api/v1/cases/{case}")).await.body["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["label"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(kinds, ["登记申请", "一次性告知需补齐的材料", "受理申请", "安排入户调查"]);
    })
    .await;
}

#[tokio::test]
async fn the_village_committee_applies_on_behalf_and_the_township_accepts() {
    on_both("app_village", |env| async move {
        let village = env.login("qingyan.cunwei").await;
        let reviewer = env.login("qingyan.shenhe").await;
        let investigator = env.login("qingyan.diaocha1").await;
        let clerk = env.login("qingyan.jingban").await;
        let h = household(&env, &clerk, 711).await;
        let before = env.count("cases").await;

        // An investigator does not register applications; nobody registers one received tomorrow.
        let r = env.post(&investigator, "/api/v1/cases", json!({ "household_id": h, "assistance_type": "dibao" })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"), "{r:?}");
        let r = env.post(&village, "/api/v1/cases", json!({ "household_id": h, "assistance_type": "dibao", "received_on": today_plus(1) })).await;
        assert_eq!((r.status, r.code(), r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_date", Some("received_on")));
        assert_eq!(env.count("cases").await, before, "nothing stored");

        // 代为申请: recorded as such, whatever the form said.
        let c = env.post(&village, "/api/v1/cases", json!({ "household_id": h, "assistance_type": "dibao", "channel": "counter" })).await;
        assert_eq!(c.status, StatusCode::CREATED, "{c:?}");
        let case = c.body["id"].as_str().unwrap().to_string();
        let w = workflow(&env, &reviewer, &case).await;
        assert_eq!((w.state_str("channel"), w["state"]["received_by"].as_str()), ("village_on_behalf", Some(village.user_id.to_string().as_str())));
        assert_eq!(env.count(&format!("audit_events WHERE action = 'case.register_application' AND actor_user_id = '{}'", village.user_id)).await, 1);

        let r = act(&env, &village, &case, json!({ "action": "accept" })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"));
        let r = act(&env, &reviewer, &case, json!({ "action": "accept" })).await;
        assert_eq!((r.status, r.body["stage"].as_str()), (StatusCode::OK, Some("accepted")), "{r:?}");

        // The same household cannot have a second application of the same type.
        let again = env.post(&clerk, "/api/v1/cases", json!({ "household_id": h, "assistance_type": "dibao" })).await;
        assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "case_exists"));
    })
    .await;
}

trait StateStr {
    fn state_str(&self, key: &str) -> &str;
}

impl StateStr for Value {
    fn state_str(&self, key: &str) -> &str {
        self["state"][key].as_str().unwrap_or_default()
    }
}

#[tokio::test]
async fn intake_registers_the_household_and_its_application_together_or_nothing() {
    on_both("app_intake", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let head = make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1962, 8, 1).unwrap(), 721).as_str().to_string();
        let child = make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1990, 2, 9).unwrap(), 722).as_str().to_string();
        let intake = |members: Value| {
            json!({
                "household": { "village_code": "520111101902", "head_name": "窗口登记户主（演示）", "address": "示范二村（演示）4组", "members": members },
                "application": { "assistance_type": "dibao", "area": "rural" },
            })
        };
        let members = json!([
            { "name": "窗口登记户主（演示）", "resident_id": head, "relation": "户主" },
            { "name": "窗口登记子女（演示）", "resident_id": child, "relation": "子女" },
        ]);
        let r = env.post(&clerk, "/api/v1/applications", intake(members.clone())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        assert_eq!((r.body["case"]["step"].as_str(), r.body["household"]["members"].as_array().map(Vec::len)), (Some("applied"), Some(2)));

        // The same people again: refused, and neither a household nor a case is left behind.
        let (households, cases) = (env.count("households").await, env.count("cases").await);
        let r = env.post(&clerk, "/api/v1/applications", intake(members)).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "duplicate_resident_id"), "{r:?}");
        assert_eq!((env.count("households").await, env.count("cases").await), (households, cases));
        // An investigator registers nothing: the household is not kept without its application.
        let investigator = env.login("qingyan.diaocha1").await;
        let other = make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1971, 1, 1).unwrap(), 723).as_str().to_string();
        let r = env.post(&investigator, "/api/v1/applications", intake(json!([{ "name": "某（演示）", "resident_id": other, "relation": "户主" }]))).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"), "{r:?}");
        assert_eq!(env.count("households").await, households);
    })
    .await;
}

#[tokio::test]
async fn administrators_add_rename_and_retire_villages_and_a_retired_one_takes_no_new_household() {
    on_both("app_villages", |env| async move {
        let admin = env.login("admin").await;
        let clerk = env.login("qingyan.jingban").await;
        let new = json!({ "township_code": "520111101", "code": "520111101203", "name": "龙井村" });
        let r = env.post(&clerk, "/api/v1/org-units", new.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"));
        let r = env.post(&admin, "/api/v1/org-units", json!({ "township_code": "520111101", "code": "520111102203", "name": "龙井村" })).await;
        assert_eq!((r.status, r.code(), r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code", Some("code")), "another township's code");
        let r = env.post(&admin, "/api/v1/org-units", new.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        assert_eq!((r.body["path"].as_str(), r.body["demo"].as_bool()), (Some("/520111/520111101/520111101203"), Some(false)));
        assert_eq!(env.post(&admin, "/api/v1/org-units", new).await.code(), "org_unit_exists");

        let r = env.request(reqwest::Method::PUT, "/api/v1/org-units/520111101203", Some(&admin.access), Some(json!({ "name": "龙井村（更名）" }))).await;
        assert_eq!((r.status, r.body["name"].as_str()), (StatusCode::OK, Some("龙井村（更名）")), "{r:?}");
        let r = env.request(reqwest::Method::PUT, "/api/v1/org-units/520111101", Some(&admin.access), Some(json!({ "name": "青岩" }))).await;
        assert_eq!(r.code(), "not_a_village", "townships follow the official division");

        let r = env.post(&admin, "/api/v1/org-units/520111101203/retire", json!({ "reason": " " })).await;
        assert_eq!(r.code(), "reason_required");
        let r = env.post(&admin, "/api/v1/org-units/520111101203/retire", json!({ "reason": "并入示范一村（测试）" })).await;
        assert_eq!((r.status, r.body["retired"].as_bool()), (StatusCode::OK, Some(true)), "{r:?}");
        let id = make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1980, 3, 3).unwrap(), 731).as_str().to_string();
        let r = env
            .post(&clerk, "/api/v1/households", json!({ "village_code": "520111101203", "head_name": "某（演示）", "address": "某", "members": [{ "name": "某（演示）", "resident_id": id, "relation": "户主" }] }))
            .await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "village_retired"), "{r:?}");
        assert_eq!(env.count(&format!("audit_events WHERE action IN ('org.create', 'org.rename', 'org.retire') AND actor_user_id = '{}'", admin.user_id)).await, 3);
    })
    .await;
}
