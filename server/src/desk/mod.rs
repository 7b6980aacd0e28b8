//! The desk: the HTTP API that the web console (and any integration) uses over the records and the workflow — cases,
//! households, assignments, visit review and media, conflicts, visit progress, the map, the calendar and the policy,
//! forms, and administration.

pub mod administration;
pub mod assignments;
pub mod calendar;
pub mod cases;
pub mod conflicts;
pub mod forms;
pub mod households;
pub mod map;
pub mod media;
pub mod org_units;
pub mod policy;
pub mod progress;
pub mod visit_review;
