//! Test harness: every test body runs once on a fresh SQLite file and once on a fresh PostgreSQL database, against
//! a real server on 127.0.0.1:0.
//!
//! PostgreSQL: set RUHU_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:55432/postgres); a uniquely named database
//! is created per test through it and dropped afterwards. Unset: the PostgreSQL run is skipped with a loud line,
//! unless RUHU_REQUIRE_PG=1, which makes it a failure.
#![allow(dead_code, clippy::unwrap_used)] // shared test code: an unwrap that fails is the test failing

use std::{
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use base64::Engine;
use chrono::NaiveDate;
use reqwest::{Method, StatusCode};
use ruhu_core::{
    form::sample,
    protocol::{GpsFix, MediaRef, SignatureRef, SignerRole, VisitSubmission},
};
use ruhu_server::{RunningServer, ServerConfig, spawn};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Connection;
use uuid::Uuid;

pub const PASSWORD: &str = "Ruhu#demo2026";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestEnv {
    pub backend: Backend,
    pub config: ServerConfig,
    pub client: reqwest::Client,
    server: Arc<Mutex<Option<RunningServer>>>,
    base: Arc<Mutex<String>>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub access: String,
    pub refresh: String,
    pub device_id: String,
    pub user_id: Uuid,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body.get("code").and_then(Value::as_str).unwrap_or("")
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

impl TestEnv {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base.lock().unwrap(), path)
    }

    pub fn db(&self) -> ruhu_server::store::db::Db {
        self.server.lock().unwrap().as_ref().expect("server running").state().db.clone()
    }

    pub fn state(&self) -> ruhu_server::AppState {
        self.server.lock().unwrap().as_ref().expect("server running").state().clone()
    }

    /// Stops the server gracefully and starts a new one on the same data dir and database.
    pub async fn restart(&self) {
        let old = self.server.lock().unwrap().take();
        if let Some(s) = old {
            s.shutdown().await;
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = spawn(self.config.clone(), listener).await.expect("server restarts");
        *self.base.lock().unwrap() = server.url();
        *self.server.lock().unwrap() = Some(server);
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request sent");
        reply(res).await
    }

    pub async fn get(&self, s: &Session, path: &str) -> Reply {
        self.request(Method::GET, path, Some(&s.access), None).await
    }

    pub async fn post(&self, s: &Session, path: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(&s.access), Some(body)).await
    }

    pub async fn login_on(&self, username: &str, device_id: &str) -> Session {
        let r = self
            .request(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(
                    json!({ "username": username, "password": PASSWORD, "device_id": device_id, "device_name": "测试手机", "app_version": "0.1.0" }),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {r:?}");
        Session {
            username: username.into(),
            access: r.body["access_token"].as_str().unwrap().into(),
            refresh: r.body["refresh_token"].as_str().unwrap().into(),
            device_id: device_id.into(),
            user_id: r.body["user"]["id"].as_str().unwrap().parse().unwrap(),
        }
    }

    pub async fn login(&self, username: &str) -> Session {
        self.login_on(username, &format!("device-of-{username}")).await
    }

    /// Uploads `bytes` with tus in one chunk; returns the sha256.
    pub async fn upload(&self, s: &Session, bytes: &[u8], content_type: &str) -> String {
        let sha = sha256_hex(bytes);
        let r = self.tus_create(s, &sha, bytes.len() as u64, content_type).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        let offset: u64 = r.headers["upload-offset"].to_str().unwrap().parse().unwrap();
        if offset == bytes.len() as u64 {
            return sha;
        }
        let r = self.tus_patch(s, &sha, offset, &bytes[offset as usize..], true).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
        sha
    }

    pub async fn tus_create(&self, s: &Session, sha: &str, length: u64, content_type: &str) -> Reply {
        let b64 = |v: &str| base64::engine::general_purpose::STANDARD.encode(v);
        let res = self
            .client
            .post(self.url("/api/v1/uploads"))
            .bearer_auth(&s.access)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", length.to_string())
            .header("Upload-Metadata", format!("sha256 {},content_type {}", b64(sha), b64(content_type)))
            .send()
            .await
            .unwrap();
        reply(res).await
    }

    pub async fn tus_patch(&self, s: &Session, sha: &str, offset: u64, chunk: &[u8], with_checksum: bool) -> Reply {
        let mut req = self
            .client
            .patch(self.url(&format!("/api/v1/uploads/{sha}")))
            .bearer_auth(&s.access)
            .header("Tus-Resumable", "1.0.0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string())
            .body(chunk.to_vec());
        if with_checksum {
            let sum = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(chunk));
            req = req.header("Upload-Checksum", format!("sha256 {sum}"));
        }
        reply(req.send().await.unwrap()).await
    }

    pub async fn tus_head(&self, s: &Session, sha: &str) -> Reply {
        let res = self
            .client
            .head(self.url(&format!("/api/v1/uploads/{sha}")))
            .bearer_auth(&s.access)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .unwrap();
        reply(res).await
    }

    /// The demo assignment (diaocha1 + diaocha2) as the first investigator pulls it.
    pub async fn demo_assignment(&self, s: &Session) -> Value {
        let page = self.get(s, "/api/v1/sync/pull?since=0").await;
        assert_eq!(page.status, StatusCode::OK, "{page:?}");
        page.body["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "assignment_upsert")
            .map(|c| c["assignment"].clone())
            .expect("demo assignment in the feed")
    }

    /// Registers an application (`body` as `POST /api/v1/cases` takes it) as `clerk` and accepts it: a case ready for
    /// its visit. Returns the registration's reply.
    pub async fn accepted_case(&self, clerk: &Session, body: Value) -> Reply {
        let c = self.post(clerk, "/api/v1/cases", body).await;
        assert_eq!(c.status, StatusCode::CREATED, "{c:?}");
        let accept = self.post(clerk, &format!("/api/v1/cases/{}/actions", c.body["id"].as_str().unwrap()), json!({ "action": "accept" })).await;
        assert_eq!(accept.status, StatusCode::OK, "{accept:?}");
        c
    }

    /// The id of the user `name`, as an administrator's user list gives it.
    pub async fn user_id(&self, name: &str) -> String {
        let admin = self.login("admin").await;
        let all = self.get(&admin, "/api/v1/users").await;
        all.body.as_array().unwrap().iter().find(|u| u["username"] == name).unwrap()["id"].as_str().unwrap().to_string()
    }

    /// Count of rows in a table (direct SQL: what is stored, not what the API says).
    pub async fn count(&self, table_and_where: &str) -> i64 {
        use sqlx::Row;
        let db = self.db();
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table_and_where}")).fetch_one(&db.pool).await.unwrap();
        row.try_get::<i64, _>("n").unwrap()
    }
}

async fn reply(res: reqwest::Response) -> Reply {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap_or_default();
    let body =
        if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into())) };
    Reply { status, headers, body }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Distinct, deterministic file contents standing in for photos (the server stores bytes; it does not decode).
pub fn fake_file(tag: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut block = Sha256::digest(tag.as_bytes()).to_vec();
    while out.len() < len {
        out.extend_from_slice(&block);
        block = Sha256::digest(&block).to_vec();
    }
    out.truncate(len);
    out
}

/// A complete, valid 低保 (v2) visit for `assignment` (a pulled AssignmentSnapshot as JSON), with the given media.
pub struct Visit {
    pub photos: [String; 3],
    pub signatures: [String; 3],
}

impl Visit {
    pub fn hashes(tag: &str) -> (Vec<Vec<u8>>, Visit) {
        let files: Vec<Vec<u8>> = (0..6).map(|i| fake_file(&format!("{tag}-{i}"), 2048 + i * 100)).collect();
        let h: Vec<String> = files.iter().map(|f| sha256_hex(f)).collect();
        let v = Visit { photos: [h[0].clone(), h[1].clone(), h[2].clone()], signatures: [h[3].clone(), h[4].clone(), h[5].clone()] };
        (files, v)
    }
}

/// The facts two visits of `submission` from the same base disagree on when one finds 3 members and wages of
/// 90000 and the other 4 members and 95000: the size and the member rows, the wages, and the totals calculated from
/// them (in form order).
pub const SIZE_AND_WAGES_CONFLICTS: [&str; 5] =
    ["household.size", "household.members", "income.wages_fen", "income.monthly_total_fen", "income.per_capita_fen"];

pub fn submission(s: &Session, assignment: &Value, visit: &Visit, household_size: i64, wages_fen: i64) -> VisitSubmission {
    let now = ruhu_core::time::process_clock().now();
    let investigators: Vec<Uuid> =
        assignment["investigators"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().parse().unwrap()).collect();
    // Every answer of the published 低保 form (v2), one row per member, one photo per required photo question.
    let size = usize::try_from(household_size).unwrap_or(0);
    let mut answers = sample::dibao_v2_answers(&now.date_naive().to_string(), size, wages_fen);
    answers.insert("location".into(), json!({ "lat": 26.3313, "lon": 106.6922 }));
    for (q, photo) in sample::DIBAO_PHOTO_QUESTIONS.iter().zip(&visit.photos) {
        answers.insert((*q).into(), json!([photo]));
    }
    answers.insert("sign_investigator_1".into(), json!(visit.signatures[0]));
    answers.insert("sign_investigator_2".into(), json!(visit.signatures[1]));
    answers.insert("sign_family".into(), json!(visit.signatures[2]));
    let base_facts = assignment["case"]["facts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["source_submission"].as_str().map(|s| s.parse().unwrap())))
        .collect();
    VisitSubmission {
        id: Uuid::new_v4(),
        assignment_id: assignment["id"].as_str().unwrap().parse().unwrap(),
        form_id: assignment["form_id"].as_str().unwrap().into(),
        form_version: assignment["form_version"].as_u64().unwrap() as u32,
        answers,
        base_facts,
        media: visit
            .photos
            .iter()
            .zip(sample::DIBAO_PHOTO_QUESTIONS)
            .map(|(h, q)| MediaRef { sha256: h.clone(), size: 2048, content_type: "image/jpeg".into(), question_id: q.into(), taken_at: Some(now) })
            .collect(),
        gps_fixes: vec![
            GpsFix { lat: 26.3313, lon: 106.6922, accuracy_m: 8.0, provider: "gps".into(), mock: false, taken_at: now },
            GpsFix { lat: 26.3400, lon: 106.7000, accuracy_m: 40.0, provider: "network".into(), mock: false, taken_at: now },
        ],
        signatures: vec![
            SignatureRef {
                role: SignerRole::Investigator1,
                signer_name: "调查员一".into(),
                signer_user_id: Some(investigators[0]),
                media_sha256: visit.signatures[0].clone(),
                signed_at: now,
            },
            SignatureRef {
                role: SignerRole::Investigator2,
                signer_name: "调查员二".into(),
                signer_user_id: Some(investigators[1]),
                media_sha256: visit.signatures[1].clone(),
                signed_at: now,
            },
            SignatureRef {
                role: SignerRole::FamilyMember,
                signer_name: "王明德".into(),
                signer_user_id: None,
                media_sha256: visit.signatures[2].clone(),
                signed_at: now,
            },
        ],
        started_at: now - chrono::Duration::minutes(40),
        finalized_at: now,
        device_id: s.device_id.clone(),
        app_version: "0.1.0".into(),
    }
}

/// A test fixture in the calendar file format, not the real 2027 schedule: 1–4 January off, no working weekend.
pub const CALENDAR_2027_FIXTURE: &str = r#"
format = "ruhu-work-calendar/1"
[[years]]
year = 2027
notice = "测试用：2027年部分节假日安排（非官方）"
source = "test fixture"
[[years.holidays]]
name = "元旦"
off_from = 2027-01-01
off_to = 2027-01-04
working = []
"#;

pub fn today_plus(days: i64) -> NaiveDate {
    ruhu_core::time::process_clock().today() + chrono::Duration::days(days)
}

fn pg_admin_url() -> Option<String> {
    std::env::var("RUHU_TEST_PG_URL").ok().filter(|s| !s.trim().is_empty())
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let cut = base.rfind('/').filter(|&i| i > base.find("://").map(|s| s + 2).unwrap_or(0)).unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..cut], db);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

async fn pg_exec(admin_url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin_url).await.expect("connect to RUHU_TEST_PG_URL");
    sqlx::query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    let _ = conn.close().await;
}

async fn run_once<F, Fut>(backend: Backend, name: &str, configure: &(dyn Fn(&mut ServerConfig) + Sync), body: &F)
where
    F: Fn(TestEnv) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path());
    config.demo = true;
    let mut pg_db = None;
    if backend == Backend::Postgres {
        let admin = pg_admin_url().expect("checked by caller");
        let db = format!("ruhu_t_{}_{}", name.chars().filter(|c| c.is_ascii_alphanumeric()).take(30).collect::<String>(), Uuid::new_v4().simple())
            .to_lowercase();
        pg_exec(&admin, &format!("CREATE DATABASE \"{db}\"")).await;
        config.database_url = Some(with_database(&admin, &db));
        pg_db = Some((admin, db));
    }
    configure(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = spawn(config.clone(), listener).await.expect("server starts");
    let base = Arc::new(Mutex::new(server.url()));
    let server = Arc::new(Mutex::new(Some(server)));
    let env = TestEnv {
        backend,
        config,
        client: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap(),
        server: server.clone(),
        base,
    };
    let outcome = tokio::spawn(body(env)).await;
    let running = server.lock().unwrap().take();
    if let Some(s) = running {
        s.shutdown().await;
    }
    if let Some((admin, db)) = pg_db {
        pg_exec(&admin, &format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)")).await;
    }
    drop(dir);
    if let Err(e) = outcome {
        eprintln!("test {name} failed on {backend:?}");
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test {name} on {backend:?}: {e}");
    }
}

/// Runs `body` on SQLite, then on PostgreSQL (see the module docs for the switches).
pub async fn on_both<F, Fut>(name: &str, body: F)
where
    F: Fn(TestEnv) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    on_both_with(name, |_| {}, body).await
}

pub async fn on_both_with<F, Fut>(name: &str, configure: impl Fn(&mut ServerConfig) + Sync, body: F)
where
    F: Fn(TestEnv) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_once(Backend::Sqlite, name, &configure, &body).await;
    if pg_admin_url().is_some() {
        run_once(Backend::Postgres, name, &configure, &body).await;
    } else if std::env::var("RUHU_REQUIRE_PG").is_ok_and(|v| v == "1") {
        panic!("RUHU_REQUIRE_PG=1 but RUHU_TEST_PG_URL is not set: the PostgreSQL run of {name} cannot happen");
    } else {
        // Written to the real stderr, past the test harness's output capture, so it is seen even when tests pass.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "!!!!! PostgreSQL run of `{name}` SKIPPED: set RUHU_TEST_PG_URL to run every server test on PostgreSQL too !!!!!"
        );
    }
}
