-- A merged district re-visit (抽查复核) does not change the case's facts: its findings are kept here next to the
-- case facts it was checked against (as they stood when it merged), for the district's comparison.
CREATE TABLE revisit_findings (
    submission_id TEXT PRIMARY KEY REFERENCES submissions(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    assignment_id TEXT NOT NULL REFERENCES assignments(id),
    -- JSON object: fact key -> the case's value before the re-visit (null when the case had none).
    original TEXT NOT NULL,
    -- JSON object: fact key -> the re-visit's value.
    findings TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX revisit_findings_case ON revisit_findings(case_id);
