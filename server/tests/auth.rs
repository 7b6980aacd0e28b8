//! Login, refresh rotation with reuse detection and the lost-reply grace window, logout, token checks, revoked
//! devices and disabled users.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use std::time::Duration;

use common::{PASSWORD, on_both, on_both_with};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn login_registers_the_device_and_wrong_passwords_are_refused() {
    on_both("login", |env| async move {
        let s = env.login("qingyan.diaocha1").await;
        let me = env.get(&s, "/api/v1/devices").await;
        assert_eq!(me.status, StatusCode::OK);
        let devices = me.body.as_array().unwrap();
        assert_eq!(devices.len(), 1);
        assert_eq!(devices[0]["installation_id"], "device-of-qingyan.diaocha1");

        // Logging in again from the same installation reuses the registration.
        env.login("qingyan.diaocha1").await;
        assert_eq!(env.get(&s, "/api/v1/devices").await.body.as_array().unwrap().len(), 1);

        for (user, pw) in [("qingyan.diaocha1", "wrong-password"), ("nobody", PASSWORD)] {
            let r = env.request(Method::POST, "/api/v1/auth/login", None, Some(json!({ "username": user, "password": pw, "device_id": "x" }))).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            assert_eq!(r.code(), "invalid_credentials");
            assert_eq!(r.headers["content-type"], "application/problem+json");
            assert_eq!(r.body["message"], "用户名或密码错误");
        }
    })
    .await;
}

#[tokio::test]
async fn refresh_rotates_and_reuse_outside_the_grace_window_ends_the_session() {
    on_both_with("refresh_reuse", |c| c.refresh_grace = Duration::from_secs(0), |env| async move {
        let s = env.login("qingyan.diaocha1").await;
        let refresh = |token: String, device: String| {
            let env = &env;
            async move { env.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": token, "device_id": device }))).await }
        };
        let r1 = refresh(s.refresh.clone(), s.device_id.clone()).await;
        assert_eq!(r1.status, StatusCode::OK, "{r1:?}");
        let t1 = r1.body["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(t1, s.refresh, "refresh tokens rotate");
        let access1 = r1.body["access_token"].as_str().unwrap().to_string();

        // A refresh token is bound to its device.
        let wrong_device = refresh(t1.clone(), "another-phone".into()).await;
        assert_eq!(wrong_device.code(), "invalid_token");

        tokio::time::sleep(Duration::from_millis(1100)).await;
        // The old token again, after the (zero) grace window: stolen. The whole session ends.
        let reused = refresh(s.refresh.clone(), s.device_id.clone()).await;
        assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reused.code(), "refresh_token_reused");
        let after = refresh(t1, s.device_id.clone()).await;
        assert_eq!(after.code(), "session_revoked");
        let r = env.request(Method::GET, "/api/v1/sync/pull", Some(&access1), None).await;
        assert_eq!(r.code(), "session_revoked", "access tokens of the revoked session stop working too");
        let unknown = refresh("made-up".into(), s.device_id.clone()).await;
        assert_eq!(unknown.code(), "invalid_token");
    })
    .await;
}

#[tokio::test]
async fn a_lost_refresh_reply_is_forgiven_within_the_grace_window() {
    on_both("refresh_grace", |env| async move {
        let s = env.login("qingyan.diaocha2").await;
        let body = |t: &str| Some(json!({ "refresh_token": t, "device_id": s.device_id }));
        // First rotation: the reply is "lost", the device never sees `lost`.
        let lost = env.request(Method::POST, "/api/v1/auth/refresh", None, body(&s.refresh)).await;
        assert_eq!(lost.status, StatusCode::OK);
        let lost_token = lost.body["refresh_token"].as_str().unwrap().to_string();
        // The device retries with the token it has: within the grace window it gets a fresh one.
        let retry = env.request(Method::POST, "/api/v1/auth/refresh", None, body(&s.refresh)).await;
        assert_eq!(retry.status, StatusCode::OK, "{retry:?}");
        let fresh = retry.body["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(fresh, lost_token);
        // The successor nobody received is invalid now; presenting it means it leaked: the session ends.
        let leaked = env.request(Method::POST, "/api/v1/auth/refresh", None, body(&lost_token)).await;
        assert_eq!(leaked.code(), "refresh_token_reused");
        let after = env.request(Method::POST, "/api/v1/auth/refresh", None, body(&fresh)).await;
        assert_eq!(after.code(), "session_revoked");

        // Grace does not apply once the successor has been used.
        let s2 = env.login_on("qingyan.diaocha2", "phone-2").await;
        let body2 = |t: &str| Some(json!({ "refresh_token": t, "device_id": "phone-2" }));
        let a = env.request(Method::POST, "/api/v1/auth/refresh", None, body2(&s2.refresh)).await;
        let a_token = a.body["refresh_token"].as_str().unwrap().to_string();
        let b = env.request(Method::POST, "/api/v1/auth/refresh", None, body2(&a_token)).await;
        assert_eq!(b.status, StatusCode::OK);
        let replay = env.request(Method::POST, "/api/v1/auth/refresh", None, body2(&s2.refresh)).await;
        assert_eq!(replay.code(), "refresh_token_reused");
    })
    .await;
}

#[tokio::test]
async fn logout_ends_the_session() {
    on_both("logout", |env| async move {
        let s = env.login("qingyan.shenhe").await;
        let r = env.request(Method::POST, "/api/v1/auth/logout", Some(&s.access), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(env.get(&s, "/api/v1/cases").await.code(), "session_revoked");
        let r = env.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": s.refresh, "device_id": s.device_id }))).await;
        assert_eq!(r.code(), "session_revoked");
    })
    .await;
}

#[tokio::test]
async fn missing_expired_tampered_and_foreign_tokens_are_refused() {
    on_both_with(
        "tokens",
        |c| c.access_token_ttl = Duration::from_secs(1),
        |env| async move {
            let r = env.request(Method::GET, "/api/v1/cases", None, None).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthorized"));

            let s = env.login("qingyan.shenhe").await;
            // Tampered payload: the signature no longer matches.
            let parts: Vec<&str> = s.access.split('.').collect();
            let mut payload = parts[1].to_string();
            let last = payload.pop().unwrap();
            payload.push(if last == 'A' { 'B' } else { 'A' });
            let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
            let r = env.request(Method::GET, "/api/v1/cases", Some(&tampered), None).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "invalid_token"));

            // Signed with the server's own key but for another audience, or with another algorithm family: refused.
            let key = hex::decode(std::fs::read_to_string(env.config.signing_key_path()).unwrap().trim()).unwrap();
            let claims: serde_json::Value =
                serde_json::from_slice(&base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, parts[1]).unwrap()).unwrap();
            let mut foreign = claims.clone();
            foreign["aud"] = json!("some-other-api");
            foreign["exp"] = json!(ruhu_core::time::process_clock().now().timestamp() + 600);
            let token = jsonwebtoken::encode(
                &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
                &foreign,
                &jsonwebtoken::EncodingKey::from_secret(&key),
            )
            .unwrap();
            let r = env.request(Method::GET, "/api/v1/cases", Some(&token), None).await;
            assert_eq!(r.code(), "invalid_token");
            let mut fine = claims.clone();
            fine["exp"] = json!(ruhu_core::time::process_clock().now().timestamp() + 600);
            let hs512 = jsonwebtoken::encode(
                &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
                &fine,
                &jsonwebtoken::EncodingKey::from_secret(&key),
            )
            .unwrap();
            let r = env.request(Method::GET, "/api/v1/cases", Some(&hs512), None).await;
            assert_eq!(r.code(), "invalid_token", "the algorithm is pinned");

            tokio::time::sleep(Duration::from_millis(2100)).await;
            let r = env.get(&s, "/api/v1/cases").await;
            assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "token_expired"));
        },
    )
    .await;
}

#[tokio::test]
async fn a_revoked_device_and_a_disabled_user_are_told_to_wipe() {
    on_both("revoked", |env| async move {
        let phone = env.login("qingyan.diaocha3").await;
        let admin = env.login("admin").await;
        let devices = env.get(&admin, "/api/v1/devices").await;
        let id = devices.body.as_array().unwrap().iter().find(|d| d["username"] == "qingyan.diaocha3").unwrap()["id"].as_str().unwrap().to_string();

        // A township investigator cannot revoke someone else's device.
        let other = env.login("qingyan.diaocha1").await;
        let r = env.post(&other, &format!("/api/v1/devices/{id}/revoke"), json!({})).await;
        assert_eq!(r.code(), "forbidden_role");

        let r = env.post(&admin, &format!("/api/v1/devices/{id}/revoke"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        let r = env.get(&phone, "/api/v1/sync/pull?since=0").await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "device_revoked"));
        let r = env
            .request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": phone.refresh, "device_id": phone.device_id })))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = env
            .request(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({ "username": "qingyan.diaocha3", "password": PASSWORD, "device_id": phone.device_id })),
            )
            .await;
        assert_eq!(r.code(), "device_revoked", "a revoked installation cannot log in again");

        // Disabling a user stops every device of theirs.
        let s = env.login("qingyan.diaocha2").await;
        ruhu_server::access::accounts::set_user_enabled(&env.state(), "qingyan.diaocha2", false).await.unwrap();
        let r = env.get(&s, "/api/v1/sync/pull?since=0").await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "user_disabled"));
    })
    .await;
}
