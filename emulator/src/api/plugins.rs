//! The domain's plug-ins: imported from an uploaded file, updated, uninstalled, and the apps
//! that use each.
//!
//! kintone imports a signed zip and derives the plug-in's id from its key. The emulator reads
//! the uploaded file as the plug-in's manifest in JSON instead (`name`, `version`,
//! `description`, each text or an object of languages, and optionally `id`); without an `id`, the
//! id is derived from the name, 32 letters from `a` to `p` as kintone's ids are.

use serde_json::{json, Value};

use super::context::{str_param, Ctx};
use super::spaces::{optional_count, require_user};
use crate::domain::error::{KintoneError, Result};
use crate::domain::plugins::Plugin;

fn plugin_not_found(id: &str) -> KintoneError {
    KintoneError::new(
        404,
        "EMULATOR_NF02",
        format!("The plug-in ({id}) is not installed."),
        format!("指定したプラグイン（{id}）はインストールされていません。"),
    )
}

/// `offset` and `limit` of a page of at most `max` items, `default` when `limit` is left out.
fn page(params: &Value, max: usize, default: usize) -> Result<(usize, usize)> {
    let offset = optional_count(params, "offset", 0, u64::MAX)?.unwrap_or(0) as usize;
    let limit = optional_count(params, "limit", 1, max as u64)?.map_or(default, |n| n as usize);
    Ok((offset, limit))
}

/// A page of plug-ins.
fn plugin_page(params: &Value) -> Result<(usize, usize)> {
    let limits = crate::domain::spec::limits();
    page(
        params,
        limits.plugins_per_page,
        limits.default_plugins_per_page,
    )
}

pub fn list(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    require_user(ctx)?;
    let (offset, limit) = plugin_page(params)?;
    let ids: Vec<&str> = params
        .get("ids")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let most_ids = crate::domain::spec::limits().plugin_ids;
    if ids.len() > most_ids {
        return Err(KintoneError::invalid(
            "ids",
            format!("Give at most {most_ids} ids."),
        ));
    }
    let plugins: Vec<Value> = ctx
        .db
        .plugins
        .installed
        .iter()
        .rev()
        .filter(|p| ids.is_empty() || ids.contains(&p.id.as_str()))
        .skip(offset)
        .take(limit)
        .map(|p| {
            json!({"id": p.id, "name": p.name, "isMarketPlugin": false, "version": p.version, "description": p.description})
        })
        .collect();
    Ok(json!({ "plugins": plugins }))
}

pub fn required(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    require_user(ctx)?;
    let (offset, limit) = plugin_page(params)?;
    let store = &ctx.db.plugins;
    let plugins: Vec<Value> = store
        .used_by
        .iter()
        .filter(|(id, apps)| !apps.is_empty() && !store.installed.iter().any(|p| &p.id == *id))
        .skip(offset)
        .take(limit)
        .map(|(id, _)| {
            let name = store.names.get(id).cloned().unwrap_or_default();
            json!({"id": id, "name": name, "isMarketPlugin": false})
        })
        .collect();
    Ok(json!({ "plugins": plugins }))
}

pub fn apps(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    require_user(ctx)?;
    let limits = crate::domain::spec::limits();
    let (offset, limit) = page(
        params,
        limits.plugin_apps_per_page,
        limits.default_plugin_apps_per_page,
    )?;
    let id =
        str_param(params, "id").ok_or_else(|| KintoneError::invalid("id", "Required field."))?;
    if !ctx.db.plugins.installed.iter().any(|p| p.id == id) {
        return Err(plugin_not_found(id));
    }
    let apps: Vec<Value> = ctx
        .db
        .plugins
        .used_by
        .get(id)
        .into_iter()
        .flatten()
        .skip(offset)
        .take(limit)
        .map(|app| {
            let name = ctx
                .db
                .settings
                .get(app)
                .and_then(|s| s.live.as_ref())
                .map(|live| live.name.clone())
                .unwrap_or_default();
            json!({"id": app.to_string(), "name": name})
        })
        .collect();
    Ok(json!({ "apps": apps }))
}

/// A manifest text: a string, or an object of languages (English first, then any).
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(m) => m
            .get("en")
            .or_else(|| m.values().next())
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    }
}

/// 32 letters from `a` to `p`, from the name (FNV-1a, four rounds), as kintone's ids look.
fn derived_id(name: &str) -> String {
    let mut out = String::with_capacity(32);
    for round in 0u64..4 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ round;
        for b in name.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for i in 0..8 {
            out.push(char::from(b'a' + ((h >> (i * 4)) & 0xf) as u8));
        }
    }
    out
}

/// Reads the uploaded plug-in `fileKey` names (the upload is used up).
fn read_upload(ctx: &mut Ctx, params: &Value) -> Result<Plugin> {
    let key = str_param(params, "fileKey")
        .ok_or_else(|| KintoneError::invalid("fileKey", "Required field."))?;
    let file = ctx
        .db
        .take_temp_file(key)
        .ok_or_else(|| KintoneError::invalid("fileKey", "The file does not exist."))?;
    let unreadable = || {
        KintoneError::invalid(
            "fileKey",
            "The file is not a plug-in the emulator reads (a JSON manifest with name and version).",
        )
    };
    let manifest: Value = serde_json::from_slice(&file.bytes).map_err(|_| unreadable())?;
    let name = text(manifest.get("name")).ok_or_else(unreadable)?;
    let version = text(manifest.get("version")).ok_or_else(unreadable)?;
    let description = text(manifest.get("description")).unwrap_or_default();
    let id = match manifest.get("id").and_then(Value::as_str) {
        Some(id) if id.len() == 32 && id.bytes().all(|b| b.is_ascii_lowercase()) => id.to_string(),
        Some(_) => return Err(unreadable()),
        None => derived_id(&name),
    };
    Ok(Plugin {
        id,
        name,
        version,
        description,
    })
}

pub fn install(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    require_user(ctx)?;
    let plugin = read_upload(ctx, params)?;
    let store = &mut ctx.db.plugins;
    if store.installed.iter().any(|p| p.id == plugin.id) {
        return Err(KintoneError::invalid(
            "fileKey",
            "The plug-in is already imported; update it instead.",
        ));
    }
    let answer = json!({"id": plugin.id, "version": plugin.version});
    store.names.insert(plugin.id.clone(), plugin.name.clone());
    store.installed.push(plugin);
    Ok(answer)
}

pub fn update(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    require_user(ctx)?;
    let id = str_param(params, "id")
        .ok_or_else(|| KintoneError::invalid("id", "Required field."))?
        .to_string();
    if !ctx.db.plugins.installed.iter().any(|p| p.id == id) {
        return Err(plugin_not_found(&id));
    }
    let plugin = read_upload(ctx, params)?;
    if plugin.id != id {
        return Err(KintoneError::invalid(
            "fileKey",
            "The file is another plug-in than the one to update.",
        ));
    }
    let answer = json!({"id": plugin.id, "version": plugin.version});
    let store = &mut ctx.db.plugins;
    store.names.insert(plugin.id.clone(), plugin.name.clone());
    if let Some(p) = store.installed.iter_mut().find(|p| p.id == id) {
        *p = plugin;
    }
    Ok(answer)
}

pub fn uninstall(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    require_user(ctx)?;
    let id =
        str_param(params, "id").ok_or_else(|| KintoneError::invalid("id", "Required field."))?;
    let store = &mut ctx.db.plugins;
    let before = store.installed.len();
    store.installed.retain(|p| p.id != id);
    if store.installed.len() == before {
        return Err(plugin_not_found(id));
    }
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::context::as_user;
    use crate::domain::seed::PluginSeed;
    use crate::domain::spec::limits;
    use crate::domain::store::Db;

    /// A domain with one plug-in more than a page holds.
    fn over_a_page() -> Db {
        let mut db = Db::default();
        for n in 0..=limits().plugins_per_page {
            db.plugins.seed(PluginSeed::new(
                format!("plugin{n}"),
                format!("Plug-in {n}"),
            ));
        }
        db
    }

    /// A page of plug-ins is at most the spec's `MAX_PLUGINS_PER_PAGE`, a larger `limit` is
    /// refused, and one left out reads the spec's `default`.
    #[test]
    fn plugin_pages_hold_the_specs_most_plugins_per_page() {
        let most = limits().plugins_per_page;
        let mut db = over_a_page();
        as_user(&mut db, "sato", |ctx| {
            let unlimited = super::list(ctx, &json!({})).unwrap();
            assert_eq!(
                unlimited["plugins"].as_array().unwrap().len(),
                limits().default_plugins_per_page
            );
            let full = super::list(ctx, &json!({"limit": most})).unwrap();
            assert_eq!(full["plugins"].as_array().unwrap().len(), most);
            let err = super::list(ctx, &json!({"limit": most + 1})).unwrap_err();
            assert_eq!(
                (err.code, err.errors.contains_key("limit")),
                ("CB_VA01", true)
            );
            let err = super::required(ctx, &json!({"limit": most + 1})).unwrap_err();
            assert_eq!(err.code, "CB_VA01");
        });
    }

    /// A page of a plug-in's apps holds at most the spec's `maximum` of `limit`, a larger one is
    /// refused, and one left out reads the spec's `default`.
    #[test]
    fn plugin_app_pages_hold_the_specs_most_apps() {
        let most = limits().plugin_apps_per_page;
        let mut db = Db::default();
        let mut seed = PluginSeed::new("used", "Used everywhere");
        for app in 1..=most as u64 + 1 {
            seed = seed.app(app);
        }
        db.plugins.seed(seed);
        as_user(&mut db, "sato", |ctx| {
            let full = super::apps(ctx, &json!({"id": "used", "limit": most})).unwrap();
            assert_eq!(full["apps"].as_array().unwrap().len(), most);
            let unlimited = super::apps(ctx, &json!({"id": "used"})).unwrap();
            assert_eq!(
                unlimited["apps"].as_array().unwrap().len(),
                limits().default_plugin_apps_per_page
            );
            let err = super::apps(ctx, &json!({"id": "used", "limit": most + 1})).unwrap_err();
            assert!(err.errors.contains_key("limit"), "{:?}", err.errors);
        });
    }

    /// Get Plug-ins names at most the spec's `maxItems` of `ids`; one more is refused.
    #[test]
    fn plugin_id_lists_hold_the_specs_most_ids() {
        let most = limits().plugin_ids;
        let ids = |n: usize| -> Vec<String> { (0..n).map(|i| format!("plugin{i}")).collect() };
        let mut db = over_a_page();
        as_user(&mut db, "sato", |ctx| {
            let named = super::list(ctx, &json!({"ids": ids(most)})).unwrap();
            assert_eq!(named["plugins"].as_array().unwrap().len(), most);
            let err = super::list(ctx, &json!({"ids": ids(most + 1)})).unwrap_err();
            assert!(err.errors.contains_key("ids"), "{:?}", err.errors);
        });
    }

    #[test]
    fn derived_ids_look_like_kintones() {
        let id = super::derived_id("Date picker");
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| (b'a'..=b'p').contains(&b)), "{id}");
        assert_ne!(id, super::derived_id("Map view"));
    }
}
