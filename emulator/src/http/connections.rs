//! The emulator's side of TCP: an accept loop that keeps at most a set number of connections
//! open, closes a connection that stays idle, and reads request heads within a time limit
//! (hyper's header read timeout). `axum::serve` has none of these: with it, about 1,014 idle
//! connections made the emulator unreachable at 1,024 file descriptors (issue 24).
//!
//! The connection limit does not wait for time: when a connection arrives at the limit, the
//! connection that has been idle longest (no request of it running) is closed to make room, so
//! a caller with a request to send is answered however many idle connections others hold.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::Instant;

/// How long the accept loop pauses after an error it cannot pin on one connection (out of file
/// descriptors, say) when no connection closes meanwhile, rather than retrying at once.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The most bytes a connection's read buffer grows to (hyper's default is about 400 KiB). A body
/// arrives through it piece by piece, so it bounds what every connection sending a body holds
/// besides the body itself; a request's head (line and headers) must fit in it too, far more
/// than kintone's 8 KiB request line needs.
const READ_BUFFER_BYTES: usize = 64 << 10;

/// The limits on connections, from [`crate::Config`].
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
}

/// One open connection, as the accept loop and the connection's own task see it.
#[derive(Debug)]
struct Connection {
    /// When it was accepted; `last_active` counts from here.
    opened: Instant,
    /// Nanoseconds after `opened` of the latest byte read or written, or of the latest request
    /// whose handler finished.
    last_active: AtomicU64,
    /// Requests of this connection whose handler is running.
    running: AtomicUsize,
    /// Asked to close, to make room or because the server stops.
    closing: AtomicBool,
    close: Notify,
    /// Fired when a request of this connection has been answered.
    request_ended: Notify,
}

impl Connection {
    fn touch(&self) {
        let now = u64::try_from(self.opened.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.last_active.fetch_max(now, Ordering::Relaxed);
    }

    fn last_active(&self) -> Instant {
        self.opened + Duration::from_nanos(self.last_active.load(Ordering::Relaxed))
    }

    fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst) > 0
    }

    /// Asks the connection's task to close it: at once when no request of it runs, else after
    /// the running one is answered.
    fn ask_to_close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.close.notify_one();
    }
}

/// The open connections.
#[derive(Debug)]
pub struct Connections {
    limits: ConnectionLimits,
    open: Mutex<HashMap<u64, Arc<Connection>>>,
    next_id: AtomicU64,
    /// Fired when a connection closes or one of its requests ends: room may have been made.
    changed: Notify,
}

impl Connections {
    pub fn new(limits: ConnectionLimits) -> Self {
        Self {
            limits,
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            changed: Notify::new(),
        }
    }

    /// How many connections are open now.
    pub fn open_count(&self) -> usize {
        self.open.lock().unwrap().len()
    }

    fn register(&self) -> (u64, Arc<Connection>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let connection = Arc::new(Connection {
            opened: Instant::now(),
            last_active: AtomicU64::new(0),
            running: AtomicUsize::new(0),
            closing: AtomicBool::new(false),
            close: Notify::new(),
            request_ended: Notify::new(),
        });
        self.open
            .lock()
            .unwrap()
            .insert(id, Arc::clone(&connection));
        (id, connection)
    }

    /// Whether there is room under the limit; if not, asks the connections idle longest (other
    /// than `newest`) to close, as many as are over the limit and not closing already.
    fn make_room(&self, newest: u64) -> bool {
        let open = self.open.lock().unwrap();
        if open.len() <= self.limits.max_connections {
            return true;
        }
        let closing = open
            .values()
            .filter(|c| c.closing.load(Ordering::SeqCst))
            .count();
        let over = open.len() - self.limits.max_connections;
        // Idle longest first; of two idle since the same moment, the older connection. The
        // times are read once: connections go on reading and writing while this sorts.
        let mut idle: Vec<(Instant, u64, &Arc<Connection>)> = open
            .iter()
            .filter(|(id, c)| {
                **id != newest && !c.closing.load(Ordering::SeqCst) && !c.is_running()
            })
            .map(|(id, c)| (c.last_active(), *id, c))
            .collect();
        idle.sort_unstable_by_key(|(last_active, id, _)| (*last_active, *id));
        for (_, _, victim) in idle.into_iter().take(over.saturating_sub(closing)) {
            victim.ask_to_close();
        }
        false
    }

    fn close_all(&self) {
        for connection in self.open.lock().unwrap().values() {
            connection.ask_to_close();
        }
    }
}

/// Accepts connections on `listener` and answers their requests with `handler` until `stop`
/// resolves; then asks every connection to close and waits for them.
pub async fn serve<H, F>(
    listener: TcpListener,
    connections: Arc<Connections>,
    handler: H,
    stop: impl Future<Output = ()>,
) where
    H: Fn(http::Request<Body>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    tokio::pin!(stop);
    'accepting: loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        while tasks.try_join_next().is_some() {}
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // The peer left before it was accepted: take the next one.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                ) =>
            {
                continue
            }
            Err(_) => {
                let closed = connections.changed.notified();
                tokio::select! {
                    () = &mut stop => break,
                    () = closed => {}
                    () = tokio::time::sleep(ACCEPT_ERROR_PAUSE) => {}
                }
                continue;
            }
        };
        let (id, connection) = connections.register();
        tasks.spawn(serve_connection(
            stream,
            id,
            connection,
            Arc::clone(&connections),
            handler.clone(),
        ));
        // Over the limit: accept nothing more until idle connections have made room.
        loop {
            let changed = connections.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if connections.make_room(id) {
                break;
            }
            tokio::select! {
                () = &mut stop => break 'accepting,
                () = changed => {}
            }
        }
    }
    drop(listener);
    connections.close_all();
    while tasks.join_next().await.is_some() {}
}

/// Removes a connection from the open ones when its task ends, however it ends.
struct Registered {
    connections: Arc<Connections>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.connections.open.lock().unwrap().remove(&self.id);
        self.connections.changed.notify_waiters();
    }
}

/// Counts a request's handler as running on its connection while it lives.
struct RunningRequest {
    connection: Arc<Connection>,
    connections: Arc<Connections>,
}

impl Drop for RunningRequest {
    fn drop(&mut self) {
        self.connection.touch();
        self.connection.running.fetch_sub(1, Ordering::SeqCst);
        self.connection.request_ended.notify_one();
        self.connections.changed.notify_waiters();
    }
}

async fn serve_connection<H, F>(
    stream: TcpStream,
    id: u64,
    connection: Arc<Connection>,
    connections: Arc<Connections>,
    handler: H,
) where
    H: Fn(http::Request<Body>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    let limits = connections.limits;
    let registry = Arc::clone(&connections);
    let io = TokioIo::new(Watched {
        stream,
        connection: Arc::clone(&connection),
    });
    let service = {
        let connection = Arc::clone(&connection);
        hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
            connection.running.fetch_add(1, Ordering::SeqCst);
            let running = RunningRequest {
                connection: Arc::clone(&connection),
                connections: Arc::clone(&connections),
            };
            let answer = handler(request.map(Body::new));
            async move {
                let response = answer.await;
                drop(running);
                Ok::<_, Infallible>(response)
            }
        })
    };
    let http = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(READ_BUFFER_BYTES)
        .serve_connection(io, service);
    tokio::pin!(http);
    // Declared after the connection so that it is dropped first: once a client sees its
    // connection closed, the connection is no longer counted.
    let _registered = Registered {
        connections: registry,
        id,
    };
    let mut finishing = false;
    loop {
        // While a request runs the connection is not idle; its idle time counts from the end.
        let running = connection.is_running();
        let idle_until = connection.last_active() + limits.idle_timeout;
        tokio::select! {
            _ = http.as_mut() => return,
            () = connection.close.notified(), if !finishing => {
                if !connection.is_running() {
                    return;
                }
                http.as_mut().graceful_shutdown();
                finishing = true;
            }
            () = connection.request_ended.notified(), if running => {}
            () = tokio::time::sleep_until(idle_until), if !running => {
                let idle_since = connection.last_active();
                if !connection.is_running() && idle_since + limits.idle_timeout <= Instant::now() {
                    return;
                }
            }
        }
    }
}

/// A socket that notes on its connection when a byte last went either way.
struct Watched {
    stream: TcpStream,
    connection: Arc<Connection>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.connection.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.connection.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.connection.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
