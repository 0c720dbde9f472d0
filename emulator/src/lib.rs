//! `kintone-emulator`: a local kintone-compatible REST API server.
//!
//! It serves every operation of the project's OpenAPI description (the bundle
//! `spec/kintone.bundled.yaml`, read through the generator's model at start), under `/k/v1/…` and `/k/guest/{spaceId}/v1/…`, with kintone's wire format: query
//! strings with indexed arrays, `X-HTTP-Method-Override`, JSON and multipart bodies, binary
//! downloads, `{id, code, message, errors}` errors with kintone's codes and statuses, English or
//! Japanese messages by `Accept-Language`, and `X-ConcurrencyLimit-*` headers on every answer.
//!
//! ```no_run
//! # async fn run() {
//! use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
//!
//! let emulator = Emulator::builder()
//!     .app(AppSeed::new(1, "Orders").field(FieldSeed::new("Title", FieldType::SingleLineText).required()))
//!     .api_token("TOKEN", 1, Permissions::ALL)
//!     .start()
//!     .await
//!     .unwrap();
//! println!("kintone at {}", emulator.base_url());
//! # }
//! ```
//!
//! ## Bounds on hostile input
//!
//! The emulator never lets one request crash it or grow it without bound: queries are read up
//! to [`MAX_QUERY_BYTES`] and [`MAX_NESTING`] levels of parentheses (past them: 400 `CB_VA01`
//! on `query`); bodies up to [`DEFAULT_MAX_BODY_BYTES`], uploads up to
//! [`DEFAULT_MAX_UPLOAD_BYTES`] (both settable on [`EmulatorBuilder`]); the request log keeps
//! the latest [`DEFAULT_LOG_MAX_REQUESTS`] requests within [`DEFAULT_LOG_MAX_BYTES`], and no
//! body of a request that failed authentication.
//!
//! Nor do many clients at once: a body is read only after its caller is known (or the
//! operation takes anyone) and the request is within the concurrency limit, each byte reserved
//! first in one budget all bodies being read share ([`DEFAULT_BODY_MEMORY_BUDGET`]); a refused
//! body is answered from the headers, then read and dropped as it arrives, so the client reads
//! the answer. Connections are closed when idle ([`DEFAULT_IDLE_TIMEOUT`]: no byte either way
//! while none of their requests runs, or a body that stops arriving) or slow to send a request's
//! head ([`DEFAULT_HEADER_READ_TIMEOUT`]); at most [`DEFAULT_MAX_CONNECTIONS`] are open, a
//! newcomer at the limit closing the connection idle longest, so a request is answered however
//! many idle connections others hold. All of these are settable on [`EmulatorBuilder`] and as
//! the binary's flags.
//!
//! ## Error codes, and those whose answer is not known
//!
//! kintone's codes and statuses are answered as `shared/reference/verified-behaviours.md`
//! grades them (statuses from the spec's `x-kintone-error-codes` wherever it gives one; debug
//! builds assert the emulator agrees), with `X-Cybozu-Error` naming the code on every error
//! answer: failed bulk requests (the failing request's code) and injected JSON failures with a
//! `code` included. Where kintone's answer is not known, this is the one list of what the
//! emulator answers instead:
//!
//! | status | code | when | what is not known |
//! |---|---|---|---|
//! | 501 | `EMULATOR_NI01` | the operation is in the spec but the emulator does not implement it | the emulator's own code |
//! | 413 | `EMULATOR_TL01` | the request body is over the emulator's cap, or larger than its whole body memory budget | the emulator's own code; kintone's answer to an oversized body |
//! | 429 | `GAIA_TO04` | the body does not fit in what is left of the emulator's body memory budget | kintone has no such budget; the code is kintone's for a request refused before it ran, to retry later |
//! | 408 | `EMULATOR_TO01` | the body stopped arriving for the idle timeout | the emulator's own code; kintone's answer to a stalled body |
//! | 404 | `CB_NF01` | an unknown API path | kintone's status and body for it |
//! | 400 | `CB_IL02` | an `X-HTTP-Method-Override` that is not GET, POST, PUT or DELETE | kintone's answer to it |
//! | 401 | `CB_AU01` | an unknown OAuth access token | kintone's answer to it |
//! | 400 | `GAIA_IL03` | a process action that does not apply to the record's status, or whose `filterCond` the record does not match | the status (the code is observed); that kintone uses it for an unmatched condition too |
//! | 400 | `GAIA_ST02` | a process action in an app without process management | the status (the code is observed) |
//! | 403 | `GAIA_RE03` | deleting another author's comment | the status (the code is observed) |
//! | 403 | `CB_NO02` | a user's update, status action or delete of a record the record permissions do not let them edit or delete; a user's status action when they are not an assignee of the record's status (while it has any) or not among the action's executable users | the code for these (observed for refused viewing and adding only) |
//! | 404 | `EMULATOR_NF02` | a space, thread or plug-in that does not exist | kintone's code and status for it |
//! | 403 | `GAIA_NO01` | an API token on a space, guest or plug-in API (kintone takes none there) | kintone's answer to it |
//! | 400 | `CB_VA01` | Move App into a guest space (kintone refuses it) | kintone's status and code for it |
//! | 400 | `CB_VA01` | a text, text area, rich text or link value over 65,535 characters (`TEXT_VALUE_MAX_CHARS`, an assumption: kintone documents no maximum but the 64 characters of a field that prohibits duplicate values, which is enforced as the spec's `MAX_UNIQUE_TEXT_LENGTH`) | kintone's maximum and message |
//! | 400 | `CB_VA01` | a link that does not fit its protocol (WEB: `http://` or `https://`; MAIL: `local@domain`; CALL: digits, spaces, `+ - ( ) # *`) | the exact rules and messages |
//!
//! ## Who may read and change app settings
//!
//! One rule for every app-settings operation, API tokens and users alike, from kintone's page
//! of each operation (the rule itself is `api::settings_access::require_settings`): live settings
//! need the right to view or add records; pre-live settings, the app's permissions and
//! notifications (live too), every change, a deploy and its status need app management. A
//! token has it when seeded with `manage_app` ([`Permissions::ALL`] has all five permissions,
//! [`Permissions::RECORDS`] the four on records); a user when the live app permissions grant
//! `appEditable` (an app's creator, `Administrator` for seeded apps, and the users of
//! [`AppSeed::manager`]). Refused: 403 `GAIA_NO01` for a token, 403 `CB_NO02` for a user.
//! Creating and moving apps take a user.
//!
//! ## Known differences from kintone
//!
//! Time zones are UTC offsets (`+09:00`), not IANA zones, so daylight saving time is not
//! modelled. `like` is a case-blind substring match, not kintone's word search. Conditions on
//! fields of the same subtable joined by `and` may match in different rows (kintone requires the
//! same row). Calculated fields compute a subset of kintone's formulas (see `FieldSeed::expression`:
//! numbers, number and calculated fields, `+ - * /`, parentheses, `SUM()` of a subtable field,
//! rounded half to even to 4 places); subtable calculated fields are not computed. Numbers allow
//! kintone's default 12 digits before the point. Every app has the system fields `Record_number`,
//! `Created_by`, `Created_datetime`, `Updated_by`, `Updated_datetime` (and `Status`, `Assignee`
//! with a process); records written with an API token are written as `Administrator`. Users are
//! restricted by the live app, record and field permissions (record permissions hide records
//! from reads and cursors and refuse writes with `CB_NO02`). Memberships are seeded
//! (`UserSeed::organization`, `UserSeed::group`, departments below others with
//! `EmulatorBuilder::organization_in`) and fixed while the emulator runs: group and department
//! entries name their members, a department entry with `includeSubs` the members of the
//! departments below it too, and `everyone` every user. Notifications are stored and read back
//! but decide nothing (none is sent).
//!
//! The live process decides as kintone does, where kintone's rule is known: an action runs only
//! on a record its `filterCond` matches (`GAIA_IL03` otherwise); a user runs it only as an
//! assignee of the record's status, when that has any, and only as one of the action's
//! executable users, when it names any (entries as permissions read them, `CREATOR` the
//! record's creator, `FIELD_ENTITY` what the record's field holds). A record entering a status
//! is assigned the users the status's list names (departments and groups, also held in a
//! department or group selection, by their members); the action's `assignee`, when given,
//! wins. A status whose list is "the user picks one" (`ONE`) and names anyone needs the
//! `assignee` (`GAIA_SA01`), except the first status, which a new record enters with everyone
//! its list names. Assumed, not verified: API tokens are no user and run any action the
//! record's edit right allows, whoever is assigned; an `assignee` outside the status's list is
//! taken as given; for an `ALL` status any one assignee moves the record on (kintone waits for
//! all of them, which is not modelled); assignees are not reset when process management is
//! turned on for existing records, nor when a deploy changes a status's list.
//!
//! Webhooks are not modelled: Get App Statistics counts none for every app.
//!
//! Search (an API Lab feature) finds records and record comments by case-blind substring
//! matches of its keywords, 20 hits a page unless `limit` says otherwise (an assumption), in
//! app, record and comment order; spaces, threads, people, messages and attachments never hit.
//!
//! Spaces: any user may create spaces, read the space statistics, add and delete guest users and
//! manage plug-ins (kintone: administrators only); the user `Administrator` may do everything in
//! every space, others what their membership allows (as a user, or through a group or
//! department they belong to, by the rule of permission entries). Space templates are not
//! modelled: any template id creates an empty space. Cover images are not modelled. Apps
//! outside guest spaces answer under any guest path too (kintone: `CB_NO02`). Plug-ins are read from an uploaded JSON
//! manifest rather than a signed zip (see `PluginSeed`), and are never Marketplace plug-ins.
//! The API schema (`apis/{id}.json`) is built from the spec, with tagged unions (record values)
//! as plain objects.
//!
//! App statistics: only the user `Administrator` may read them. App groups are not modelled
//! (`appGroup` is left out); the daily request count counts the requests naming the app in an
//! `app` parameter on the domain's current day; the field count is every field Get Form Fields
//! lists, those inside tables included (kintone's own rule for it is not known).
//!
//! Get Form (legacy) lists the form in layout order, then the fields every app has (which the
//! layout does not place); where kintone places those in its list is not known.

mod api;
mod domain;
mod http;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use api::IMPLEMENTED;
pub use domain::clock::{Clock, ManualClock, SystemClock};
pub use domain::config::{
    Config, DEFAULT_BODY_MEMORY_BUDGET, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_LOG_MAX_BYTES, DEFAULT_LOG_MAX_REQUESTS, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_UPLOAD_BYTES,
};
pub use domain::error::KintoneError;
pub use domain::query::{MAX_NESTING, MAX_QUERY_BYTES};
pub use domain::seed::{
    ActionSeed, AppSeed, AssigneeKind, EntitySeed, FieldSeed, FieldType, LinkProtocol, LookupSeed,
    OAuthSeed, OrganizationSeed, Permissions, PluginSeed, ProcessSeed, Seed, SpaceMemberSeed,
    SpaceSeed, StatusAssignees, TokenSeed, UserSeed,
};
pub use domain::spec::{limits, operations as spec_operations, Limits, SpecOperation};
pub use http::inject::{Failure, FailureKind, Gate, InjectedFailure, TakenRequest};
/// How the emulator reads a request's query string, for tests that check what a client encodes.
pub use http::server::query_params;
pub use http::server::LoggedRequest;
/// The query parser, for checking what a client writes: `parse` gives the filter as a tree.
pub mod query_syntax {
    pub use crate::domain::query::{parse, Cmp, Expr, Operand, Query};
}

/// The API ids the emulator's list of APIs (`apis.json`) names, read from the spec.
pub fn api_ids() -> Vec<String> {
    api::schema::api_ids()
}

use domain::seeding;
use http::server::Shared;
use http::{connections, inject, server};

/// The header the emulator gives every request it receives, numbering them from 1 in the order
/// they arrive, before the request is logged: the request log
/// ([`Emulator::requests`], [`LoggedRequest::number`]) and the failures that requests took
/// ([`Emulator::injected`]) name requests by it. A value the client sent is replaced.
pub const REQUEST_NUMBER_HEADER: &str = "x-emulator-request";

impl LoggedRequest {
    /// The request's number ([`REQUEST_NUMBER_HEADER`]): an injected failure that took this
    /// request names it in [`InjectedFailure::taken_by`].
    pub fn number(&self) -> Option<u64> {
        self.header(REQUEST_NUMBER_HEADER)?.parse().ok()
    }
}

/// Numbers a request, then answers it: the number goes into its headers (so the log keeps
/// it) and into the task, where a failure it takes reads it.
async fn numbered(
    numbers: Arc<std::sync::atomic::AtomicU64>,
    shared: Arc<Shared>,
    mut request: ::http::Request<axum::body::Body>,
) -> axum::response::Response {
    let number = numbers.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    request
        .headers_mut()
        .insert(REQUEST_NUMBER_HEADER, ::http::HeaderValue::from(number));
    inject::REQUEST_NUMBER
        .scope(number, server::handle(shared, request))
        .await
}

/// Builds an [`Emulator`]: seed data and settings, then [`start`](EmulatorBuilder::start).
#[derive(Debug, Default)]
#[must_use]
pub struct EmulatorBuilder {
    seed: Seed,
    config: Config,
    port: u16,
}

impl EmulatorBuilder {
    pub fn app(mut self, app: AppSeed) -> Self {
        self.seed.apps.push(app);
        self
    }

    pub fn api_token(
        mut self,
        token: impl Into<String>,
        app: u64,
        permissions: Permissions,
    ) -> Self {
        self.seed.tokens.push(TokenSeed {
            token: token.into(),
            app,
            permissions,
        });
        self
    }

    pub fn user(self, login: impl Into<String>, password: impl Into<String>) -> Self {
        self.user_seed(UserSeed::new(login, password))
    }

    /// A user with a display name or a time zone of its own.
    pub fn user_seed(mut self, user: UserSeed) -> Self {
        self.seed.users.push(user);
        self
    }

    /// A department (organization) at the top of the tree, which organization selections and
    /// permission entries may name.
    pub fn organization(mut self, code: impl Into<String>, name: impl Into<String>) -> Self {
        self.seed.organizations.push(OrganizationSeed {
            code: code.into(),
            name: name.into(),
            parent: None,
        });
        self
    }

    /// A department directly below the department `parent` (seeded too, before or after it):
    /// an entry naming `parent` with `includeSubs` names this department's members too.
    pub fn organization_in(
        mut self,
        code: impl Into<String>,
        name: impl Into<String>,
        parent: impl Into<String>,
    ) -> Self {
        self.seed.organizations.push(OrganizationSeed {
            code: code.into(),
            name: name.into(),
            parent: Some(parent.into()),
        });
        self
    }

    /// A group that group selections and permission entries may name.
    pub fn group(mut self, code: impl Into<String>, name: impl Into<String>) -> Self {
        self.seed.groups.push(EntitySeed {
            code: code.into(),
            name: name.into(),
        });
        self
    }

    /// An OAuth access token (sent as `Authorization: Bearer`) acting as the user `login`
    /// within `scopes` (`k:app_record:read`, `k:app_record:write`, `k:app_settings:read`,
    /// `k:app_settings:write`, `k:file:read`, `k:file:write`); an operation outside them is
    /// answered 403 `CB_OA01`.
    pub fn oauth_token<S: Into<String>>(
        mut self,
        token: impl Into<String>,
        login: impl Into<String>,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.seed.oauth_tokens.push(OAuthSeed {
            token: token.into(),
            login: login.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// The domain's time zone as a UTC offset (`+09:00`): API tokens and users without one of
    /// their own read dates in it. UTC unless set.
    pub fn time_zone(mut self, offset: impl Into<String>) -> Self {
        self.seed.time_zone = Some(offset.into());
        self
    }

    /// A space or guest space, with its members and apps.
    pub fn space(mut self, space: SpaceSeed) -> Self {
        self.seed.spaces.push(space);
        self
    }

    /// A plug-in, imported already (or uninstalled, see [`PluginSeed::uninstalled`]).
    pub fn plugin(mut self, plugin: PluginSeed) -> Self {
        self.seed.plugins.push(plugin);
        self
    }

    /// Adds everything in a seed (as read from a JSON seed file).
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed.apps.extend(seed.apps);
        self.seed.tokens.extend(seed.tokens);
        self.seed.users.extend(seed.users);
        self.seed.organizations.extend(seed.organizations);
        self.seed.groups.extend(seed.groups);
        self.seed.oauth_tokens.extend(seed.oauth_tokens);
        self.seed.spaces.extend(seed.spaces);
        self.seed.plugins.extend(seed.plugins);
        if seed.time_zone.is_some() {
            self.seed.time_zone = seed.time_zone;
        }
        self
    }

    /// Requests allowed at once before 429 `GAIA_TO04` (kintone: 100).
    pub fn concurrency_limit(mut self, limit: usize) -> Self {
        self.config.concurrency_limit = limit;
        self
    }

    /// How long an unused cursor lives (kintone: 10 minutes).
    pub fn cursor_ttl(mut self, ttl: Duration) -> Self {
        self.config.cursor_ttl = ttl;
        self
    }

    /// How long an unattached upload is kept (kintone: 3 days).
    pub fn temp_file_ttl(mut self, ttl: Duration) -> Self {
        self.config.temp_file_ttl = ttl;
        self
    }

    /// The largest body a request other than Upload File may have (default
    /// [`DEFAULT_MAX_BODY_BYTES`]); a larger one is answered 413 `EMULATOR_TL01`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.config.max_body_bytes = bytes;
        self
    }

    /// The largest body an Upload File request may have (default
    /// [`DEFAULT_MAX_UPLOAD_BYTES`]); a larger one is answered 413 `EMULATOR_TL01`.
    pub fn max_upload_bytes(mut self, bytes: usize) -> Self {
        self.config.max_upload_bytes = bytes;
        self
    }

    /// How many requests [`Emulator::requests`] keeps (default [`DEFAULT_LOG_MAX_REQUESTS`]);
    /// the oldest are dropped first.
    pub fn log_max_requests(mut self, requests: usize) -> Self {
        self.config.log_max_requests = requests;
        self
    }

    /// How many bytes of bodies, paths, queries and headers [`Emulator::requests`] keeps
    /// (default [`DEFAULT_LOG_MAX_BYTES`]); the oldest requests are dropped first, and a body
    /// larger than the whole bound is not kept.
    pub fn log_max_bytes(mut self, bytes: usize) -> Self {
        self.config.log_max_bytes = bytes;
        self
    }

    /// Where the emulator reads the time for expiry (cursors, uploads), record times and the
    /// date functions of queries: the system clock unless set; a [`ManualClock`] lets a test
    /// pass ten minutes at once, or start at a date of its choosing.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.config.clock = Arc::new(clock);
        self
    }

    /// How many Get Deploy Status reads of an app answer `PROCESSING` after each deploy before
    /// the deploy's outcome (default 1). The settings go live when the deploy is asked for.
    pub fn deploy_processing_reads(mut self, reads: u32) -> Self {
        self.config.deploy_processing_reads = reads;
        self
    }

    /// The bytes all request bodies being read at once may hold (default
    /// [`DEFAULT_BODY_MEMORY_BUDGET`]). A body is read only once its caller is known and within
    /// the concurrency limit, each byte reserved in this budget before it is kept; a body that
    /// does not fit in what is left is answered `429 GAIA_TO04`, one larger than the whole budget
    /// `413 EMULATOR_TL01`.
    pub fn body_memory_budget(mut self, bytes: usize) -> Self {
        self.config.body_memory_budget = bytes;
        self
    }

    /// The most connections kept open at once (default [`DEFAULT_MAX_CONNECTIONS`]). A
    /// connection arriving at the limit makes room by closing the connection idle longest (none
    /// of its requests running); while none is idle, new connections wait to be accepted. Keep
    /// it above [`concurrency_limit`](Self::concurrency_limit), so that there is always an idle
    /// one to close.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.config.max_connections = connections;
        self
    }

    /// The time a connection has to send a request's line and headers, counted from when the
    /// emulator starts waiting for them (default [`DEFAULT_HEADER_READ_TIMEOUT`]); a connection
    /// past it is closed. It bounds a client that sends its headers a byte at a time.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.header_read_timeout = timeout;
        self
    }

    /// The time a connection may stay idle (default [`DEFAULT_IDLE_TIMEOUT`]): with no byte
    /// either way while none of its requests runs, it is closed; a body that stops arriving for
    /// this long is answered `408 EMULATOR_TO01` and its connection closed.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.config.idle_timeout = timeout;
        self
    }

    /// The port to listen on (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts the server on 127.0.0.1.
    pub async fn start(self) -> Result<Emulator, StartError> {
        let now = time::OffsetDateTime::from(self.config.clock.wall());
        let (db, seeded_records) = seeding::seeded(self.seed, now).map_err(StartError::Setting)?;
        let shared = Arc::new(Shared::new(db, self.config));
        for (app, records) in seeded_records {
            insert(&shared, app, records).map_err(StartError::Seed)?;
        }
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], self.port)))
            .await
            .map_err(StartError::Bind)?;
        let address = listener.local_addr().map_err(StartError::Bind)?;
        let connections = Arc::new(connections::Connections::new(
            connections::ConnectionLimits {
                max_connections: shared.config.max_connections,
                header_read_timeout: shared.config.header_read_timeout,
                idle_timeout: shared.config.idle_timeout,
            },
        ));
        let numbers = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handler = {
            let shared = Arc::clone(&shared);
            move |request| numbered(Arc::clone(&numbers), Arc::clone(&shared), request)
        };
        let task = tokio::spawn(connections::serve(
            listener,
            Arc::clone(&connections),
            handler,
            async {
                let _ = stopped.await;
            },
        ));
        Ok(Emulator {
            address,
            shared,
            connections,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// Why the emulator did not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    Bind(std::io::Error),
    /// A seeded record breaks its app's fields.
    Seed(KintoneError),
    /// A setting or a field definition the emulator cannot use.
    Setting(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(e) => write!(f, "cannot listen on 127.0.0.1: {e}"),
            StartError::Seed(e) => write!(
                f,
                "a seeded record is not valid: {} {:?}",
                e.message_en, e.errors
            ),
            StartError::Setting(what) => write!(f, "not a valid setting: {what}"),
        }
    }
}

impl std::error::Error for StartError {}

fn insert(
    shared: &Shared,
    app: u64,
    records: Vec<serde_json::Value>,
) -> Result<Vec<u64>, KintoneError> {
    let mut db = shared.db.lock().unwrap();
    let mut ctx = api::Ctx {
        db: &mut db,
        principal: domain::access::Principal::User(domain::directory::ADMINISTRATOR.into()),
        config: &shared.config,
        japanese: false,
        guest_space: None,
        error_ids: &shared.error_ids,
        base_url: String::new(),
    };
    api::context::atomically(&mut ctx, |ctx| {
        records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                api::records::add_one(ctx, app, Some(r), &format!("records[{i}]."))
                    .map(|(id, _)| id)
            })
            .collect()
    })
}

/// A running emulator. It stops when dropped.
pub struct Emulator {
    address: SocketAddr,
    shared: Arc<Shared>,
    connections: Arc<connections::Connections>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// `http://127.0.0.1:{port}`, for `Client::builder`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Adds records straight into an app (no HTTP, no limits), as Add Record's `record`
    /// objects; returns their ids. For seeding large data sets.
    pub fn insert_records(
        &self,
        app: u64,
        records: Vec<serde_json::Value>,
    ) -> Result<Vec<u64>, KintoneError> {
        insert(&self.shared, app, records)
    }

    /// How many records an app holds.
    pub fn record_count(&self, app: u64) -> usize {
        self.shared
            .db
            .lock()
            .unwrap()
            .apps
            .get(&app)
            .map_or(0, |a| a.records().len())
    }

    /// A thread with its comments, as `{space, name, body, comments: [{id, text, creator,
    /// mentions, files}]}`: kintone has no API that reads thread comments.
    pub fn thread(&self, thread: u64) -> Option<serde_json::Value> {
        self.shared.db.lock().unwrap().spaces.thread_json(thread)
    }

    /// The guest users of a guest space (`Some(id)`), or every guest user of the domain.
    pub fn guests(&self, space: Option<u64>) -> Vec<String> {
        let db = self.shared.db.lock().unwrap();
        match space {
            Some(id) => db
                .spaces
                .spaces
                .get(&id)
                .map(|s| s.guests.clone())
                .unwrap_or_default(),
            None => db.spaces.guests.keys().cloned().collect(),
        }
    }

    /// How many cursors are open.
    pub fn open_cursors(&self) -> usize {
        self.shared.db.lock().unwrap().cursors.len()
    }

    /// The latest requests received, oldest first, within the log's bounds
    /// ([`EmulatorBuilder::log_max_requests`], [`EmulatorBuilder::log_max_bytes`]). A request
    /// that failed authentication is kept without its body.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.lock().unwrap().entries()
    }

    /// The bytes the request log holds now, as counted against
    /// [`EmulatorBuilder::log_max_bytes`].
    pub fn logged_bytes(&self) -> usize {
        self.shared.log.lock().unwrap().bytes()
    }

    /// How many connections are open now, within [`EmulatorBuilder::max_connections`].
    pub fn open_connections(&self) -> usize {
        self.connections.open_count()
    }

    /// The bytes the request bodies being read now hold, within
    /// [`EmulatorBuilder::body_memory_budget`].
    pub fn body_bytes_in_use(&self) -> usize {
        self.shared.bodies.in_use()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.log.lock().unwrap().clear();
    }

    /// Makes the next matching requests fail as described (a failure for zero requests never
    /// fires). A failure waits until requests take it, whichever they are: check with
    /// [`injected`](Self::injected) which requests took it, and [`clear_failures`](Self::clear_failures)
    /// between steps so that none is left for an unrelated later call.
    pub fn inject(&self, failure: Failure) {
        inject::add(&mut self.shared.failures.lock().unwrap(), failure);
    }

    /// Every failure injected since the last [`clear_failures`](Self::clear_failures), in the
    /// order injected: how many requests each has yet to take, and each request it took, by
    /// its number in the request log ([`LoggedRequest::number`]) and its path.
    pub fn injected(&self) -> Vec<InjectedFailure> {
        let failures = self.shared.failures.lock().unwrap();
        failures.iter().map(InjectedFailure::from).collect()
    }

    /// Forgets every injected failure, spent or still waiting, and returns them as
    /// [`injected`](Self::injected) would: a failure with `remaining > 0` never took all the
    /// requests it was meant for.
    pub fn clear_failures(&self) -> Vec<InjectedFailure> {
        let mut failures = self.shared.failures.lock().unwrap();
        failures
            .drain(..)
            .map(|f| InjectedFailure::from(&f))
            .collect()
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
