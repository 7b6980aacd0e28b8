//! Visit drafts: every answer is its own committed write; finalising freezes the visit into the outbox. The rows
//! themselves are read and written in `store::{drafts, evidence, outbox}`.

use std::collections::{BTreeMap, HashSet};

use rusqlite::params;
use serde_json::Value;
use uuid::Uuid;

use super::Device;
use super::error::{DeviceError, Result};
use super::local::{load_assignment, load_form};
use super::photos;
use super::store::drafts::{draft_summary, load_answers, load_draft, load_open_draft, open_draft_of, write_answer};
use super::store::evidence::{
    draft_media_shas, drop_unreferenced_media, insert_media, load_fixes, load_photos, media_question, media_refs, remove_unreferenced_files,
    signature_refs, signer_role_text,
};
use super::store::outbox;
use super::time::{from_text, now, to_text};
use super::types::*;
use crate::eligibility::{self, Advice};
use crate::form::{FieldError, FormDefinition, FormSession, FormState, Question, QuestionKind};
use crate::geo::{LatLon, distance_m};
use crate::protocol::{GpsFix, SignerRole, VisitSubmission};
use crate::time::china_day;

/// A form on the phone came from the server, which checked it; a definition error here means a damaged store.
fn form_session(form: &FormDefinition) -> Result<FormSession> {
    FormSession::new(form).map_err(|e| {
        DeviceError::Validation(vec![FieldError {
            question_id: e.path.clone(),
            code: "invalid_form_definition".into(),
            message: format!("调查表定义有误（{}）：{}，请同步后重试", e.path, e.reason),
        }])
    })
}

fn question<'f>(form: &'f FormDefinition, question_id: &str) -> Result<&'f Question> {
    form.question(question_id).ok_or_else(|| {
        DeviceError::Validation(vec![FieldError {
            question_id: question_id.into(),
            code: "unknown_question".into(),
            message: "表单中没有此问题".into(),
        }])
    })
}

fn field_error(q: &Question, code: &str, message: String) -> DeviceError {
    DeviceError::Validation(vec![FieldError { question_id: q.id.clone(), code: code.into(), message }])
}

impl Device {
    /// Starts a visit for an assignment, or returns the open draft already started for it. The draft keeps the form
    /// version of the assignment at this moment, whatever later pulls bring.
    pub fn start_draft(&self, assignment_id: Uuid) -> Result<Uuid> {
        self.with_conn(|conn, _| {
            let tx = conn.transaction()?;
            let assignment = load_assignment(&tx, assignment_id)?;
            if let Some(id) = open_draft_of(&tx, assignment_id)? {
                return Ok(id);
            }
            if outbox::has_unrefused(&tx, assignment_id)? {
                return Err(DeviceError::invalid("assignment_id", "此任务的调查已提交，不能重复开始"));
            }
            if assignment.status == crate::protocol::AssignmentStatus::Cancelled {
                return Err(DeviceError::invalid("assignment_id", "此任务已取消"));
            }
            // The form must be on the phone before a visit can start.
            load_form(&tx, &assignment.form_id, assignment.form_version)?;
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO drafts (id, assignment_id, form_id, form_version, started_at, state) VALUES (?1, ?2, ?3, ?4, ?5, 'open')",
                params![id.to_string(), assignment_id.to_string(), assignment.form_id, assignment.form_version, to_text(now())],
            )?;
            tx.commit()?;
            Ok(id)
        })
    }

    pub fn draft(&self, draft_id: Uuid) -> Result<DraftSummary> {
        self.with_conn(|conn, _| draft_summary(conn, draft_id))
    }

    /// Saves one answer (committed before returning). `Null` clears it. The value is checked against the question's
    /// type; photos and signatures go through `import_photo` / `add_signature`.
    pub fn set_answer(&self, draft_id: Uuid, question_id: &str, value: Value) -> Result<()> {
        self.with_conn(|conn, vault| {
            let draft = load_open_draft(conn, draft_id)?;
            let form = load_form(conn, &draft.form_id, draft.form_version)?;
            let q = question(&form, question_id)?;
            if value.is_null() {
                let tx = conn.transaction()?;
                tx.execute("DELETE FROM draft_answers WHERE draft_id = ?1 AND question_id = ?2", params![draft_id.to_string(), q.id])?;
                let mut removed = Vec::new();
                if q.kind == QuestionKind::Signature {
                    removed = draft_media_shas(&tx, draft_id, &q.id, "signature")?.into_iter().collect();
                    tx.execute("DELETE FROM signatures WHERE draft_id = ?1 AND question_id = ?2", params![draft_id.to_string(), q.id])?;
                    tx.execute("DELETE FROM media WHERE draft_id = ?1 AND question_id = ?2", params![draft_id.to_string(), q.id])?;
                }
                tx.commit()?;
                return remove_unreferenced_files(conn, vault, &removed);
            }
            match q.kind {
                QuestionKind::Note => return Err(field_error(q, "not_answerable", format!("{}：此项为说明，无需填写", q.label))),
                QuestionKind::Signature => {
                    return Err(field_error(q, "use_signature", format!("{}：请使用签字功能", q.label)));
                }
                _ => {}
            }
            if let Some(e) = q.check_value(&value) {
                // Too few photos is fine while the visit is still being filled in.
                if e.code != "too_few_photos" {
                    return Err(DeviceError::Validation(vec![e]));
                }
            }
            if q.kind == QuestionKind::Photo {
                // Only photos imported into this draft for this question may be referenced (reorder / remove).
                let known = draft_media_shas(conn, draft_id, &q.id, "photo")?;
                let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
                let mut seen = HashSet::new();
                for item in items {
                    let sha = item.as_str().unwrap_or_default();
                    if !known.contains(sha) || !seen.insert(sha) {
                        return Err(field_error(q, "unknown_photo", format!("{}：照片不存在或重复，请重新拍摄", q.label)));
                    }
                }
            }
            write_answer(conn, draft_id, &q.id, &value)
        })
    }

    pub fn draft_answers(&self, draft_id: Uuid) -> Result<BTreeMap<String, Value>> {
        self.with_conn(|conn, _| {
            load_draft(conn, draft_id)?;
            load_answers(conn, draft_id)
        })
    }

    /// Runs the photo pipeline on a camera JPEG and adds the result to a photo question. The source file is not
    /// changed or deleted (the app owns it).
    pub fn import_photo(&self, draft_id: Uuid, question_id: &str, source_path: &str) -> Result<PhotoInfo> {
        let q = self.with_conn(|conn, _| {
            let draft = load_open_draft(conn, draft_id)?;
            let form = load_form(conn, &draft.form_id, draft.form_version)?;
            let q = question(&form, question_id)?.clone();
            if q.kind != QuestionKind::Photo {
                return Err(field_error(&q, "not_a_photo_question", format!("{}：此项不是照片题", q.label)));
            }
            Ok(q)
        })?;
        let input = std::fs::read(source_path).map_err(|_| DeviceError::Photo("无法读取照片文件".into()))?;
        // The heavy part runs without the database lock.
        let photo = photos::process_photo_bytes(&input)?;
        let vault = self.vault()?;
        vault.put(&photo.jpeg)?;
        let info = PhotoInfo {
            sha256: photo.sha256.clone(),
            size: photo.jpeg.len() as u64,
            width: photo.width,
            height: photo.height,
            taken_at: photo.taken_at,
            exif_location: photo.exif_location,
        };
        let stored = self.with_conn(|conn, _| {
            let tx = conn.transaction()?;
            load_open_draft(&tx, draft_id)?;
            if media_question(&tx, draft_id, &info.sha256)?.is_some() {
                return Err(DeviceError::invalid("source_path", "这张照片已经添加过"));
            }
            insert_media(&tx, draft_id, &q.id, "photo", "image/jpeg", &info)?;
            let mut list = match load_answers(&tx, draft_id)?.remove(&q.id) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            };
            list.push(Value::String(info.sha256.clone()));
            write_answer(&tx, draft_id, &q.id, &Value::Array(list))?;
            tx.commit()?;
            Ok(())
        });
        if stored.is_err() {
            // Nothing may stay behind from a refused import (unless another row already uses the same bytes).
            let _ = self.with_conn(|conn, vault| remove_unreferenced_files(conn, vault, std::slice::from_ref(&info.sha256)));
        }
        stored.map(|()| info)
    }

    /// Photos of a draft with what was read from their EXIF, in answer order per question.
    pub fn draft_photos(&self, draft_id: Uuid) -> Result<Vec<PhotoInfo>> {
        self.with_conn(|conn, _| load_photos(conn, draft_id))
    }

    /// Stores a location fix pushed by the app.
    pub fn record_fix(&self, draft_id: Uuid, fix: GpsFix) -> Result<()> {
        if !(LatLon { lat: fix.lat, lon: fix.lon }).is_valid() {
            return Err(DeviceError::invalid("fix", "定位坐标无效"));
        }
        if !fix.accuracy_m.is_finite() || fix.accuracy_m < 0.0 {
            return Err(DeviceError::invalid("fix", "定位精度无效"));
        }
        self.with_conn(|conn, _| {
            load_open_draft(conn, draft_id)?;
            conn.execute(
                "INSERT INTO gps_fixes (draft_id, lat, lon, accuracy_m, provider, mock, taken_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![draft_id.to_string(), fix.lat, fix.lon, fix.accuracy_m, fix.provider, fix.mock, to_text(fix.taken_at)],
            )?;
            Ok(())
        })
    }

    pub fn gps_fixes(&self, draft_id: Uuid) -> Result<Vec<GpsFix>> {
        self.with_conn(|conn, _| load_fixes(conn, draft_id))
    }

    /// Metres from the best fix (smallest accuracy radius, mock fixes ignored) to the household's known location;
    /// None when either is missing.
    pub fn distance_to_household(&self, draft_id: Uuid) -> Result<Option<f64>> {
        self.with_conn(|conn, _| {
            let draft = load_draft(conn, draft_id)?;
            let Some(home) = load_assignment(conn, draft.assignment_id)?.household.location else { return Ok(None) };
            let best = load_fixes(conn, draft_id)?.into_iter().filter(|f| !f.mock).min_by(|a, b| a.accuracy_m.total_cmp(&b.accuracy_m));
            Ok(best.map(|f| distance_m(LatLon { lat: f.lat, lon: f.lon }, home)))
        })
    }

    /// Stores a signature (PNG drawn on the phone) for a signer and answers the form's signature question for that
    /// signer. Signing again replaces the earlier signature. Returns the image's sha256.
    pub fn add_signature(&self, draft_id: Uuid, role: SignerRole, signer_name: &str, signer_user_id: Option<Uuid>, png_path: &str) -> Result<String> {
        let signer_name = signer_name.trim().to_string();
        if signer_name.is_empty() {
            return Err(DeviceError::invalid("signer_name", "请填写签字人姓名"));
        }
        if role == SignerRole::FamilyMember && signer_user_id.is_some() {
            return Err(DeviceError::invalid("signer_user_id", "家庭成员签字不应关联工作人员账号"));
        }
        let q = self.with_conn(|conn, _| {
            let draft = load_open_draft(conn, draft_id)?;
            let form = load_form(conn, &draft.form_id, draft.form_version)?;
            form.questions
                .iter()
                .find(|q| q.kind == QuestionKind::Signature && q.signer == Some(role))
                .cloned()
                .ok_or_else(|| DeviceError::invalid("role", format!("表单中没有“{}”签字项", role.label_zh())))
        })?;
        let bytes = std::fs::read(png_path).map_err(|_| DeviceError::Photo("无法读取签名图片".into()))?;
        photos::check_signature_png(&bytes)?;
        let vault = self.vault()?;
        let sha = vault.put(&bytes)?;
        let info = PhotoInfo { sha256: sha.clone(), size: bytes.len() as u64, width: 0, height: 0, taken_at: None, exif_location: None };
        let result = self.with_conn(|conn, vault| {
            let tx = conn.transaction()?;
            load_open_draft(&tx, draft_id)?;
            let previous: Vec<String> = draft_media_shas(&tx, draft_id, &q.id, "signature")?.into_iter().filter(|s| *s != sha).collect();
            tx.execute("DELETE FROM media WHERE draft_id = ?1 AND question_id = ?2 AND sha256 != ?3", params![draft_id.to_string(), q.id, sha])?;
            match media_question(&tx, draft_id, &sha)? {
                None => insert_media(&tx, draft_id, &q.id, "signature", "image/png", &info)?,
                Some(other) if other != q.id => {
                    return Err(DeviceError::invalid("png_path", "这张签名图片已用于其他签字项"));
                }
                Some(_) => {}
            }
            tx.execute(
                "INSERT INTO signatures (draft_id, role, question_id, signer_name, signer_user_id, media_sha256, signed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (draft_id, role) DO UPDATE SET question_id = excluded.question_id,
                     signer_name = excluded.signer_name, signer_user_id = excluded.signer_user_id,
                     media_sha256 = excluded.media_sha256, signed_at = excluded.signed_at",
                params![draft_id.to_string(), signer_role_text(role), q.id, signer_name, signer_user_id.map(|u| u.to_string()), sha, to_text(now())],
            )?;
            write_answer(&tx, draft_id, &q.id, &Value::String(sha.clone()))?;
            tx.commit()?;
            remove_unreferenced_files(conn, vault, &previous)
        });
        if result.is_err() {
            let _ = self.with_conn(|conn, vault| remove_unreferenced_files(conn, vault, std::slice::from_ref(&sha)));
        }
        result.map(|()| sha)
    }

    /// What the app renders after every answer: each question (and each row of a repeat group) with whether it is
    /// shown, required, its value (calculations included) and its zh-CN errors, from the same evaluator the server runs.
    pub fn form_state(&self, draft_id: Uuid) -> Result<FormState> {
        self.with_conn(|conn, _| {
            let draft = load_draft(conn, draft_id)?;
            let form = load_form(conn, &draft.form_id, draft.form_version)?;
            self.evaluate(&form, &load_answers(conn, draft_id)?, china_day(now()))
        })
    }

    /// Evaluates `answers` with the form's compiled session, compiling it once per form version.
    fn evaluate(&self, form: &FormDefinition, answers: &BTreeMap<String, Value>, today: chrono::NaiveDate) -> Result<FormState> {
        use std::collections::hash_map::Entry;
        let mut sessions = self.form_sessions.lock().unwrap_or_else(|p| p.into_inner());
        let session = match sessions.entry((form.id.clone(), form.version)) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(form_session(form)?),
        };
        Ok(session.evaluate_on(answers, today))
    }

    /// For each top-level question that reports a case fact the case already holds: that value (question id →
    /// value). Periodic-review and re-visit forms show it beside the question as the record to compare with.
    pub fn case_values(&self, draft_id: Uuid) -> Result<BTreeMap<String, Value>> {
        self.with_conn(|conn, _| {
            let draft = load_draft(conn, draft_id)?;
            let form = load_form(conn, &draft.form_id, draft.form_version)?;
            let facts = load_assignment(conn, draft.assignment_id)?.case.facts;
            Ok(form.questions.iter().filter_map(|q| Some((q.id.clone(), facts.get(q.fact.as_deref()?)?.value.clone()))).collect())
        })
    }

    /// The eligibility pre-check at the end of a 低保 / 低保边缘 / 特困 visit, offline: the case's facts overlaid with
    /// what this visit has recorded so far, against the figures the server sent with the assignment. Advice, never
    /// the decision; None for other types or while the facts the check needs are still missing.
    pub fn eligibility(&self, draft_id: Uuid) -> Result<Option<Advice>> {
        self.with_conn(|conn, _| {
            let draft = load_draft(conn, draft_id)?;
            let form = load_form(conn, &draft.form_id, draft.form_version)?;
            let case = load_assignment(conn, draft.assignment_id)?.case;
            let Some(figures) = case.precheck else { return Ok(None) };
            let mut facts: BTreeMap<String, Value> = case.facts.into_iter().map(|(k, f)| (k, f.value)).collect();
            let state = self.evaluate(&form, &load_answers(conn, draft_id)?, china_day(now()))?;
            facts.extend(state.facts().iter().cloned());
            Ok(eligibility::precheck(case.assistance_type, &facts, &figures))
        })
    }

    /// Everything that would stop `finalise`, in Chinese.
    pub fn validate_draft(&self, draft_id: Uuid) -> Result<Vec<FieldError>> {
        Ok(self.form_state(draft_id)?.errors)
    }

    /// Freezes the visit: builds the submission (client id, answers, base facts, media refs, fixes, signatures) and
    /// stores it in the outbox in the same transaction that makes the draft read-only. Refuses with every validation
    /// error if the form is incomplete. Returns the submission id.
    pub fn finalise(&self, draft_id: Uuid) -> Result<Uuid> {
        let (device_id, app_version) = (self.config.device_id.clone(), self.config.app_version.clone());
        self.with_conn(|conn, vault| {
            let tx = conn.transaction()?;
            let draft = load_open_draft(&tx, draft_id)?;
            let form = load_form(&tx, &draft.form_id, draft.form_version)?;
            let finalized_at = now();
            // Evaluated as of the day of finalising, as the server will; what is submitted is what the evaluator
            // keeps: irrelevant answers left out, calculations filled in.
            let state = self.evaluate(&form, &load_answers(&tx, draft_id)?, china_day(finalized_at))?;
            if !state.is_complete() {
                return Err(DeviceError::Validation(state.errors));
            }
            let answers = state.submission_answers().clone();
            let assignment = load_assignment(&tx, draft.assignment_id)?;
            let referenced = referenced_media(&form, &answers);
            // The contract's MediaRef is "the photo question the file answers": signatures travel as SignatureRef
            // (their blobs are uploaded the same way when the receipt lists them as missing).
            let photos: Vec<(String, String)> =
                referenced.iter().filter(|(q, _)| form.question(q).is_some_and(|q| q.kind == QuestionKind::Photo)).cloned().collect();
            let media = media_refs(&tx, draft_id, &photos)?;
            let signatures = signature_refs(&tx, draft_id, &answers)?;
            let submission = VisitSubmission {
                id: Uuid::new_v4(),
                assignment_id: draft.assignment_id,
                form_id: draft.form_id.clone(),
                form_version: draft.form_version,
                answers,
                base_facts: assignment.case.facts.iter().map(|(k, f)| (k.clone(), f.source_submission)).collect(),
                media,
                gps_fixes: load_fixes(&tx, draft_id)?,
                signatures,
                started_at: from_text(&draft.started_at)?,
                finalized_at,
                device_id,
                app_version,
            };
            outbox::insert(&tx, &submission, draft_id, finalized_at)?;
            tx.execute(
                "UPDATE drafts SET state = 'finalised', finalised_at = ?2, submission_id = ?3 WHERE id = ?1",
                params![draft_id.to_string(), to_text(finalized_at), submission.id.to_string()],
            )?;
            // Photos taken and then removed from the answer are not part of the visit: drop them now.
            let dropped = drop_unreferenced_media(&tx, draft_id, &referenced)?;
            tx.commit()?;
            remove_unreferenced_files(conn, vault, &dropped)?;
            Ok(submission.id)
        })
    }

    /// The frozen submission of a finalised draft, exactly as it is (or will be) sent.
    pub fn submission(&self, submission_id: Uuid) -> Result<VisitSubmission> {
        self.with_conn(|conn, _| outbox::submission(conn, submission_id))
    }
}

/// (question id, sha256) of every blob the answers refer to, in form order.
fn referenced_media(form: &FormDefinition, answers: &BTreeMap<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for q in &form.questions {
        match (q.kind, answers.get(&q.id)) {
            (QuestionKind::Photo, Some(Value::Array(items))) => {
                out.extend(items.iter().filter_map(Value::as_str).map(|s| (q.id.clone(), s.to_string())));
            }
            (QuestionKind::Signature, Some(Value::String(s))) => out.push((q.id.clone(), s.clone())),
            _ => {}
        }
    }
    out
}
