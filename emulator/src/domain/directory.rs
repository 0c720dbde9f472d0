//! Who belongs to which department and group, and the one rule for whether an entity entry
//! (of an app, record or field permission, or of a space's members) names a user.
//!
//! Memberships are seeded and never change while the emulator runs, so each user's
//! departments are resolved once at start, those above them included: deciding an entry costs
//! a look at a short list, never a walk up the department tree.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::domain::seed::{EntitySeed, OrganizationSeed, UserSeed};

/// The user kintone records API-token writes as, present on every domain.
pub const ADMINISTRATOR: &str = "Administrator";

/// The group every user belongs to; kintone ranks its entry last wherever it is placed.
pub const EVERYONE: &str = "everyone";

/// Every user's memberships.
#[derive(Debug, Default)]
pub struct Directory {
    members: HashMap<String, Arc<Membership>>,
}

/// One user's groups and departments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Membership {
    groups: Vec<String>,
    /// The departments the user belongs to.
    departments: Vec<String>,
    /// Those and every department above them.
    within: Vec<String>,
}

impl Membership {
    /// The user's primary department: the first one the user's seed lists (the emulator's
    /// assumption; kintone's user settings name it), which `PRIMARY_ORGANIZATION()` stands for.
    pub fn primary_department(&self) -> Option<&str> {
        self.departments.first().map(String::as_str)
    }
}

impl Directory {
    /// Reads the seeds' memberships; a department or group no seed defines, or departments
    /// that are each other's parents, are an error.
    pub fn new(
        users: &[UserSeed],
        organizations: &[OrganizationSeed],
        groups: &[EntitySeed],
    ) -> Result<Directory, String> {
        let parents: HashMap<&str, Option<&str>> = organizations
            .iter()
            .map(|o| (o.code.as_str(), o.parent.as_deref()))
            .collect();
        for o in organizations {
            if let Some(p) = &o.parent {
                if !parents.contains_key(p.as_str()) {
                    return Err(format!(
                        "the organization {} has the parent {p}, which is no organization",
                        o.code
                    ));
                }
            }
        }
        let groups: HashSet<&str> = groups.iter().map(|g| g.code.as_str()).collect();
        let mut members = HashMap::new();
        for user in users {
            if user.organizations.is_empty() && user.groups.is_empty() {
                continue;
            }
            for g in &user.groups {
                if g != EVERYONE && !groups.contains(g.as_str()) {
                    return Err(format!(
                        "the user {} belongs to the group {g}, which is no group",
                        user.login
                    ));
                }
            }
            let mut within: Vec<String> = Vec::new();
            for o in &user.organizations {
                let mut at = Some(o.as_str());
                let mut steps = 0;
                while let Some(code) = at {
                    let parent = parents.get(code).ok_or_else(|| {
                        format!(
                            "the user {} belongs to the organization {code}, which is no organization",
                            user.login
                        )
                    })?;
                    if steps > parents.len() {
                        return Err(format!("the organization {code} is among its own parents"));
                    }
                    if !within.iter().any(|w| w == code) {
                        within.push(code.to_string());
                    }
                    at = *parent;
                    steps += 1;
                }
            }
            members.insert(
                user.login.clone(),
                Arc::new(Membership {
                    groups: user.groups.clone(),
                    departments: user.organizations.clone(),
                    within,
                }),
            );
        }
        // A cycle no user's departments reach is refused too: a later seed may add such a user.
        for o in organizations {
            let mut at = o.parent.as_deref();
            let mut steps = 0;
            while let Some(code) = at {
                if code == o.code || steps > parents.len() {
                    return Err(format!(
                        "the organization {} is among its own parents",
                        o.code
                    ));
                }
                at = parents[code];
                steps += 1;
            }
        }
        Ok(Directory { members })
    }

    /// `login`'s memberships, `None` for a user who has none.
    pub fn membership(&self, login: &str) -> Option<&Arc<Membership>> {
        self.members.get(login)
    }
}

/// Whether an entity of type `kind` and code `code` names the user `login`, whose memberships
/// are `membership`: a `USER` entity the user themself, a `GROUP` its members (`everyone`
/// every user), an `ORGANIZATION` its members, and with `include_subs` the members of the
/// departments below it too. Other types (`CREATOR`, `FIELD_ENTITY`) depend on the app or the
/// record, which the caller resolves to one of these.
pub fn names(
    login: &str,
    membership: Option<&Membership>,
    kind: &str,
    code: &str,
    include_subs: bool,
) -> bool {
    match kind {
        "USER" => code == login,
        "GROUP" => {
            code == EVERYONE || membership.is_some_and(|m| m.groups.iter().any(|g| g == code))
        }
        "ORGANIZATION" => membership.is_some_and(|m| {
            let departments = if include_subs {
                &m.within
            } else {
                &m.departments
            };
            departments.iter().any(|d| d == code)
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(code: &str, parent: Option<&str>) -> OrganizationSeed {
        OrganizationSeed {
            code: code.into(),
            name: code.into(),
            parent: parent.map(Into::into),
        }
    }

    fn group(code: &str) -> EntitySeed {
        EntitySeed {
            code: code.into(),
            name: code.into(),
        }
    }

    fn tree() -> Vec<OrganizationSeed> {
        vec![
            org("corp", None),
            org("sales", Some("corp")),
            org("sales-east", Some("sales")),
            org("dev", Some("corp")),
        ]
    }

    #[test]
    fn departments_above_count_only_with_include_subs() {
        let users = [
            UserSeed::new("east", "pw").organization("sales-east"),
            UserSeed::new("lead", "pw")
                .organization("sales")
                .group("leads"),
        ];
        let d = Directory::new(&users, &tree(), &[group("leads")]).unwrap();
        let east = d.membership("east").map(|m| &**m);
        assert!(names("east", east, "ORGANIZATION", "sales-east", false));
        assert!(!names("east", east, "ORGANIZATION", "sales", false));
        assert!(names("east", east, "ORGANIZATION", "sales", true));
        assert!(names("east", east, "ORGANIZATION", "corp", true));
        assert!(!names("east", east, "ORGANIZATION", "dev", true));
        assert!(!names("east", east, "GROUP", "leads", false));
        assert!(names("east", east, "GROUP", EVERYONE, false));
        let lead = d.membership("lead").map(|m| &**m);
        assert!(names("lead", lead, "GROUP", "leads", false));
        assert!(!names("lead", lead, "ORGANIZATION", "sales-east", true));
        assert!(names("nobody", None, "USER", "nobody", false));
        assert!(!names("nobody", None, "ORGANIZATION", "corp", true));
        assert!(!names("nobody", None, "CREATOR", "nobody", false));
    }

    #[test]
    fn unknown_codes_and_cycles_are_refused() {
        let none: &[EntitySeed] = &[];
        let lost = [UserSeed::new("a", "pw").organization("nowhere")];
        assert!(Directory::new(&lost, &tree(), none)
            .unwrap_err()
            .contains("nowhere"));
        let lost = [UserSeed::new("a", "pw").group("nogroup")];
        assert!(Directory::new(&lost, &tree(), none)
            .unwrap_err()
            .contains("nogroup"));
        let orphan = [org("x", Some("missing"))];
        assert!(Directory::new(&[], &orphan, none)
            .unwrap_err()
            .contains("missing"));
        let cycle = [org("x", Some("y")), org("y", Some("x"))];
        assert!(Directory::new(&[], &cycle, none).is_err());
        let member = [UserSeed::new("a", "pw").organization("x")];
        assert!(Directory::new(&member, &cycle, none).is_err());
    }

    #[test]
    fn json_seeds_carry_parents_and_memberships() {
        let seed: crate::domain::seed::Seed = serde_json::from_value(serde_json::json!({
            "organizations": [{"code": "corp"}, {"code": "sales", "parent": "corp"}],
            "groups": [{"code": "leads"}],
            "users": [{"login": "a", "password": "pw", "organizations": ["sales"], "groups": ["leads"]}],
        }))
        .unwrap();
        let d = Directory::new(&seed.users, &seed.organizations, &seed.groups).unwrap();
        let a = d.membership("a").map(|m| &**m);
        assert!(names("a", a, "ORGANIZATION", "corp", true));
        assert!(!names("a", a, "ORGANIZATION", "corp", false));
        assert!(names("a", a, "GROUP", "leads", false));
    }
}
