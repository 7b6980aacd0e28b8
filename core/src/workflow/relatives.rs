//! Near relatives (近亲属备案, 57号 第十一条): staff and village-committee members declare their relatives; a case whose
//! co-resident members include a declared relative, under a relation the policy counts, is filed separately, gets a
//! 100 % district visit, and the declarant may neither be assigned to it nor decide it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    policy::{Policy, Relation},
    resident_id::mask,
};

/// One declaration: `declarant` is a near relative (`relation`, seen from the declarant) of the person with
/// `relative_resident_id`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    pub declarant: Uuid,
    pub relative_resident_id: String,
    pub relation: Relation,
}

/// A co-resident member of the household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member<'a> {
    pub name: &'a str,
    pub resident_id: &'a str,
}

/// A declared relative found among a household's members (ID masked: this goes into lists and logs).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelativeMatch {
    pub declarant: Uuid,
    pub relation: Relation,
    pub member_name: String,
    pub member_resident_id_masked: String,
}

fn same_id(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The declarations that hit one of `members` under a relation `policy` counts as near.
pub fn matches(declarations: &[Declaration], members: &[Member<'_>], policy: &Policy) -> Vec<RelativeMatch> {
    let counted = policy.near_relative_relations();
    let mut out = Vec::new();
    for d in declarations.iter().filter(|d| counted.contains(&d.relation)) {
        for m in members.iter().filter(|m| same_id(m.resident_id, &d.relative_resident_id)) {
            out.push(RelativeMatch {
                declarant: d.declarant,
                relation: d.relation,
                member_name: m.name.to_string(),
                member_resident_id_masked: mask(m.resident_id),
            });
        }
    }
    out
}

/// The users who must stay out of the case (回避), each once.
pub fn declarants(matches: &[RelativeMatch]) -> Vec<Uuid> {
    let mut out: Vec<Uuid> = Vec::new();
    for m in matches {
        if !out.contains(&m.declarant) {
            out.push(m.declarant);
        }
    }
    out
}

/// A relation word the policy counts (for validating a declaration before it is stored).
pub fn counted_relation(policy: &Policy, relation: &str) -> Option<Relation> {
    Relation::parse(relation).filter(|r| policy.near_relative_relations().contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resident_id::make_resident_id;

    #[test]
    fn a_declared_relative_among_the_members_is_found_and_masked() {
        let policy = Policy::huaxi();
        let mother = make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1955, 3, 4).unwrap(), 7).as_str().to_string();
        let other = make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(1990, 1, 2).unwrap(), 8).as_str().to_string();
        let staff = Uuid::new_v4();
        let decl = vec![
            Declaration { declarant: staff, relative_resident_id: mother.to_lowercase(), relation: Relation::Parents },
            Declaration { declarant: Uuid::new_v4(), relative_resident_id: "520111199901010000".into(), relation: Relation::Siblings },
        ];
        let members = [Member { name: "张桂兰", resident_id: &mother }, Member { name: "李强", resident_id: &other }];
        let found = matches(&decl, &members, &policy);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].declarant, staff);
        assert_eq!(found[0].member_name, "张桂兰");
        assert!(!found[0].member_resident_id_masked.contains(&mother[6..14]), "masked");
        assert_eq!(declarants(&found), vec![staff]);
        assert!(matches(&decl, &members[1..], &policy).is_empty());
        assert_eq!(counted_relation(&policy, "spouse"), Some(Relation::Spouse));
        assert_eq!(counted_relation(&policy, "cousins"), None);
    }
}
