//! Spaces, guest spaces, their members, threads and thread comments, and guest users.
//!
//! A guest space is reached only under its own path (`/k/guest/{id}/v1/…`): through `/k/v1` the
//! answer is 400 `GAIA_IL23`, under another guest space's path 403 `CB_NO02`. Apps attached to a
//! guest space follow the same rule ([`check_app_space`]).

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::context::{id_param, str_param, Ctx};
use crate::domain::access::Principal;
use crate::domain::directory::{self, Membership};
use crate::domain::error::{KintoneError, Result};
use crate::domain::ids::as_id;
use crate::domain::spaces::{Member, Space, Thread, ThreadComment, SHOW_KEYS};

/// The answer for a guest space, or an app in one, called under the wrong path.
fn wrong_path(called_from: Option<u64>) -> KintoneError {
    match called_from {
        None => KintoneError::new(
            400,
            "GAIA_IL23",
            "Send the request to the guest space's path (/k/guest/(guest space ID)/v1/...).",
            "ゲストスペース内のアプリを操作する場合は、リクエストの送信先を「/k/guest/（ゲストスペースのID）/v1/...」にしてください。",
        ),
        Some(_) => KintoneError::no_permission(),
    }
}

/// Fails when `app` is in a guest space and the call did not come under that space's path.
/// Apps outside guest spaces answer under any path, as the emulator always did.
pub fn check_app_space(ctx: &Ctx, app: u64) -> Result<()> {
    let guest_space = ctx
        .db
        .settings
        .get(&app)
        .and_then(|s| s.space)
        .filter(|space| ctx.db.spaces.spaces.get(space).is_some_and(|s| s.is_guest));
    match guest_space {
        Some(space) if ctx.guest_space != Some(space) => Err(wrong_path(ctx.guest_space)),
        _ => Ok(()),
    }
}

fn space_not_found(id: u64) -> KintoneError {
    KintoneError::new(
        404,
        "EMULATOR_NF02",
        format!("The space (ID: {id}) is not found."),
        format!("指定したスペース（id: {id}）が見つかりません。"),
    )
}

fn thread_not_found(id: u64) -> KintoneError {
    KintoneError::new(
        404,
        "EMULATOR_NF02",
        format!("The thread (ID: {id}) is not found."),
        format!("指定したスレッド（id: {id}）が見つかりません。"),
    )
}

/// Space, guest and plug-in APIs take neither API tokens nor OAuth tokens (no OAuth scope
/// covers them).
pub fn require_user(ctx: &Ctx) -> Result<String> {
    match &ctx.principal {
        Principal::User(login) => Ok(login.clone()),
        Principal::OAuth { .. } => Err(KintoneError::new(
            403,
            "CB_OA01",
            "Cannot access protected resource.",
            "保護されたリソースにアクセスできません。",
        )),
        Principal::Tokens(_) => Err(ctx.denied()),
    }
}

/// The space's member entries that name `login`: the user, or a group or department the user
/// belongs to (`membership`), by the same rule as permission entries.
fn naming<'s>(
    space: &'s Space,
    login: &'s str,
    membership: Option<&'s Membership>,
) -> impl Iterator<Item = &'s Member> {
    space
        .members
        .iter()
        .filter(move |m| directory::names(login, membership, &m.kind, &m.code, m.include_subs))
}

/// The space `id`, reached under the right path by a user who may see it; with `admin`, one
/// who administers it. The `Administrator` user may do everything.
fn reach<'d>(ctx: &'d mut Ctx, id: u64, admin: bool) -> Result<&'d mut Space> {
    let login = require_user(ctx)?;
    let called_from = ctx.guest_space;
    let membership = ctx.db.directory.membership(&login).cloned();
    let space = ctx
        .db
        .spaces
        .spaces
        .get_mut(&id)
        .ok_or_else(|| space_not_found(id))?;
    if space.is_guest && called_from != Some(id) {
        return Err(wrong_path(called_from));
    }
    if !space.is_guest && called_from.is_some() {
        return Err(KintoneError::no_permission());
    }
    if login != crate::domain::directory::ADMINISTRATOR {
        let mut naming = naming(space, &login, membership.as_deref());
        let allowed = if admin {
            naming.any(|m| m.is_admin)
        } else {
            naming.next().is_some() || !space.is_private
        };
        if !allowed {
            return Err(KintoneError::no_permission());
        }
    }
    Ok(space)
}

fn datetime(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

fn entity(ctx: &Ctx, login: &str) -> Value {
    let name = ctx
        .db
        .users
        .get(login)
        .map(|u| u.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| login.to_string());
    json!({"code": login, "name": name})
}

fn member_json(m: &Member) -> Value {
    let mut v = json!({"entity": {"type": m.kind, "code": m.code}, "isAdmin": m.is_admin});
    match m.kind.as_str() {
        "USER" => v["isImplicit"] = json!(false),
        "ORGANIZATION" => v["includeSubs"] = json!(m.include_subs),
        _ => {}
    }
    v
}

pub fn get(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let id = id_param(params, "id")?;
    let space = reach(ctx, id, false)?.clone();
    // The apps whose settings place them in the space, as their live settings name them, each
    // with its own creator and dates; an app never deployed is not listed.
    let attached: Vec<Value> = ctx
        .db
        .settings
        .iter()
        .filter(|(_, settings)| settings.space == Some(id))
        .filter_map(|(app, settings)| Some((app, settings, settings.live.as_ref()?)))
        .map(|(app, settings, live)| {
            json!({
                "threadId": settings.thread.unwrap_or(space.default_thread).to_string(),
                "appId": app.to_string(),
                "code": settings.code,
                "name": live.name,
                "description": live.description,
                "createdAt": settings.created_at,
                "creator": settings.creator,
                "modifiedAt": settings.modified_at,
                "modifier": settings.modifier,
            })
        })
        .collect();
    let mut out = json!({
        "id": space.id.to_string(),
        "name": space.name,
        "defaultThread": space.default_thread.to_string(),
        "isPrivate": space.is_private,
        "creator": entity(ctx, &space.creator),
        "modifier": entity(ctx, &space.modifier),
        "memberCount": space.members.len().to_string(),
        "coverType": "PRESET",
        "coverKey": "GREEN",
        "coverUrl": null,
        "body": space.body,
        "useMultiThread": space.use_multi_thread,
        "isGuest": space.is_guest,
        "attachedApps": attached,
        "fixedMember": space.fixed_member,
        "permissions": {"createApp": space.create_app},
    });
    for (key, on) in SHOW_KEYS.iter().zip(space.show) {
        out[*key] = json!(on);
    }
    Ok(out)
}

fn bool_param(params: &Value, key: &str) -> Result<Option<bool>> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
        Some(_) => Err(KintoneError::invalid(key, "Enter true or false.")),
    }
}

fn name_param(params: &Value, key: &str, required: bool) -> Result<Option<String>> {
    match params.get(key) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= 128 => Ok(Some(s.clone())),
        _ => Err(KintoneError::invalid(
            key,
            "Enter between 1 and 128 characters.",
        )),
    }
}

pub fn update(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let id = id_param(params, "id")?;
    let name = name_param(params, "name", false)?;
    let mut flags = Vec::new();
    for key in ["isPrivate", "fixedMember", "useMultiThread"]
        .iter()
        .chain(SHOW_KEYS.iter())
    {
        flags.push(bool_param(params, key)?);
    }
    let create_app = match params.pointer("/permissions/createApp") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "EVERYONE" || s == "ADMIN" => Some(s.clone()),
        Some(_) => {
            return Err(KintoneError::invalid(
                "permissions.createApp",
                "Enter EVERYONE or ADMIN.",
            ))
        }
    };
    let login = require_user(ctx)?;
    let now = ctx.now_utc();
    let space = reach(ctx, id, true)?;
    if let Some(name) = name {
        space.name = name;
    }
    if let Some(v) = flags[0] {
        space.is_private = v;
    }
    if let Some(v) = flags[1] {
        space.fixed_member = v;
    }
    if let Some(v) = flags[2] {
        space.use_multi_thread = v;
    }
    for (i, flag) in flags[3..].iter().enumerate() {
        if let Some(v) = flag {
            space.show[i] = *v;
        }
    }
    if let Some(c) = create_app {
        space.create_app = c;
    }
    space.modifier = login;
    space.modified_at = now;
    Ok(json!({}))
}

pub fn delete(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let id = id_param(params, "id")?;
    reach(ctx, id, true)?;
    ctx.db.spaces.spaces.remove(&id);
    Ok(json!({}))
}

pub fn update_body(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let id = id_param(params, "id")?;
    let body = str_param(params, "body")
        .ok_or_else(|| KintoneError::invalid("body", "Required field."))?
        .to_string();
    let space = reach(ctx, id, true)?;
    space.body = Some(body);
    Ok(json!({}))
}

pub fn members(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let id = id_param(params, "id")?;
    let space = reach(ctx, id, false)?;
    let members: Vec<Value> = space.members.iter().map(member_json).collect();
    Ok(json!({ "members": members }))
}

/// Reads `members` of Replace Members and Create Space: each entity must exist, and at least one
/// must be an administrator.
fn members_param(ctx: &Ctx, params: &Value) -> Result<Vec<Member>> {
    let list = params
        .get("members")
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid("members", "Required field."))?;
    let mut out = Vec::new();
    for (i, m) in list.iter().enumerate() {
        let kind = m
            .pointer("/entity/type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let code = m
            .pointer("/entity/code")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let known = match kind {
            "USER" => {
                ctx.db.users.contains_key(code) || code == crate::domain::directory::ADMINISTRATOR
            }
            "GROUP" => ctx.db.groups.contains_key(code),
            "ORGANIZATION" => ctx.db.organizations.contains_key(code),
            _ => {
                return Err(KintoneError::invalid(
                    format!("members[{i}].entity.type"),
                    "Enter USER, GROUP or ORGANIZATION.",
                ))
            }
        };
        if !known {
            return Err(KintoneError::invalid(
                format!("members[{i}].entity.code"),
                format!("The {kind} {code} does not exist."),
            ));
        }
        out.push(Member {
            kind: kind.to_string(),
            code: code.to_string(),
            is_admin: bool_param(m, "isAdmin")?.unwrap_or(false),
            include_subs: bool_param(m, "includeSubs")?.unwrap_or(false),
        });
    }
    if !out.iter().any(|m| m.is_admin) {
        return Err(KintoneError::invalid(
            "members",
            "At least one member must be a space administrator.",
        ));
    }
    Ok(out)
}

pub fn update_members(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let id = id_param(params, "id")?;
    let members = members_param(ctx, params)?;
    let space = reach(ctx, id, true)?;
    space.members = members;
    Ok(json!({}))
}

pub fn update_guests(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let id = id_param(params, "id")?;
    let guests: Vec<String> = params
        .get("guests")
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid("guests", "Required field."))?
        .iter()
        .map(|g| g.as_str().unwrap_or_default().to_string())
        .collect();
    for (i, g) in guests.iter().enumerate() {
        if !ctx.db.spaces.guests.contains_key(g) {
            return Err(KintoneError::invalid(
                format!("guests[{i}]"),
                format!("The guest user {g} does not exist."),
            ));
        }
    }
    let space = reach(ctx, id, true)?;
    if !space.is_guest {
        return Err(KintoneError::invalid(
            "id",
            "The space is not a guest space.",
        ));
    }
    space.guests = guests;
    Ok(json!({}))
}

pub fn add_thread(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let id = id_param(params, "space")?;
    let name = name_param(params, "name", true)?.unwrap_or_default();
    let space = reach(ctx, id, false)?;
    if !space.use_multi_thread {
        return Err(KintoneError::invalid(
            "space",
            "The space's threads are turned off.",
        ));
    }
    let space_id = space.id;
    ctx.db.spaces.next_thread += 1;
    let thread = ctx.db.spaces.next_thread;
    if let Some(space) = ctx.db.spaces.spaces.get_mut(&space_id) {
        space.threads.insert(
            thread,
            Thread {
                name,
                body: String::new(),
                comments: Vec::new(),
            },
        );
    }
    Ok(json!({"id": thread.to_string()}))
}

/// The space holding `thread`, reached under the right path by a user who may see it.
fn space_of_thread(ctx: &mut Ctx, thread: u64) -> Result<u64> {
    ctx.db
        .spaces
        .spaces
        .values()
        .find(|s| s.threads.contains_key(&thread))
        .map(|s| s.id)
        .ok_or_else(|| thread_not_found(thread))
}

pub fn update_thread(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let thread = id_param(params, "id")?;
    let name = name_param(params, "name", false)?;
    let body = match params.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= 65535 => Some(s.clone()),
        Some(_) => {
            return Err(KintoneError::invalid(
                "body",
                "Enter at most 65535 characters.",
            ))
        }
    };
    let space = space_of_thread(ctx, thread)?;
    let space = reach(ctx, space, false)?;
    if name.is_some() && thread == space.default_thread {
        return Err(KintoneError::invalid(
            "name",
            "The default thread cannot be renamed.",
        ));
    }
    let t = space
        .threads
        .get_mut(&thread)
        .ok_or_else(|| thread_not_found(thread))?;
    if let Some(name) = name {
        t.name = name;
    }
    if let Some(body) = body {
        t.body = body;
    }
    Ok(json!({}))
}

pub fn add_thread_comment(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let space_id = id_param(params, "space")?;
    let thread = id_param(params, "thread")?;
    let comment = params
        .get("comment")
        .filter(|c| c.is_object())
        .ok_or_else(|| KintoneError::invalid("comment", "Required field."))?;
    let text = str_param(comment, "text").unwrap_or_default().to_string();
    if text.chars().count() > 65535 {
        return Err(KintoneError::invalid(
            "comment.text",
            "Enter at most 65535 characters.",
        ));
    }
    let mentions = comment
        .get("mentions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if mentions.len() > 10 {
        return Err(KintoneError::invalid(
            "comment.mentions",
            "Mention at most 10.",
        ));
    }
    let file_keys: Vec<String> = comment
        .get("files")
        .and_then(Value::as_array)
        .map(|fs| {
            fs.iter()
                .map(|f| str_param(f, "fileKey").unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    if file_keys.len() > 5 {
        return Err(KintoneError::invalid(
            "comment.files",
            "Attach at most 5 files.",
        ));
    }
    if text.is_empty() && file_keys.is_empty() {
        return Err(KintoneError::invalid(
            "comment.text",
            "Enter a text or attach a file.",
        ));
    }
    let mut files = Vec::new();
    for (i, key) in file_keys.iter().enumerate() {
        let file = ctx.db.take_temp_file(key).ok_or_else(|| {
            KintoneError::invalid(
                format!("comment.files[{i}].fileKey"),
                "The file does not exist.",
            )
        })?;
        files.push(file.name);
    }
    let login = require_user(ctx)?;
    let space = reach(ctx, space_id, false)?;
    if !space.threads.contains_key(&thread) {
        return Err(thread_not_found(thread));
    }
    ctx.db.spaces.next_comment += 1;
    let id = ctx.db.spaces.next_comment;
    if let Some(t) = ctx
        .db
        .spaces
        .spaces
        .get_mut(&space_id)
        .and_then(|s| s.threads.get_mut(&thread))
    {
        t.comments.push(ThreadComment {
            id,
            text,
            creator: login,
            mentions,
            files,
        });
    }
    Ok(json!({"id": id.to_string()}))
}

pub fn add_from_template(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let login = require_user(ctx)?;
    id_param(params, "id")?;
    let name = name_param(params, "name", true)?.unwrap_or_default();
    let members = members_param(ctx, params)?;
    let is_guest = bool_param(params, "isGuest")?.unwrap_or(false);
    let is_private = bool_param(params, "isPrivate")?.unwrap_or(false);
    let fixed_member = bool_param(params, "fixedMember")?.unwrap_or(false);
    let now = ctx.now_utc();
    let spaces = &mut ctx.db.spaces;
    spaces.next_space += 1;
    let id = spaces.next_space;
    spaces.insert(
        id,
        name,
        is_guest,
        is_private,
        fixed_member,
        members,
        login,
        now,
    );
    Ok(json!({"id": id.to_string()}))
}

pub fn statistics(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let login = require_user(ctx)?;
    let offset = optional_count(params, "offset", 0, u64::MAX)?.unwrap_or(0) as usize;
    let limits = crate::domain::spec::limits();
    let limit = optional_count(params, "limit", 1, limits.spaces_per_statistics_page as u64)?
        .map_or(limits.default_spaces_per_statistics_page, |n| n as usize);
    let admin = login == crate::domain::directory::ADMINISTRATOR;
    let membership = ctx.db.directory.membership(&login).map(|m| &**m);
    let spaces: Vec<Value> = ctx
        .db
        .spaces
        .spaces
        .values()
        .filter(|s| admin || !s.is_private || naming(s, &login, membership).next().is_some())
        .skip(offset)
        .take(limit)
        .map(|s| {
            json!({
                "id": s.id.to_string(),
                "name": s.name,
                "administratorCount": s.members.iter().filter(|m| m.is_admin).count().to_string(),
                "memberCount": s.members.len().to_string(),
                "isPrivate": s.is_private,
                "isGuest": s.is_guest,
                "creator": entity(ctx, &s.creator),
                "createdAt": datetime(s.created_at),
                "modifier": entity(ctx, &s.modifier),
                "modifiedAt": datetime(s.modified_at),
            })
        })
        .collect();
    Ok(json!({ "spaces": spaces }))
}

/// An optional count in `min..=max`, as a JSON number or a string.
pub fn optional_count(params: &Value, key: &str, min: u64, max: u64) -> Result<Option<u64>> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match as_id(v).or_else(|| (v.as_str() == Some("0")).then_some(0)) {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(KintoneError::invalid(
                key,
                format!("Enter an integer from {min} to {max}."),
            )),
        },
    }
}

/// The most guests one Add Guests or Delete Guests call names.
fn guests_per_call() -> usize {
    crate::domain::spec::limits().guests_per_call
}

fn guest_count_error() -> KintoneError {
    KintoneError::invalid("guests", format!("Give 1 to {} guests.", guests_per_call()))
}

pub fn add_guests(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    require_user(ctx)?;
    let guests = params
        .get("guests")
        .and_then(Value::as_array)
        .filter(|g| !g.is_empty() && g.len() <= guests_per_call())
        .ok_or_else(guest_count_error)?;
    let mut new = Vec::new();
    for (i, g) in guests.iter().enumerate() {
        let at = |key: &str| format!("guests[{i}].{key}");
        let code = str_param(g, "code").unwrap_or_default();
        if !code.contains('@') {
            return Err(KintoneError::invalid(at("code"), "Enter an email address."));
        }
        let password = str_param(g, "password").unwrap_or_default().chars().count();
        if !(3..=64).contains(&password) {
            return Err(KintoneError::invalid(
                at("password"),
                "Enter between 3 and 64 characters.",
            ));
        }
        if str_param(g, "timezone").is_none_or(str::is_empty) {
            return Err(KintoneError::invalid(at("timezone"), "Required field."));
        }
        name_param(g, "name", true).map_err(|_| {
            KintoneError::invalid(at("name"), "Enter between 1 and 128 characters.")
        })?;
        if ctx.db.spaces.guests.contains_key(code) || ctx.db.users.contains_key(code) {
            return Err(KintoneError::invalid(
                at("code"),
                "The login name is already used.",
            ));
        }
        new.push((code.to_string(), g.clone()));
    }
    ctx.db.spaces.guests.extend(new);
    Ok(json!({}))
}

pub fn delete_guests(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    require_user(ctx)?;
    let guests: Vec<String> = params
        .get("guests")
        .and_then(Value::as_array)
        .filter(|g| !g.is_empty() && g.len() <= guests_per_call())
        .ok_or_else(guest_count_error)?
        .iter()
        .map(|g| g.as_str().unwrap_or_default().to_string())
        .collect();
    for (i, g) in guests.iter().enumerate() {
        if !ctx.db.spaces.guests.contains_key(g) {
            return Err(KintoneError::invalid(
                format!("guests[{i}]"),
                format!("The guest user {g} does not exist."),
            ));
        }
    }
    for g in &guests {
        ctx.db.spaces.guests.remove(g);
        for space in ctx.db.spaces.spaces.values_mut() {
            space.guests.retain(|x| x != g);
        }
    }
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::context::as_user;
    use crate::domain::directory::ADMINISTRATOR;
    use crate::domain::seed::SpaceSeed;
    use crate::domain::spec::limits;
    use crate::domain::store::Db;

    /// A page of space statistics is at most the spec's `MAX_SPACES_PER_STATISTICS_PAGE`, a
    /// larger `limit` is refused, and one left out reads the spec's `default`.
    #[test]
    fn statistics_pages_hold_the_specs_most_spaces_per_page() {
        let most = limits().spaces_per_statistics_page;
        let mut db = Db::default();
        for id in 1..=most as u64 + 1 {
            db.spaces.seed(
                SpaceSeed::new(id, format!("Space {id}")),
                time::OffsetDateTime::UNIX_EPOCH,
            );
        }
        as_user(&mut db, ADMINISTRATOR, |ctx| {
            let unlimited = super::statistics(ctx, &json!({})).unwrap();
            assert_eq!(
                unlimited["spaces"].as_array().unwrap().len(),
                limits().default_spaces_per_statistics_page
            );
            let full = super::statistics(ctx, &json!({"limit": most})).unwrap();
            assert_eq!(full["spaces"].as_array().unwrap().len(), most);
            let rest = super::statistics(ctx, &json!({"offset": most})).unwrap();
            assert_eq!(rest["spaces"].as_array().unwrap().len(), 1);
            let err = super::statistics(ctx, &json!({"limit": most + 1})).unwrap_err();
            assert_eq!(
                (err.code, err.errors.contains_key("limit")),
                ("CB_VA01", true)
            );
        });
    }

    /// Add Guests and Delete Guests name at most the spec's `maxItems` of guests, the same for
    /// both; one more is refused on `guests`, and a list of exactly that many is read on.
    #[test]
    fn guest_lists_hold_the_specs_most_guests() {
        let most = limits().guests_per_call;
        for operation in ["addGuests", "deleteGuests"] {
            let guests = kintone_spec::bundled()
                .operations
                .iter()
                .find(|op| op.id == operation)
                .and_then(|op| op.fields.iter().find(|f| f.wire_name == "guests"))
                .unwrap();
            assert_eq!(guests.constraints.max_items, Some(most), "{operation}");
        }
        let emails =
            |n: usize| -> Vec<String> { (0..n).map(|i| format!("guest{i}@example.com")).collect() };
        let mut db = Db::default();
        as_user(&mut db, ADMINISTRATOR, |ctx| {
            let too_many = json!({"guests": emails(most + 1)});
            let err = super::delete_guests(ctx, &too_many).unwrap_err();
            assert!(err.errors.contains_key("guests"), "{:?}", err.errors);
            let err = super::add_guests(ctx, &too_many).unwrap_err();
            assert!(err.errors.contains_key("guests"), "{:?}", err.errors);
            // Exactly as many are counted in; the first unknown guest is what is refused.
            let err = super::delete_guests(ctx, &json!({"guests": emails(most)})).unwrap_err();
            assert!(err.errors.contains_key("guests[0]"), "{:?}", err.errors);
        });
    }
}
