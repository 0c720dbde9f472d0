//! Spaces, guest spaces, their members, threads and thread comments, and guest users: the
//! state kintone keeps of them.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::seed::SpaceSeed;

/// Every space, guest user and the ids handed out so far.
#[derive(Debug, Default)]
pub struct Spaces {
    pub spaces: BTreeMap<u64, Space>,
    /// Guest users by email address.
    pub guests: BTreeMap<String, Value>,
    pub(crate) next_space: u64,
    pub(crate) next_thread: u64,
    pub(crate) next_comment: u64,
}

#[derive(Debug, Clone)]
pub struct Space {
    pub id: u64,
    pub name: String,
    pub is_guest: bool,
    pub is_private: bool,
    pub fixed_member: bool,
    pub use_multi_thread: bool,
    pub body: Option<String>,
    pub default_thread: u64,
    pub members: Vec<Member>,
    /// Guest users' email addresses (guest spaces only).
    pub guests: Vec<String>,
    pub threads: BTreeMap<u64, Thread>,
    /// `showAnnouncement`, `showThreadList`, `showAppList`, `showMemberList`,
    /// `showRelatedLinkList`, in that order.
    pub show: [bool; 5],
    pub create_app: String,
    pub creator: String,
    pub modifier: String,
    pub created_at: OffsetDateTime,
    pub modified_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// `USER`, `GROUP` or `ORGANIZATION`.
    pub kind: String,
    pub code: String,
    pub is_admin: bool,
    pub include_subs: bool,
}

#[derive(Debug, Clone)]
pub struct Thread {
    pub name: String,
    pub body: String,
    pub comments: Vec<ThreadComment>,
}

#[derive(Debug, Clone)]
pub struct ThreadComment {
    pub id: u64,
    pub text: String,
    pub creator: String,
    pub mentions: Vec<Value>,
    /// The names of the attached files.
    pub files: Vec<String>,
}

pub const SHOW_KEYS: [&str; 5] = [
    "showAnnouncement",
    "showThreadList",
    "showAppList",
    "showMemberList",
    "showRelatedLinkList",
];

impl Spaces {
    /// Adds a seeded space with its default thread, and answers that thread (the seed's apps
    /// are the caller's to place there: an app's settings say which space it is in).
    pub fn seed(&mut self, seed: SpaceSeed, now: OffsetDateTime) -> u64 {
        let members = seed
            .members
            .iter()
            .map(|m| Member {
                kind: "USER".into(),
                code: m.login.clone(),
                is_admin: m.admin,
                include_subs: false,
            })
            .collect();
        self.next_space = self.next_space.max(seed.id);
        let creator = seed.members.iter().find(|m| m.admin).map_or_else(
            || crate::domain::directory::ADMINISTRATOR.to_string(),
            |m| m.login.clone(),
        );
        self.insert(
            seed.id,
            seed.name,
            seed.guest,
            seed.private,
            false,
            members,
            creator,
            now,
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert(
        &mut self,
        id: u64,
        name: String,
        is_guest: bool,
        is_private: bool,
        fixed_member: bool,
        members: Vec<Member>,
        creator: String,
        now: OffsetDateTime,
    ) -> u64 {
        self.next_thread += 1;
        let default_thread = self.next_thread;
        let mut threads = BTreeMap::new();
        threads.insert(
            default_thread,
            Thread {
                name: name.clone(),
                body: String::new(),
                comments: Vec::new(),
            },
        );
        self.spaces.insert(
            id,
            Space {
                id,
                name,
                is_guest,
                is_private,
                fixed_member,
                use_multi_thread: true,
                body: None,
                default_thread,
                members,
                guests: Vec::new(),
                threads,
                show: [true; 5],
                create_app: "EVERYONE".into(),
                modifier: creator.clone(),
                creator,
                created_at: now,
                modified_at: now,
            },
        );
        default_thread
    }

    /// A thread with its comments, as `{space, name, body, comments: [{id, text, creator,
    /// mentions, files}]}` (kintone has no API that reads thread comments).
    pub fn thread_json(&self, thread: u64) -> Option<Value> {
        self.spaces.values().find_map(|s| {
            s.threads.get(&thread).map(|t| {
                let comments: Vec<Value> = t
                    .comments
                    .iter()
                    .map(|c| {
                        json!({"id": c.id.to_string(), "text": c.text, "creator": c.creator,
                               "mentions": c.mentions, "files": c.files})
                    })
                    .collect();
                json!({"space": s.id.to_string(), "name": t.name, "body": t.body, "comments": comments})
            })
        })
    }
}
