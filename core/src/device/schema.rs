//! The local schema, versioned with `PRAGMA user_version`. Each migration moves the store from version N to N+1 and
//! runs in its own transaction together with the version bump, so a kill mid-migration leaves the old version intact.

use rusqlite::Connection;

use super::error::Result;

/// Migration `i` takes the store from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[V1];

pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- The logged-in user and the tokens; one row at most.
CREATE TABLE session (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    user_id             TEXT NOT NULL,
    user_json           TEXT NOT NULL,
    access_token        TEXT NOT NULL,
    access_expires_at   TEXT NOT NULL,
    refresh_token       TEXT NOT NULL,
    refresh_expires_at  TEXT NOT NULL,
    logged_in_at        TEXT NOT NULL
);

CREATE TABLE sync_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    cursor         INTEGER NOT NULL DEFAULT 0,
    last_pull_at   TEXT
);
INSERT INTO sync_state (id, cursor) VALUES (1, 0);

CREATE TABLE assignments (
    id             TEXT PRIMARY KEY,
    status         TEXT NOT NULL,
    due_date       TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    case_no        TEXT NOT NULL,
    household_id   TEXT NOT NULL,
    head_name      TEXT NOT NULL,
    village_name   TEXT NOT NULL,
    form_id        TEXT NOT NULL,
    form_version   INTEGER NOT NULL,
    updated_at     TEXT NOT NULL,
    snapshot       TEXT NOT NULL
);
CREATE INDEX assignments_by_due ON assignments (status, due_date);

CREATE TABLE forms (
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    title       TEXT NOT NULL,
    definition  TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE drafts (
    id             TEXT PRIMARY KEY,
    assignment_id  TEXT NOT NULL,
    form_id        TEXT NOT NULL,
    form_version   INTEGER NOT NULL,
    started_at     TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('open', 'finalised')),
    finalised_at   TEXT,
    submission_id  TEXT
);
CREATE INDEX drafts_by_assignment ON drafts (assignment_id, state);

CREATE TABLE draft_answers (
    draft_id     TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    question_id  TEXT NOT NULL,
    value        TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (draft_id, question_id)
);

-- One row per (draft, blob). The encrypted file is shared when the same bytes are used twice.
CREATE TABLE media (
    draft_id      TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    sha256        TEXT NOT NULL,
    question_id   TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('photo', 'signature')),
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    width         INTEGER,
    height        INTEGER,
    taken_at      TEXT,
    exif_lat      REAL,
    exif_lon      REAL,
    file_name     TEXT NOT NULL,
    uploaded      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (draft_id, sha256)
);
CREATE INDEX media_by_sha ON media (sha256);

CREATE TABLE gps_fixes (
    id          INTEGER PRIMARY KEY,
    draft_id    TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    accuracy_m  REAL NOT NULL,
    provider    TEXT NOT NULL,
    mock        INTEGER NOT NULL,
    taken_at    TEXT NOT NULL
);
CREATE INDEX gps_fixes_by_draft ON gps_fixes (draft_id);

CREATE TABLE signatures (
    draft_id        TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    role            TEXT NOT NULL,
    question_id     TEXT NOT NULL,
    signer_name     TEXT NOT NULL,
    signer_user_id  TEXT,
    media_sha256    TEXT NOT NULL,
    signed_at       TEXT NOT NULL,
    PRIMARY KEY (draft_id, role)
);

-- Finalised submissions, frozen as the exact JSON that is sent (so a replay is byte-for-byte the same content).
CREATE TABLE outbox (
    submission_id    TEXT PRIMARY KEY,
    draft_id         TEXT NOT NULL,
    assignment_id    TEXT NOT NULL,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'awaiting_media', 'sent', 'rejected')),
    receipt          TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error_code  TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX outbox_by_state ON outbox (state, created_at);
"#;

/// Brings the store up to [`CURRENT_VERSION`]. Refuses a store written by a newer app (downgrade).
pub fn migrate(conn: &mut Connection) -> Result<u32> {
    let from: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if from > CURRENT_VERSION {
        return Err(super::DeviceError::Storage(format!("store schema version {from} is newer than this app ({CURRENT_VERSION}); update the app")));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(from)
}
