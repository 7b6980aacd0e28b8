//! The console's desk work beyond stage 1: deciding conflicts, following visits with real per-device sync times,
//! the map settings and administration of users. Everything through HTTP, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use common::{PASSWORD, Session, TestEnv, Visit, on_both, on_both_with, submission};
use reqwest::{Method, StatusCode, header};
use ruhu_core::roles::Role;
use ruhu_server::{
    access::accounts::{self, NewUser},
    app::config::{MapDatum, MapTiles},
};
use serde_json::{Value, json};

async fn upload_all(env: &TestEnv, s: &Session, files: &[Vec<u8>]) {
    for (i, f) in files.iter().enumerate() {
        env.upload(s, f, if i < 3 { "image/jpeg" } else { "image/png" }).await;
    }
}

/// Two visits from the same base: wages 90000 (first, stands) vs 95000 (second, proposed); size 3 vs 4.
async fn make_conflict(env: &TestEnv) -> (String, Value, Value) {
    let d1 = env.login("qingyan.diaocha1").await;
    let d2 = env.login("qingyan.diaocha2").await;
    let seen1 = env.demo_assignment(&d1).await;
    let seen2 = env.demo_assignment(&d2).await;
    let (files, visit) = Visit::hashes("desk-conflict");
    upload_all(env, &d1, &files).await;
    let a = submission(&d1, &seen1, &visit, 3, 90000);
    let ra = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&a).unwrap()).await;
    assert_eq!(ra.status, StatusCode::OK, "{ra:?}");
    let b = submission(&d2, &seen2, &visit, 4, 95000);
    let rb = env.post(&d2, "/api/v1/sync/submissions", serde_json::to_value(&b).unwrap()).await;
    assert_eq!(rb.body["conflicts"], json!(common::SIZE_AND_WAGES_CONFLICTS), "{rb:?}");
    (ra.body["case_id"].as_str().unwrap().to_string(), json!(a.id), json!(b.id))
}

fn conflict_id(record: &Value, key: &str) -> String {
    record["conflicts"].as_array().unwrap().iter().find(|c| c["fact_key"] == key).unwrap()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_supervisor_decides_a_conflict_per_field_with_a_reason() {
    on_both("desk_conflict", |env| async move {
        let (case_id, first, second) = make_conflict(&env).await;
        let boss = env.login("qingyan.zuzhang").await;
        let record = env.get(&boss, &format!("/api/v1/cases/{case_id}")).await.body;
        let wages = conflict_id(&record, "income.wages_fen");
        let size = conflict_id(&record, "household.size");
        let audit_before = env.count("audit_events").await;

        // No reason: refused in Chinese, nothing changed.
        let r = env.post(&boss, &format!("/api/v1/conflicts/{wages}/resolve"), json!({ "choice": "proposed", "reason": "  " })).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "reason_required"), "{r:?}");
        assert_eq!(r.body["message"], "请填写选择理由");
        assert_eq!(env.count("conflicts WHERE resolved_at IS NULL").await, common::SIZE_AND_WAGES_CONFLICTS.len() as i64);
        assert_eq!(env.count("audit_events").await, audit_before);
        let unchanged = env.get(&boss, &format!("/api/v1/cases/{case_id}")).await.body;
        assert_eq!(unchanged["facts"]["income.wages_fen"]["value"], 90000);

        // An investigator may not decide.
        let d1 = env.login("qingyan.diaocha1").await;
        let r = env.post(&d1, &format!("/api/v1/conflicts/{wages}/resolve"), json!({ "choice": "proposed", "reason": "我确认" })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"));
        // Another township's reviewer is refused, and the attempt is audited.
        let shiban = env.login("shiban.shenhe").await;
        let r = env.post(&shiban, &format!("/api/v1/conflicts/{wages}/resolve"), json!({ "choice": "proposed", "reason": "越权" })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "out_of_scope"));

        // Take the proposed wages, keep the current household size.
        let r = env
            .post(&boss, &format!("/api/v1/conflicts/{wages}/resolve"), json!({ "choice": "proposed", "reason": "复核工资条，以第二次调查为准" }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["value"], 95000);
        assert_eq!(r.body["resolved_by"]["display_name"], "青岩调查组长（演示）");
        let r = env.post(&boss, &format!("/api/v1/conflicts/{size}/resolve"), json!({ "choice": "current", "reason": "户籍登记为3人" })).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["value"], 3);

        let after = env.get(&boss, &format!("/api/v1/cases/{case_id}")).await.body;
        assert_eq!(after["facts"]["income.wages_fen"]["value"], 95000);
        assert_eq!(after["facts"]["income.wages_fen"]["source_submission"], second);
        assert_eq!(after["facts"]["household.size"]["value"], 3);
        assert_eq!(after["facts"]["household.size"]["source_submission"], first);
        // The member rows and the totals calculated from the two visits wait for their own decision.
        let open: Vec<&str> = after["conflicts"].as_array().unwrap().iter().filter_map(|c| c["fact_key"].as_str()).collect();
        assert_eq!(open, vec!["household.members", "income.monthly_total_fen", "income.per_capita_fen"]);
        let steps: Vec<&Value> = after["steps"].as_array().unwrap().iter().filter(|s| s["kind"] == "conflict_resolved").collect();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0]["actor"]["display_name"], "青岩调查组长（演示）");
        assert_eq!(steps[0]["label"], "数据冲突已核实处理");
        assert!(steps.iter().any(|s| s["detail"]["reason"] == "复核工资条，以第二次调查为准"));
        assert_eq!(env.count("audit_events WHERE action = 'conflict.resolve'").await, 2);
        assert_eq!(env.count("audit_events WHERE action = 'access.refused' AND entity_kind = 'conflict'").await, 1);

        // Decided once; the phones see the decided value with its source.
        let again = env.post(&boss, &format!("/api/v1/conflicts/{wages}/resolve"), json!({ "choice": "current", "reason": "改主意" })).await;
        assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "conflict_resolved"));
        let on_phone = env.demo_assignment(&d1).await;
        assert_eq!(on_phone["case"]["facts"]["income.wages_fen"]["value"], 95000);
        assert_eq!(on_phone["case"]["facts"]["income.wages_fen"]["source_submission"], second);
    })
    .await;
}

fn progress_of<'a>(list: &'a Value, case_no_prefix: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|p| p["case_no"].as_str().unwrap().starts_with(case_no_prefix) && p["status"] != "cancelled").unwrap()
}

#[tokio::test]
async fn visits_show_their_state_and_each_device_s_real_last_sync() {
    on_both("desk_progress", |env| async move {
        let boss = env.login("qingyan.zuzhang").await;
        let list = env.get(&boss, "/api/v1/visits/progress").await;
        assert_eq!(list.status, StatusCode::OK, "{list:?}");
        assert_eq!(list.body.as_array().unwrap().len(), 1, "{:?}", list.body);
        let p = &list.body[0];
        assert_eq!((p["state"].as_str(), p["state_label"].as_str()), (Some("assigned"), Some("已安排，待下载")));
        assert_eq!(p["investigators"][0]["person"]["display_name"], "青岩调查员一（演示）");
        let prefix = p["case_no"].as_str().unwrap().to_string();

        let d1 = env.login("qingyan.diaocha1").await;
        let seen = env.demo_assignment(&d1).await;
        let p = env.get(&boss, "/api/v1/visits/progress").await.body;
        let p = progress_of(&p, &prefix);
        assert_eq!(p["state"], "pulled");
        let device = &p["investigators"][0]["devices"][0];
        assert!(device["last_pull_at"].is_string() && device["last_push_at"].is_null(), "{device}");

        // The visit arrives before its photos: incomplete media; an upload under way: in progress; all in: synced.
        let (files, visit) = Visit::hashes("desk-progress");
        let s = submission(&d1, &seen, &visit, 3, 80000);
        let r = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&s).unwrap()).await;
        assert_eq!(r.body["state"], "awaiting_media", "{r:?}");
        let p = env.get(&boss, "/api/v1/visits/progress").await.body;
        let p = progress_of(&p, &prefix);
        assert_eq!((p["state"].as_str(), p["state_label"].as_str()), (Some("incomplete_media"), Some("照片或签名未传齐")));
        assert!(p["investigators"][0]["devices"][0]["last_push_at"].is_string());
        assert!(p["last_submission_at"].is_string());
        let started = env.tus_create(&d1, &common::sha256_hex(&files[0]), files[0].len() as u64, "image/jpeg").await;
        assert_eq!(started.status, StatusCode::CREATED, "{started:?}");
        let p = env.get(&boss, "/api/v1/visits/progress").await.body;
        assert_eq!(progress_of(&p, &prefix)["state"], "in_progress");
        upload_all(&env, &d1, &files).await;
        let p = env.get(&boss, "/api/v1/visits/progress").await.body;
        assert_eq!((progress_of(&p, &prefix)["state"].as_str(), progress_of(&p, &prefix)["state_label"].as_str()), (Some("synced"), Some("已同步")));

        // Devices list carries the same times; another township sees none of this; investigators use sync/pull.
        let devices = env.get(&boss, "/api/v1/devices").await.body;
        let phone = devices.as_array().unwrap().iter().find(|d| d["username"] == "qingyan.diaocha1").unwrap();
        assert!(phone["last_pull_at"].is_string() && phone["last_push_at"].is_string(), "{phone}");
        let shiban = env.login("shiban.shenhe").await;
        assert_eq!(env.get(&shiban, "/api/v1/visits/progress").await.body, json!([]));
        let r = env.get(&d1, "/api/v1/visits/progress").await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"));
        // Following visits is not opening case records: no case.read in the audit chain.
        assert_eq!(env.count("audit_events WHERE action = 'case.read'").await, 0);
    })
    .await;
}

#[tokio::test]
async fn without_a_tile_provider_the_console_draws_a_schematic_and_loads_images_from_nowhere_else() {
    on_both("desk_map_none", |env| async move {
        let boss = env.login("qingyan.zuzhang").await;
        let s = env.get(&boss, "/api/v1/console/settings").await;
        assert_eq!(s.body["map"], json!({ "tiles_url_template": null, "datum": "wgs84" }));
        assert_eq!(s.body["far_from_household"]["metres"], 200, "from the district policy");
        assert!(s.body["far_from_household"]["source"].as_str().unwrap().contains("花溪区工作设定"));
        let p = env.post(&boss, "/api/v1/console/map/points", json!({ "points": [{ "lat": 26.3329, "lon": 106.6856 }] })).await;
        assert_eq!(p.body["points"][0], json!({ "lat": 26.3329, "lon": 106.6856 }));
        let page = env.request(Method::GET, "/", None, None).await;
        let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        assert!(csp.contains("img-src 'self' blob: data:;"), "{csp}");
    })
    .await;
}

#[tokio::test]
async fn a_gcj02_tile_provider_gets_converted_positions_and_only_its_origin_is_allowed() {
    let configure = |c: &mut ruhu_server::ServerConfig| {
        c.map_tiles = Some(MapTiles::new("https://tiles.example.cn/{z}/{x}/{y}.png", MapDatum::Gcj02).unwrap());
    };
    on_both_with("desk_map_gcj", configure, |env| async move {
        let boss = env.login("qingyan.zuzhang").await;
        let s = env.get(&boss, "/api/v1/console/settings").await;
        assert_eq!(s.body["map"]["tiles_url_template"], "https://tiles.example.cn/{z}/{x}/{y}.png");
        assert_eq!(s.body["map"]["datum"], "gcj02");
        let p = env.post(&boss, "/api/v1/console/map/points", json!({ "points": [{ "lat": 39.915, "lon": 116.404 }] })).await;
        assert!((p.body["points"][0]["lat"].as_f64().unwrap() - 39.916_404_28).abs() < 1e-6, "{p:?}");
        assert!((p.body["points"][0]["lon"].as_f64().unwrap() - 116.410_244_50).abs() < 1e-6, "{p:?}");
        let bad = env.post(&boss, "/api/v1/console/map/points", json!({ "points": [{ "lat": 91.0, "lon": 0.0 }] })).await;
        assert_eq!((bad.status, bad.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"));
        let page = env.request(Method::GET, "/", None, None).await;
        let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        assert!(csp.contains("img-src 'self' blob: data: https://tiles.example.cn;"), "{csp}");
    })
    .await;
}

#[tokio::test]
async fn an_administrator_creates_and_disables_users_in_scope() {
    on_both("desk_admin", |env| async move {
        let new_admin = NewUser {
            username: "qingyan.admin".into(),
            password: PASSWORD.into(),
            display_name: "青岩管理员".into(),
            org_code: "520111101".into(),
            roles: vec![Role::Admin],
        };
        accounts::create_user(&env.state(), &new_admin).await.unwrap();
        let admin_s = env.login("qingyan.admin").await;
        let body = json!({ "username": "qingyan.diaocha9", "password": "Xinmima#2026", "display_name": "新调查员",
                           "org_unit_code": "520111101", "roles": ["investigator"] });

        let boss = env.login("qingyan.zuzhang").await;
        let r = env.post(&boss, "/api/v1/users", body.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"));
        let r = env
            .post(
                &admin_s,
                "/api/v1/users",
                json!({ "username": "x.y", "password": "Xinmima#2026", "display_name": "无角色",
                                                            "org_unit_code": "520111101", "roles": [] }),
            )
            .await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_user"), "{r:?}");
        assert_eq!(r.body["message"], "至少指定一个角色");
        assert_eq!(env.count("users WHERE username = 'x.y'").await, 0);
        // The district unit is above this administrator's scope.
        let mut above = body.clone();
        above["org_unit_code"] = json!("520111");
        let r = env.post(&admin_s, "/api/v1/users", above).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "out_of_scope"));

        let r = env.post(&admin_s, "/api/v1/users", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        assert_eq!(r.body["roles"], json!(["investigator"]));
        assert_eq!(r.body["org_unit_name"], "青岩镇");
        let id = r.body["id"].as_str().unwrap().to_string();
        let login = env
            .request(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({ "username": "qingyan.diaocha9", "password": "Xinmima#2026", "device_id": "p9" })),
            )
            .await;
        assert_eq!(login.status, StatusCode::OK, "{login:?}");
        let token = login.body["access_token"].as_str().unwrap().to_string();

        let r = env.post(&admin_s, &format!("/api/v1/users/{}/disable", admin_s.user_id), json!({})).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "cannot_disable_self"));
        let r = env.post(&admin_s, &format!("/api/v1/users/{id}/disable"), json!({ "reason": "调离" })).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["enabled"], false);
        let refused = env.request(Method::GET, "/api/v1/sync/pull", Some(&token), None).await;
        assert_eq!((refused.status, refused.code()), (StatusCode::UNAUTHORIZED, "user_disabled"));
        let actor: i64 = env.count(&format!("audit_events WHERE action = 'user.disable' AND actor_user_id = '{}'", admin_s.user_id)).await;
        assert_eq!(actor, 1);
        assert_eq!(env.count(&format!("audit_events WHERE action = 'user.create' AND actor_user_id = '{}'", admin_s.user_id)).await, 1);

        let r = env.post(&admin_s, &format!("/api/v1/users/{id}/enable"), json!({})).await;
        assert_eq!(r.body["enabled"], true, "{r:?}");
    })
    .await;
}

#[tokio::test]
async fn a_conflict_overtaken_by_a_later_visit_is_not_decided_on_stale_values() {
    on_both("desk_conflict_stale", |env| async move {
        let (case_id, _, _) = make_conflict(&env).await;
        let boss = env.login("qingyan.zuzhang").await;
        let record = env.get(&boss, &format!("/api/v1/cases/{case_id}")).await.body;
        let wages = conflict_id(&record, "income.wages_fen");
        // A third visit, based on the case as it now stands, changes the wages cleanly.
        let d1 = env.login("qingyan.diaocha1").await;
        let fresh = env.demo_assignment(&d1).await;
        let (_, visit) = Visit::hashes("desk-conflict");
        let c = submission(&d1, &fresh, &visit, 3, 91000);
        let rc = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&c).unwrap()).await;
        assert_eq!(rc.body["conflicts"], json!([]), "{rc:?}");

        let r = env.post(&boss, &format!("/api/v1/conflicts/{wages}/resolve"), json!({ "choice": "proposed", "reason": "以第二次调查为准" })).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "conflict_stale"), "{r:?}");
        assert_eq!(r.body["message"], "该项已被之后的入户调查更新，请刷新后重新核对");
        let after = env.get(&boss, &format!("/api/v1/cases/{case_id}")).await.body;
        assert_eq!(after["facts"]["income.wages_fen"]["value"], 91000, "the later visit's value stands");
        assert_eq!(env.count("conflicts WHERE resolved_at IS NULL").await, common::SIZE_AND_WAGES_CONFLICTS.len() as i64);
    })
    .await;
}
