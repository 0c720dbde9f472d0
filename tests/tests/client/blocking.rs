//! The blocking client against the emulator, which runs on a runtime thread of its own: the
//! test thread itself has no async runtime, as in a program that uses the blocking client.

use kintone_api::error_codes::GAIA_RE01;
use kintone_api::{blocking, FieldValue};
use kintone_emulator::{Emulator, Permissions};
use kintone_tests::*;

/// An emulator served from its own thread; it stops when this is dropped.
struct Served {
    base_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn serve() -> Served {
    let (started, base_url) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let emulator = Emulator::builder()
                .app(orders_app())
                .api_token("TOKEN", 1, Permissions::ALL)
                .start()
                .await
                .expect("the emulator starts");
            started.send(emulator.base_url()).unwrap();
            let _ = stopped.await;
            emulator.shutdown().await;
        });
    });
    Served {
        base_url: base_url.recv().unwrap(),
        stop: Some(stop),
        thread: Some(thread),
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.thread.take().unwrap().join().unwrap();
    }
}

fn client(served: &Served) -> blocking::Client {
    blocking::Client::builder(&served.base_url)
        .api_token("TOKEN")
        .build_blocking()
        .unwrap()
}

/// The README's way to host the emulator from a plain `fn main`: a runtime of its own, whose
/// worker serves the emulator while the blocking client runs on the calling thread.
#[test]
fn an_emulator_hosted_from_a_plain_fn_main() -> Result<(), Box<dyn std::error::Error>> {
    use kintone_emulator::{AppSeed, FieldSeed, FieldType};
    // The emulator serves from this runtime's worker thread; keep `runtime` alive while it runs.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let emulator = runtime.block_on(
        Emulator::builder()
            .app(
                AppSeed::new(1, "Orders").field(FieldSeed::new("Title", FieldType::SingleLineText)),
            )
            .api_token("TOKEN", 1, Permissions::RECORDS)
            .start(),
    )?;
    let client = kintone_api::Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .build_blocking()?;
    let added = client
        .records()
        .add_record(1)
        .record(kintone_api::record! { "Title" => "Hello" })
        .send()?;
    assert_eq!(emulator.record_count(1), 1);
    assert_eq!(added.id.get(), 1);
    Ok(())
}

#[test]
fn a_write_then_a_read_without_async() {
    let served = serve();
    let client = client(&served);
    let added = client
        .records()
        .add_record(1u64)
        .record(record("written blocking", &[]))
        .send()
        .unwrap();
    assert_eq!(added.revision.to_string(), "1");

    let read = client.records().get_record(1u64, added.id).send().unwrap();
    match read.record.get("Title") {
        Some(FieldValue::SingleLineText(title)) => assert_eq!(title.value, "written blocking"),
        other => panic!("{other:?}"),
    }
    // The same operations through the generic entry point, from a clone on another thread.
    let clone = client.clone();
    let page = std::thread::spawn(move || {
        clone
            .send(kintone_api::types::GetRecordsRequest::new(1u64).total_count(true))
            .unwrap()
    })
    .join()
    .unwrap();
    assert_eq!(page.records.len(), 1);
}

#[test]
fn an_error_is_returned_directly() {
    let served = serve();
    let client = client(&served);
    let err = client
        .records()
        .get_record(1u64, 999u64)
        .send()
        .unwrap_err();
    assert_eq!(err.code(), Some(GAIA_RE01));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    // A check of the client: nothing was sent.
    let err = client
        .records()
        .get_records(1u64)
        .query("limit 501")
        .send()
        .unwrap_err();
    assert!(err.is_rejected_before_sending());
}

#[tokio::test]
#[should_panic(expected = "inside an async runtime")]
async fn inside_an_async_runtime_it_refuses_with_a_clear_panic() {
    let _ = blocking::Client::builder("http://127.0.0.1:9").build_blocking();
}

#[test]
fn whole_app_jobs_run_and_streams_iterate_without_async() {
    let served = serve();
    let client = client(&served);
    let inputs = (0..250).map(|i| record(&format!("Box {i}"), &[]));
    let report = client
        .run(client.as_async().add_all(1u64, inputs).send())
        .unwrap();
    assert_eq!(report.committed().len(), 250);

    let typed = client.iter(client.as_async().record_stream(1u64).page_size(100).build());
    let titles: Vec<String> = typed
        .map(|record| record.unwrap()["Title"].as_text().unwrap().to_string())
        .collect();
    assert_eq!(titles.len(), 250);
    assert_eq!(
        (titles[0].as_str(), titles[249].as_str()),
        ("Box 0", "Box 249")
    );

    // Raw records through a cursor, in the query's own order.
    let raw = client.iter(
        client
            .as_async()
            .record_stream(1u64)
            .query("order by $id desc")
            .page_size(100)
            .raw(),
    );
    let titles: Vec<String> = raw
        .map(|record| {
            let title = record.unwrap().get("Title").unwrap().unwrap();
            title.as_text().unwrap().to_string()
        })
        .collect();
    assert_eq!((titles.len(), titles[0].as_str()), (250, "Box 249"));
}
