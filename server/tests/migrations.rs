//! The two migration folders (one per backend) describe one schema: the same versions in the same order, and every
//! migration the same text on both, except the ones that say in their first line that they are written per backend
//! ("… flavour"), where the SQL dialects must differ (column types, sequences, triggers).
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

use std::{collections::BTreeMap, path::Path};

fn migrations(backend: &str) -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

fn per_backend(text: &str) -> bool {
    text.lines().next().is_some_and(|l| l.starts_with("--") && l.contains("flavour"))
}

#[test]
fn both_backends_have_the_same_migrations_and_the_shared_ones_are_identical() {
    let (sqlite, postgres) = (migrations("sqlite"), migrations("postgres"));
    assert!(!sqlite.is_empty(), "migrations were read");
    assert_eq!(sqlite.keys().collect::<Vec<_>>(), postgres.keys().collect::<Vec<_>>(), "the same versions on both backends");
    for (name, lite) in &sqlite {
        let pg = &postgres[name];
        if per_backend(lite) && per_backend(pg) {
            continue;
        }
        assert_eq!(lite, pg, "{name} differs between sqlite/ and postgres/ but does not say it is written per backend");
    }
}
