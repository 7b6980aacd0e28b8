//! `RuhuDevice`: the engine as the apps see it. Every method converts ids and errors and calls the core.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ruhu_core::device::{CancelToken, Device, DeviceConfig};
use ruhu_core::protocol::GpsFix;
use uuid::Uuid;

use crate::error::{RuhuError, invalid};
use crate::keystore::{self, KeyStore};
use crate::records::*;
use crate::runtime;
use crate::sync::{ListenerProgress, SyncHandle, SyncListener};

#[derive(uniffi::Object)]
pub struct RuhuDevice {
    engine: Arc<Device>,
    data_dir: PathBuf,
}

impl RuhuDevice {
    pub(crate) fn engine(&self) -> &Device {
        &self.engine
    }
}

fn id(field: &str, raw: &str) -> Result<Uuid, RuhuError> {
    Uuid::from_str(raw).map_err(|_| invalid(field, "编号格式不正确"))
}

#[uniffi::export]
impl RuhuDevice {
    /// Opens the encrypted store in `settings.data_dir`, asking `keys` to unwrap its key (or to wrap a new one).
    #[uniffi::constructor]
    pub fn open(settings: DeviceSettings, keys: Arc<dyn KeyStore>) -> Result<Arc<Self>, RuhuError> {
        let data_dir = PathBuf::from(&settings.data_dir);
        let db_key = keystore::database_key(&data_dir, keys.as_ref())?;
        let engine = Device::open(DeviceConfig {
            data_dir: settings.data_dir,
            db_key,
            server_url: settings.server_url,
            device_id: settings.device_id,
            device_name: settings.device_name,
            app_version: settings.app_version,
        })?;
        Ok(Arc::new(Self { engine: Arc::new(engine), data_dir }))
    }

    pub async fn login(&self, username: String, password: String) -> Result<User, RuhuError> {
        let engine = self.engine.clone();
        runtime::spawn(async move { Ok(engine.login(&username, &password).await?.into()) }).await
    }

    /// Ends the session on the server (when reachable) and forgets the tokens; local work stays.
    pub async fn logout(&self) -> Result<(), RuhuError> {
        let engine = self.engine.clone();
        runtime::spawn(async move { Ok(engine.logout().await?) }).await
    }

    /// Deletes the store, every photo and signature, and the wrapped key. The object is unusable afterwards.
    pub fn wipe(&self) -> Result<(), RuhuError> {
        self.engine.wipe()?;
        keystore::forget(&self.data_dir);
        Ok(())
    }

    pub fn is_wiped(&self) -> bool {
        self.engine.is_wiped()
    }

    pub fn current_user(&self) -> Result<Option<User>, RuhuError> {
        Ok(self.engine.session()?.map(User::from))
    }

    pub fn assignments(&self) -> Result<Vec<AssignmentItem>, RuhuError> {
        Ok(self.engine.assignments()?.into_iter().map(AssignmentItem::from).collect())
    }

    pub fn assignment(&self, assignment_id: String) -> Result<AssignmentItem, RuhuError> {
        Ok(self.engine.assignment(id("assignment_id", &assignment_id)?)?.into())
    }

    pub fn household_members(&self, assignment_id: String) -> Result<Vec<Member>, RuhuError> {
        let local = self.engine.assignment(id("assignment_id", &assignment_id)?)?;
        Ok(local.assignment.household.members.into_iter().map(Member::from).collect())
    }

    /// The form definition as JSON (the format of `core/forms/`); the renderer model comes with the forms engine.
    pub fn form_json(&self, form_id: String, version: u32) -> Result<String, RuhuError> {
        let form = self.engine.form(&form_id, version)?;
        serde_json::to_string(&form).map_err(|e| RuhuError::Internal { message: e.to_string() })
    }

    /// Opens the draft of an assignment (creating it the first time).
    pub fn start_draft(&self, assignment_id: String) -> Result<Draft, RuhuError> {
        let draft = self.engine.start_draft(id("assignment_id", &assignment_id)?)?;
        Ok(self.engine.draft(draft)?.into())
    }

    /// Saves one answer at once (a killed app loses nothing). `value_json` is the answer as JSON: "\"文字\"", "3",
    /// "true", "[\"medical\"]", money as whole fen.
    pub fn set_answer(&self, draft_id: String, question_id: String, value_json: String) -> Result<(), RuhuError> {
        let value = serde_json::from_str(&value_json).map_err(|_| invalid(&question_id, "答案格式不正确"))?;
        Ok(self.engine.set_answer(id("draft_id", &draft_id)?, &question_id, value)?)
    }

    /// All answers of a draft as one JSON object keyed by question id.
    pub fn answers_json(&self, draft_id: String) -> Result<String, RuhuError> {
        let answers = self.engine.draft_answers(id("draft_id", &draft_id)?)?;
        serde_json::to_string(&answers).map_err(|e| RuhuError::Internal { message: e.to_string() })
    }

    /// Downscales, strips location from the file (keeping it as data), encrypts and stores a photo from `path`.
    pub fn import_photo(&self, draft_id: String, question_id: String, path: String) -> Result<Photo, RuhuError> {
        Ok(self.engine.import_photo(id("draft_id", &draft_id)?, &question_id, &path)?.into())
    }

    pub fn record_fix(&self, draft_id: String, fix: LocationFix) -> Result<(), RuhuError> {
        let taken_at = DateTime::<Utc>::from_timestamp_millis(fix.time_ms).ok_or_else(|| invalid("time_ms", "定位时间无效"))?;
        let fix = GpsFix { lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy_m, provider: fix.provider, mock: fix.mock, taken_at };
        Ok(self.engine.record_fix(id("draft_id", &draft_id)?, fix)?)
    }

    /// Metres from the best fix to the household's known location, when both exist.
    pub fn distance_to_household(&self, draft_id: String) -> Result<Option<f64>, RuhuError> {
        Ok(self.engine.distance_to_household(id("draft_id", &draft_id)?)?)
    }

    /// Stores a signature image (PNG) for a signer; returns its sha256.
    pub fn add_signature(
        &self,
        draft_id: String,
        signer: Signer,
        signer_name: String,
        signer_user_id: Option<String>,
        png_path: String,
    ) -> Result<String, RuhuError> {
        let user = signer_user_id.map(|u| id("signer_user_id", &u)).transpose()?;
        Ok(self.engine.add_signature(id("draft_id", &draft_id)?, signer.into(), &signer_name, user, &png_path)?)
    }

    /// What to render after each answer: every question (and each row of a repeat group, `members[1].age`) with
    /// whether it is shown and required, its value (calculations included), its problems, and the value the case
    /// already holds for it (上次记录 / 原记录), in document order.
    pub fn form_state(&self, draft_id: String) -> Result<FormView, RuhuError> {
        let draft = id("draft_id", &draft_id)?;
        let mut view = FormView::from(self.engine.form_state(draft)?);
        let case_values = self.engine.case_values(draft)?;
        for q in &mut view.questions {
            q.case_value_json = case_values.get(&q.path).map(|v| v.to_string());
        }
        Ok(view)
    }

    /// The eligibility pre-check for the end of a 低保 / 低保边缘 / 特困 visit (offline); None for other types or while the
    /// facts it needs (household size and income; the applicant's age) are missing.
    pub fn eligibility(&self, draft_id: String) -> Result<Option<EligibilityAdvice>, RuhuError> {
        Ok(self.engine.eligibility(id("draft_id", &draft_id)?)?.map(EligibilityAdvice::from))
    }

    pub fn validate_draft(&self, draft_id: String) -> Result<Vec<FieldProblem>, RuhuError> {
        Ok(self.engine.validate_draft(id("draft_id", &draft_id)?)?.into_iter().map(FieldProblem::from).collect())
    }

    /// Freezes the draft into the outbox; returns the submission id.
    pub fn finalise(&self, draft_id: String) -> Result<String, RuhuError> {
        Ok(self.engine.finalise(id("draft_id", &draft_id)?)?.to_string())
    }

    pub fn outbox(&self) -> Result<Vec<OutboxItem>, RuhuError> {
        Ok(self.engine.outbox()?.into_iter().map(OutboxItem::from).collect())
    }

    /// Starts a sync (push the outbox and its photos, then pull); returns at once with a handle to cancel or wait.
    pub fn start_sync(&self, listener: Arc<dyn SyncListener>) -> Arc<SyncHandle> {
        let cancel = CancelToken::new();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let engine = self.engine.clone();
        let token = cancel.clone();
        let progress = Arc::new(ListenerProgress(listener));
        let job = runtime::spawn(async move { Ok(engine.sync(progress, token).await?.into()) });
        let data_dir = self.data_dir.clone();
        runtime::detach(async move {
            let result = job.await;
            // The engine has wiped the store of a revoked device; its wrapped key goes with it.
            if matches!(result, Err(RuhuError::Revoked { .. })) {
                keystore::forget(&data_dir);
            }
            let _ = tx.send(result);
        });
        Arc::new(SyncHandle::new(cancel, rx))
    }

    /// Sync and wait for it (for callers that do not need to cancel).
    pub async fn sync(&self, listener: Arc<dyn SyncListener>) -> Result<SyncSummary, RuhuError> {
        self.start_sync(listener).wait().await
    }
}
