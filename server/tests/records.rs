//! Households, cases, scoping, assignments, error bodies, the audit chain and the OpenAPI document.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use common::{Backend, on_both, today_plus};
use reqwest::{Method, StatusCode};
use ruhu_core::resident_id::make_resident_id;
use serde_json::{Value, json};

fn household(village: &str, ids: &[String]) -> Value {
    let members: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!({ "name": format!("测试成员{i}"), "resident_id": id, "relation": if i == 0 { "户主" } else { "子女" } }))
        .collect();
    json!({ "village_code": village, "head_name": "测试户主", "address": "示范一村（演示）9组1号", "location": { "lat": 26.33, "lon": 106.69 }, "members": members })
}

fn id(seq: u16) -> String {
    make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1980, 5, 6).unwrap(), seq).as_str().to_string()
}

#[tokio::test]
async fn households_refuse_invalid_and_duplicate_ids_and_store_nothing() {
    on_both("households", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let before = env.count("households").await;
        let members_before = env.count("members").await;

        let mut bad = id(101);
        bad.replace_range(17..18, if bad.ends_with('1') { "2" } else { "1" });
        let r = env.post(&clerk, "/api/v1/households", household("520111101901", &[id(100), bad])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
        assert_eq!(r.code(), "invalid_resident_id");
        assert_eq!(r.body["field"], "members[1].resident_id");
        assert!(r.body["message"].as_str().unwrap().contains("第2位成员"));

        // An ID already registered in a demo household of the district: refused, with where, and masked.
        let demo_id = make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1951, 6, 9).unwrap(), 42).as_str().to_string();
        let r = env.post(&clerk, "/api/v1/households", household("520111101901", &[id(102), demo_id.clone()])).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
        assert_eq!(r.code(), "duplicate_resident_id");
        let msg = r.body["message"].as_str().unwrap();
        assert!(msg.contains("青岩镇示范二村（演示）"), "{msg}");
        assert!(!msg.contains(&demo_id), "the full number never appears: {msg}");
        assert!(msg.contains(&ruhu_core::resident_id::mask(&demo_id)));

        // Twice in the same request.
        let r = env.post(&clerk, "/api/v1/households", household("520111101901", &[id(103), id(103)])).await;
        assert_eq!(r.code(), "duplicate_resident_id");

        assert_eq!(env.count("households").await, before, "nothing stored");
        assert_eq!(env.count("members").await, members_before);

        let r = env.post(&clerk, "/api/v1/households", household("520111101901", &[id(104), id(105)])).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        assert_eq!(r.body["members"][0]["resident_id"], id(104));
        let list = env.get(&clerk, "/api/v1/households").await;
        let created = list.body.as_array().unwrap().iter().find(|h| h["id"] == r.body["id"]).unwrap();
        assert_eq!(created["members"][0]["resident_id_masked"], ruhu_core::resident_id::mask(&id(104)));
        assert!(!list.body.to_string().contains(&id(104)), "lists never carry full ID numbers");

        // Investigators may not register households; a village outside the caller's township is out of scope.
        let inv = env.login("qingyan.diaocha1").await;
        assert_eq!(env.post(&inv, "/api/v1/households", household("520111101901", &[id(106)])).await.code(), "forbidden_role");
        let r = env.post(&clerk, "/api/v1/households", household("520111102901", &[id(107)])).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "out_of_scope"));
    })
    .await;
}

#[tokio::test]
async fn other_townships_cannot_read_a_case_and_the_attempt_is_audited() {
    on_both("scoping", |env| async move {
        let qingyan = env.login("qingyan.shenhe").await;
        let shiban = env.login("shiban.shenhe").await;
        let district = env.login("qu.jianguan").await;
        let cases = env.get(&qingyan, "/api/v1/cases").await;
        let qy_case = cases.body.as_array().unwrap().iter().find(|c| c["head_name"] == "王明德（演示）").unwrap().clone();
        let case_id = qy_case["id"].as_str().unwrap();
        assert!(qy_case["head_resident_id_masked"].as_str().unwrap().contains("****"));

        let shiban_cases = env.get(&shiban, "/api/v1/cases").await;
        assert!(shiban_cases.body.as_array().unwrap().iter().all(|c| c["township_code"] == "520111102"), "lists are scoped");
        assert_eq!(env.get(&district, "/api/v1/cases").await.body.as_array().unwrap().len(), 4, "the district sees every case");

        let refused_before = env.count("audit_events WHERE action = 'access.refused'").await;
        let r = env.get(&shiban, &format!("/api/v1/cases/{case_id}")).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "out_of_scope"));
        assert!(r.body.get("household").is_none());
        assert_eq!(env.count("audit_events WHERE action = 'access.refused'").await, refused_before + 1);
        let household_id = qy_case["household_id"].as_str().unwrap();
        assert_eq!(env.get(&shiban, &format!("/api/v1/households/{household_id}")).await.code(), "out_of_scope");

        // The village assistant sees its own village only.
        let cunwei = env.login("qingyan.cunwei").await;
        let mine = env.get(&cunwei, "/api/v1/cases").await;
        assert!(mine.body.as_array().unwrap().iter().all(|c| c["village_code"] == "520111101901"));
        assert_eq!(env.get(&cunwei, "/api/v1/org-units").await.body.as_array().unwrap().len(), 1);

        // Reads of full records are audited.
        let reads_before = env.count("audit_events WHERE action = 'case.read'").await;
        let full = env.get(&qingyan, &format!("/api/v1/cases/{case_id}")).await;
        assert_eq!(full.status, StatusCode::OK, "{full:?}");
        assert_eq!(full.body["household"]["members"].as_array().unwrap().len(), 3);
        assert_eq!(
            (full.body["steps"][0]["kind"].as_str(), full.body["steps"][0]["label"].as_str()),
            (Some("wf.register_application"), Some("登记申请"))
        );
        assert_eq!(env.count("audit_events WHERE action = 'case.read'").await, reads_before + 1);

        let r = env.get(&qingyan, "/api/v1/cases/00000000-0000-0000-0000-000000000000").await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    })
    .await;
}

#[tokio::test]
async fn assignments_need_two_distinct_investigators_of_the_township() {
    on_both("assignment_rules", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let boss = env.login("qingyan.zuzhang").await;
        let users = env.get(&boss, "/api/v1/users?role=investigator").await;
        let names: Vec<&str> = users.body.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert_eq!(names, ["qingyan.diaocha1", "qingyan.diaocha2", "qingyan.diaocha3"], "scoped to 青岩镇");
        let uid = |name: &str| {
            users.body.as_array().unwrap().iter().find(|u| u["username"] == name).map(|u| u["id"].as_str().unwrap().to_string()).unwrap()
        };
        let all = env.get(&env.login("admin").await, "/api/v1/users").await;
        let any_uid = |name: &str| all.body.as_array().unwrap().iter().find(|u| u["username"] == name).unwrap()["id"].as_str().unwrap().to_string();

        // A new case to assign (the demo case already has an open assignment).
        let h = env.post(&clerk, "/api/v1/households", household("520111101902", &[id(200)])).await;
        let c = env.accepted_case(&clerk, json!({ "household_id": h.body["id"], "assistance_type": "dibao" })).await;
        assert_eq!(c.status, StatusCode::CREATED, "{c:?}");
        assert!(c.body["case_no"].as_str().unwrap().starts_with("QY-"));
        let case_id = c.body["case_id"].as_str().unwrap_or(c.body["id"].as_str().unwrap()).to_string();
        let assign = |ids: Vec<String>| json!({ "case_id": case_id, "investigator_ids": ids, "due_date": today_plus(10) });

        let r = env.post(&boss, "/api/v1/assignments", assign(vec![uid("qingyan.diaocha1"), uid("qingyan.diaocha1")])).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "same_investigator"));
        let r = env.post(&boss, "/api/v1/assignments", assign(vec![uid("qingyan.diaocha1")])).await;
        assert_eq!(r.code(), "investigators_not_two");
        let r = env.post(&boss, "/api/v1/assignments", assign(vec![uid("qingyan.diaocha1"), any_uid("qingyan.shenhe")])).await;
        assert_eq!(r.code(), "not_investigator");
        let r = env.post(&boss, "/api/v1/assignments", assign(vec![uid("qingyan.diaocha1"), any_uid("shiban.diaocha1")])).await;
        assert_eq!(r.code(), "investigator_out_of_township");
        let r = env
            .post(
                &boss,
                "/api/v1/assignments",
                json!({ "case_id": case_id, "investigator_ids": [uid("qingyan.diaocha1"), uid("qingyan.diaocha3")], "due_date": today_plus(-3) }),
            )
            .await;
        assert_eq!(r.code(), "invalid_due_date");
        let inv = env.login("qingyan.diaocha1").await;
        assert_eq!(
            env.post(&inv, "/api/v1/assignments", assign(vec![uid("qingyan.diaocha1"), uid("qingyan.diaocha3")])).await.code(),
            "forbidden_role"
        );
        assert_eq!(env.count("assignments").await, 1, "only the demo assignment exists");

        let r = env.post(&boss, "/api/v1/assignments", assign(vec![uid("qingyan.diaocha1"), uid("qingyan.diaocha3")])).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        assert_eq!(r.body["form_id"], "dibao-home-visit");
        assert_eq!(r.body["form_version"], 2, "a new 低保 visit fills the newest published version");
        assert_eq!(r.body["investigators"][1]["id"], uid("qingyan.diaocha3").as_str());
        let again = env.post(&boss, "/api/v1/assignments", assign(vec![uid("qingyan.diaocha2"), uid("qingyan.diaocha3")])).await;
        assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "assignment_exists"));

        // A 石板镇 supervisor cannot assign a 青岩镇 case.
        let shiban = env.login("shiban.shenhe").await;
        let r = env.post(&shiban, "/api/v1/assignments", assign(vec![any_uid("shiban.diaocha1"), uid("qingyan.diaocha3")])).await;
        assert_eq!(r.code(), "out_of_scope");

        let record = env.get(&boss, &format!("/api/v1/cases/{case_id}")).await;
        let kinds: Vec<&str> = record.body["steps"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
        // The application, its acceptance, the visit assigned through the procedure (who assigned it answers for it).
        assert_eq!(kinds, ["wf.register_application", "wf.accept", "wf.assign_visit"]);
        assert_eq!(record.body["steps"][2]["actor"]["id"], boss.user_id.to_string());
        assert_eq!(record.body["steps"][2]["label"], "安排入户调查");
    })
    .await;
}

#[tokio::test]
async fn malformed_wrongly_typed_and_oversized_bodies_get_problem_answers() {
    on_both("bodies", |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let res = env
            .client
            .post(env.url("/api/v1/households"))
            .bearer_auth(&clerk.access)
            .header("content-type", "application/json")
            .body("{\"village_code\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "malformed_json");
        assert_eq!(body["message"], "请求内容不是有效的 JSON");

        let r = env.post(&clerk, "/api/v1/households", json!({ "village_code": 5, "members": "none" })).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"));

        let huge = "户".repeat(1_000_000);
        let r =
            env.post(&clerk, "/api/v1/households", json!({ "village_code": "520111101901", "head_name": huge, "address": "x", "members": [] })).await;
        assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));

        let r = env.request(Method::GET, "/api/v1/no-such-thing", Some(&clerk.access), None).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
        let r = env.get(&clerk, "/api/v1/sync/pull?since=abc").await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "invalid_query"));
        let res = env.client.get(env.url("/api/v1/cases")).bearer_auth(&clerk.access).header("Ruhu-Protocol", "99").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "unsupported_protocol");
    })
    .await;
}

#[tokio::test]
async fn the_audit_chain_verifies_and_detects_tampering() {
    on_both("audit_chain", |env| async move {
        let s = env.login("qingyan.shenhe").await;
        let cases = env.get(&s, "/api/v1/cases").await;
        let id = cases.body[0]["id"].as_str().unwrap();
        env.get(&s, &format!("/api/v1/cases/{id}")).await;
        let db = env.db();
        assert_eq!(ruhu_server::verify_audit_chain(&db).await.unwrap(), None);
        assert!(env.count("audit_events").await > 10);

        // The table refuses updates outright…
        let refused = sqlx::query("UPDATE audit_events SET action = 'x' WHERE seq = 3").execute(&db.pool).await;
        assert!(refused.is_err(), "audit events are append-only");
        // …and someone with full database access who removes that guard is still caught by the chain.
        let drop_guard = match env.backend {
            Backend::Sqlite => "DROP TRIGGER audit_events_no_update",
            Backend::Postgres => "DROP TRIGGER audit_events_no_update ON audit_events",
        };
        sqlx::query(drop_guard).execute(&db.pool).await.unwrap();
        sqlx::query("UPDATE audit_events SET detail = '{\"forged\":true}' WHERE seq = 5").execute(&db.pool).await.unwrap();
        let broken = ruhu_server::verify_audit_chain(&db).await.unwrap().expect("tampering found");
        assert_eq!(broken.seq, 5);
    })
    .await;
}

#[tokio::test]
async fn openapi_lists_the_sync_paths_and_health_checks_the_database() {
    on_both("openapi", |env| async move {
        let r = env.request(Method::GET, "/api/v1/openapi.json", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        let paths = r.body["paths"].as_object().unwrap();
        for p in [
            "/api/v1/sync/pull",
            "/api/v1/sync/submissions",
            "/api/v1/uploads",
            "/api/v1/uploads/{sha256}",
            "/api/v1/media/{sha256}",
            "/api/v1/auth/login",
            "/api/v1/cases/{id}",
        ] {
            assert!(paths.contains_key(p), "{p} missing from the OpenAPI document");
        }
        assert!(paths["/api/v1/uploads/{sha256}"].get("patch").is_some());
        let schemas = r.body["components"]["schemas"].as_object().unwrap();
        for s in ["VisitSubmission", "PullPage", "SubmissionReceipt", "Problem", "CaseRecord"] {
            assert!(schemas.contains_key(s), "schema {s} missing");
        }
        let h = env.request(Method::GET, "/healthz", None, None).await;
        assert_eq!(h.body["database"], "ok");
    })
    .await;
}
