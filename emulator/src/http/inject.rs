//! Failures that a test asks for: the next requests answer a given status and body, are
//! delayed, or have their connection closed.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::api::Output;

tokio::task_local! {
    /// The number of the request being answered (see [`crate::REQUEST_NUMBER_HEADER`]), so
    /// that a failure notes which request took it.
    pub(crate) static REQUEST_NUMBER: u64;
}

/// A request an injected failure took: its number in the request log
/// ([`LoggedRequest::number`](crate::LoggedRequest::number)) and its path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TakenRequest {
    pub number: u64,
    pub path: String,
}

/// What an injected failure does.
#[derive(Debug, Clone, PartialEq)]
pub enum FailureKind {
    /// Answer this status and body instead of running the operation.
    Respond {
        status: u16,
        content_type: String,
        body: String,
    },
    /// Wait, then run the operation as usual.
    Delay(Duration),
    /// Drop the connection: the status line goes out, the body never arrives.
    CloseConnection,
    /// Hold the request (it counts as running) until the gate opens, then run it as usual.
    Hold(Gate),
    /// Run the operation, then answer as kintone does when it aborts a query's filtering (too
    /// many matching records): status 200, only the first half of the answer's `records`, and
    /// `X-Cybozu-Warning` saying so.
    FilterAborted,
}

/// Holds requests in flight until a test opens it: for states that need requests running at a
/// moment the test chooses (the concurrency limit, client timeouts), without sleeping.
///
/// ```no_run
/// # async fn run(emulator: kintone_emulator::Emulator) {
/// use kintone_emulator::{Failure, Gate};
/// let gate = Gate::new();
/// emulator.inject(Failure::hold(&gate).times(3));
/// // … send three requests, then:
/// gate.reached(3).await; // all three are in flight
/// gate.open(); // they run, and so does every later one the gate holds
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Gate(Arc<GateState>);

#[derive(Debug)]
struct GateState {
    open: watch::Sender<bool>,
    /// How many requests have reached the gate, held or let through.
    reached: watch::Sender<usize>,
}

impl Gate {
    pub fn new() -> Self {
        Self(Arc::new(GateState {
            open: watch::Sender::new(false),
            reached: watch::Sender::new(0),
        }))
    }

    /// Lets every held request through, and every later one.
    pub fn open(&self) {
        self.0.open.send_replace(true);
    }

    /// Waits until `count` requests have reached the gate.
    pub async fn reached(&self, count: usize) {
        let mut reached = self.0.reached.subscribe();
        // The sender lives as long as `self`, so the wait ends only by reaching the count.
        let _ = reached.wait_for(|n| *n >= count).await;
    }

    /// Called by a held request: counts it, then waits for the gate to open.
    pub(crate) async fn pass(&self) {
        let mut open = self.0.open.subscribe();
        self.0.reached.send_modify(|n| *n += 1);
        let _ = open.wait_for(|o| *o).await;
    }
}

impl Default for Gate {
    fn default() -> Self {
        Self::new()
    }
}

/// Gates are equal when they are the same gate (clones of one another).
impl PartialEq for Gate {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// A failure for the next `times` requests, optionally only those whose path is `path`.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub kind: FailureKind,
    /// The requests it has yet to take (counted down as it takes them).
    pub times: usize,
    pub path: Option<String>,
    /// The requests it took, in order.
    taken_by: Vec<TakenRequest>,
}

/// An injected failure as it stands: what it does, and which requests it took. See
/// [`Emulator::injected`](crate::Emulator::injected).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InjectedFailure {
    pub kind: FailureKind,
    /// The path it applies to; `None` for any.
    pub path: Option<String>,
    /// How many more requests it will take: more than 0 means it is still waiting, and will
    /// fail whatever request comes next (on its path).
    pub remaining: usize,
    /// The requests it took, in the order they came: each one's number in the request log and
    /// its path.
    pub taken_by: Vec<TakenRequest>,
}

impl From<&Failure> for InjectedFailure {
    fn from(failure: &Failure) -> Self {
        Self {
            kind: failure.kind.clone(),
            path: failure.path.clone(),
            remaining: failure.times,
            taken_by: failure.taken_by.clone(),
        }
    }
}

impl Failure {
    /// Answer `status` with a JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self::with(FailureKind::Respond {
            status,
            content_type: "application/json".into(),
            body: body.to_string(),
        })
    }

    /// Answer `status` with a text body of the given content type (an HTML maintenance page…).
    pub fn text(status: u16, content_type: impl Into<String>, body: impl Into<String>) -> Self {
        Self::with(FailureKind::Respond {
            status,
            content_type: content_type.into(),
            body: body.into(),
        })
    }

    pub fn delay(duration: Duration) -> Self {
        Self::with(FailureKind::Delay(duration))
    }

    /// Hold the request until `gate` opens (see [`Gate`]).
    pub fn hold(gate: &Gate) -> Self {
        Self::with(FailureKind::Hold(gate.clone()))
    }

    pub fn close_connection() -> Self {
        Self::with(FailureKind::CloseConnection)
    }

    /// Abort the query's filtering, as kintone does when a query matches too many records: see
    /// [`FailureKind::FilterAborted`]. Meant for record reads (`.path("/k/v1/records.json")`).
    pub fn filter_aborted() -> Self {
        Self::with(FailureKind::FilterAborted)
    }

    fn with(kind: FailureKind) -> Self {
        Self {
            kind,
            times: 1,
            path: None,
            taken_by: Vec::new(),
        }
    }

    /// Applies to the next `times` matching requests (1 unless set). Zero means never: such a
    /// failure is dropped as it is injected.
    pub fn times(mut self, times: usize) -> Self {
        self.times = times;
        self
    }

    /// Applies only to requests for this path, such as `/k/v1/records.json`.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
}

/// Makes a JSON answer partial, as kintone's is when it aborts a query's filtering: keeps the
/// first half of its `records`, when it has any. Other answers pass unchanged.
pub(crate) fn abort_filter(output: Output) -> Output {
    let mut answer = match output {
        Output::Json(value) => value,
        // Records are written without building values: read them back to cut them.
        Output::Raw(bytes) => match serde_json::from_slice(&bytes) {
            Ok(value) => value,
            Err(_) => return Output::Raw(bytes),
        },
        other => return other,
    };
    if let Some(records) = answer
        .get_mut("records")
        .and_then(serde_json::Value::as_array_mut)
    {
        records.truncate(records.len() / 2);
    }
    Output::Json(answer)
}

/// The `X-Cybozu-Warning` of an answer whose filtering was aborted, as the spec words it.
pub(crate) fn filter_aborted_warning() -> http::HeaderValue {
    http::HeaderValue::from_static(crate::domain::spec::enum_value(
        "CybozuWarning",
        "FilterAborted",
    ))
}

/// Queues a failure; one for zero requests is dropped at once, so it never fires.
pub fn add(failures: &mut Vec<Failure>, failure: Failure) {
    if failure.times > 0 {
        failures.push(failure);
    }
}

/// Takes the first failure that applies to `path`, counting it down and noting the request it
/// took. A spent failure stays in the list (it takes nothing more), so that a test can still
/// read which requests it took, until the list is cleared.
pub fn take(failures: &mut [Failure], path: &str) -> Option<FailureKind> {
    let failure = failures
        .iter_mut()
        .find(|f| f.times > 0 && f.path.as_deref().is_none_or(|p| p == path))?;
    failure.times -= 1;
    failure.taken_by.push(TakenRequest {
        // Outside a request (a unit test) there is no number: 0, which no request has.
        number: REQUEST_NUMBER.try_with(|n| *n).unwrap_or(0),
        path: path.to_string(),
    });
    Some(failure.kind.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_times_never_fires_and_counts_never_underflow() {
        let mut queue = Vec::new();
        add(&mut queue, Failure::close_connection().times(0));
        assert!(queue.is_empty());
        assert_eq!(take(&mut queue, "/k/v1/record.json"), None);
        // Even one pushed past `add` (the fields are public) is skipped, not decremented.
        queue.push(Failure::close_connection().times(0));
        assert_eq!(take(&mut queue, "/k/v1/record.json"), None);
        add(&mut queue, Failure::close_connection().times(2));
        assert!(take(&mut queue, "/x").is_some());
        assert!(take(&mut queue, "/y").is_some());
        assert_eq!(take(&mut queue, "/x"), None);
        // Spent, it is still there to say which requests it took.
        let spent = InjectedFailure::from(queue.last().unwrap());
        let paths: Vec<_> = spent.taken_by.iter().map(|t| t.path.as_str()).collect();
        assert_eq!((spent.remaining, paths), (0, vec!["/x", "/y"]));
    }
}
