//! Memory follows the page size asked for: a page of very many tiny records (`{}`) is refused
//! at the first record past those asked for, not outlined or decoded whole first.
//!
//! Allocations are counted by this binary's global allocator, so it holds this one test alone:
//! another test running at the same time would count too.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::StreamExt;
use kintone_api::{Client, Error, ProtocolError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The system allocator, counting the bytes held now and the most held since the last reset.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let held = HELD.fetch_add(bytes, Ordering::SeqCst) + bytes;
    PEAK.fetch_max(held, Ordering::SeqCst);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            grew(layout.size());
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe { System.dealloc(block, layout) };
        HELD.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            // Counted as the new block first, then the old one freed: a block that moves is
            // briefly held twice.
            grew(new_size);
            HELD.fetch_sub(layout.size(), Ordering::SeqCst);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Records in the page: 3 bytes each (`{},`), so a 3 MB body.
const RECORDS: usize = 1_000_000;
/// What the stream asks for: kintone's largest page.
const ASKED: usize = 500;

/// A server that answers every request with `body` and closes the connection. The body is
/// written from where it lies, so that serving it allocates nothing the test counts.
async fn serve(body: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut connection, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 1024];
                while !head.ends_with(b"\r\n\r\n") {
                    match connection.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                let answer_head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = connection.write_all(answer_head.as_bytes()).await;
                let _ = connection.write_all(body).await;
                let _ = connection.shutdown().await;
            });
        }
    });
    base
}

/// The most bytes held at once while the stream reads its first page, beyond what was held
/// before; and the error the stream ended with.
async fn peak_of_first_page(client: &Client, raw: bool) -> (usize, Error) {
    let before = HELD.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let builder = client.record_stream(1).page_size(ASKED);
    let first = if raw {
        builder.raw().next().await.unwrap().map(|_| ())
    } else {
        builder.build().next().await.unwrap().map(|_| ())
    };
    let peak = PEAK.load(Ordering::SeqCst) - before;
    (peak, first.unwrap_err())
}

#[test]
fn a_page_of_many_tiny_records_costs_what_the_page_asked_for_costs() {
    let mut page = b"{\"records\":[".to_vec();
    page.extend(std::iter::repeat_n(&b"{},"[..], RECORDS).flatten());
    *page.last_mut().unwrap() = b']';
    page.push(b'}');
    let body: &'static [u8] = Box::leak(page.into_boxed_slice());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let base = serve(body).await;
        let client = Client::builder(base).api_token("TOKEN").build().unwrap();
        for raw in [true, false] {
            let (peak, error) = peak_of_first_page(&client, raw).await;
            assert!(
                matches!(
                    error,
                    Error::Protocol(ProtocolError::PageTooLarge {
                        asked: ASKED,
                        received: 501
                    })
                ),
                "{error:?}"
            );
            // The body is held whole once (its length is announced, so one allocation); what
            // the page's records cost on top must follow the 500 asked for, not the million
            // sent.
            let beyond_body = peak.saturating_sub(body.len());
            println!(
                "{} stream: peak {peak} bytes, {beyond_body} beyond the {}-byte body",
                if raw { "raw" } else { "typed" },
                body.len()
            );
            assert!(
                beyond_body < 2 << 20,
                "{} stream: {beyond_body} bytes beyond the body",
                if raw { "raw" } else { "typed" }
            );
        }
    });
}
