//! Device sync: pull paging and tombstones, push idempotency and refusals, media uploads (tus), merge conflicts.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use common::{Session, TestEnv, Visit, fake_file, on_both, sha256_hex, submission, today_plus};
use reqwest::{Method, StatusCode};
use ruhu_core::resident_id::make_resident_id;
use serde_json::{Value, json};

async fn user_ids(env: &TestEnv, s: &Session) -> Value {
    env.get(s, "/api/v1/users?role=investigator").await.body
}

fn uid(users: &Value, name: &str) -> String {
    users.as_array().unwrap().iter().find(|u| u["username"] == name).unwrap()["id"].as_str().unwrap().to_string()
}

/// A new household + case in 青岩镇 and an assignment to the two named investigators; returns the assignment id.
async fn new_assignment(env: &TestEnv, n: u16, pair: [&str; 2]) -> String {
    let clerk = env.login("qingyan.jingban").await;
    let boss = env.login("qingyan.zuzhang").await;
    let rid = make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1975, 2, 3).unwrap(), 500 + n).as_str().to_string();
    let h = env
        .post(&clerk, "/api/v1/households", json!({ "village_code": "520111101901", "head_name": format!("测试户{n}（演示）"), "address": "示范一村", "members": [{ "name": "户主", "resident_id": rid, "relation": "户主" }] }))
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{h:?}");
    let c = env.accepted_case(&clerk, json!({ "household_id": h.body["id"], "assistance_type": "dibao", "facts": { "household.size": 1 } })).await;
    let users = user_ids(env, &boss).await;
    let a = env
        .post(
            &boss,
            "/api/v1/assignments",
            json!({ "case_id": c.body["id"], "investigator_ids": [uid(&users, pair[0]), uid(&users, pair[1])], "due_date": today_plus(7) }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    a.body["id"].as_str().unwrap().to_string()
}

async fn pull(env: &TestEnv, s: &Session, since: i64, limit: i64) -> Value {
    let r = env.get(s, &format!("/api/v1/sync/pull?since={since}&limit={limit}")).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body
}

fn changes_for<'a>(page: &'a Value, id: &str) -> Vec<&'a Value> {
    page["changes"].as_array().unwrap().iter().filter(|c| c["assignment"]["id"] == id || c["id"] == id).collect()
}

#[tokio::test]
async fn pull_pages_resume_from_the_cursor_and_tombstones_follow_reassign_and_cancel() {
    on_both("pull", |env| async move {
        let a1 = new_assignment(&env, 1, ["qingyan.diaocha1", "qingyan.diaocha3"]).await;
        let a2 = new_assignment(&env, 2, ["qingyan.diaocha1", "qingyan.diaocha3"]).await;
        let a3 = new_assignment(&env, 3, ["qingyan.diaocha3", "qingyan.diaocha1"]).await;
        let d1 = env.login("qingyan.diaocha1").await;

        // 1 form + the demo assignment + 3 new ones, two per page.
        let mut cursor = 0;
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let page = pull(&env, &d1, cursor, 2).await;
            pages += 1;
            let changes = page["changes"].as_array().unwrap();
            assert!(changes.len() <= 2);
            seen.extend(changes.iter().cloned());
            assert!(page["next_cursor"].as_i64().unwrap() >= cursor);
            cursor = page["next_cursor"].as_i64().unwrap();
            if !page["has_more"].as_bool().unwrap() {
                break;
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen.len(), 5);
        assert_eq!(seen[0]["type"], "form_upsert", "the form arrives before the assignments that need it");
        let seqs: Vec<i64> = seen.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        let snap = seen.iter().find(|c| c["assignment"]["id"] == a1.as_str()).unwrap();
        assert_eq!(snap["assignment"]["household"]["members"][0]["resident_id"].as_str().unwrap().len(), 18, "full ID at the door");
        assert_eq!(snap["assignment"]["case"]["facts"]["household.size"]["value"], 1);
        assert_eq!(snap["assignment"]["status"], "assigned");

        // Nothing new: the cursor stays.
        let idle = pull(&env, &d1, cursor, 2).await;
        assert_eq!(idle["changes"].as_array().unwrap().len(), 0);
        assert_eq!(idle["next_cursor"].as_i64().unwrap(), cursor);
        assert_eq!(idle["has_more"], false);

        // A restart on the same data changes nothing for the device: same key, same cursor.
        env.restart().await;
        assert_eq!(pull(&env, &d1, cursor, 2).await["next_cursor"].as_i64().unwrap(), cursor);

        // Reassign a1 away from diaocha1, cancel a2.
        let boss = env.login("qingyan.zuzhang").await;
        let users = user_ids(&env, &boss).await;
        let r = env
            .post(
                &boss,
                &format!("/api/v1/assignments/{a1}/reassign"),
                json!({ "investigator_ids": [uid(&users, "qingyan.diaocha2"), uid(&users, "qingyan.diaocha3")], "reason": "调整" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        let r = env.post(&boss, &format!("/api/v1/assignments/{a2}/cancel"), json!({ "reason": "申请人撤回申请" })).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(env.post(&boss, &format!("/api/v1/assignments/{a2}/cancel"), json!({ "reason": "再次" })).await.code(), "assignment_not_open");

        let page = pull(&env, &d1, cursor, 100).await;
        let changes = page["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 2, "{page}");
        assert_eq!(changes[0], json!({ "seq": changes[0]["seq"], "type": "assignment_delete", "id": a1 }));
        assert_eq!(changes[1], json!({ "seq": changes[1]["seq"], "type": "assignment_delete", "id": a2 }));

        let d2 = env.login("qingyan.diaocha2").await;
        let d2_all = pull(&env, &d2, 0, 100).await;
        let a1_for_d2 = changes_for(&d2_all, &a1);
        assert_eq!(a1_for_d2.len(), 1);
        assert_eq!(a1_for_d2[0]["type"], "assignment_upsert");
        assert_eq!(a1_for_d2[0]["assignment"]["investigators"][0]["id"], d2.user_id.to_string());

        // The feed is compacted: from zero, each assignment appears once, in its latest form.
        let d3 = env.login("qingyan.diaocha3").await;
        let all = pull(&env, &d3, 0, 2000).await;
        for id in [&a1, &a2, &a3] {
            assert_eq!(changes_for(&all, id).len(), 1, "{id}");
        }
        assert_eq!(changes_for(&all, &a2)[0]["type"], "assignment_delete");
        assert_eq!(changes_for(&all, &a1)[0]["type"], "assignment_upsert");
    })
    .await;
}

async fn upload_all(env: &TestEnv, s: &Session, files: &[Vec<u8>]) {
    for (i, f) in files.iter().enumerate() {
        env.upload(s, f, if i < 3 { "image/jpeg" } else { "image/png" }).await;
    }
}

#[tokio::test]
async fn push_is_idempotent_and_merges_the_visit_with_its_evidence() {
    on_both("push", |env| async move {
        let d1 = env.login("qingyan.diaocha1").await;
        let assignment = env.demo_assignment(&d1).await;
        let (files, visit) = Visit::hashes("push");
        upload_all(&env, &d1, &files).await;
        let sub = submission(&d1, &assignment, &visit, 3, 90000);
        let body = serde_json::to_value(&sub).unwrap();

        let first = env.post(&d1, "/api/v1/sync/submissions", body.clone()).await;
        assert_eq!(first.status, StatusCode::OK, "{first:?}");
        assert_eq!(first.body["state"], "merged");
        assert_eq!(first.body["missing_media"], json!([]));
        let steps_after_first = env.count("case_steps").await;

        // A lost reply: the device sends the same thing again and gets the same answer; nothing is duplicated.
        let replay = env.post(&d1, "/api/v1/sync/submissions", body.clone()).await;
        assert_eq!(replay.status, StatusCode::OK);
        assert_eq!(replay.body, first.body);
        assert_eq!(env.count("submissions").await, 1);
        assert_eq!(env.count("visits").await, 1);
        assert_eq!(env.count("case_steps").await, steps_after_first);

        // Same id, other content: refused, and the stored visit is untouched.
        let mut altered = sub.clone();
        altered.answers.insert("opinion".into(), json!("改过的意见"));
        let r = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&altered).unwrap()).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "submission_conflict"));
        assert_eq!(env.count("submissions").await, 1);

        let case_id = first.body["case_id"].as_str().unwrap();
        let reviewer = env.login("qingyan.shenhe").await;
        let record = env.get(&reviewer, &format!("/api/v1/cases/{case_id}")).await.body;
        // The merged visit is the procedure's home visit, recorded in the name of the investigator who pushed it.
        assert_eq!(record["step"], "investigating");
        let home_visit = record["steps"].as_array().unwrap().iter().find(|s| s["kind"] == "wf.record_home_visit").expect("the home visit step");
        assert_eq!(home_visit["actor"]["id"], d1.user_id.to_string());
        assert_eq!(home_visit["detail"]["about"]["submission_id"], sub.id.to_string());
        let workflow = env.get(&reviewer, &format!("/api/v1/cases/{case_id}/workflow")).await.body;
        assert!(workflow["state"]["home_visit_on"].is_string(), "{workflow}");
        assert_eq!(record["facts"]["income.wages_fen"]["value"], 90000);
        assert_eq!(record["facts"]["income.wages_fen"]["source_submission"], sub.id.to_string());
        let v = &record["visits"][0];
        assert_eq!(v["submission_id"], sub.id.to_string());
        assert_eq!(v["answers"]["opinion"], "情况属实");
        assert_eq!(v["gps"]["best_fix"]["accuracy_m"], 8.0);
        let distance = v["gps"]["distance_m"].as_f64().unwrap();
        assert!(distance < 50.0, "the best fix is at the household: {distance}");
        assert_eq!(v["signatures"].as_array().unwrap().len(), 3);
        assert_eq!(v["signatures"][0]["role_label"], "调查人员一");
        assert_eq!(v["signatures"][0]["signer_user"]["id"], d1.user_id.to_string());
        assert_eq!(v["media"][0]["received"], true);
        assert_eq!(v["device_id"], d1.device_id);
        assert_eq!(v["app_version"], "0.1.0");
        assert_eq!(v["completeness"]["complete"], true);
        assert_eq!(v["investigators"].as_array().unwrap().len(), 2);
        let kinds: Vec<&str> = record["steps"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["wf.register_application", "wf.accept", "wf.assign_visit", "visit_submitted", "wf.record_home_visit", "visit_merged"]);
        assert_eq!(record["steps"][3]["actor"]["id"], d1.user_id.to_string());
        assert_eq!(record["assignments"][0]["status"], "completed");

        // The partner's device learns the visit is done.
        let d2 = env.login("qingyan.diaocha2").await;
        let a = env.demo_assignment(&d2).await;
        assert_eq!(a["status"], "completed");
        assert_eq!(a["completed_by"]["submission_id"], sub.id.to_string());
        assert_eq!(a["case"]["facts"]["income.wages_fen"]["source_submission"], sub.id.to_string());

        // The photo is readable in scope, and audited; not from another township.
        let res = env.client.get(env.url(&format!("/api/v1/media/{}", visit.photos[0]))).bearer_auth(&reviewer.access).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(res.bytes().await.unwrap().as_ref(), files[0].as_slice());
        assert_eq!(env.count("audit_events WHERE action = 'media.read'").await, 1);
        let shiban = env.login("shiban.shenhe").await;
        let r = env.get(&shiban, &format!("/api/v1/media/{}", visit.photos[0])).await;
        assert_eq!(r.code(), "out_of_scope");
    })
    .await;
}

#[tokio::test]
async fn submissions_wait_for_their_media_and_merge_when_the_last_file_arrives() {
    on_both("awaiting_media", |env| async move {
        let d1 = env.login("qingyan.diaocha1").await;
        let assignment = env.demo_assignment(&d1).await;
        let (files, visit) = Visit::hashes("await");
        upload_all(&env, &d1, &files[..4]).await;
        let sub = submission(&d1, &assignment, &visit, 3, 70000);
        let r = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&sub).unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["state"], "awaiting_media");
        let mut missing: Vec<String> = r.body["missing_media"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        missing.sort();
        let mut expected = vec![visit.signatures[1].clone(), visit.signatures[2].clone()];
        expected.sort();
        assert_eq!(missing, expected);
        assert_eq!(env.count("visits").await, 0, "not merged yet");
        assert_eq!(env.demo_assignment(&d1).await["status"], "assigned");

        upload_all(&env, &d1, &files[4..]).await;
        let replay = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&sub).unwrap()).await;
        assert_eq!(replay.body["state"], "merged");
        assert_eq!(replay.body["missing_media"], json!([]));
        assert_eq!(env.count("visits").await, 1);
        assert_eq!(env.demo_assignment(&d1).await["status"], "completed");
    })
    .await;
}

#[tokio::test]
async fn pushes_that_break_the_rules_are_refused_and_store_nothing() {
    on_both("push_refusals", |env| async move {
        let d1 = env.login("qingyan.diaocha1").await;
        let d3 = env.login("qingyan.diaocha3").await;
        let assignment = env.demo_assignment(&d1).await;
        let (_files, visit) = Visit::hashes("refuse");

        // Field errors from the shared form engine, named by question.
        let mut bad = submission(&d1, &assignment, &visit, 3, 1000);
        bad.answers.insert("household_size".into(), json!("三口人"));
        bad.answers.remove("photos_kitchen");
        bad.answers.remove("opinion");
        let r = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&bad).unwrap()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"), "{r:?}");
        let details = r.body["details"].as_array().unwrap();
        let by_id = |id: &str| details.iter().find(|e| e["question_id"] == id).map(|e| e["code"].as_str().unwrap().to_string());
        assert_eq!(by_id("household_size").as_deref(), Some("wrong_type"));
        assert_eq!(by_id("photos_kitchen").as_deref(), Some("required"));
        assert_eq!(by_id("opinion").as_deref(), Some("required"));

        // A signature the form requires, missing from the signature list.
        let mut unsigned = submission(&d1, &assignment, &visit, 3, 1000);
        unsigned.signatures.retain(|g| g.role != ruhu_core::protocol::SignerRole::FamilyMember);
        let r = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&unsigned).unwrap()).await;
        assert!(["signature_missing", "media_not_listed"].contains(&r.code()), "{r:?}");

        // Bad media reference.
        let mut badref = submission(&d1, &assignment, &visit, 3, 1000);
        badref.media[0].sha256 = "not-a-hash".into();
        let r = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&badref).unwrap()).await;
        assert_eq!((r.code(), r.body["field"].as_str()), ("invalid_media_ref", Some("media[0].sha256")));

        // Someone not on the assignment.
        let r = env.post(&d3, "/api/v1/sync/submissions", serde_json::to_value(submission(&d3, &assignment, &visit, 3, 1000)).unwrap()).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "not_assigned"));

        // An unknown assignment.
        let mut ghost = submission(&d1, &assignment, &visit, 3, 1000);
        ghost.assignment_id = uuid::Uuid::new_v4();
        let r = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&ghost).unwrap()).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "unknown_assignment"));

        // Reassigned away, then cancelled.
        let boss = env.login("qingyan.zuzhang").await;
        let users = user_ids(&env, &boss).await;
        let id = assignment["id"].as_str().unwrap();
        env.post(
            &boss,
            &format!("/api/v1/assignments/{id}/reassign"),
            json!({ "investigator_ids": [uid(&users, "qingyan.diaocha2"), uid(&users, "qingyan.diaocha3")] }),
        )
        .await;
        let r = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(submission(&d1, &assignment, &visit, 3, 1000)).unwrap()).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "assignment_reassigned"));
        let r = env.post(&boss, &format!("/api/v1/assignments/{id}/cancel"), json!({ "reason": "户主已去世" })).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = env.post(&d3, "/api/v1/sync/submissions", serde_json::to_value(submission(&d3, &assignment, &visit, 3, 1000)).unwrap()).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "assignment_cancelled"));

        assert_eq!(env.count("submissions").await, 0, "nothing stored");
        assert_eq!(env.count("submission_media").await, 0);
    })
    .await;
}

#[tokio::test]
async fn two_visits_changing_the_same_fact_from_the_same_base_become_a_conflict() {
    on_both("merge_conflict", |env| async move {
        let d1 = env.login("qingyan.diaocha1").await;
        let d2 = env.login("qingyan.diaocha2").await;
        // Both devices pulled the same case facts (the desk data: household.size 3, wages 80000).
        let seen_by_d1 = env.demo_assignment(&d1).await;
        let seen_by_d2 = env.demo_assignment(&d2).await;
        assert_eq!(seen_by_d1["case"]["facts"], seen_by_d2["case"]["facts"]);
        let (files, visit) = Visit::hashes("conflict");
        upload_all(&env, &d1, &files).await;

        let a = submission(&d1, &seen_by_d1, &visit, 3, 90000);
        let ra = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&a).unwrap()).await;
        assert_eq!(ra.body["conflicts"], json!([]), "{ra:?}");

        let b = submission(&d2, &seen_by_d2, &visit, 4, 95000);
        let rb = env.post(&d2, "/api/v1/sync/submissions", serde_json::to_value(&b).unwrap()).await;
        assert_eq!(rb.status, StatusCode::OK, "{rb:?}");
        assert_eq!(rb.body["state"], "merged");
        assert_eq!(rb.body["conflicts"], json!(common::SIZE_AND_WAGES_CONFLICTS));

        let boss = env.login("qingyan.zuzhang").await;
        let record = env.get(&boss, &format!("/api/v1/cases/{}", ra.body["case_id"].as_str().unwrap())).await.body;
        // The first visit's values stand; nothing was silently overwritten.
        assert_eq!(record["facts"]["household.size"]["value"], 3);
        assert_eq!(record["facts"]["income.wages_fen"]["value"], 90000);
        assert_eq!(record["facts"]["income.wages_fen"]["source_submission"], a.id.to_string());
        let conflicts = record["conflicts"].as_array().unwrap();
        assert_eq!(conflicts.len(), common::SIZE_AND_WAGES_CONFLICTS.len());
        let wages = conflicts.iter().find(|c| c["fact_key"] == "income.wages_fen").unwrap();
        assert_eq!(wages["current_value"], 90000);
        assert_eq!(wages["current_source"], a.id.to_string());
        assert_eq!(wages["proposed_value"], 95000);
        assert_eq!(wages["proposed_source"], b.id.to_string());
        assert!(record["steps"].as_array().unwrap().iter().any(|s| s["kind"] == "conflict_recorded"));
        assert_eq!(record["visits"].as_array().unwrap().len(), 2);

        // A third visit based on the merged state changes the fact cleanly.
        let fresh = env.demo_assignment(&d1).await;
        let c = submission(&d1, &fresh, &visit, 3, 91000);
        let rc = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(&c).unwrap()).await;
        assert_eq!(rc.body["conflicts"], json!([]), "{rc:?}");
        let record = env.get(&boss, &format!("/api/v1/cases/{}", ra.body["case_id"].as_str().unwrap())).await.body;
        assert_eq!(record["facts"]["income.wages_fen"]["value"], 91000);
    })
    .await;
}

#[tokio::test]
async fn tus_uploads_resume_check_chunks_and_whole_files_and_never_store_twice() {
    on_both("tus", |env| async move {
        let s = env.login("qingyan.diaocha1").await;
        let opts = env.client.request(Method::OPTIONS, env.url("/api/v1/uploads")).send().await.unwrap();
        assert_eq!(opts.status(), StatusCode::NO_CONTENT);
        assert_eq!(opts.headers()["tus-version"], "1.0.0");
        assert_eq!(opts.headers()["tus-resumable"], "1.0.0");
        assert_eq!(opts.headers()["tus-checksum-algorithm"], "sha256");
        assert!(opts.headers()["tus-extension"].to_str().unwrap().contains("checksum"));
        assert_eq!(opts.headers()["tus-max-size"], env.config.upload_max_size.to_string().as_str());

        let file = fake_file("tus-photo", 300_000);
        let sha = sha256_hex(&file);
        let created = env.tus_create(&s, &sha, file.len() as u64, "image/jpeg").await;
        assert_eq!(created.status, StatusCode::CREATED);
        assert_eq!(created.headers["location"], format!("/api/v1/uploads/{sha}").as_str());
        assert_eq!(created.headers["upload-offset"], "0");
        assert!(created.headers.contains_key("upload-expires"));

        // A corrupted chunk: 460, discarded, offset unchanged.
        let half = 150_000;
        let mut corrupted = file[..half].to_vec();
        corrupted[10] ^= 0xff;
        let good_sum = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, <sha2::Sha256 as sha2::Digest>::digest(&file[..half]));
        let res = env
            .client
            .patch(env.url(&format!("/api/v1/uploads/{sha}")))
            .bearer_auth(&s.access)
            .header("Tus-Resumable", "1.0.0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", "0")
            .header("Upload-Checksum", format!("sha256 {good_sum}"))
            .body(corrupted)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 460);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "checksum_mismatch");
        let head = env.tus_head(&s, &sha).await;
        assert_eq!(head.headers["upload-offset"], "0");

        // The first half, then the connection "drops": HEAD tells where to resume.
        assert_eq!(env.tus_patch(&s, &sha, 0, &file[..half], true).await.status, StatusCode::NO_CONTENT);
        let head = env.tus_head(&s, &sha).await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(head.headers["upload-offset"], half.to_string().as_str());
        assert_eq!(head.headers["upload-length"], file.len().to_string().as_str());
        assert_eq!(head.headers["cache-control"], "no-store");
        assert_eq!(head.headers["tus-resumable"], "1.0.0");
        let wrong = env.tus_patch(&s, &sha, 0, &file[..10], true).await;
        assert_eq!((wrong.status, wrong.code()), (StatusCode::CONFLICT, "upload_offset_mismatch"));
        let done = env.tus_patch(&s, &sha, half as u64, &file[half..], false).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{done:?}");
        assert_eq!(done.headers["upload-offset"], file.len().to_string().as_str());
        assert_eq!(env.count("media_objects").await, 1);

        // The same file again (another device, another visit): the server says it has it all.
        let other = env.login("qingyan.diaocha2").await;
        let again = env.tus_create(&other, &sha, file.len() as u64, "image/jpeg").await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.headers["upload-offset"], file.len().to_string().as_str());
        assert_eq!(env.count("media_objects").await, 1);

        // Whole-file hash mismatch: 422, nothing kept.
        let real = fake_file("real-content", 5000);
        let claimed = sha256_hex(&fake_file("claimed-content", 5000));
        assert_eq!(env.tus_create(&s, &claimed, 5000, "image/jpeg").await.status, StatusCode::CREATED);
        let r = env.tus_patch(&s, &claimed, 0, &real, true).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "media_hash_mismatch"));
        assert_eq!(env.tus_head(&s, &claimed).await.status, StatusCode::NOT_FOUND);
        assert_eq!(env.count("media_objects").await, 1);
        assert!(!env.config.upload_dir().join(format!("{claimed}.part")).exists());

        // Termination.
        let gone = fake_file("terminated", 4000);
        let gone_sha = sha256_hex(&gone);
        env.tus_create(&s, &gone_sha, 4000, "image/jpeg").await;
        env.tus_patch(&s, &gone_sha, 0, &gone[..1000], true).await;
        let res = env
            .client
            .delete(env.url(&format!("/api/v1/uploads/{gone_sha}")))
            .bearer_auth(&s.access)
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(env.tus_head(&s, &gone_sha).await.status, StatusCode::NOT_FOUND);

        // Requests without the tus version are refused; uploads need a login.
        let res = env.client.head(env.url(&format!("/api/v1/uploads/{sha}"))).bearer_auth(&s.access).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
        let r = env.request(Method::POST, "/api/v1/uploads", None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);

        // Chunks may be larger than JSON bodies (up to the chunk limit)…
        let three_mib = fake_file("three-mib", 3 * 1024 * 1024);
        env.upload(&s, &three_mib, "image/jpeg").await;
        // …but chunks above the limit are refused.
        let big = fake_file("big", env.config.upload_chunk_limit + 10);
        let big_sha = sha256_hex(&big);
        env.tus_create(&s, &big_sha, big.len() as u64, "image/jpeg").await;
        let r = env.tus_patch(&s, &big_sha, 0, &big, false).await;
        assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    })
    .await;
}
