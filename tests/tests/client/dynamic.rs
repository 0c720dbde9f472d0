//! Requests described at run time go through the same client as typed ones.

use std::sync::Arc;

use kintone_api::dynamic::{
    DynamicDownload, DynamicOperation, DynamicParam, DynamicRequest, Method, ParamLocation,
};
use kintone_api::{Client, Error, LimitError};
use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
use serde_json::{json, Map, Value};

async fn emulator() -> (Emulator, Client) {
    let emulator = Emulator::builder()
        .app(
            AppSeed::new(1, "A")
                .field(FieldSeed::new("Title", FieldType::SingleLineText))
                .field(FieldSeed::new("Attachment", FieldType::File)),
        )
        .api_token("T", 1, Permissions::ALL)
        .start()
        .await
        .unwrap();
    let client = Client::builder(emulator.base_url())
        .api_token("T")
        .build()
        .unwrap();
    (emulator, client)
}

fn params(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn add_records() -> Arc<DynamicOperation> {
    Arc::new(
        DynamicOperation::new("addRecords", Method::Post, "records.json")
            .param(DynamicParam::new("app", ParamLocation::Body))
            .param(DynamicParam::new("records", ParamLocation::Body).max_items(100)),
    )
}

#[tokio::test]
async fn a_write_and_a_read_answer_kintone_s_json() {
    let (emulator, client) = emulator().await;
    let added = client
        .send(DynamicRequest::new(
            add_records(),
            params(json!({"app": 1, "records": [{"Title": {"value": "hello"}}]})),
        ))
        .await
        .unwrap();
    assert_eq!(added.body()["ids"], json!(["1"]));
    let get_records = Arc::new(
        DynamicOperation::new("getRecords", Method::Get, "records.json")
            .param(DynamicParam::new("app", ParamLocation::Query))
            .param(DynamicParam::new("fields", ParamLocation::QueryIndexed)),
    );
    let page = client
        .send(DynamicRequest::new(
            get_records,
            params(json!({"app": 1, "fields": ["Title"]})),
        ))
        .await
        .unwrap();
    assert_eq!(
        page.body()["records"][0],
        json!({"Title": {"type": "SINGLE_LINE_TEXT", "value": "hello"}})
    );
    let logged = emulator.requests();
    let read = logged.last().unwrap();
    assert_eq!(read.method, "GET");
    assert_eq!(read.query.as_deref(), Some("app=1&fields%5B0%5D=Title"));
}

#[tokio::test]
async fn the_spec_s_limits_are_checked_before_sending() {
    let (emulator, client) = emulator().await;
    let records: Vec<Value> = (0..101).map(|_| json!({})).collect();
    let err = client
        .send(DynamicRequest::new(
            add_records(),
            params(json!({"app": 1, "records": records})),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit(LimitError::TooManyItems {
                field: "records",
                max: 100,
                actual: 101
            })
        ),
        "{err:?}"
    );
    let path_op = Arc::new(
        DynamicOperation::new("getApi", Method::Get, "apis/{apiId}.json")
            .param(DynamicParam::new("apiId", ParamLocation::Path)),
    );
    let err = client
        .send(DynamicRequest::new(
            path_op,
            params(json!({"apiId": "../records"})),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Limit(LimitError::PathValue { .. })),
        "{err:?}"
    );
    assert!(emulator.requests().is_empty());
}

#[tokio::test]
async fn path_parameters_and_downloads() {
    let (_emulator, client) = emulator().await;
    let get_api = Arc::new(
        DynamicOperation::new("getApiSchema", Method::Get, "apis/{apiId}.json")
            .param(DynamicParam::new("apiId", ParamLocation::Path)),
    );
    let schema = client
        .send(DynamicRequest::new(
            get_api,
            params(json!({"apiId": "record/get"})),
        ))
        .await
        .unwrap();
    assert_eq!(schema.body()["id"], "record/get");

    let upload = Arc::new(
        DynamicOperation::new("uploadFile", Method::Post, "file.json")
            .param(DynamicParam::new("file", ParamLocation::Multipart)),
    );
    let part = kintone_api::FilePart::new("a.txt", b"file body".to_vec());
    let uploaded = client
        .send(DynamicRequest::new(upload, Map::new()).file("file", part))
        .await
        .unwrap();
    let uploaded_key = uploaded.body()["fileKey"].clone();
    // kintone gives a file out by the key of a record's attachment.
    let records = json!([{"Attachment": {"value": [{"fileKey": uploaded_key}]}}]);
    client
        .send(DynamicRequest::new(
            add_records(),
            params(json!({"app": 1, "records": records})),
        ))
        .await
        .unwrap();
    let get_record = Arc::new(
        DynamicOperation::new("getRecord", Method::Get, "record.json")
            .param(DynamicParam::new("app", ParamLocation::Query))
            .param(DynamicParam::new("id", ParamLocation::Query)),
    );
    let record = client
        .send(DynamicRequest::new(
            get_record,
            params(json!({"app": 1, "id": 1})),
        ))
        .await
        .unwrap();
    let key = record.body()["record"]["Attachment"]["value"][0]["fileKey"]
        .as_str()
        .unwrap()
        .to_string();
    let download = Arc::new(
        DynamicOperation::new("downloadFile", Method::Get, "file.json")
            .param(DynamicParam::new("fileKey", ParamLocation::Query)),
    );
    let file = client
        .send(DynamicDownload(DynamicRequest::new(
            download,
            params(json!({"fileKey": key})),
        )))
        .await
        .unwrap();
    assert_eq!(file.body().bytes().as_ref(), b"file body");
}
