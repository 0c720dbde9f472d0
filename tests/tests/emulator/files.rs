//! Uploads read from a path or any `AsyncRead` as they go, and downloads saved to a path.

use std::path::PathBuf;

use kintone_api::{Error, FieldInput, FilePart, FileRef};
use kintone_tests::*;
use tokio::io::AsyncReadExt;

/// A path of this test's own under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kintone-rs-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// Attaches an upload to a new record and returns the attachment's info.
async fn attach(client: &kintone_api::Client, file_key: String) -> kintone_api::FileInfo {
    let mut input = record("with a file", &[]);
    input.insert(
        "Attachment".to_string(),
        FieldInput::file([FileRef::new(file_key)]),
    );
    let added = client
        .records()
        .add_record(1u64)
        .record(input)
        .send()
        .await
        .unwrap();
    let got = client
        .records()
        .get_record(1u64, added.id)
        .send()
        .await
        .unwrap();
    got.record["Attachment"].as_files().unwrap()[0].clone()
}

#[tokio::test]
async fn a_file_goes_up_from_a_path_and_comes_down_to_a_path() {
    let (_emulator, client) = emulator_and_client().await;
    // Under the emulator's multipart cap (2 MiB, axum's default for `Multipart`).
    let bytes = pattern(1536 * 1024 + 17);
    let source = scratch("report.pdf");
    std::fs::write(&source, &bytes).unwrap();

    let part = FilePart::from_path(&source).await.unwrap();
    assert_eq!(part.file_name(), "report.pdf");
    assert_eq!(part.len(), bytes.len() as u64);
    assert!(part.bytes().is_empty(), "nothing read before sending");
    let uploaded = client.files().upload_file(part).send().await.unwrap();
    let info = attach(&client, uploaded.into_body().file_key).await;
    assert_eq!(info.name, "report.pdf");
    assert_eq!(
        info.content_type.as_deref(),
        Some("application/pdf"),
        "guessed from the name"
    );

    let target = scratch("report-copy.pdf");
    let written = client
        .files()
        .download_file(info.file_key)
        .send_stream()
        .await
        .unwrap()
        .save_to_path(&target)
        .await
        .unwrap();
    assert_eq!(written, bytes.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), bytes);

    let missing = FilePart::from_path(scratch("no-such-file.txt")).await;
    assert_eq!(missing.unwrap_err().kind(), std::io::ErrorKind::NotFound);
    let _ = std::fs::remove_dir_all(source.parent().unwrap());
}

#[tokio::test]
async fn a_file_goes_up_from_any_reader_once() {
    let (_emulator, client) = emulator_and_client().await;
    // A reader that makes its bytes as they are read, never all in memory at once.
    let len = 1536 * 1024;
    let reader = tokio::io::repeat(b'k').take(len + 100);
    let part = FilePart::from_reader("notes.txt", reader, len);
    let request = kintone_api::types::UploadFileRequest::new(part);
    let again = request.clone();
    let uploaded = client.send(request).await.unwrap();
    let info = attach(&client, uploaded.into_body().file_key).await;
    assert_eq!(info.size, Some(len), "read up to the announced length");
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));
    let downloaded = client
        .files()
        .download_file(info.file_key)
        .send()
        .await
        .unwrap();
    assert!(downloaded.bytes().iter().all(|b| *b == b'k'));

    // The reader was read by the first upload: a second one fails instead of sending nothing.
    let err = client.send(again).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");

    // In-memory parts keep their bytes and can be sent again.
    let part = FilePart::new("a.txt", "hello");
    assert_eq!((part.len(), part.bytes().as_ref()), (5, &b"hello"[..]));
}
