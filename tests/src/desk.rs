//! The API as a supervisor's desk uses it: plain HTTP with a bearer token, JSON in and out.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const DEMO_PASSWORD: &str = "Ruhu#demo2026";

pub struct Desk {
    base: String,
    token: String,
    http: reqwest::Client,
    /// The township caseworker who registers and accepts applications for this desk (logged in when first needed).
    clerk: tokio::sync::OnceCell<Box<Desk>>,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body.get("code").and_then(Value::as_str).unwrap_or("")
    }

    /// The body of a 2xx reply; panics with the server's problem otherwise.
    pub fn ok(self) -> Value {
        assert!(self.status.is_success(), "expected success, got {} {}", self.status, self.body);
        self.body
    }
}

impl Desk {
    pub async fn login(base: &str, username: &str) -> Desk {
        let http = reqwest::Client::new();
        let body = json!({ "username": username, "password": DEMO_PASSWORD, "device_id": format!("desk-{username}"), "device_name": "办公电脑" });
        let res = http.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.expect("login request");
        let status = res.status();
        let body: Value = res.json().await.expect("login reply");
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        let token = body["access_token"].as_str().expect("access token").to_string();
        Desk { base: base.to_string(), token, http, clerk: tokio::sync::OnceCell::new() }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let bytes = res.bytes().await.unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, body }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    /// The id of a user in the caller's scope, by username.
    pub async fn user_id(&self, username: &str) -> String {
        let users = self.get("/api/v1/users").await.ok();
        users
            .as_array()
            .and_then(|all| all.iter().find(|u| u["username"] == username))
            .and_then(|u| u["id"].as_str())
            .unwrap_or_else(|| panic!("user {username} not visible: {users}"))
            .to_string()
    }

    /// Registers a household (with valid, unique generated ID numbers) and opens a 低保 case; returns the case id.
    pub async fn household_with_dibao_case(&self, village_code: &str, head_name: &str, lat: f64, lon: f64) -> String {
        self.household_with_case(village_code, head_name, (lat, lon), "dibao").await
    }

    /// Registers a household (with valid, unique generated ID numbers) and an application of `assistance_type`,
    /// accepted; returns the case id.
    pub async fn household_with_case(&self, village_code: &str, head_name: &str, (lat, lon): (f64, f64), assistance_type: &str) -> String {
        // Generated ID numbers are random; the server refuses one already registered in the district, so a rare
        // collision (thousands of households in a benchmark) is drawn again.
        let mut attempts = 0;
        let household = loop {
            let birth = chrono::NaiveDate::from_ymd_opt(1958, 1, 1).unwrap_or_default() + chrono::Days::new(rand::random::<u64>() % 15_000);
            let seq = (rand::random::<u16>() % 900) + 100;
            let head = ruhu_core::resident_id::make_resident_id("520111", birth, seq);
            let child = ruhu_core::resident_id::make_resident_id("520111", birth + chrono::Days::new(9_000), seq + 1);
            let reply = self
                .post(
                    "/api/v1/households",
                    json!({
                        "village_code": village_code,
                        "head_name": head_name,
                        "address": "青岩镇示范二村（演示）测试组",
                        "location": { "lat": lat, "lon": lon },
                        "members": [
                            { "name": head_name, "resident_id": head.as_str(), "relation": "户主" },
                            { "name": "测试子女（演示）", "resident_id": child.as_str(), "relation": "子女" }
                        ]
                    }),
                )
                .await;
            attempts += 1;
            if reply.code() != "duplicate_resident_id" || attempts == 5 {
                break reply.ok();
            }
        };
        let household_id = household["id"].as_str().expect("household id").to_string();
        // The application is registered and accepted at the township's counter, as the procedure has it.
        let clerk = self.clerk().await;
        let case = clerk.post("/api/v1/cases", json!({ "household_id": household_id, "assistance_type": assistance_type })).await.ok();
        let case_id = case["id"].as_str().expect("case id").to_string();
        clerk.post(&format!("/api/v1/cases/{case_id}/actions"), json!({ "action": "accept" })).await.ok();
        case_id
    }

    async fn clerk(&self) -> &Desk {
        self.clerk.get_or_init(|| async { Box::new(Desk::login(&self.base, "qingyan.jingban").await) }).await
    }

    /// Assigns a home visit of `case_id` to two investigators; returns the assignment id.
    pub async fn assign(&self, case_id: &str, investigator_1: &str, investigator_2: &str) -> String {
        self.assign_on_form(case_id, investigator_1, investigator_2, None).await
    }

    /// Assigns a visit on a given published form version (`(form_id, version)`), or on the newest one when None.
    pub async fn assign_on_form(&self, case_id: &str, investigator_1: &str, investigator_2: &str, form: Option<(&str, u32)>) -> String {
        let due = ruhu_core::time::process_clock().today() + chrono::Days::new(5);
        let mut body = json!({ "case_id": case_id, "investigator_ids": [investigator_1, investigator_2], "due_date": due });
        if let Some((id, version)) = form {
            body["form_id"] = json!(id);
            body["form_version"] = json!(version);
        }
        self.post("/api/v1/assignments", body).await.ok()["id"].as_str().expect("assignment id").to_string()
    }
}
