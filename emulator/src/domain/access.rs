//! Who is calling ([`Principal`]), and the app, record and field permissions each copy of an
//! app's settings holds ([`Access`]). What they grant is read in [`super::rights`].

use serde_json::{json, Value};

use super::directory::EVERYONE;
use super::seed::Permissions;

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    User(String),
    /// The apps and permissions of each API token sent.
    Tokens(Vec<(u64, Permissions)>),
    /// An OAuth access token: a user, limited to the token's scopes.
    OAuth {
        login: String,
        scopes: Vec<String>,
    },
}

/// The flags of an app permission entry, in kintone's order.
pub const APP_FLAGS: &[&str] = &[
    "appEditable",
    "recordViewable",
    "recordAddable",
    "recordEditable",
    "recordDeletable",
    "recordImportable",
    "recordExportable",
];

/// One copy's permissions, as the Get operations answer them.
#[derive(Debug, Clone)]
pub struct Access {
    pub app: Vec<Value>,
    pub records: Vec<Value>,
    pub fields: Vec<Value>,
}

impl Access {
    /// A seeded app's: as a new app's, with each of `managers` first, granted every right
    /// (app management included) by an entry naming the user.
    pub fn managed_by(managers: &[String]) -> Access {
        let mut access = Access::default();
        let entries = managers.iter().map(|login| {
            let mut right =
                json!({"entity": {"type": "USER", "code": login}, "includeSubs": false});
            for flag in APP_FLAGS {
                right[*flag] = json!(true);
            }
            right
        });
        access.app.splice(0..0, entries);
        access
    }
}

impl Default for Access {
    /// A new app's: its creator manages it, and everyone may do everything with its records.
    fn default() -> Access {
        let all = |entity: Value, manage: bool| {
            let mut right = json!({"entity": entity, "includeSubs": false});
            for flag in APP_FLAGS {
                right[*flag] = json!(*flag != "appEditable" || manage);
            }
            right
        };
        Access {
            app: vec![
                all(json!({"type": "CREATOR", "code": null}), true),
                all(json!({"type": "GROUP", "code": EVERYONE}), false),
            ],
            records: Vec::new(),
            fields: Vec::new(),
        }
    }
}
