//! The case workflow through the API: a whole 低保 path, refused transitions that change nothing, separation of
//! duties, near-relative refusals, complaints, deadlines and the district's spot-check sampler.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use common::{Session, TestEnv, on_both, today_plus};
use reqwest::StatusCode;
use ruhu_core::resident_id::make_resident_id;
use serde_json::{Value, json};

fn rid(seq: u16) -> String {
    make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1972, 9, 8).unwrap(), seq).as_str().to_string()
}

/// A new 青岩镇 household with the given members and a 低保 case with visit-like facts; returns (household, case) ids.
async fn new_case(env: &TestEnv, clerk: &Session, ids: &[String]) -> (String, String) {
    new_case_of(env, clerk, ids, "dibao").await
}

async fn new_case_of(env: &TestEnv, clerk: &Session, ids: &[String], assistance_type: &str) -> (String, String) {
    let members: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!({ "name": format!("成员{i}（演示）"), "resident_id": id, "relation": if i == 0 { "户主" } else { "子女" } }))
        .collect();
    let h = env
        .post(
            clerk,
            "/api/v1/households",
            json!({ "village_code": "520111101901", "head_name": "测试户主（演示）", "address": "示范一村（演示）", "members": members }),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{h:?}");
    let facts = json!({ "household.size": 3, "income.wages_fen": 50000, "income.transfer_fen": 10000, "household.area": "rural" });
    let c = env.accepted_case(clerk, json!({ "household_id": h.body["id"], "assistance_type": assistance_type, "facts": facts })).await;
    assert_eq!(c.status, StatusCode::CREATED, "{c:?}");
    (h.body["id"].as_str().unwrap().into(), c.body["id"].as_str().unwrap().into())
}

async fn act(env: &TestEnv, s: &Session, case: &str, action: Value) -> common::Reply {
    env.post(s, &format!("/api/v1/cases/{case}/actions"), action).await
}

async fn ok(env: &TestEnv, s: &Session, case: &str, action: Value) -> Value {
    let r = act(env, s, case, action.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{action} by {}: {r:?}", s.username);
    r.body
}

/// Moves the stored publicity start back by `days` (time passing, as the clock cannot be waited for in a test).
async fn age_publicity(env: &TestEnv, case: &str, days: i64) {
    use sqlx::Row;
    let db = env.db();
    let row = sqlx::query("SELECT workflow FROM cases WHERE id = $1").bind(case).fetch_one(&db.pool).await.unwrap();
    let mut state: Value = serde_json::from_str(&row.try_get::<String, _>("workflow").unwrap()).unwrap();
    state["publicity_started_on"] = json!(today_plus(-days).to_string());
    sqlx::query("UPDATE cases SET workflow = $1 WHERE id = $2").bind(state.to_string()).bind(case).execute(&db.pool).await.unwrap();
}

/// Investigation through the assignment API and the workflow actions, up to an opinion in publicity.
async fn investigate_and_publish(env: &TestEnv, case: &str, pair: [&str; 2]) -> String {
    let clerk = env.login("qingyan.jingban").await;
    let boss = env.login("qingyan.zuzhang").await;
    let reviewer = env.login("qingyan.shenhe").await;
    let inv1 = env.login(pair[0]).await;
    let ids = [env.user_id(pair[0]).await, env.user_id(pair[1]).await];
    let a = env.post(&boss, "/api/v1/assignments", json!({ "case_id": case, "investigator_ids": ids, "due_date": today_plus(5) })).await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    let visit =
        ok(env, &inv1, case, json!({ "action": "record_home_visit", "investigators": ids, "visited_on": today_plus(0), "family_signed": true }))
            .await;
    assert_eq!(visit["stage"], "investigating", "the assignment started the investigation");
    ok(env, &inv1, case, json!({ "action": "record_neighbour_visit", "summary": "邻居反映情况属实" })).await;
    ok(env, &clerk, case, json!({ "action": "request_information_check" })).await;
    ok(env, &clerk, case, json!({ "action": "record_information_check", "summary": "未发现车辆、房产" })).await;
    ok(
        env,
        &reviewer,
        case,
        json!({ "action": "submit_initial_opinion", "recommendation": "approve", "amount_fen": 138000, "reasons": ["月人均收入低于标准"] }),
    )
    .await;
    let p = ok(env, &clerk, case, json!({ "action": "start_publicity" })).await;
    assert_eq!(p["stage"], "publicity");
    assert!(p["open_steps"].as_array().unwrap().iter().any(|s| s["key"] == "publicity" && s["due"] == today_plus(7).to_string()), "{p}");
    a.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_spot_check_draws_the_years_tekun_confirmations_at_their_own_rate() {
    on_both("wf_tekun_sample", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let reviewer = env.login("qingyan.shenhe").await;
        let district = env.login("qu.jianguan").await;
        let (household, case) = new_case_of(&env, &clerk, &[rid(311)], "tekun").await;
        investigate_and_publish(&env, &case, ["qingyan.diaocha1", "qingyan.diaocha2"]).await;
        age_publicity(&env, &case, 7).await;
        ok(&env, &clerk, &case, json!({ "action": "close_publicity" })).await;
        ok(&env, &reviewer, &case, json!({ "action": "confirm", "amount_fen": 90000 })).await;

        let year = today_plus(0).format("%Y").to_string().parse::<i32>().unwrap();
        let run = env.post(&district, "/api/v1/spot-checks", json!({ "year": year, "seed": "tekun-seed" })).await;
        assert_eq!(run.status, StatusCode::CREATED, "{run:?}");
        let strata = run.body["strata"].as_array().unwrap();
        let tekun = strata.iter().find(|s| s["township_code"] == "520111101" && s["group"] == "tekun_confirmed").expect("a 特困 stratum");
        assert_eq!(
            (tekun["rate"].as_str(), tekun["population"].as_u64(), tekun["sample_size"].as_u64()),
            (Some("3/10"), Some(1), Some(1)),
            "{strata:?}"
        );
        let general = strata.iter().find(|s| s["township_code"] == "520111101" && s["group"] == "newly_added").unwrap();
        assert_eq!(general["rate"], "3/25");
        let sampled = run.body["households"].as_array().unwrap().iter().find(|h| h["household_id"] == household.as_str()).unwrap().clone();
        let groups: Vec<&str> = sampled["reasons"].as_array().unwrap().iter().filter_map(|r| r["group"].as_str()).collect();
        assert!(groups.contains(&"tekun_confirmed") && groups.contains(&"newly_added"), "{sampled}");
    })
    .await;
}

#[tokio::test]
async fn a_full_dibao_path_through_the_api_with_filing_and_spot_check() {
    on_both("wf_full", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let reviewer = env.login("qingyan.shenhe").await;
        let district = env.login("qu.jianguan").await;
        let (household, case) = new_case(&env, &clerk, &[rid(301), rid(302), rid(303)]).await;
        let assignment = investigate_and_publish(&env, &case, ["qingyan.diaocha1", "qingyan.diaocha2"]).await;

        let early = act(&env, &clerk, &case, json!({ "action": "close_publicity" })).await;
        assert_eq!((early.status, early.code()), (StatusCode::CONFLICT, "publicity_not_over"));
        age_publicity(&env, &case, 7).await;
        let closed = ok(&env, &clerk, &case, json!({ "action": "close_publicity" })).await;
        assert_eq!(closed["stage"], "awaiting_confirmation");

        // The suggestion is computed from the facts: (66000 − 60000/3) × 3 = 138000 (2026 rural DEMO standard).
        let view = env.get(&reviewer, &format!("/api/v1/cases/{case}/workflow")).await;
        assert_eq!(view.body["gap_suggestion"]["suggested_fen"], 138000, "{:?}", view.body["gap_suggestion"]);
        let r = act(&env, &reviewer, &case, json!({ "action": "confirm", "amount_fen": 120000 })).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "override_reason_required"));
        let confirmed = ok(&env, &reviewer, &case, json!({ "action": "confirm", "amount_fen": 138000 })).await;
        assert_eq!(confirmed["stage"], "approved");
        let responsible = &confirmed["transition"]["responsible"];
        assert_eq!(responsible["user_id"], reviewer.user_id.to_string());
        assert_eq!(responsible["role"], "township_reviewer");
        assert_eq!(responsible["accountability_zh"], "谁确认谁负责");
        let notice = ok(&env, &clerk, &case, json!({ "action": "issue_notice" })).await;
        assert_eq!(notice["stage"], "active");
        // Cancelling the leftover visit assignment does not move the case back to "accepted".
        let boss = env.login("qingyan.zuzhang").await;
        let c = env.post(&boss, &format!("/api/v1/assignments/{assignment}/cancel"), json!({ "reason": "调查已完成" })).await;
        assert_eq!(c.status, StatusCode::OK, "{c:?}");
        let listed = env.get(&reviewer, "/api/v1/cases?step=active").await;
        assert!(listed.body.as_array().unwrap().iter().any(|c| c["id"] == case.as_str()), "{listed:?}");

        let pending = env.get(&district, "/api/v1/filings?status=pending").await;
        assert!(pending.body.as_array().unwrap().iter().any(|f| f["case_id"] == case.as_str() && f["kind"] == "approve"), "{pending:?}");
        assert_eq!(act(&env, &reviewer, &case, json!({ "action": "record_filing" })).await.code(), "forbidden_role");
        ok(&env, &district, &case, json!({ "action": "record_filing", "remarks": "材料齐全" })).await;
        let filed = env.get(&district, "/api/v1/filings?status=filed").await;
        let f = filed.body.as_array().unwrap().iter().find(|f| f["case_id"] == case.as_str()).unwrap();
        assert_eq!(f["filed_by"]["id"], district.user_id.to_string());
        assert_eq!(f["decided_by"]["id"], reviewer.user_id.to_string());

        // The case record lists every step with its label and actor.
        let record = env.get(&reviewer, &format!("/api/v1/cases/{case}")).await;
        assert_eq!(record.body["step"], "active");
        assert_eq!(record.body["step_label"], "救助中");
        let labels: Vec<&str> = record.body["steps"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
        assert!(labels.contains(&"审核确认") && labels.contains(&"审核确认备案"), "{labels:?}");

        // The year's spot check: this newly added household is the only one of its stratum, so it is drawn.
        let run = env
            .post(
                &district,
                "/api/v1/spot-checks",
                json!({ "year": today_plus(0).format("%Y").to_string().parse::<i32>().unwrap(), "seed": "fixed-seed" }),
            )
            .await;
        assert_eq!(run.status, StatusCode::CREATED, "{run:?}");
        let strata = run.body["strata"].as_array().unwrap();
        assert!(
            strata.iter().any(|s| s["township_code"] == "520111101" && s["group"] == "newly_added" && s["population"] == 1 && s["sample_size"] == 1),
            "{strata:?}"
        );
        let sampled = run.body["households"].as_array().unwrap().iter().find(|h| h["household_id"] == household.as_str()).unwrap().clone();
        let team: Vec<String> = sampled["revisitors"].as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_string()).collect();
        assert_eq!(team.len(), 2);
        for original in ["qingyan.diaocha1", "qingyan.diaocha2"] {
            assert!(!team.contains(&env.user_id(original).await), "a re-visit never goes to the original investigators");
        }
        let again = env.post(&district, "/api/v1/spot-checks", json!({ "year": run.body["year"], "seed": "fixed-seed" })).await;
        assert_eq!(again.body["households"], run.body["households"], "the same seed gives the same sample");
        assert_eq!(env.count("spot_check_runs").await, 2);
        assert!(common_verify(&env).await);
    })
    .await;
}

async fn common_verify(env: &TestEnv) -> bool {
    ruhu_server::verify_audit_chain(&env.db()).await.unwrap().is_none()
}

#[tokio::test]
async fn a_refused_illegal_transition_changes_nothing() {
    on_both("wf_refused", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let reviewer = env.login("qingyan.shenhe").await;
        let inv = env.login("qingyan.diaocha1").await;
        let (_, case) = new_case(&env, &clerk, &[rid(311)]).await;
        let steps = env.count("case_steps").await;
        let audits = env.count("audit_events").await;

        let r = act(&env, &reviewer, &case, json!({ "action": "confirm", "amount_fen": 100000 })).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "illegal_transition"));
        assert!(r.body["message"].as_str().unwrap().contains("已受理"), "{r:?}");
        let r = act(&env, &inv, &case, json!({ "action": "refuse", "reasons": ["收入超标"] })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"));
        let r = act(&env, &clerk, &case, json!({ "action": "fly_to_the_moon" })).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"));
        let r = act(&env, &clerk, &case, json!({ "action": "start_investigation", "investigators": [inv.user_id, reviewer.user_id] })).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "not_investigator"));

        assert_eq!(env.count("case_steps").await, steps, "no step recorded");
        assert_eq!(env.count("audit_events").await, audits, "no event recorded");
        let stored = env.get(&clerk, &format!("/api/v1/cases/{case}/workflow")).await;
        assert_eq!(stored.body["stage"], "accepted", "still where it was");
        assert_eq!(env.count(&format!("cases WHERE id = '{case}' AND workflow_version = 2 AND step = 'accepted'")).await, 1);
        assert_eq!(env.count("filings").await, 0);
    })
    .await;
}

#[tokio::test]
async fn separation_of_duties_is_refused_through_the_api() {
    on_both("wf_separation", |env| async move {
        // 青岩审核员 also holds the investigator role and investigates this case: she may not confirm it.
        let reviewer_id = env.user_id("qingyan.shenhe").await;
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, 'investigator')").bind(&reviewer_id).execute(&env.db().pool).await.unwrap();
        let clerk = env.login("qingyan.jingban").await;
        let (_, case) = new_case(&env, &clerk, &[rid(321)]).await;
        let reviewer = env.login("qingyan.shenhe").await;
        let boss = env.login("qingyan.zuzhang").await;
        let inv1 = env.user_id("qingyan.diaocha1").await;
        ok(&env, &boss, &case, json!({ "action": "start_investigation", "investigators": [reviewer_id, inv1] })).await;
        ok(
            &env,
            &reviewer,
            &case,
            json!({ "action": "record_home_visit", "investigators": [reviewer_id, inv1], "visited_on": today_plus(0), "family_signed": true }),
        )
        .await;
        ok(&env, &clerk, &case, json!({ "action": "record_neighbour_visit", "summary": "属实" })).await;
        ok(&env, &clerk, &case, json!({ "action": "request_information_check" })).await;
        ok(&env, &clerk, &case, json!({ "action": "record_information_check", "summary": "无异常" })).await;
        ok(&env, &clerk, &case, json!({ "action": "submit_initial_opinion", "recommendation": "refuse", "reasons": ["收入超标"] })).await;
        ok(&env, &clerk, &case, json!({ "action": "start_publicity" })).await;
        age_publicity(&env, &case, 8).await;
        ok(&env, &clerk, &case, json!({ "action": "close_publicity" })).await;
        let steps = env.count("case_steps").await;
        let r = act(&env, &reviewer, &case, json!({ "action": "confirm", "amount_fen": 50000 })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "investigator_cannot_decide"));
        let r = act(&env, &reviewer, &case, json!({ "action": "refuse", "reasons": ["收入超标"] })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "investigator_cannot_decide"));
        assert!(r.body["message"].as_str().unwrap().contains("调查人员"));
        assert_eq!(env.count("case_steps").await, steps);
        let view = env.get(&reviewer, &format!("/api/v1/cases/{case}/workflow")).await;
        assert_eq!(view.body["stage"], "awaiting_confirmation");
    })
    .await;
}

#[tokio::test]
async fn a_near_relative_can_be_neither_assigned_nor_act_and_the_case_is_flagged() {
    on_both("wf_relatives", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let boss = env.login("qingyan.zuzhang").await;
        let d3 = env.login("qingyan.diaocha3").await;
        let mother = rid(331);
        let r = env.post(&d3, "/api/v1/near-relatives", json!({ "relative_resident_id": mother, "relation": "cousins" })).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_relation"));
        let r = env.post(&d3, "/api/v1/near-relatives", json!({ "relative_resident_id": "520111", "relation": "parents" })).await;
        assert_eq!(r.code(), "invalid_resident_id");
        let r = env.post(&d3, "/api/v1/near-relatives", json!({ "relative_resident_id": mother, "relation": "parents" })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        assert_eq!(r.body["relative_resident_id_masked"], ruhu_core::resident_id::mask(&mother));
        let again = env.post(&d3, "/api/v1/near-relatives", json!({ "relative_resident_id": mother, "relation": "parents" })).await;
        assert_eq!(again.code(), "declaration_exists");
        let list = env.get(&boss, "/api/v1/near-relatives").await;
        assert!(!list.body.to_string().contains(&mother), "lists mask IDs");

        let (_, case) = new_case(&env, &clerk, &[mother.clone(), rid(332)]).await;
        let ids = [env.user_id("qingyan.diaocha1").await, d3.user_id.to_string()];
        let before = env.count("assignments").await;
        let r = env.post(&boss, "/api/v1/assignments", json!({ "case_id": case, "investigator_ids": ids, "due_date": today_plus(5) })).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "near_relative_investigator"), "{r:?}");
        assert!(r.body["message"].as_str().unwrap().contains("回避"));
        assert_eq!(env.count("assignments").await, before, "nothing assigned");
        let r = act(&env, &boss, &case, json!({ "action": "start_investigation", "investigators": ids })).await;
        assert_eq!(r.code(), "near_relative_investigator");
        let r = act(&env, &d3, &case, json!({ "action": "record_neighbour_visit", "summary": "x" })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "near_relative_conflict"));

        let view = env.get(&boss, &format!("/api/v1/cases/{case}/workflow")).await;
        assert_eq!(view.body["near_relatives"].as_array().unwrap().len(), 1);
        assert_eq!(view.body["district_visit_outstanding"], true);
        assert!(!view.body.to_string().contains(&mother));
        let ok_pair = [env.user_id("qingyan.diaocha1").await, env.user_id("qingyan.diaocha2").await];
        let r = env.post(&boss, "/api/v1/assignments", json!({ "case_id": case, "investigator_ids": ok_pair, "due_date": today_plus(5) })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    })
    .await;
}

#[tokio::test]
async fn complaints_deadlines_and_the_sampler_endpoint() {
    on_both("wf_lists", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let district = env.login("qu.jianguan").await;
        let shiban = env.login("shiban.shenhe").await;
        let (household, case) = new_case(&env, &clerk, &[rid(341)]).await;
        let r = env.post(&clerk, &format!("/api/v1/cases/{case}/complaints"), json!({ "real_name": true, "summary": "反映有经营收入" })).await;
        assert_eq!(r.code(), "invalid_field");
        let r = env
            .post(
                &clerk,
                &format!("/api/v1/cases/{case}/complaints"),
                json!({ "real_name": true, "reporter_name": "张三", "summary": "反映有经营收入" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["transition"]["state"]["flags"]["complaint"], true);
        assert_eq!(env.count("complaints WHERE real_name = 1").await, 1);

        let list = env.get(&district, "/api/v1/deadlines").await;
        assert_eq!(list.status, StatusCode::OK, "{list:?}");
        let items = list.body["items"].as_array().unwrap();
        let keys: Vec<&str> = items.iter().filter(|i| i["case_id"] == case.as_str()).map(|i| i["step"]["key"].as_str().unwrap()).collect();
        assert!(keys.contains(&"complaint_feedback") && keys.contains(&"investigation_start"), "{keys:?}");
        // The demo case in publicity is listed for the district, not for 石板镇.
        assert!(items.iter().any(|i| i["step"]["key"] == "publicity"), "{items:?}");
        let theirs = env.get(&shiban, "/api/v1/deadlines").await;
        assert!(theirs.body["items"].as_array().unwrap().iter().all(|i| i["township_code"] == "520111102"));
        let soon = env.get(&district, "/api/v1/deadlines?urgency=due_soon").await;
        assert!(soon.body["items"].as_array().unwrap().iter().all(|i| i["urgency"] == "due_soon"));

        // The sampler: district only; complaint and near-relative cases always drawn; reproducible.
        let r = env.post(&clerk, "/api/v1/spot-checks", json!({ "year": 2026 })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"));
        let run = env.post(&district, "/api/v1/spot-checks", json!({ "year": 2026 })).await;
        assert_eq!(run.status, StatusCode::CREATED, "{run:?}");
        let seed = run.body["seed"].as_str().unwrap().to_string();
        assert_eq!(seed.len(), 32, "a fresh seed is recorded");
        let households = run.body["households"].as_array().unwrap();
        let mine = households.iter().find(|h| h["household_id"] == household.as_str()).unwrap();
        assert_eq!(mine["reasons"][0], json!({ "reason": "full_visit", "trigger": "complaint" }));
        assert!(households.iter().any(|h| h["reasons"][0]["trigger"] == "near_relative_filing"), "the demo near-relative household");
        assert!(run.body["rounding_zh"].as_str().unwrap().contains("向上取整"));
        let redraw = env.post(&district, "/api/v1/spot-checks", json!({ "year": 2026, "seed": seed })).await;
        assert_eq!(redraw.body["households"], run.body["households"]);
        let stored = env.get(&district, &format!("/api/v1/spot-checks/{}", run.body["id"].as_str().unwrap())).await;
        assert_eq!(stored.status, StatusCode::OK, "{stored:?}");
        assert_eq!(
            (&stored.body["seed"], &stored.body["households"], &stored.body["strata"]),
            (&run.body["seed"], &run.body["households"], &run.body["strata"])
        );
        let other = env.get(&shiban, &format!("/api/v1/spot-checks/{}", run.body["id"].as_str().unwrap())).await;
        assert_eq!(other.code(), "out_of_scope");

        // The demo case in publicity: the notice shows name, household size and amount, the ID only masked.
        let demo_case = items.iter().find(|i| i["step"]["key"] == "publicity").unwrap()["case_id"].as_str().unwrap().to_string();
        let n = env.get(&clerk, &format!("/api/v1/cases/{demo_case}/notices")).await;
        assert_eq!(n.status, StatusCode::OK, "{n:?}");
        let text = n.body["publicity"]["text_zh"].as_str().unwrap();
        assert!(text.contains("陈桂兰（演示）") && text.contains("家庭人口1人") && text.contains("¥400.00"), "{text}");
        let full = make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1951, 6, 9).unwrap(), 42).as_str().to_string();
        assert!(!n.body.to_string().contains(&full) && text.contains(&ruhu_core::resident_id::mask(&full)));
        assert!(n.body["refusal_text"].is_null());
    })
    .await;
}

#[tokio::test]
async fn a_visit_synced_from_a_phone_counts_as_the_home_visit_and_the_opinion_uses_its_facts() {
    on_both("wf_synced_visit", |env| async move {
        let d1 = env.login("qingyan.diaocha1").await;
        let clerk = env.login("qingyan.jingban").await;
        let reviewer = env.login("qingyan.shenhe").await;
        let assignment = env.demo_assignment(&d1).await;
        let case = assignment["case"]["id"].as_str().unwrap().to_string();
        let before = env.get(&reviewer, &format!("/api/v1/cases/{case}/workflow")).await;
        assert_eq!(before.body["stage"], "investigating", "the demo assignment started the investigation");
        assert!(before.body["state"]["home_visit_on"].is_null());

        let (files, visit) = common::Visit::hashes("wf-visit");
        for (i, f) in files.iter().enumerate() {
            env.upload(&d1, f, if i < 3 { "image/jpeg" } else { "image/png" }).await;
        }
        let sub = common::submission(&d1, &assignment, &visit, 3, 45000);
        let pushed = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&sub).unwrap()).await;
        assert_eq!(pushed.body["state"], "merged", "{pushed:?}");

        let after = env.get(&reviewer, &format!("/api/v1/cases/{case}/workflow")).await;
        assert_eq!(after.body["state"]["home_visit_on"], today_plus(0).to_string(), "{:?}", after.body["state"]);
        let investigators = after.body["state"]["investigators"].as_array().unwrap();
        assert!(investigators.contains(&json!(d1.user_id.to_string())));
        // The 补差 suggestion comes from the merged visit: (66000 − (45000 + 30000) / 3) × 3.
        assert_eq!(after.body["gap_suggestion"]["suggested_fen"], (66000 - 75000 / 3) * 3, "{:?}", after.body["gap_suggestion"]);
        ok(&env, &d1, &case, json!({ "action": "record_neighbour_visit", "summary": "邻居反映属实" })).await;
        ok(&env, &clerk, &case, json!({ "action": "request_information_check" })).await;
        let r = ok(&env, &clerk, &case, json!({ "action": "record_information_check", "summary": "无异常" })).await;
        assert_eq!(r["stage"], "investigating");
        ok(
            &env,
            &reviewer,
            &case,
            json!({ "action": "submit_initial_opinion", "recommendation": "approve", "amount_fen": 123000, "reasons": ["收入低于标准"] }),
        )
        .await;
    })
    .await;
}

/// A 低保 case of a new 青岩镇 household through to "active" (investigated by `pair`); returns (household, case).
async fn make_active(env: &TestEnv, pair: [&str; 2], seq: u16) -> (String, String) {
    let clerk = env.login("qingyan.jingban").await;
    let reviewer = env.login("qingyan.shenhe").await;
    let boss = env.login("qingyan.zuzhang").await;
    let (household, case) = new_case(env, &clerk, &[rid(seq)]).await;
    let assignment = investigate_and_publish(env, &case, pair).await;
    age_publicity(env, &case, 7).await;
    ok(env, &clerk, &case, json!({ "action": "close_publicity" })).await;
    ok(env, &reviewer, &case, json!({ "action": "confirm", "amount_fen": 138000 })).await;
    assert_eq!(ok(env, &clerk, &case, json!({ "action": "issue_notice" })).await["stage"], "active");
    let c = env.post(&boss, &format!("/api/v1/assignments/{assignment}/cancel"), json!({ "reason": "调查已完成" })).await;
    assert_eq!(c.status, StatusCode::OK, "{c:?}");
    (household, case)
}

/// Sets the stored next review date (time passing).
async fn set_next_review(env: &TestEnv, case: &str, on: chrono::NaiveDate) {
    use sqlx::Row;
    let db = env.db();
    let row = sqlx::query("SELECT workflow FROM cases WHERE id = $1").bind(case).fetch_one(&db.pool).await.unwrap();
    let mut state: Value = serde_json::from_str(&row.try_get::<String, _>("workflow").unwrap()).unwrap();
    state["next_review_on"] = json!(on.to_string());
    sqlx::query("UPDATE cases SET workflow = $1 WHERE id = $2").bind(state.to_string()).bind(case).execute(&db.pool).await.unwrap();
}

/// The assignment `id` as the investigator's phone receives it.
async fn feed_assignment(env: &TestEnv, s: &Session, id: &str) -> Value {
    let page = env.get(s, "/api/v1/sync/pull?since=0").await;
    assert_eq!(page.status, StatusCode::OK, "{page:?}");
    page.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|c| c["type"] == "assignment_upsert" && c["assignment"]["id"] == id)
        .map(|c| c["assignment"].clone())
        .expect("the assignment in the investigator's feed")
}

/// Pushes a visit for `assignment` with `answers` (photos, signatures and location added) and returns the reply body.
async fn push_visit(env: &TestEnv, s: &Session, assignment: &Value, tag: &str, answers: Value) -> Value {
    let (files, visit) = common::Visit::hashes(tag);
    for (i, f) in files.iter().enumerate() {
        env.upload(s, f, if i < 3 { "image/jpeg" } else { "image/png" }).await;
    }
    let mut sub = common::submission(s, assignment, &visit, 1, 0);
    sub.answers = serde_json::from_value(answers).unwrap();
    sub.answers.insert("visit_date".into(), json!(today_plus(0).to_string()));
    sub.answers.insert("location".into(), json!({ "lat": 26.3313, "lon": 106.6922 }));
    sub.answers.insert("photos_house".into(), json!(visit.photos));
    for m in &mut sub.media {
        m.question_id = "photos_house".into();
    }
    for (i, q) in ["sign_investigator_1", "sign_investigator_2", "sign_family"].iter().enumerate() {
        sub.answers.insert((*q).into(), json!(visit.signatures[i]));
    }
    let pushed = env.post(s, "/api/v1/sync/submissions", serde_json::to_value(&sub).unwrap()).await;
    assert_eq!(pushed.body["state"], "merged", "{pushed:?}");
    pushed.body
}

async fn stage_of(env: &TestEnv, s: &Session, case: &str) -> Value {
    env.get(s, &format!("/api/v1/cases/{case}/workflow")).await.body["stage"].clone()
}

#[tokio::test]
async fn due_periodic_reviews_become_visit_assignments_and_the_review_visit_records_its_facts() {
    on_both("wf_reviews", |env| async move {
        let boss = env.login("qingyan.zuzhang").await;
        let reviewer = env.login("qingyan.shenhe").await;
        let clerk = env.login("qingyan.jingban").await;
        let (_, case) = make_active(&env, ["qingyan.diaocha1", "qingyan.diaocha2"], 401).await;
        let pair = [env.user_id("qingyan.diaocha1").await, env.user_id("qingyan.diaocha3").await];
        let body = |cases: Value| json!({ "case_ids": cases, "investigator_ids": pair, "due_date": today_plus(10) });
        let assignments_before = env.count("assignments").await;

        // The first review is a year away: refused, nothing changes.
        let r = env.post(&boss, "/api/v1/periodic-reviews/assign", body(json!([case]))).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "review_not_due"), "{r:?}");
        assert!(r.body["message"].as_str().unwrap().contains("尚未到期"), "{r:?}");
        assert_eq!(env.count("assignments").await, assignments_before);
        assert_eq!(stage_of(&env, &reviewer, &case).await, "active");

        // Due now; but a case not receiving assistance in the same request refuses the whole request.
        set_next_review(&env, &case, today_plus(-1)).await;
        let (_, pending) = new_case(&env, &clerk, &[rid(402)]).await;
        let r = env.post(&boss, "/api/v1/periodic-reviews/assign", body(json!([case, pending]))).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "review_case_not_active"), "{r:?}");
        assert!(r.body["message"].as_str().unwrap().contains("不是救助中的案件"), "{r:?}");
        assert_eq!(env.count("assignments").await, assignments_before);
        assert_eq!(stage_of(&env, &reviewer, &case).await, "active", "the first case's review was not started either");

        // Wrong role, wrong township: refused, nothing changes.
        let d1 = env.login("qingyan.diaocha1").await;
        assert_eq!(env.post(&d1, "/api/v1/periodic-reviews/assign", body(json!([case]))).await.code(), "forbidden_role");
        let shiban = env.login("shiban.shenhe").await;
        assert_eq!(env.post(&shiban, "/api/v1/periodic-reviews/assign", body(json!([case]))).await.code(), "out_of_scope");
        let r = env.post(&boss, "/api/v1/periodic-reviews/assign", json!({ "investigator_ids": pair, "due_date": today_plus(10) })).await;
        assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("case_ids")), "{r:?}");
        assert_eq!(env.count("assignments").await, assignments_before);

        // By township: the due case gets a periodic-review visit and its review starts.
        let r = env
            .post(
                &boss,
                "/api/v1/periodic-reviews/assign",
                json!({ "township_code": "520111101", "investigator_ids": pair, "due_date": today_plus(10) }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        let mine = r.body.as_array().unwrap().iter().find(|a| a["case_id"] == case.as_str()).unwrap().clone();
        assert_eq!((mine["form_id"].as_str(), mine["review_due"].as_str()), (Some("periodic-review"), Some(today_plus(-1).to_string().as_str())));
        assert!(r.body.as_array().unwrap().iter().all(|a| a["case_id"] != pending.as_str()));
        assert_eq!(stage_of(&env, &reviewer, &case).await, "under_review");
        let again = env.post(&boss, "/api/v1/periodic-reviews/assign", body(json!([case]))).await;
        assert_eq!(again.code(), "review_case_not_active", "a review under way is not assigned twice");

        let view = env.get(&reviewer, &format!("/api/v1/cases/{case}/workflow")).await;
        assert!(view.body["review_proposal"].is_null(), "nothing to propose before the review visit: {}", view.body);

        // The review visit from the phone records its facts like any visit.
        let assignment = feed_assignment(&env, &d1, mine["assignment_id"].as_str().unwrap()).await;
        assert_eq!(assignment["form_id"], "periodic-review");
        let answers = json!({
            "household_size": 1, "members_changed": false, "income_wages_fen": 20000, "income_business_fen": 0, "income_property_fen": 0,
            "income_transfer_fen": 10000, "deposits_fen": 100000, "has_vehicle": false, "income_irregular": true, "members_can_work": false,
            "recommendation": "keep",
        });
        push_visit(&env, &d1, &assignment, "wf-review", answers).await;
        let record = env.get(&reviewer, &format!("/api/v1/cases/{case}")).await;
        let facts = &record.body["facts"];
        assert_eq!(facts["review.recommendation"]["value"], "keep", "{facts}");
        assert_eq!(facts["review.cadence"]["value"], "half_yearly", "{facts}");
        assert_eq!(stage_of(&env, &reviewer, &case).await, "under_review", "the merge leaves the stage to the workflow");

        // The reviewer finds the visit's recommendation as the outcome to record, pre-filled, and records it.
        let view = env.get(&reviewer, &format!("/api/v1/cases/{case}/workflow")).await;
        let proposal = &view.body["review_proposal"];
        assert_eq!(proposal["recommendation"], "keep", "{}", view.body);
        assert_eq!(
            (&proposal["outcome"], &proposal["cadence"], &proposal["current_fen"]),
            (&json!({ "outcome": "keep" }), &json!("irregular"), &json!(138000))
        );
        let kept =
            ok(&env, &reviewer, &case, json!({ "action": "record_review_outcome", "outcome": proposal["outcome"], "cadence": proposal["cadence"] }))
                .await;
        let after = env.get(&reviewer, &format!("/api/v1/cases/{case}/workflow")).await;
        assert!(after.body["review_proposal"].is_null(), "a recorded review proposes nothing more");
        assert_eq!(kept["stage"], "active");
        let next = kept["transition"]["state"]["next_review_on"].as_str().unwrap();
        assert!(next > today_plus(150).to_string().as_str(), "{next}");
        assert!(common_verify(&env).await);
    })
    .await;
}

async fn username_of(env: &TestEnv, id: &str) -> String {
    let admin = env.login("admin").await;
    let all = env.get(&admin, "/api/v1/users").await;
    all.body.as_array().unwrap().iter().find(|u| u["id"] == id).unwrap()["username"].as_str().unwrap().to_string()
}

/// An active case of this year drawn by a spot-check run whose re-visits are assigned; returns (case, run, the
/// case's re-visit assignment as created).
async fn revisit_assigned(env: &TestEnv) -> (String, String, Value) {
    let district = env.login("qu.jianguan").await;
    let (household, case) = make_active(env, ["qingyan.diaocha1", "qingyan.diaocha2"], 501).await;
    let year = today_plus(0).format("%Y").to_string().parse::<i32>().unwrap();
    let run = env.post(&district, "/api/v1/spot-checks", json!({ "year": year, "seed": "revisit-seed" })).await;
    assert_eq!(run.status, StatusCode::CREATED, "{run:?}");
    assert!(run.body["households"].as_array().unwrap().iter().any(|h| h["household_id"] == household.as_str()));
    let run_id = run.body["id"].as_str().unwrap().to_string();
    let r = env.post(&district, &format!("/api/v1/spot-checks/{run_id}/revisits"), json!({ "due_date": today_plus(14) })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body.as_array().unwrap().len(), run.body["households"].as_array().unwrap().len(), "one re-visit per sampled household");
    let mine = r.body.as_array().unwrap().iter().find(|a| a["case_id"] == case.as_str()).unwrap().clone();
    (case, run_id, mine)
}

#[tokio::test]
async fn district_revisits_from_a_spot_check_never_go_to_the_original_investigators() {
    on_both("wf_revisits", |env| async move {
        let district = env.login("qu.jianguan").await;
        let reviewer = env.login("qingyan.shenhe").await;
        let (_, case) = make_active(&env, ["qingyan.diaocha1", "qingyan.diaocha2"], 511).await;
        let year = today_plus(0).format("%Y").to_string().parse::<i32>().unwrap();
        let run = env.post(&district, "/api/v1/spot-checks", json!({ "year": year, "seed": "revisit-seed" })).await;
        assert_eq!(run.status, StatusCode::CREATED, "{run:?}");
        let run_id = run.body["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/spot-checks/{run_id}/revisits");
        let before = env.count("assignments").await;

        // Wrong role (township staff, a district investigator): refused, nothing changes.
        for who in ["qingyan.zuzhang", "shiban.shenhe", "qu.diaocha1"] {
            let s = env.login(who).await;
            let r = env.post(&s, &path, json!({ "due_date": today_plus(14) })).await;
            assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"), "{who}: {r:?}");
        }
        assert_eq!(env.count("assignments").await, before);

        // A plan naming an original investigator (staff changed since the draw) is refused as a whole.
        let d1 = env.user_id("qingyan.diaocha1").await;
        let db = env.db();
        let household: String = {
            use sqlx::Row;
            sqlx::query("SELECT household_id FROM cases WHERE id = $1")
                .bind(&case)
                .fetch_one(&db.pool)
                .await
                .unwrap()
                .try_get("household_id")
                .unwrap()
        };
        let planned =
            run.body["households"].as_array().unwrap().iter().find(|h| h["household_id"] == household.as_str()).unwrap()["revisitors"].clone();
        let tampered = json!([d1, planned[1]]).to_string();
        sqlx::query("UPDATE spot_check_samples SET revisitors = $1 WHERE run_id = $2 AND household_id = $3")
            .bind(&tampered)
            .bind(&run_id)
            .bind(&household)
            .execute(&db.pool)
            .await
            .unwrap();
        let r = env.post(&district, &path, json!({ "due_date": today_plus(14) })).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "revisitor_was_investigator"), "{r:?}");
        assert!(r.body["message"].as_str().unwrap().contains("须回避"), "{r:?}");
        assert_eq!(env.count("assignments").await, before);
        sqlx::query("UPDATE spot_check_samples SET revisitors = $1 WHERE run_id = $2 AND household_id = $3")
            .bind(planned.to_string())
            .bind(&run_id)
            .bind(&household)
            .execute(&db.pool)
            .await
            .unwrap();

        // The district supervisor assigns them: district staff, never the original pair; the case's stage and
        // investigators stay as they were.
        let state_before = env.get(&reviewer, &format!("/api/v1/cases/{case}/workflow")).await.body["state"].clone();
        let r = env.post(&district, &path, json!({ "due_date": today_plus(14) })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        let sampled = run.body["households"].as_array().unwrap().len();
        assert_eq!(env.count("assignments").await, before + sampled as i64);
        let mine = r.body.as_array().unwrap().iter().find(|a| a["case_id"] == case.as_str()).unwrap();
        let team: Vec<&str> = mine["investigators"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
        assert_eq!(team.len(), 2);
        for original in ["qingyan.diaocha1", "qingyan.diaocha2"] {
            assert!(!team.contains(&env.user_id(original).await.as_str()), "a re-visit never goes to the original investigators");
        }
        for u in &team {
            assert!(username_of(&env, u).await.starts_with("qu."), "district staff only: {u}");
        }
        let a = env.get(&district, &format!("/api/v1/assignments?case_id={case}&status=assigned")).await;
        assert!(a.body.as_array().unwrap().iter().any(|x| x["form_id"] == "district-revisit"), "{a:?}");
        let state_after = env.get(&reviewer, &format!("/api/v1/cases/{case}/workflow")).await.body["state"].clone();
        assert_eq!((&state_after["stage"], &state_after["investigators"]), (&state_before["stage"], &state_before["investigators"]));
        let again = env.post(&district, &path, json!({ "due_date": today_plus(14) })).await;
        assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "revisits_already_assigned"));
        assert_eq!(env.count("assignments").await, before + sampled as i64);

        // The re-visit stays the district's: the township cannot cancel it, nor can it go to township staff.
        let boss = env.login("qingyan.zuzhang").await;
        let revisit_id = mine["assignment_id"].as_str().unwrap();
        let r = env.post(&boss, &format!("/api/v1/assignments/{revisit_id}/cancel"), json!({ "reason": "不需要" })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"), "{r:?}");
        let r = env.post(&district, &format!("/api/v1/assignments/{revisit_id}/reassign"), json!({ "investigator_ids": [d1, team[1]] })).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "revisitor_not_district"), "{r:?}");
        assert_eq!(env.count(&format!("assignments WHERE id = '{revisit_id}' AND status = 'assigned' AND investigator1 = '{}'", team[0])).await, 1);

        // A township supervisor cannot hand a township visit to district staff.
        let (_, other) = new_case(&env, &env.login("qingyan.jingban").await, &[rid(512)]).await;
        let qd = [env.user_id("qu.diaocha1").await, env.user_id("qu.diaocha2").await];
        let r = env.post(&boss, "/api/v1/assignments", json!({ "case_id": other, "investigator_ids": qd, "due_date": today_plus(5) })).await;
        assert_eq!(r.code(), "investigator_out_of_township", "{r:?}");
        assert!(common_verify(&env).await);
    })
    .await;
}

#[tokio::test]
async fn the_district_compares_a_revisit_with_the_original_record_fact_by_fact() {
    on_both("wf_compare", |env| async move {
        let district = env.login("qu.jianguan").await;
        let reviewer = env.login("qingyan.shenhe").await;
        let (case, _run, mine) = revisit_assigned(&env).await;
        let path = format!("/api/v1/cases/{case}/revisit-comparison");
        let none = env.get(&district, &path).await;
        assert_eq!((none.status, none.code()), (StatusCode::NOT_FOUND, "no_revisit"), "{none:?}");
        assert_eq!(env.get(&reviewer, &path).await.code(), "forbidden_role");

        // A member of the district team re-visits from the phone: one member fewer, income verified.
        let member = env.login(&username_of(&env, mine["investigators"][0].as_str().unwrap()).await).await;
        let assignment = feed_assignment(&env, &member, mine["assignment_id"].as_str().unwrap()).await;
        assert_eq!(assignment["form_id"], "district-revisit");
        assert_eq!(assignment["case"]["facts"]["household.size"]["value"], 3, "the phone shows the original record");
        let answers = json!({
            "household_size": 2, "income_total_fen": 60000, "deposits_fen": 100000, "has_vehicle": false, "housing_condition": "own_safe",
            "matches_original": false, "differences": "户主之子已外出务工并分户", "conclusion": "to_correct", "conclusion_note": "家庭人口有变化，建议乡镇重新核定",
        });
        push_visit(&env, &member, &assignment, "wf-revisit", answers).await;

        let c = env.get(&district, &path).await;
        assert_eq!(c.status, StatusCode::OK, "{c:?}");
        let facts = c.body["facts"].as_array().unwrap();
        let size = facts.iter().find(|f| f["key"] == "household.size").unwrap();
        assert_eq!((&size["original"], &size["revisit"], &size["differs"]), (&json!(3), &json!(2), &json!(true)), "{size}");
        assert_eq!(size["label_zh"], "共同生活家庭成员人数");
        let vehicle = facts.iter().find(|f| f["key"] == "assets.has_vehicle").unwrap();
        assert_eq!((&vehicle["original"], &vehicle["differs"]), (&Value::Null, &json!(true)), "not in the original record");
        assert!(c.body["differences"].as_array().unwrap().iter().any(|d| d["key"] == "household.size" && d["original"] == 3 && d["revisit"] == 2));
        assert!(facts.iter().all(|f| !f["key"].as_str().unwrap().starts_with("revisit.")), "the verdict is not a finding");
        assert_eq!(c.body["verdict"]["revisit.conclusion"], "to_correct");
        assert_eq!(c.body["verdict"]["revisit.matches_original"], false);
        let by: Vec<&Value> = c.body["revisited_by"].as_array().unwrap().iter().map(|p| &p["id"]).collect();
        assert_eq!(by, mine["investigators"].as_array().unwrap().iter().collect::<Vec<_>>());
        let originals: Vec<&Value> = c.body["original_investigators"].as_array().unwrap().iter().map(|p| &p["id"]).collect();
        assert!(originals.contains(&&json!(env.user_id("qingyan.diaocha1").await)), "{originals:?}");

        // The re-visit does not overwrite the township's record, nor move the case.
        let record = env.get(&reviewer, &format!("/api/v1/cases/{case}")).await;
        assert_eq!(record.body["facts"]["household.size"]["value"], 3);
        assert!(record.body["facts"].get("revisit.conclusion").is_none());
        assert_eq!(stage_of(&env, &reviewer, &case).await, "active");
    })
    .await;
}

#[tokio::test]
async fn a_merged_revisit_of_a_complaint_case_is_the_districts_full_visit() {
    on_both("wf_full_visit", |env| async move {
        let district = env.login("qu.jianguan").await;
        let reviewer = env.login("qingyan.shenhe").await;
        let (household, case) = make_active(&env, ["qingyan.diaocha1", "qingyan.diaocha2"], 531).await;
        let r =
            env.post(&reviewer, &format!("/api/v1/cases/{case}/complaints"), json!({ "real_name": false, "summary": "反映家中有经营收入" })).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        let view = env.get(&district, &format!("/api/v1/cases/{case}/workflow")).await;
        assert_eq!(view.body["district_visit_outstanding"], true, "a complaint owes the household a district visit");

        let year = today_plus(0).format("%Y").to_string().parse::<i32>().unwrap();
        let run = env.post(&district, "/api/v1/spot-checks", json!({ "year": year, "seed": "full-visit-seed" })).await;
        let sampled = run.body["households"].as_array().unwrap().iter().find(|h| h["household_id"] == household.as_str()).unwrap().clone();
        assert!(sampled["reasons"].as_array().unwrap().contains(&json!({ "reason": "full_visit", "trigger": "complaint" })), "{sampled}");
        let assigned = env
            .post(&district, &format!("/api/v1/spot-checks/{}/revisits", run.body["id"].as_str().unwrap()), json!({ "due_date": today_plus(14) }))
            .await;
        assert_eq!(assigned.status, StatusCode::CREATED, "{assigned:?}");
        let mine = assigned.body.as_array().unwrap().iter().find(|a| a["case_id"] == case.as_str()).unwrap().clone();
        let member = env.login(&username_of(&env, mine["investigators"][0].as_str().unwrap()).await).await;
        let assignment = feed_assignment(&env, &member, mine["assignment_id"].as_str().unwrap()).await;
        let answers = json!({
            "household_size": 3, "income_total_fen": 60000, "deposits_fen": 0, "has_vehicle": false, "housing_condition": "own_safe",
            "matches_original": true, "conclusion": "confirmed",
        });
        push_visit(&env, &member, &assignment, "wf-full-visit", answers).await;

        // The merge recorded the district's visit, in the name of the supervisor who sent the re-visitors.
        let view = env.get(&district, &format!("/api/v1/cases/{case}/workflow")).await;
        assert_eq!(view.body["district_visit_outstanding"], false, "{}", view.body);
        assert_eq!(view.body["state"]["flags"]["district_visit_on"], today_plus(0).to_string());
        assert_eq!(view.body["stage"], "active", "the re-visit does not move the case");
        let record = env.get(&district, &format!("/api/v1/cases/{case}")).await;
        let step = record.body["steps"].as_array().unwrap().iter().find(|s| s["kind"] == "wf.record_district_visit").expect("the step").clone();
        assert_eq!(step["actor"]["id"], district.user_id.to_string(), "{step}");
        let finding = step["detail"]["input"]["finding"].as_str().unwrap();
        assert!(finding.starts_with("区级抽查复核入户（") && finding.ends_with("复核结论：原审核确认结果正确"), "{finding}");
        assert_eq!(env.count("audit_events WHERE action = 'case.record_district_visit'").await, 1);
        // A person may still record a further finding by hand.
        let again =
            act(&env, &district, &case, json!({ "action": "record_district_visit", "visited_on": today_plus(0), "finding": "再次核查" })).await;
        assert_eq!(again.status, StatusCode::OK, "{again:?}");
    })
    .await;
}

/// Gives `username` one more role (a person may hold several).
async fn grant(env: &TestEnv, username: &str, role: &str) {
    let id = env.user_id(username).await;
    sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)").bind(&id).bind(role).execute(&env.db().pool).await.unwrap();
}

/// Records in the stored state that `user_id` investigated the case (a fixture for stages no investigation reaches).
async fn mark_investigator(env: &TestEnv, case: &str, user_id: &str) {
    use sqlx::Row;
    let db = env.db();
    let row = sqlx::query("SELECT workflow FROM cases WHERE id = $1").bind(case).fetch_one(&db.pool).await.unwrap();
    let mut state: Value = serde_json::from_str(&row.try_get::<String, _>("workflow").unwrap()).unwrap();
    state["participants"].as_array_mut().unwrap().push(json!({ "user_id": user_id, "duty": "investigate", "on": today_plus(0).to_string() }));
    sqlx::query("UPDATE cases SET workflow = $1 WHERE id = $2").bind(state.to_string()).bind(case).execute(&db.pool).await.unwrap();
}

/// `action` by `s` is refused with `code` and changes nothing on the case.
async fn refused_as(env: &TestEnv, s: &Session, case: &str, action: Value, status: StatusCode, code: &str) {
    let steps = env.count(&format!("case_steps WHERE case_id = '{case}'")).await;
    let r = act(env, s, case, action.clone()).await;
    assert_eq!((r.status, r.code()), (status, code), "{action} by {}: {r:?}", s.username);
    assert_eq!(env.count(&format!("case_steps WHERE case_id = '{case}'")).await, steps, "nothing recorded");
}

#[tokio::test]
async fn every_decision_about_who_is_paid_what_is_refused_to_whoever_investigated_and_supervision_to_whoever_confirmed() {
    on_both("wf_duties", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let reviewer = env.login("qingyan.shenhe").await;
        let boss = env.login("qingyan.zuzhang").await;
        // A district supervisor who also holds the township reviewer's role, and a second district supervisor.
        grant(&env, "qu.jianguan", "township_reviewer").await;
        let district_confirmer = env.login("qu.jianguan").await;
        let district = env.login("qu.fuhe").await;
        let forbidden = StatusCode::FORBIDDEN;

        // The periodic review's outcome: refused to whoever investigated the review.
        grant(&env, "qingyan.diaocha3", "township_reviewer").await;
        let (_, active) = make_active(&env, ["qingyan.diaocha1", "qingyan.diaocha2"], 601).await;
        set_next_review(&env, &active, today_plus(-1)).await;
        let pair = [env.user_id("qingyan.diaocha1").await, env.user_id("qingyan.diaocha3").await];
        let r = env.post(&boss, "/api/v1/periodic-reviews/assign", json!({ "case_ids": [active], "investigator_ids": pair, "due_date": today_plus(10) })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        let keep = json!({ "action": "record_review_outcome", "outcome": { "outcome": "keep" }, "cadence": "stable" });
        let review_visitor = env.login("qingyan.diaocha3").await;
        refused_as(&env, &review_visitor, &active, keep.clone(), forbidden, "investigator_cannot_decide").await;
        ok(&env, &reviewer, &active, keep).await;

        // A 特困 termination is decided when its publicity closes: by the reviewer, and not by one who investigated.
        grant(&env, "qingyan.diaocha1", "township_reviewer").await;
        let (_, tekun) = new_case_of(&env, &clerk, &[rid(602)], "tekun").await;
        investigate_and_publish(&env, &tekun, ["qingyan.diaocha1", "qingyan.diaocha2"]).await;
        age_publicity(&env, &tekun, 7).await;
        ok(&env, &clerk, &tekun, json!({ "action": "close_publicity" })).await;
        ok(&env, &reviewer, &tekun, json!({ "action": "confirm", "amount_fen": 90000 })).await;
        ok(&env, &clerk, &tekun, json!({ "action": "issue_notice" })).await;
        ok(&env, &clerk, &tekun, json!({ "action": "start_review" })).await;
        let stop = json!({ "action": "record_review_outcome", "outcome": { "outcome": "stop", "reasons": ["已由法定赡养人履行赡养义务"] }, "cadence": "stable" });
        let investigator_reviewer = env.login("qingyan.diaocha1").await;
        refused_as(&env, &investigator_reviewer, &tekun, stop.clone(), forbidden, "investigator_cannot_decide").await;
        assert_eq!(ok(&env, &reviewer, &tekun, stop).await["stage"], "termination_publicity");
        age_publicity(&env, &tekun, 8).await;
        let close = json!({ "action": "close_publicity" });
        refused_as(&env, &clerk, &tekun, close.clone(), forbidden, "forbidden_role").await;
        refused_as(&env, &investigator_reviewer, &tekun, close.clone(), forbidden, "investigator_cannot_decide").await;
        assert_eq!(ok(&env, &reviewer, &tekun, close).await["stage"], "stop_decided");

        // 临时救助 先行救助 (the one-off amount).
        let (_, linshi) = new_case_of(&env, &clerk, &[rid(603)], "linshi").await;
        mark_investigator(&env, &linshi, &reviewer.user_id.to_string()).await;
        let aid = json!({ "action": "grant_emergency_aid", "amount_fen": 100000, "reason": "突发重病，急需救治" });
        refused_as(&env, &reviewer, &linshi, aid.clone(), forbidden, "investigator_cannot_decide").await;
        assert_eq!(ok(&env, &clerk, &linshi, aid).await["stage"], "emergency_aided");

        // Whoever confirmed does not supervise the decision: filing, escalation, the escalated review.
        let (_, decided) = new_case(&env, &clerk, &[rid(604)]).await;
        investigate_and_publish(&env, &decided, ["qingyan.diaocha2", "qingyan.diaocha3"]).await;
        age_publicity(&env, &decided, 7).await;
        ok(&env, &clerk, &decided, json!({ "action": "close_publicity" })).await;
        ok(&env, &district_confirmer, &decided, json!({ "action": "confirm", "amount_fen": 138000 })).await;
        refused_as(&env, &district_confirmer, &decided, json!({ "action": "record_filing" }), forbidden, "confirmer_cannot_supervise").await;
        let escalate = json!({ "action": "escalate", "reason": "群众反映收入未如实申报" });
        refused_as(&env, &district_confirmer, &decided, escalate.clone(), forbidden, "confirmer_cannot_supervise").await;
        assert_eq!(ok(&env, &district, &decided, escalate).await["stage"], "escalated");
        let decide = json!({ "action": "decide_escalation", "outcome": { "outcome": "uphold" }, "reasons": "经复核，乡镇确认结果正确" });
        refused_as(&env, &district_confirmer, &decided, decide.clone(), forbidden, "confirmer_cannot_supervise").await;
        // …nor does whoever investigated it.
        mark_investigator(&env, &decided, &district.user_id.to_string()).await;
        refused_as(&env, &district, &decided, decide, forbidden, "investigator_cannot_decide").await;
    })
    .await;
}
