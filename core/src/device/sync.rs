//! One sync run: push finalised visits, upload the media the server is missing, push again to get them merged,
//! then pull the user's slice page by page from the stored cursor.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use rusqlite::params;
use uuid::Uuid;

use super::Device;
use super::client::API;
use super::error::{DeviceError, Result};
use super::local::purge_finished_orphans;
use super::store::evidence::remove_unreferenced_files;
use super::store::outbox::{self, Pending};
use super::time::{now, to_text};
use super::types::*;
use super::upload::SyncCtx;
use crate::protocol::{PullPage, SubmissionReceipt, SubmissionState};

enum PushOutcome {
    Merged,
    AwaitingMedia(Vec<String>),
    Rejected,
    /// Not accepted for a reason that is not about the visit; stays pending.
    Kept,
}

impl Device {
    /// Runs a full sync with default options.
    pub async fn sync(&self, progress: Arc<dyn SyncProgress>, cancel: CancelToken) -> Result<SyncReport> {
        self.sync_with(progress, cancel, SyncOptions::default()).await
    }

    /// Runs a full sync. Safe to interrupt anywhere (cancel, network loss, app kill): every step is stored as it
    /// completes and the next run continues from there.
    pub async fn sync_with(&self, progress: Arc<dyn SyncProgress>, cancel: CancelToken, options: SyncOptions) -> Result<SyncReport> {
        let _one_sync = self.sync_lock.lock().await;
        if self.session()?.is_none() {
            return Err(DeviceError::NotLoggedIn);
        }
        let ctx =
            SyncCtx { counters: Default::default(), progress, cancel, options, chunks_sent: AtomicU32::new(0), uploaded_bytes: AtomicU64::new(0) };
        let mut report = SyncReport::default();
        let result = self.sync_steps(&ctx, &mut report).await;
        report.chunks_sent = ctx.chunks_sent.load(Ordering::SeqCst);
        report.uploaded_bytes = ctx.uploaded_bytes.load(Ordering::SeqCst);
        report.round_trips = ctx.counters.round_trips.load(Ordering::SeqCst);
        report.bytes_received = ctx.counters.bytes_received.load(Ordering::SeqCst);
        result.map(|()| report)
    }

    async fn sync_steps(&self, ctx: &SyncCtx, report: &mut SyncReport) -> Result<()> {
        // (1) push every finalised visit not yet merged.
        let mut awaiting: Vec<(Pending, Vec<String>)> = Vec::new();
        for item in self.pending_submissions()? {
            ctx.check_cancel()?;
            match self.push(ctx, &item, report).await? {
                PushOutcome::AwaitingMedia(missing) => awaiting.push((item, missing)),
                PushOutcome::Merged | PushOutcome::Rejected | PushOutcome::Kept => {}
            }
        }

        // (2) upload what the server said it is missing, each blob once even if several visits share it.
        let wanted: BTreeSet<&String> = awaiting.iter().flat_map(|(_, m)| m.iter()).collect();
        let mut uploaded: HashMap<String, bool> = HashMap::new();
        for sha in wanted {
            ctx.check_cancel()?;
            match self.upload_media(ctx, sha).await {
                Ok(_) => {
                    report.media_uploaded += 1;
                    uploaded.insert(sha.clone(), true);
                }
                Err(DeviceError::NotFound(_)) => {
                    // The blob is gone from this phone (should not happen): the visit cannot complete; say so.
                    uploaded.insert(sha.clone(), false);
                    for (item, missing) in &awaiting {
                        if missing.contains(sha) {
                            self.note_error(item.submission_id, "media_missing_locally", "本机缺少照片或签名文件，无法完成上传")?;
                        }
                    }
                }
                Err(e) => return Err(e),
            }
        }

        // (3) push again so the server merges the now complete visits.
        for (item, missing) in &awaiting {
            ctx.check_cancel()?;
            if missing.iter().all(|m| uploaded.get(m).copied().unwrap_or(false)) {
                self.push(ctx, item, report).await?;
            }
        }
        self.with_conn(|conn, vault| {
            let tx = conn.transaction()?;
            let removed = purge_finished_orphans(&tx)?;
            tx.commit()?;
            remove_unreferenced_files(conn, vault, &removed)
        })?;

        // (4) pull from the stored cursor; each page is applied with its cursor in one transaction.
        loop {
            ctx.check_cancel()?;
            let since = self.sync_cursor()?;
            let path = format!("{API}/sync/pull?since={since}&limit={}", ctx.options.page_limit.max(1));
            let reply = self.send_authed(&ctx.counters, |token| self.http.authed(Method::GET, &path, token)).await?;
            if !reply.ok() {
                return Err(reply.error());
            }
            let page: PullPage = reply.json()?;
            let outcome = self.apply_pull_page(&page)?;
            report.pages_pulled += 1;
            report.changes_applied += outcome.changes_applied;
            report.deleted_assignments += outcome.deleted_assignments;
            ctx.progress.on_page(report.pages_pulled, report.changes_applied);
            // A server that says "more" without moving the cursor would loop forever.
            if !page.has_more || page.next_cursor <= since {
                break;
            }
        }
        Ok(())
    }

    fn pending_submissions(&self) -> Result<Vec<Pending>> {
        self.with_conn(|conn, _| outbox::pending(conn))
    }

    /// Sends one frozen submission (the stored JSON, byte for byte: a replay is the same content) and records the
    /// server's answer.
    async fn push(&self, ctx: &SyncCtx, item: &Pending, report: &mut SyncReport) -> Result<PushOutcome> {
        self.with_conn(|conn, _| {
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, updated_at = ?2 WHERE submission_id = ?1",
                params![item.submission_id.to_string(), to_text(now())],
            )?;
            Ok(())
        })?;
        let path = format!("{API}/sync/submissions");
        let reply = self
            .send_authed(&ctx.counters, |token| {
                self.http.authed(Method::POST, &path, token).header(CONTENT_TYPE, "application/json").body(item.payload.clone())
            })
            .await?;
        report.pushed += 1;
        if reply.ok() {
            let receipt: SubmissionReceipt = reply.json()?;
            let (state, outcome) = match receipt.state {
                SubmissionState::Merged => (OutboxState::Sent, PushOutcome::Merged),
                SubmissionState::AwaitingMedia => (OutboxState::AwaitingMedia, PushOutcome::AwaitingMedia(receipt.missing_media.clone())),
            };
            if state == OutboxState::Sent {
                report.merged += 1;
            }
            self.with_conn(|conn, _| {
                conn.execute(
                    "UPDATE outbox SET state = ?2, receipt = ?3, last_error_code = NULL, last_error = NULL, updated_at = ?4
                     WHERE submission_id = ?1",
                    params![item.submission_id.to_string(), state.as_str(), serde_json::to_string(&receipt)?, to_text(now())],
                )?;
                Ok(())
            })?;
            return Ok(outcome);
        }
        let problem = reply.problem();
        // Busy or broken server: keep the visit pending and stop this run; it is retried next time.
        if reply.status >= 500 || reply.status == 408 || reply.status == 429 {
            self.note_error(item.submission_id, &problem.code, &problem.message)?;
            return Err(reply.error());
        }
        // Anything that is not a verdict on the visit itself (404 from a wrong URL or proxy, 400 unsupported_protocol
        // until the app is updated, 413, …) keeps it pending with the message: a visit is never dropped for that.
        if !matches!(reply.status, 403 | 409 | 410 | 422) {
            self.note_error(item.submission_id, &problem.code, &problem.message)?;
            return Ok(PushOutcome::Kept);
        }
        // A verdict (409 conflict / cancelled / reassigned, 422 invalid, 403 not assigned) will not change by
        // retrying: keep the server's Chinese message for the user and stop sending this one.
        self.with_conn(|conn, _| {
            conn.execute(
                "UPDATE outbox SET state = 'rejected', last_error_code = ?2, last_error = ?3, updated_at = ?4 WHERE submission_id = ?1",
                params![item.submission_id.to_string(), problem.code, problem.message, to_text(now())],
            )?;
            Ok(())
        })?;
        report.rejected.push(RejectedSubmission {
            submission_id: item.submission_id,
            assignment_id: item.assignment_id,
            code: problem.code,
            message: problem.message,
        });
        Ok(PushOutcome::Rejected)
    }

    fn note_error(&self, submission_id: Uuid, code: &str, message: &str) -> Result<()> {
        self.with_conn(|conn, _| {
            conn.execute(
                "UPDATE outbox SET last_error_code = ?2, last_error = ?3, updated_at = ?4 WHERE submission_id = ?1",
                params![submission_id.to_string(), code, message, to_text(now())],
            )?;
            Ok(())
        })
    }
}
