//! The web console is served by the server itself: the page and its assets with the right content types and a
//! strict content security policy, and the form endpoint the review page labels answers with.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use common::on_both;
use reqwest::{Method, StatusCode, header};
use serde_json::Value;

fn content_type(r: &common::Reply) -> &str {
    r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn the_console_and_its_assets_are_served_from_the_binary() {
    on_both("console_assets", |env| async move {
        let page = env.request(Method::GET, "/", None, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(content_type(&page), "text/html; charset=utf-8");
        let html = page.body.as_str().expect("HTML text");
        assert!(html.contains(r#"<html lang="zh-CN">"#) && html.contains("入户调查管理控制台"), "{html}");
        assert!(html.contains(r#"src="/console/app.js""#) && html.contains(r#"href="/console/app.css""#));
        assert!(!html.contains("http://") && !html.contains("https://"), "nothing is loaded from elsewhere");
        let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");

        for (path, expected, marker) in [
            ("/console/app.js", "text/javascript; charset=utf-8", "/api/v1/auth/login"),
            ("/console/app.css", "text/css; charset=utf-8", "Noto Sans CJK SC"),
        ] {
            let r = env.request(Method::GET, path, None, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_eq!(content_type(&r), expected, "{path}");
            assert!(r.body.as_str().is_some_and(|b| b.contains(marker)), "{path}");
        }

        let missing = env.request(Method::GET, "/console/nothing.js", None, None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(content_type(&missing), "application/problem+json");
        assert_eq!(missing.code(), "not_found");
        // The API's own fallback is untouched by the console's routes.
        let api_missing = env.request(Method::GET, "/api/v1/nothing", None, None).await;
        assert_eq!(api_missing.status, StatusCode::NOT_FOUND);
        assert_eq!(api_missing.body["message"], "请求的地址不存在");
    })
    .await;
}

#[tokio::test]
async fn a_signed_in_user_reads_a_published_form_definition() {
    on_both("console_forms", |env| async move {
        let anonymous = env.request(Method::GET, "/api/v1/forms/dibao-home-visit/1", None, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.code(), "unauthorized");

        let supervisor = env.login("qingyan.zuzhang").await;
        let form = env.get(&supervisor, "/api/v1/forms/dibao-home-visit/1").await;
        assert_eq!(form.status, StatusCode::OK, "{form:?}");
        assert_eq!(form.body["title"], "最低生活保障入户调查表");
        let wages = form.body["questions"].as_array().unwrap().iter().find(|q| q["id"] == "income_wages_fen").cloned().unwrap_or(Value::Null);
        assert_eq!(wages["label"], "工资性收入（月均）");

        let unknown = env.get(&supervisor, "/api/v1/forms/dibao-home-visit/99").await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert_eq!(unknown.body["message"], "调查表 dibao-home-visit 第 99 版不存在或尚未发布");
        // v2, the form of new 低保 visits, is published beside v1 (drafts begun on v1 keep it).
        let v2 = env.get(&supervisor, "/api/v1/forms/dibao-home-visit/2").await;
        assert_eq!(v2.status, StatusCode::OK, "{v2:?}");
        let members = v2.body["questions"].as_array().unwrap().iter().find(|q| q["id"] == "members").cloned().unwrap_or(Value::Null);
        assert_eq!((members["kind"].as_str(), members["label"].as_str()), (Some("repeat"), Some("家庭成员")));

        let doc = env.request(Method::GET, "/api/v1/openapi.json", None, None).await;
        assert!(doc.body["paths"]["/api/v1/forms/{id}/{version}"]["get"].is_object(), "documented with the rest of the API");

        let bad = env.get(&supervisor, "/api/v1/forms/dibao-home-visit/latest").await;
        assert_eq!(bad.status, StatusCode::NOT_FOUND, "{bad:?}");
        assert_eq!(bad.code(), "not_found");
    })
    .await;
}
