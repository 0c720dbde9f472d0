//! The operations the emulator serves, read through `kintone-spec`'s model of the same bundled
//! spec the client is generated from, so both sides agree on every path, method and flag.

use std::sync::OnceLock;

use kintone_spec::model::{Method, Operation};

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecOperation {
    pub method: String,
    /// The path after `/k/v1`, such as `/records.json`.
    pub path: String,
    pub operation_id: String,
    pub guest_space: bool,
    pub bulk: bool,
    /// kintone answers without authentication (`security: []`).
    pub anonymous: bool,
}

impl SpecOperation {
    /// Whether `path` (after `/k/v1`) is this operation's, with the values of its path
    /// parameters (`{name}` in the spec's path; a value may hold `/`, as API ids do).
    pub fn match_path(&self, path: &str) -> Option<Vec<(String, String)>> {
        let Some((before, rest)) = self.path.split_once('{') else {
            return (self.path == path).then(Vec::new);
        };
        let (name, after) = rest.split_once('}')?;
        debug_assert!(!after.contains('{'), "one path parameter per path");
        let value = path.strip_prefix(before)?.strip_suffix(after)?;
        (!value.is_empty()).then(|| vec![(name.to_string(), value.to_string())])
    }
}

impl From<&Operation> for SpecOperation {
    fn from(op: &Operation) -> Self {
        let method = match op.method {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        };
        SpecOperation {
            method: method.to_string(),
            // The model's paths are relative to the server URL; requests carry them absolute.
            path: format!("/{}", op.path),
            operation_id: op.id.clone(),
            guest_space: op.guest_space,
            bulk: op.bulk,
            anonymous: op.anonymous,
        }
    }
}

/// kintone's limits that the emulator enforces, read from the spec's named limits
/// (`x-kintone-limit` on constraints, `x-kintone-limits` at the root) — the same constants the
/// client is generated with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Records one add, update, delete or status request may carry.
    pub records_per_write: usize,
    /// Requests one bulk request may carry.
    pub bulk_requests: usize,
    /// Records one cursor read may return.
    pub cursor_page_size: usize,
    /// Comments one read may return.
    pub comments_per_read: usize,
    /// The largest `limit` of a Get Records query.
    pub records_per_page: usize,
    /// The largest `offset` of a Get Records query.
    pub query_offset: usize,
    /// Assignees one status may have.
    pub assignees: usize,
    /// Requests a domain runs at once.
    pub concurrent_requests: usize,
    /// Cursors open at once on a domain.
    pub open_cursors: usize,
    /// How long a cursor lives after its last read.
    pub cursor_lifetime: std::time::Duration,
    /// How long an unattached upload is kept.
    pub upload_retention: std::time::Duration,
    /// The most apps one Get Apps call returns.
    pub apps_per_page: usize,
    /// The most apps one deploy, or one deploy status read, names.
    pub apps_per_deploy: usize,
    /// The longest app name.
    pub app_name_length: usize,
    /// The longest app description.
    pub app_description_length: usize,
    /// The longest name of a process management status.
    pub status_name_length: usize,
    /// The most grouping levels of a graph.
    pub report_groups: usize,
    /// The longest field code.
    pub field_code_length: usize,
    /// The most fields one Delete Form Fields call deletes.
    pub fields_per_delete: usize,
    /// The most characters of a text value in a field that prohibits duplicate values.
    pub unique_text_length: usize,
    /// The most plug-ins one Get Plug-ins or Get Required Plug-ins call returns, and what it
    /// returns when it gives no `limit`.
    pub plugins_per_page: usize,
    /// The most spaces one Get Spaces Statistics call returns, and what it returns when it
    /// gives no `limit`.
    pub spaces_per_statistics_page: usize,
    /// The most plug-ins one Get Plug-ins call names in `ids` (the spec's `maxItems`).
    pub plugin_ids: usize,
    /// The most guests one Add Guests or Delete Guests call names (the spec's `maxItems`).
    pub guests_per_call: usize,
    /// The most apps one Get Plug-in Apps call returns (the spec's `maximum` of its `limit`).
    pub plugin_apps_per_page: usize,
    /// The records a Get Records query without `limit` returns (`defaultLimit` of the query's
    /// `x-kintone-query-limits`).
    pub default_records_per_page: usize,
    /// The records one cursor read returns when the cursor was created without a `size` (the
    /// spec's `default`).
    pub default_cursor_page_size: usize,
    /// The plug-ins one Get Plug-ins or Get Required Plug-ins call returns without a `limit`.
    pub default_plugins_per_page: usize,
    /// The apps one Get Plug-in Apps call returns without a `limit`.
    pub default_plugin_apps_per_page: usize,
    /// The spaces one Get Spaces Statistics call returns without a `limit`.
    pub default_spaces_per_statistics_page: usize,
}

fn model() -> &'static kintone_spec::model::Api {
    kintone_spec::bundled()
}

/// The spec's model.
pub(crate) fn api() -> &'static kintone_spec::model::Api {
    model()
}

/// The limits, read from the spec once.
pub fn limits() -> &'static Limits {
    static LIMITS: OnceLock<Limits> = OnceLock::new();
    LIMITS.get_or_init(|| {
        let named = |name: &str| -> usize {
            model()
                .limits
                .iter()
                .find(|l| l.name == name)
                .map(|l| l.value as usize)
                .unwrap_or_else(|| {
                    panic!("the spec names no limit {name}, which the emulator enforces")
                })
        };
        let seconds = |name: &str| std::time::Duration::from_secs(named(name) as u64);
        // A bound the spec gives as a constraint with no name of its own.
        let constraints = |operation: &str, field: &str| {
            model()
                .operations
                .iter()
                .find(|op| op.id == operation)
                .and_then(|op| op.fields.iter().find(|f| f.wire_name == field))
                .map(|f| &f.constraints)
                .unwrap_or_else(|| panic!("the spec has no {operation} with a field {field}"))
        };
        let max_items = |operation: &str, field: &str| -> usize {
            constraints(operation, field).max_items.unwrap_or_else(|| {
                panic!("the spec gives {operation}'s {field} no maxItems, which the emulator enforces")
            })
        };
        let default = |operation: &str, field: &str| -> usize {
            let field_of = model()
                .operations
                .iter()
                .find(|op| op.id == operation)
                .and_then(|op| op.fields.iter().find(|f| f.wire_name == field));
            field_of
                .and_then(|f| f.default)
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or_else(|| {
                    panic!("the spec gives {operation}'s {field} no default, which the emulator takes")
                })
        };
        let maximum = |operation: &str, field: &str| -> usize {
            constraints(operation, field)
                .maximum
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or_else(|| {
                    panic!("the spec gives {operation}'s {field} no maximum, which the emulator enforces")
                })
        };
        Limits {
            records_per_write: named("MAX_RECORDS_PER_WRITE"),
            bulk_requests: named("MAX_BULK_REQUESTS"),
            cursor_page_size: named("MAX_CURSOR_PAGE_SIZE"),
            comments_per_read: named("MAX_COMMENTS_PER_READ"),
            records_per_page: named("MAX_RECORDS_PER_PAGE"),
            query_offset: named("MAX_QUERY_OFFSET"),
            assignees: named("MAX_ASSIGNEES"),
            concurrent_requests: named("MAX_CONCURRENT_REQUESTS"),
            open_cursors: named("MAX_OPEN_CURSORS"),
            cursor_lifetime: seconds("CURSOR_LIFETIME_SECONDS"),
            upload_retention: seconds("UPLOAD_RETENTION_SECONDS"),
            apps_per_page: named("MAX_APPS_PER_PAGE"),
            apps_per_deploy: named("MAX_APPS_PER_DEPLOY"),
            app_name_length: named("MAX_APP_NAME_LENGTH"),
            app_description_length: named("MAX_APP_DESCRIPTION_LENGTH"),
            status_name_length: named("MAX_STATUS_NAME_LENGTH"),
            report_groups: named("MAX_REPORT_GROUPS"),
            field_code_length: named("MAX_FIELD_CODE_LENGTH"),
            fields_per_delete: named("MAX_FIELDS_PER_DELETE"),
            unique_text_length: named("MAX_UNIQUE_TEXT_LENGTH"),
            plugins_per_page: named("MAX_PLUGINS_PER_PAGE"),
            spaces_per_statistics_page: named("MAX_SPACES_PER_STATISTICS_PAGE"),
            plugin_ids: max_items("getPlugins", "ids"),
            guests_per_call: max_items("addGuests", "guests"),
            plugin_apps_per_page: maximum("getPluginApps", "limit"),
            default_records_per_page: constraints("getRecords", "query")
                .query_limits
                .as_ref()
                .and_then(|q| q.default_limit)
                .map(|n| n as usize)
                .expect("the spec gives Get Records' query no defaultLimit"),
            default_cursor_page_size: default("createCursor", "size"),
            default_plugins_per_page: default("getPlugins", "limit"),
            default_plugin_apps_per_page: default("getPluginApps", "limit"),
            default_spaces_per_statistics_page: default("getSpacesStatistics", "limit"),
        }
    })
}

/// The wire value of a variant of one of the spec's enums, by their Rust names (such as
/// `("CybozuWarning", "FilterAborted")`), so that a value the emulator answers with is the one
/// the client reads.
pub fn enum_value(type_name: &str, variant: &str) -> &'static str {
    model()
        .types
        .iter()
        .find_map(|t| match t {
            kintone_spec::model::TypeDef::Enum(e) if e.name == type_name => e
                .variants
                .iter()
                .find(|(_, rust)| rust == variant)
                .map(|(wire, _)| wire.as_str()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the spec has no enum value {type_name}::{variant}"))
}

/// A header name the spec gives (`API_TOKEN_HEADER`, `CYBOZU_ERROR_HEADER`, …; the method
/// override's header is `METHOD_OVERRIDE_HEADER`), as the generator names it for the client.
pub fn header(name: &str) -> http::HeaderName {
    static HEADERS: OnceLock<Vec<(String, http::HeaderName)>> = OnceLock::new();
    let headers = HEADERS.get_or_init(|| {
        let model = model();
        let named = model
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()));
        let method_override = model
            .method_override
            .iter()
            .map(|m| ("METHOD_OVERRIDE_HEADER".to_string(), m.header.clone()));
        named
            .chain(method_override)
            .map(|(name, value)| {
                let value = http::HeaderName::from_bytes(value.as_bytes())
                    .expect("the spec's header names are valid");
                (name, value)
            })
            .collect()
    });
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("the spec names no header {name}"))
}

/// The HTTP status the spec's `x-kintone-error-codes` give a code, when it gives one.
pub fn error_status(code: &str) -> Option<u16> {
    model()
        .error_codes
        .iter()
        .find(|c| c.code == code)
        .and_then(|c| c.status)
}

/// The OAuth scopes the spec gives an operation (`x-kintone-oauth-scopes`); `None` when the
/// operation states none (OAuth cannot call it) or is unknown.
pub fn oauth_scopes(operation_id: &str) -> Option<&'static [String]> {
    model()
        .operations
        .iter()
        // A preview twin needs what its live operation needs.
        .find(|op| {
            op.id == operation_id || op.preview.as_ref().is_some_and(|p| p.id == operation_id)
        })
        // An operation that needs no authentication needs no scope either.
        .and_then(|op| {
            if op.anonymous {
                Some(&[][..])
            } else {
                op.oauth_scopes.as_deref()
            }
        })
}

/// `/k/v1/records.json` → `(None, "/records.json")`; `/k/guest/3/v1/x.json` → `(Some(3), "/x.json")`.
/// The prefixes are the spec's servers (`API_PREFIX` and the guest-space server), as the client
/// is generated with them.
pub fn split_path(path: &str) -> Option<(Option<u64>, &str)> {
    let api = api();
    if let Some(rest) = path.strip_prefix(api.api_prefix.as_str()) {
        return Some((None, rest));
    }
    let (before, after) = api.guest_prefix.as_ref()?;
    let rest = path.strip_prefix(before.as_str())?;
    let (space, rest) = rest.split_once('/')?;
    let space: u64 = space.parse().ok()?;
    let after = after.strip_prefix('/').unwrap_or(after);
    Some((Some(space), rest.strip_prefix(after)?))
}

/// The live operation whose preview twin (`x-kintone-preview`) is `preview_id`.
pub fn live_of_preview(preview_id: &str) -> Option<&'static str> {
    model()
        .operations
        .iter()
        .find(|op| op.preview.as_ref().is_some_and(|p| p.id == preview_id))
        .map(|op| op.id.as_str())
}

/// The id of the preview twin (`x-kintone-preview`) of the live operation `live_id`.
pub fn preview_of(live_id: &str) -> Option<&'static str> {
    model()
        .operations
        .iter()
        .find(|op| op.id == live_id)
        .and_then(|op| op.preview.as_ref())
        .map(|p| p.id.as_str())
}

/// The methods `X-HTTP-Method-Override` may name (`x-kintone-method-override.methods`).
pub fn override_methods() -> &'static [String] {
    model()
        .method_override
        .as_ref()
        .map(|m| m.methods.as_slice())
        .unwrap_or_default()
}

/// Every operation of the spec, in the generator's order: paths as the spec lists them, each
/// preview twin (`x-kintone-preview`) right after its live operation, under its own id.
pub fn operations() -> Vec<SpecOperation> {
    operation_list().to_vec()
}

/// [`operations`], read once and kept.
pub fn operation_list() -> &'static [SpecOperation] {
    static OPERATIONS: OnceLock<Vec<SpecOperation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        model()
            .operations
            .iter()
            .flat_map(|op| {
                let live = SpecOperation::from(op);
                let twin = op.preview.as_ref().map(|twin| SpecOperation {
                    path: format!("/{}", twin.path),
                    operation_id: twin.id.clone(),
                    ..live.clone()
                });
                std::iter::once(live).chain(twin)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    /// The emulator's field types (written from the spec by `cargo xtask regenerate`) are
    /// exactly the spec's, so a spec changed without regenerating fails here too (`$id` and
    /// `$revision` are the record's own, not form fields).
    #[test]
    fn the_emulators_field_types_are_the_specs() {
        let emulated: std::collections::BTreeSet<String> = crate::domain::seed::FieldType::ALL
            .iter()
            .map(|t| t.name().to_string())
            .collect();
        let specified: std::collections::BTreeSet<String> = super::model()
            .field_types
            .iter()
            .map(|t| t.name.clone())
            .filter(|t| !t.starts_with("__"))
            .collect();
        assert_eq!(emulated, specified);
        // What kintone computes (never written by a request) is the spec's `computed`.
        for t in crate::domain::seed::FieldType::ALL {
            let rule = super::model().field_type(t.name()).unwrap();
            assert_eq!(t.is_system(), rule.computed, "{}", t.name());
        }
    }

    use super::SpecOperation;

    #[test]
    fn operations_carry_absolute_paths_upper_case_methods_and_the_spec_flags() {
        let ops = super::operations();
        let find = |id: &str| ops.iter().find(|o| o.operation_id == id).unwrap().clone();
        assert_eq!(
            find("getRecordsByCursor"),
            SpecOperation {
                method: "GET".into(),
                path: "/records/cursor.json".into(),
                operation_id: "getRecordsByCursor".into(),
                guest_space: true,
                bulk: false,
                anonymous: false,
            }
        );
        let add = find("addRecord");
        assert_eq!(
            (add.method.as_str(), add.path.as_str()),
            ("POST", "/record.json")
        );
        assert!(add.bulk);
        assert!(find("updateRecordAssignees").bulk);
        assert!(!find("bulkRequest").bulk);
        assert_eq!(find("deleteRecords").method, "DELETE");
        assert_eq!(find("updateRecordsStatus").method, "PUT");
    }
}
