-- Case workflow (issue #4). The workflow state of a case is the JSON of ruhu_core::workflow::CaseState; `step` keeps
-- mirroring its stage for lists, `next_due_date` is the earliest open due date (NULL when none or not computable).
-- `workflow_version` guards concurrent actions (compare-and-set). The other tables are projections written in the
-- same transaction as the transition, for district lists and joins.

ALTER TABLE cases ADD COLUMN workflow TEXT;
ALTER TABLE cases ADD COLUMN workflow_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN next_due_date TEXT;

-- 近亲属备案: a staff or village-committee member declares a near relative by resident ID.
CREATE TABLE near_relative_declarations (
    id TEXT PRIMARY KEY,
    declarant_user_id TEXT NOT NULL REFERENCES users(id),
    relative_resident_id TEXT NOT NULL,
    relation TEXT NOT NULL,
    -- The declarant's org path (scoping).
    org_path TEXT NOT NULL,
    declared_by TEXT NOT NULL REFERENCES users(id),
    declared_at TEXT NOT NULL,
    UNIQUE (declarant_user_id, relative_resident_id)
);
CREATE INDEX near_relative_declarations_rid ON near_relative_declarations(relative_resident_id);

CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    seq BIGINT NOT NULL,
    received_on TEXT NOT NULL,
    real_name BIGINT NOT NULL,
    reporter_name TEXT,
    summary TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    org_path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    feedback_on TEXT,
    UNIQUE (case_id, seq)
);

-- Every township decision reaches the district as a filing (审核确认备案).
CREATE TABLE filings (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    decided_by TEXT NOT NULL REFERENCES users(id),
    decided_on TEXT NOT NULL,
    org_path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    filed_by TEXT REFERENCES users(id),
    filed_on TEXT,
    remarks TEXT
);
CREATE INDEX filings_path ON filings(org_path);
CREATE INDEX filings_case ON filings(case_id);

-- 提级复核 (一事一议).
CREATE TABLE escalations (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    reason TEXT NOT NULL,
    automatic BIGINT NOT NULL,
    raised_by TEXT NOT NULL REFERENCES users(id),
    raised_on TEXT NOT NULL,
    org_path TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_on TEXT,
    decision TEXT
);
CREATE INDEX escalations_case ON escalations(case_id);

-- The district's yearly spot-check runs (抽查复核), reproducible from the recorded seed.
CREATE TABLE spot_check_runs (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL,
    seed TEXT NOT NULL,
    rate TEXT NOT NULL,
    rounding TEXT NOT NULL,
    strata TEXT NOT NULL,
    org_path TEXT NOT NULL,
    run_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    revisit_error TEXT
);

CREATE TABLE spot_check_samples (
    run_id TEXT NOT NULL REFERENCES spot_check_runs(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    township_code TEXT NOT NULL,
    reasons TEXT NOT NULL,
    -- JSON array of the user ids planned for the re-visit (never the original investigators), or NULL.
    revisitors TEXT,
    PRIMARY KEY (run_id, household_id)
);
