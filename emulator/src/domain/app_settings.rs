//! The settings of each app, in two copies: the live settings records follow, and the pre-live
//! ("preview") settings that the `/preview/` operations change. A deploy copies the pre-live
//! settings over the live ones (and gives the app's records the new form); a revert copies the
//! live ones back. Settings are kept as kintone describes them (JSON), so that what a client
//! writes is what it reads back.

use serde_json::{json, Map, Value};

use crate::domain::ids::as_id;
use crate::domain::seed::{
    ActionSeed, AppSeed, FieldSeed, FieldType, LinkProtocol, LookupSeed, ProcessSeed,
};

/// One copy of an app's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Raised by every change of the pre-live settings; a deploy gives the live copy the
    /// pre-live revision.
    pub revision: u64,
    pub name: String,
    pub description: String,
    /// The form's fields, by field code, as Get Form Fields answers them.
    pub properties: Map<String, Value>,
    /// The form's layout, as Get Form Layout answers it.
    pub layout: Vec<Value>,
    /// App, record and field permissions.
    pub access: crate::domain::access::Access,
    /// General, per-record and reminder notifications.
    pub notifications: crate::domain::notifications::Notifications,
    /// The other settings groups that have been written (views, general settings, process
    /// management, …), by their name in the path (`views`, `settings`, `status`, …), as kintone
    /// answers them without the revision; a group never written reads as kintone's default.
    pub groups: Map<String, Value>,
}

/// Where an app's last deploy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployState {
    /// Answered `PROCESSING` for this many more status reads, then `outcome`.
    Running {
        reads_left: u32,
        outcome: &'static str,
    },
    /// The deploy ended (`SUCCESS`, `FAIL` or `CANCEL`); an app never deployed reads `SUCCESS`.
    Ended(&'static str),
}

/// What is known of an app besides its settings.
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// `None` until the app's first deploy (an app created through Add App).
    pub live: Option<Settings>,
    pub preview: Settings,
    pub code: String,
    pub space: Option<u64>,
    pub thread: Option<u64>,
    pub created_at: String,
    pub creator: Value,
    pub modified_at: String,
    pub modifier: Value,
    pub deploy: DeployState,
}

impl AppSettings {
    /// The settings of a seeded app: live and pre-live alike, at revision 1.
    pub fn seeded(seed: &AppSeed, now: &str) -> AppSettings {
        let settings = Settings {
            revision: 1,
            name: seed.name.clone(),
            description: String::new(),
            properties: properties_of(&seed.fields, seed.process.is_some()),
            layout: layout_of(&seed.fields),
            access: crate::domain::access::Access::managed_by(&seed.managers),
            notifications: Default::default(),
            groups: Map::new(),
        };
        let admin = json!({"code": crate::domain::directory::ADMINISTRATOR, "name": crate::domain::directory::ADMINISTRATOR});
        AppSettings {
            live: Some(settings.clone()),
            preview: settings,
            code: String::new(),
            space: None,
            thread: None,
            created_at: now.to_string(),
            creator: admin.clone(),
            modified_at: now.to_string(),
            modifier: admin,
            deploy: DeployState::Ended("SUCCESS"),
        }
    }

    /// A new app with pre-live settings only: a name and the fields every app has.
    pub fn created(name: String, creator: Value, now: &str) -> AppSettings {
        AppSettings {
            live: None,
            preview: Settings {
                revision: 1,
                name,
                description: String::new(),
                properties: properties_of(&[], false),
                layout: Vec::new(),
                access: Default::default(),
                notifications: Default::default(),
                groups: Map::new(),
            },
            code: String::new(),
            space: None,
            thread: None,
            created_at: now.to_string(),
            creator: creator.clone(),
            modified_at: now.to_string(),
            modifier: creator,
            deploy: DeployState::Ended("SUCCESS"),
        }
    }

    /// The copy an operation reads: pre-live, or live (`None` before the first deploy).
    pub fn copy(&self, preview: bool) -> Option<&Settings> {
        if preview {
            Some(&self.preview)
        } else {
            self.live.as_ref()
        }
    }

    /// The record fields the pre-live form describes, as the store keeps an app's fields.
    pub fn preview_seed(&self, id: u64, process: Option<ProcessSeed>) -> AppSeed {
        let mut seed = AppSeed::new(id, self.preview.name.clone());
        seed.fields = fields_of(&self.preview.properties);
        seed.process = process;
        seed
    }
}

/// The label kintone gives the fields every app has, by their type.
fn system_label(t: FieldType) -> &'static str {
    match t {
        FieldType::RecordNumber => "Record number",
        FieldType::Creator => "Created by",
        FieldType::CreatedTime => "Created datetime",
        FieldType::Modifier => "Updated by",
        FieldType::UpdatedTime => "Updated datetime",
        FieldType::Status => "Status",
        FieldType::StatusAssignee => "Assignee",
        FieldType::Category => "Categories",
        _ => "",
    }
}

/// Form field properties for the fields the store keeps, with the fields every app has.
pub fn properties_of(fields: &[FieldSeed], process: bool) -> Map<String, Value> {
    let mut out = Map::new();
    for f in fields {
        out.insert(f.code.clone(), property_of(f));
    }
    let mut system: Vec<(&str, FieldType)> = crate::domain::seed::SYSTEM_FIELDS.to_vec();
    system.push(("Status", FieldType::Status));
    system.push(("Assignee", FieldType::StatusAssignee));
    system.push(("Categories", FieldType::Category));
    for (code, t) in system {
        if out.contains_key(code) {
            continue;
        }
        let mut p =
            json!({"type": t.name(), "code": code, "label": system_label(t), "noLabel": false});
        if matches!(t, FieldType::Status | FieldType::Category) {
            p["enabled"] = Value::Bool(process && t == FieldType::Status);
        }
        out.insert(code.to_string(), p);
    }
    out
}

fn property_of(f: &FieldSeed) -> Value {
    let t = f.field_type;
    let mut p = json!({"type": t.name(), "code": f.code, "label": f.code, "noLabel": false});
    if t.is_system() && t != FieldType::Calc {
        return p;
    }
    p["required"] = Value::Bool(f.required);
    if matches!(
        t,
        FieldType::SingleLineText
            | FieldType::Number
            | FieldType::Link
            | FieldType::Date
            | FieldType::Datetime
    ) {
        p["unique"] = Value::Bool(f.unique);
    }
    if matches!(
        t,
        FieldType::CheckBox | FieldType::RadioButton | FieldType::DropDown | FieldType::MultiSelect
    ) {
        let options: Map<String, Value> = f
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| (o.clone(), json!({"label": o, "index": i.to_string()})))
            .collect();
        p["options"] = Value::Object(options);
    }
    match t {
        FieldType::Link => {
            p["protocol"] = json!(match f.protocol {
                LinkProtocol::Web => "WEB",
                LinkProtocol::Call => "CALL",
                LinkProtocol::Mail => "MAIL",
            })
        }
        FieldType::Calc => {
            p["expression"] = json!(f.expression);
            p["format"] = json!("NUMBER");
        }
        FieldType::Subtable => {
            p["fields"] = Value::Object(
                f.fields
                    .iter()
                    .map(|g| (g.code.clone(), property_of(g)))
                    .collect(),
            );
            if let Some(o) = p.as_object_mut() {
                o.remove("required");
            }
        }
        _ => {}
    }
    if let Some(l) = &f.lookup {
        p["lookup"] = json!({
            "relatedApp": {"app": l.related_app.to_string(), "code": ""},
            "relatedKeyField": l.related_key_field,
            "fieldMappings": l.field_mappings.iter()
                .map(|(to, from)| json!({"field": to, "relatedField": from}))
                .collect::<Vec<_>>(),
            "lookupPickerFields": [],
            "filterCond": "",
            "sort": "",
        });
    }
    p
}

/// A layout of one row per field, as kintone lays out fields added without a layout.
pub fn layout_of(fields: &[FieldSeed]) -> Vec<Value> {
    fields
        .iter()
        .map(|f| {
            if f.field_type == FieldType::Subtable {
                json!({"type": "SUBTABLE", "code": f.code, "fields": f.fields.iter()
                    .map(|g| json!({"type": g.field_type.name(), "code": g.code, "size": {}}))
                    .collect::<Vec<_>>()})
            } else {
                json!({"type": "ROW", "fields": [{"type": f.field_type.name(), "code": f.code, "size": {}}]})
            }
        })
        .collect()
}

/// The record fields of form field properties: the fields the store keeps values of (the
/// fields every app has are added by the store itself; layout-only elements hold no values).
pub fn fields_of(properties: &Map<String, Value>) -> Vec<FieldSeed> {
    properties
        .values()
        .filter_map(field_of)
        .filter(|f| !f.field_type.is_system() || f.field_type == FieldType::Calc)
        .collect()
}

fn field_of(p: &Value) -> Option<FieldSeed> {
    let field_type: FieldType = serde_json::from_value(p.get("type")?.clone()).ok()?;
    let code = p.get("code")?.as_str()?;
    let mut f = FieldSeed::new(code, field_type);
    f.required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
    f.unique = p.get("unique").and_then(Value::as_bool).unwrap_or(false);
    if let Some(options) = p.get("options").and_then(Value::as_object) {
        let mut by_index: Vec<(u64, String)> = options
            .iter()
            .map(|(label, o)| {
                (
                    o.get("index").and_then(as_id).unwrap_or(u64::MAX),
                    label.clone(),
                )
            })
            .collect();
        by_index.sort();
        f.options = by_index.into_iter().map(|(_, label)| label).collect();
    }
    if let Some(protocol) = p.get("protocol").and_then(Value::as_str) {
        f.protocol = match protocol {
            "CALL" => LinkProtocol::Call,
            "MAIL" => LinkProtocol::Mail,
            _ => LinkProtocol::Web,
        };
    }
    if let Some(expression) = p.get("expression").and_then(Value::as_str) {
        f.expression = expression.to_string();
    }
    if let Some(fields) = p.get("fields").and_then(Value::as_object) {
        f.fields = fields.values().filter_map(field_of).collect();
    }
    if let Some(l) = p.get("lookup").filter(|l| l.is_object()) {
        let app = l.pointer("/relatedApp/app").and_then(as_id)?;
        let mut lookup = LookupSeed::new(app, l.get("relatedKeyField")?.as_str()?);
        for m in l
            .get("fieldMappings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(to), Some(from)) = (
                m.get("field").and_then(Value::as_str),
                m.get("relatedField").and_then(Value::as_str),
            ) {
                lookup = lookup.map(to, from);
            }
        }
        f.lookup = Some(lookup);
    }
    Some(f)
}

/// The process the records of an app follow once `settings` are live: `None` when its process
/// management was never written (the app keeps the process it has), `Some(None)` when it is off.
pub fn process_of(settings: &Settings) -> Option<Option<ProcessSeed>> {
    let status = settings.groups.get("status")?;
    if status.get("enable") != Some(&Value::Bool(true)) {
        return Some(None);
    }
    let written = status.get("states").and_then(Value::as_object);
    let mut states: Vec<(u64, String)> = written
        .into_iter()
        .flatten()
        .map(|(name, s)| (s.get("index").and_then(as_id).unwrap_or(0), name.clone()))
        .collect();
    states.sort();
    // Written settings were checked on the way in, so they read back into the seed's shapes.
    let assignees = written
        .into_iter()
        .flatten()
        .filter_map(|(name, s)| {
            let assignee = serde_json::from_value(s.get("assignee")?.clone()).ok()?;
            Some((name.clone(), assignee))
        })
        .collect();
    let actions = status
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|a| ActionSeed {
            name: a["name"].as_str().unwrap_or_default().to_string(),
            from: a["from"].as_str().unwrap_or_default().to_string(),
            to: a["to"].as_str().unwrap_or_default().to_string(),
            filter_cond: a["filterCond"].as_str().unwrap_or_default().to_string(),
            executable_users: a
                .pointer("/executableUser/entities")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    Some(Some(ProcessSeed {
        statuses: states.into_iter().map(|(_, name)| name).collect(),
        actions,
        assignees,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_fields_survive_a_trip_through_their_properties() {
        let mut lines = FieldSeed::new("Lines", FieldType::Subtable);
        lines.fields = vec![FieldSeed::new("Qty", FieldType::Number).required()];
        let fields = vec![
            FieldSeed::new("Code", FieldType::SingleLineText).unique(),
            FieldSeed::new("Kind", FieldType::DropDown).options(["b", "a", "c"]),
            FieldSeed::new("Site", FieldType::Link).protocol(LinkProtocol::Mail),
            lines,
        ];
        let back = fields_of(&properties_of(&fields, true));
        let find = |code: &str| back.iter().find(|f| f.code == code).unwrap();
        assert!(find("Code").unique);
        assert_eq!(find("Kind").options, ["b", "a", "c"], "in index order");
        assert_eq!(find("Site").protocol, LinkProtocol::Mail);
        assert!(find("Lines").fields[0].required);
        assert_eq!(
            back.len(),
            4,
            "the fields every app has are the store's own"
        );
    }
}
