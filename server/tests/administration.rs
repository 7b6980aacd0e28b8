//! Administration: an administrator changes a user's name, unit and roles (audited, refused when it would strand
//! open visits or lock the administrator out), and every signed-in user reads the policy the server runs with.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use common::{TestEnv, on_both};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn user(env: &TestEnv, username: &str) -> Value {
    let admin = env.login("admin").await;
    let all = env.get(&admin, "/api/v1/users").await;
    all.body.as_array().unwrap().iter().find(|u| u["username"] == username).unwrap().clone()
}

async fn put_user(env: &TestEnv, as_user: &str, id: &str, body: Value) -> common::Reply {
    let s = env.login(as_user).await;
    env.request(Method::PUT, &format!("/api/v1/users/{id}"), Some(&s.access), Some(body)).await
}

#[tokio::test]
async fn an_administrator_changes_a_users_unit_and_roles_and_nothing_else_changes_on_a_refusal() {
    on_both("admin_update", |env| async move {
        let d3 = user(&env, "qingyan.diaocha3").await;
        let id = d3["id"].as_str().unwrap().to_string();
        let promoted = json!({ "display_name": "青岩调查员三（演示）", "org_unit_code": "520111101", "roles": ["investigator", "visit_supervisor"] });

        let r = put_user(&env, "qingyan.shenhe", &id, promoted.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"));
        for (bad, field) in [
            (json!({ "display_name": "x", "org_unit_code": "520111101", "roles": [] }), "roles"),
            (json!({ "display_name": "x", "org_unit_code": "520111101", "roles": ["chief"] }), "roles"),
            (json!({ "display_name": " ", "org_unit_code": "520111101", "roles": ["investigator"] }), "display_name"),
            (json!({ "display_name": "x", "org_unit_code": "999999", "roles": ["investigator"] }), "org_unit_code"),
        ] {
            let r = put_user(&env, "admin", &id, bad).await;
            assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{r:?}");
        }
        assert_eq!(user(&env, "qingyan.diaocha3").await["roles"], json!(["investigator"]), "refusals change nothing");

        let r = put_user(&env, "admin", &id, promoted).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["roles"], json!(["investigator", "visit_supervisor"]));
        // Effective at the user's next request: the new visit supervisor follows the township's visits.
        let d3s = env.login("qingyan.diaocha3").await;
        assert_eq!(env.get(&d3s, "/api/v1/visits/progress").await.status, StatusCode::OK);
        assert_eq!(env.count("audit_events WHERE action = 'user.update'").await, 1);

        // Moving an investigator with open visits in 青岩镇 to 石板镇 would strand them: refused, nothing changed.
        let d1 = user(&env, "qingyan.diaocha1").await;
        let moved = json!({ "display_name": "青岩调查员一（演示）", "org_unit_code": "520111102", "roles": ["investigator"] });
        let r = put_user(&env, "admin", d1["id"].as_str().unwrap(), moved).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "user_has_open_assignments"), "{r:?}");
        assert!(r.body["message"].as_str().unwrap().contains("改派"));
        assert_eq!(user(&env, "qingyan.diaocha1").await["org_unit_code"], "520111101");

        // An administrator cannot drop their own administrator role.
        let admin = user(&env, "admin").await;
        let r = put_user(
            &env,
            "admin",
            admin["id"].as_str().unwrap(),
            json!({ "display_name": "管理员", "org_unit_code": "520111", "roles": ["district_supervisor"] }),
        )
        .await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "cannot_remove_own_admin"));
        assert_eq!(env.count("audit_events WHERE action = 'user.update'").await, 1);
    })
    .await;
}

#[tokio::test]
async fn every_signed_in_user_reads_the_policy_with_values_sources_and_demo_marks() {
    on_both("policy_view", |env| async move {
        let d1 = env.login("qingyan.diaocha1").await;
        let p = env.get(&d1, "/api/v1/policy").await;
        assert_eq!(p.status, StatusCode::OK, "{p:?}");
        assert_eq!(p.body["district_code"], "520111");
        let settings = p.body["settings"].as_array().unwrap();
        let setting = |key: &str| settings.iter().find(|s| s["key"] == key).unwrap_or_else(|| panic!("{key} in {settings:?}")).clone();
        let rate = setting("supervision.spot_check_rate");
        assert_eq!(rate["value_zh"], "12%");
        assert!(rate["source"].as_str().unwrap().contains("13号方案"), "{rate}");
        assert_eq!(setting("tekun.confirmation_spot_check_min_rate")["value_zh"], "30%");
        assert_eq!(setting("local_standards.2026.dibao_rural")["value_zh"], "¥660.00/人·月", "money in yuan");
        assert_eq!(setting("supervision.full_visit")["value_zh"], "近亲属备案家庭、有群众举报、反映的救助对象", "words as their labels");
        assert!(settings.iter().all(|s| !s["source"].as_str().unwrap().trim().is_empty()), "every setting has its source");
        assert!(settings.iter().any(|s| s["key"].as_str().unwrap().starts_with("local_standards") && s["demo"] == true), "demo standards are marked");
        assert!(env.request(Method::GET, "/api/v1/policy", None, None).await.status == StatusCode::UNAUTHORIZED);
    })
    .await;
}
