//! Org scoping, in one place. A caller sees its own org unit and everything below it (district ⊃ township ⊃
//! village), decided by the materialised `org_path` every household, case, assignment and submission carries.
//!
//! Every list query on those tables filters with [`Scope::condition`] + [`Scope::bind`]; every single-record read
//! goes through `Caller::guard`. Out-of-scope access to a record that exists answers 403 `out_of_scope` (not 404: staff
//! following a stale link get a clear answer, and ids are random uuids, so nothing useful leaks) and writes an
//! `access.refused` audit event.

use sqlx::{Any, any::AnyArguments, query::Query};

#[derive(Debug, Clone)]
pub struct Scope {
    path: String,
}

impl Scope {
    pub fn new(path: &str) -> Self {
        Self { path: path.to_string() }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn contains(&self, path: &str) -> bool {
        ruhu_core::org::path_contains(&self.path, path)
    }

    /// SQL condition restricting `column` (an org path) to this scope, using placeholders `$first` and `$first+1`.
    pub fn condition(&self, column: &str, first: usize) -> String {
        format!("({column} = ${first} OR {column} LIKE ${})", first + 1)
    }

    /// Binds the two values [`Scope::condition`] expects, in order. (Org codes are alphanumeric, so no LIKE
    /// wildcards can hide in a path.)
    pub fn bind<'q>(&self, q: Query<'q, Any, AnyArguments<'q>>) -> Query<'q, Any, AnyArguments<'q>> {
        q.bind(self.path.clone()).bind(format!("{}/%", self.path))
    }
}
