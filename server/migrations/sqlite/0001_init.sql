-- Ruhu server schema, SQLite flavour. Conventions shared with the PostgreSQL flavour so one query text serves both:
-- uuids TEXT, timestamps TEXT (RFC 3339 UTC, fixed microsecond precision, so they sort), JSON TEXT, booleans BIGINT 0/1.

CREATE TABLE org_units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_code TEXT REFERENCES org_units(code),
    path TEXT NOT NULL UNIQUE,
    demo BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    org_code TEXT NOT NULL REFERENCES org_units(code),
    enabled BIGINT NOT NULL DEFAULT 1,
    demo BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    installation_id TEXT NOT NULL,
    name TEXT,
    app_version TEXT,
    registered_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT,
    UNIQUE (user_id, installation_id)
);

CREATE TABLE login_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    device_id TEXT NOT NULL REFERENCES devices(id),
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_reason TEXT
);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES login_sessions(id),
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    successor_hash TEXT,
    invalidated_at TEXT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE forms (
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    published BIGINT NOT NULL DEFAULT 1,
    published_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE households (
    id TEXT PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES org_units(code),
    org_path TEXT NOT NULL,
    head_name TEXT NOT NULL,
    address TEXT NOT NULL,
    lat REAL,
    lon REAL,
    demo BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX households_path ON households(org_path);

CREATE TABLE members (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    -- One person, one household in the whole district.
    resident_id TEXT NOT NULL UNIQUE,
    relation TEXT NOT NULL
);
CREATE INDEX members_household ON members(household_id);

CREATE TABLE case_counters (
    prefix TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_no BIGINT NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL UNIQUE,
    household_id TEXT NOT NULL REFERENCES households(id),
    assistance_type TEXT NOT NULL,
    step TEXT NOT NULL,
    township_code TEXT NOT NULL,
    village_code TEXT NOT NULL,
    org_path TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_path ON cases(org_path);
CREATE INDEX cases_household ON cases(household_id);

CREATE TABLE case_facts (
    case_id TEXT NOT NULL REFERENCES cases(id),
    fact_key TEXT NOT NULL,
    value TEXT NOT NULL,
    source_submission TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (case_id, fact_key)
);

CREATE TABLE case_steps (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    actor_user_id TEXT REFERENCES users(id),
    at TEXT NOT NULL,
    due_date TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX case_steps_case ON case_steps(case_id, at);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    status TEXT NOT NULL,
    due_date TEXT NOT NULL,
    form_id TEXT NOT NULL,
    form_version BIGINT NOT NULL,
    investigator1 TEXT NOT NULL REFERENCES users(id),
    investigator2 TEXT NOT NULL REFERENCES users(id),
    assigned_by TEXT NOT NULL REFERENCES users(id),
    org_path TEXT NOT NULL,
    completed_submission TEXT,
    cancel_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX assignments_case ON assignments(case_id);
CREATE INDEX assignments_path ON assignments(org_path);

-- Everyone who was ever named on an assignment: tells "reassigned away" from "never assigned".
CREATE TABLE assignment_history (
    assignment_id TEXT NOT NULL REFERENCES assignments(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    first_assigned_at TEXT NOT NULL,
    PRIMARY KEY (assignment_id, user_id)
);

CREATE TABLE submissions (
    id TEXT PRIMARY KEY,
    assignment_id TEXT NOT NULL REFERENCES assignments(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    org_path TEXT NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES users(id),
    device_id TEXT NOT NULL REFERENCES devices(id),
    -- JSON array of the assignment's two investigators when the submission arrived.
    investigators TEXT NOT NULL,
    form_id TEXT NOT NULL,
    form_version BIGINT NOT NULL,
    content_hash TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    received_at TEXT NOT NULL,
    merged_at TEXT
);
CREATE INDEX submissions_case ON submissions(case_id);
CREATE INDEX submissions_state ON submissions(state);

CREATE TABLE submission_media (
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    sha256 TEXT NOT NULL,
    PRIMARY KEY (submission_id, sha256)
);
CREATE INDEX submission_media_sha ON submission_media(sha256);

CREATE TABLE media_objects (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE uploads (
    sha256 TEXT PRIMARY KEY,
    length BIGINT NOT NULL,
    upload_offset BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE visits (
    submission_id TEXT PRIMARY KEY REFERENCES submissions(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    assignment_id TEXT NOT NULL REFERENCES assignments(id),
    best_fix TEXT,
    distance_m REAL,
    any_mock BIGINT NOT NULL,
    merged_at TEXT NOT NULL
);
CREATE INDEX visits_case ON visits(case_id);

CREATE TABLE conflicts (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    fact_key TEXT NOT NULL,
    current_value TEXT NOT NULL,
    current_source TEXT,
    proposed_value TEXT NOT NULL,
    proposed_source TEXT NOT NULL REFERENCES submissions(id),
    created_at TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX conflicts_case ON conflicts(case_id);

-- Per-user sync mailbox, compacted to one row per (user, kind, entity). AUTOINCREMENT: a deleted top seq is never
-- reused, so a device's cursor can never point past a row it has not seen.
CREATE TABLE sync_feed (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    UNIQUE (user_id, kind, entity_id)
);
CREATE INDEX sync_feed_user_seq ON sync_feed(user_id, seq);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id TEXT,
    device_id TEXT,
    action TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    org_path TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
