//! Device sync: a per-user change feed (pull) and immutable visit submissions (push).

pub mod feed;
pub mod pull;
pub mod push;
