//! The case records as stored, without HTTP: households and members, cases with their facts and steps, visit
//! assignments, published forms, submissions, the working-day calendar, and the per-user sync feed that tells each
//! phone what changed.

pub mod assignments;
pub mod calendar;
pub mod cases;
pub mod feed;
pub mod forms;
pub mod households;
pub mod submissions;
