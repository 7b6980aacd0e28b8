//! Device sync as a straight line: a phone pushes its finalised visits (`push`), uploads the files they need
//! (`uploads`), and each visit with all its files merges into its case (`merge`); then it pulls its slice of the
//! records (`pull`, each assignment as a `snapshot`).

pub mod merge;
pub mod pull;
pub mod push;
pub mod snapshot;
pub mod uploads;
