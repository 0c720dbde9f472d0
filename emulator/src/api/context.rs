//! What every handler reads of a request: the caller and the store ([`Ctx`]), the request's
//! parameters, and what a handler answers ([`Output`]).

use std::sync::Arc;

use http::StatusCode;
use serde_json::Value;
use time::{OffsetDateTime, UtcOffset};

use crate::domain::access::Principal;
use crate::domain::config::Config;
use crate::domain::error::{ErrorIds, KintoneError, Result};
use crate::domain::ids::as_id;
use crate::domain::rights;
use crate::domain::seed::Need;
use crate::domain::store::{Db, Entity};

/// Runs one operation by its id: what a bulk request is handed to run the requests it holds,
/// so that it needs no knowledge of the table that lists it.
pub type Dispatch = fn(&mut Ctx, &str, &Value, Option<Upload>) -> Result<Output>;

/// What a handler answers.
pub enum Output {
    Json(Value),
    /// A JSON body already written (records, serialized without building `Value`s).
    Raw(Vec<u8>),
    File {
        content_type: String,
        name: String,
        bytes: bytes::Bytes,
    },
    /// A non-200 answer with a body of its own (a failed bulk request), and the code of the
    /// error inside it for `X-Cybozu-Error`.
    Error {
        status: StatusCode,
        code: &'static str,
        body: Value,
    },
}

/// An uploaded file from a multipart body.
pub struct Upload {
    pub name: String,
    pub content_type: String,
    pub bytes: bytes::Bytes,
}

pub struct Ctx<'a> {
    pub db: &'a mut Db,
    pub principal: Principal,
    pub config: &'a Config,
    pub japanese: bool,
    pub guest_space: Option<u64>,
    /// Where the ids of error answers come from (a failed bulk request writes its own).
    pub error_ids: &'a ErrorIds,
    /// The URL the API's paths are relative to, as called (`http://{Host}/k/v1/`).
    pub base_url: String,
}

impl Ctx<'_> {
    /// The login name records are written as.
    pub fn login(&self) -> String {
        match &self.principal {
            Principal::User(login) | Principal::OAuth { login, .. } => login.clone(),
            Principal::Tokens(_) => crate::domain::directory::ADMINISTRATOR.to_string(),
        }
    }

    /// The caller's primary department, which `PRIMARY_ORGANIZATION()` names in a query.
    pub fn primary_organization(&self) -> Option<String> {
        self.db
            .directory
            .membership(&self.login())
            .and_then(|m| m.primary_department().map(str::to_string))
    }

    /// The caller as records name it, shared with every record the caller wrote.
    pub fn user_entity(&mut self) -> Arc<Entity> {
        let login = self.login();
        self.db.user_entity(&login)
    }

    /// The caller's time zone: the user's own, else the domain's (API tokens: the domain's).
    pub fn zone(&self) -> UtcOffset {
        let own = match &self.principal {
            Principal::User(login) | Principal::OAuth { login, .. } => self.db.zones.get(login),
            Principal::Tokens(_) => None,
        };
        own.copied()
            .or(self.db.domain_zone)
            .unwrap_or(UtcOffset::UTC)
    }

    /// Now, on the emulator's clock, in UTC.
    pub fn now_utc(&self) -> OffsetDateTime {
        OffsetDateTime::from(self.config.clock.wall())
    }

    /// Today in the domain's time zone (UTC when it has none), the day kintone counts requests
    /// by.
    pub fn domain_today(&self) -> time::Date {
        self.now_utc()
            .to_offset(self.db.domain_zone.unwrap_or(UtcOffset::UTC))
            .date()
    }

    /// Now, on the emulator's clock, in the caller's time zone.
    pub fn now_local(&self) -> OffsetDateTime {
        self.now_utc().to_offset(self.zone())
    }

    pub fn entity(&self) -> Value {
        let login = self.login();
        let name = self
            .db
            .users
            .get(&login)
            .map(|u| u.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| login.clone());
        serde_json::json!({"code": login, "name": name})
    }

    /// Fails unless the caller may do `need` in `app` (which must exist).
    pub fn require(&self, app: u64, need: Need) -> Result<()> {
        if !self.db.apps.contains_key(&app) {
            return Err(KintoneError::app_not_found(app));
        }
        if self.may(app, need) {
            Ok(())
        } else {
            Err(self.denied())
        }
    }

    /// Whether the caller may do `need` in `app`. Users (OAuth tokens too, whose scopes are
    /// checked per operation) what the app's live permissions grant them; API tokens what their
    /// app grants them.
    pub fn may(&self, app: u64, need: Need) -> bool {
        rights::may(self.db, &self.principal, app, need)
    }

    /// kintone's answer to a caller without a permission: `GAIA_NO01` for API tokens,
    /// `CB_NO02` for users.
    pub fn denied(&self) -> KintoneError {
        rights::denied(&self.principal)
    }

    /// Whether any credential may do `need` somewhere (files are not tied to an app).
    pub fn may_anywhere(&self, need: Need) -> bool {
        rights::may_anywhere(&self.principal, need)
    }
}

/// A required id parameter, given as a JSON string or number.
pub fn id_param(params: &Value, key: &str) -> Result<u64> {
    match params.get(key) {
        None | Some(Value::Null) => Err(KintoneError::invalid(key, "Required field.")),
        Some(v) => as_id(v).ok_or_else(|| KintoneError::invalid(key, "Enter an integer value.")),
    }
}

/// A boolean kintone also takes as the string `"true"` or `"false"`; left out is `false`.
pub fn flag_param(v: Option<&Value>, at: &str) -> Result<bool> {
    match v {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s == "true" => Ok(true),
        Some(Value::String(s)) if s == "false" => Ok(false),
        Some(_) => Err(KintoneError::invalid(at, "Enter true or false.")),
    }
}

/// An optional revision: absent, `-1` or `"-1"` mean "do not check".
pub fn revision_param(v: Option<&Value>) -> Result<Option<u64>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) if v.as_i64() == Some(-1) || v.as_str() == Some("-1") => Ok(None),
        Some(v) => as_id(v)
            .map(Some)
            .ok_or_else(|| KintoneError::invalid("revision", "Enter an integer value.")),
    }
}

pub fn str_param<'v>(params: &'v Value, key: &str) -> Option<&'v str> {
    params.get(key).and_then(Value::as_str)
}

/// The current time as kintone records it: UTC, to the minute (seconds are always `00`).
pub fn now(ctx: &Ctx) -> String {
    let t = ctx.now_utc();
    format!("{}T{:02}:{:02}:00Z", t.date(), t.hour(), t.minute())
}

/// The list `key` of a write of many records: 1 to `MAX_RECORDS_PER_WRITE` items.
pub fn many<'v>(params: &'v Value, key: &str) -> Result<&'v Vec<Value>> {
    let items = params
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid(key, "Required field."))?;
    if items.is_empty() || items.len() > crate::domain::spec::limits().records_per_write {
        return Err(KintoneError::invalid(
            key,
            format!(
                "Specify from 1 to {} items.",
                crate::domain::spec::limits().records_per_write
            ),
        ));
    }
    Ok(items)
}

/// Runs `f` in a transaction: its writes are kept only if it succeeds, so many-record writes
/// are all or nothing. Inside another transaction (a bulk request) it nests. The cost is that
/// of the writes, not of the domain's size.
pub fn atomically<T>(ctx: &mut Ctx, f: impl FnOnce(&mut Ctx) -> Result<T>) -> Result<T> {
    let savepoint = ctx.db.begin();
    match f(ctx) {
        Ok(out) => {
            ctx.db.commit(savepoint);
            Ok(out)
        }
        Err(e) => {
            ctx.db.rollback(savepoint);
            Err(e)
        }
    }
}

/// Runs `f` with a context on `db` for the user `login`, for tests of one handler.
#[cfg(test)]
pub fn as_user<T>(db: &mut Db, login: &str, f: impl FnOnce(&mut Ctx) -> T) -> T {
    let config = Config::default();
    let error_ids = ErrorIds::default();
    let mut ctx = Ctx {
        db,
        principal: Principal::User(login.to_string()),
        config: &config,
        japanese: false,
        guest_space: None,
        error_ids: &error_ids,
        base_url: String::new(),
    };
    f(&mut ctx)
}
