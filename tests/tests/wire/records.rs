//! Every operation of the records group, asserted on the wire: method, path, query bytes,
//! headers and body, and the decoded response.

use kintone_api::types::StatusChange;
use kintone_api::{
    BulkRequest, Error, FieldInput, FilePart, LimitError, RecordInput, RecordUpdate, UpdateKey,
};
use kintone_tests::*;
use serde_json::json;

fn title(text: &str) -> RecordInput {
    RecordInput::from([("Title".to_string(), FieldInput::single_line_text(text))])
}

#[tokio::test]
async fn add_record() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"id": "7", "revision": "1"})).await;
    let added = client
        .records()
        .add_record(1)
        .record(title("New"))
        .send()
        .await
        .unwrap();
    assert_eq!((added.id.get(), added.revision.get()), (7, 1));
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/v1/record.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "record": {"Title": {"value": "New"}}})
    );
}

#[tokio::test]
async fn get_record() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        200,
        json!({"record": {"Title": {"type": "SINGLE_LINE_TEXT", "value": "x"}}}),
    )
    .await;
    let got = client
        .records()
        .get_record(1, 7) // integer literals work where ids go
        .send()
        .await
        .unwrap();
    assert_eq!(got.record.len(), 1);
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("app=1&id=7"));
}

#[tokio::test]
async fn update_record_by_id_with_revision() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"revision": "3"})).await;
    let updated = client
        .records()
        .update_record(1u64)
        .id(7u64)
        .revision(2u64)
        .record(title("Changed"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.revision.get(), 3);
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "PUT");
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "id": 7, "record": {"Title": {"value": "Changed"}}, "revision": 2})
    );
}

#[tokio::test]
async fn update_record_by_update_key() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"revision": "5"})).await;
    client
        .records()
        .update_record(1u64)
        .update_key(UpdateKey::new("Code", "A-1"))
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "updateKey": {"field": "Code", "value": "A-1"}})
    );
}

#[tokio::test]
async fn update_record_needs_exactly_one_of_id_and_update_key() {
    let (server, client) = server_and_client().await;
    let neither = client
        .records()
        .update_record(1u64)
        .send()
        .await
        .unwrap_err();
    let both = client
        .records()
        .update_record(1u64)
        .id(1u64)
        .update_key(UpdateKey::new("C", "v"))
        .send()
        .await
        .unwrap_err();
    let long_key = client
        .records()
        .update_record(1u64)
        .update_key(UpdateKey::new("C", "x".repeat(65)))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        neither,
        Error::Limit(LimitError::ExactlyOneOf { found: 0, .. })
    ));
    assert!(matches!(
        both,
        Error::Limit(LimitError::ExactlyOneOf { found: 2, .. })
    ));
    assert!(matches!(
        long_key,
        Error::Limit(LimitError::TooLong {
            field: "value",
            max: 64,
            actual: 65
        })
    ));
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn get_records_decodes_every_page_field() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        200,
        json!({"records": [{"$id": {"type": "__ID__", "value": "1"}}], "totalCount": null}),
    )
    .await;
    let page = client.records().get_records(1u64).send().await.unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.total_count, None);
    assert_eq!(only_request(&server).await.url.query(), Some("app=1"));
}

#[tokio::test]
async fn add_records() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        200,
        json!({"ids": ["8", "9"], "revisions": ["1", "1"]}),
    )
    .await;
    let added = client
        .records()
        .add_records(1u64, [title("a"), title("b")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        added.ids.iter().map(|i| i.get()).collect::<Vec<_>>(),
        vec![8, 9]
    );
    let request = only_request(&server).await;
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "records": [{"Title": {"value": "a"}}, {"Title": {"value": "b"}}]})
    );
}

#[tokio::test]
async fn update_records_with_upsert() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        200,
        json!({"records": [{"id": "7", "revision": "4", "operation": "UPDATE"}]}),
    )
    .await;
    let update = RecordUpdate::new()
        .update_key(UpdateKey::new("Code", "A-1"))
        .record(title("u"));
    let result = client
        .records()
        .update_records(1u64, [update])
        .upsert(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        result.records[0].operation,
        Some(kintone_api::types::RecordUpdateResultOperation::Update)
    );
    let request = only_request(&server).await;
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "records": [{"updateKey": {"field": "Code", "value": "A-1"}, "record": {"Title": {"value": "u"}}}], "upsert": true})
    );
}

#[tokio::test]
async fn delete_records() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({})).await;
    client
        .records()
        .delete_records(1u64, [3u64, 4])
        .revisions([1u64, 2])
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "DELETE");
    assert_eq!(
        request.url.query(),
        Some("app=1&ids%5B0%5D=3&ids%5B1%5D=4&revisions%5B0%5D=1&revisions%5B1%5D=2")
    );
}

#[tokio::test]
async fn cursor_create_read_delete() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        200,
        json!({"id": "c-1", "totalCount": "1200", "records": [], "next": false}),
    )
    .await;
    let cursor = client
        .cursors()
        .create_cursor(1u64)
        .query("order by $id asc")
        .size(500)
        .send()
        .await
        .unwrap();
    assert_eq!((cursor.id.as_str(), cursor.total_count), ("c-1", 1200));
    client
        .cursors()
        .get_records_by_cursor(cursor.id.clone())
        .send()
        .await
        .unwrap();
    client
        .cursors()
        .delete_cursor(cursor.id.clone())
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        body_json(&requests[0]),
        json!({"app": 1, "query": "order by $id asc", "size": 500})
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].url.query()),
        ("GET", Some("id=c-1"))
    );
    assert_eq!(
        (requests[2].method.as_str(), requests[2].url.query()),
        ("DELETE", Some("id=c-1"))
    );
}

#[tokio::test]
async fn cursor_limits_are_checked_before_sending() {
    let (server, client) = server_and_client().await;
    let too_big = client
        .cursors()
        .create_cursor(1u64)
        .size(501)
        .send()
        .await
        .unwrap_err();
    let paged = client
        .cursors()
        .create_cursor(1u64)
        .query("Amount > 1 limit 10")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        too_big,
        Error::Limit(LimitError::OutOfRange {
            field: "size",
            actual: 501,
            ..
        })
    ));
    assert!(matches!(
        paged,
        Error::Limit(LimitError::QueryClauseNotAllowed {
            clause: "limit",
            ..
        })
    ));
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn comments_get_add_delete() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        200,
        json!({
            "comments": [{"id": "2", "text": "hi", "createdAt": "2024-08-22T15:23:00Z",
                          "creator": {"code": "sato", "name": "Sato"}, "mentions": [{"code": "g", "type": "GROUP"}]}],
            "older": false, "newer": true, "id": "3"
        }),
    )
    .await;
    let comments = client
        .comments()
        .get_record_comments(1u64, 7u64)
        .order(kintone_api::types::GetRecordCommentsOrder::Asc)
        .offset(0)
        .limit(10)
        .send()
        .await
        .unwrap();
    assert_eq!(comments.comments[0].id.get(), 2);
    assert!(comments.newer);
    let comment = kintone_api::CommentInput::new("Please check").mentions([
        kintone_api::types::Mention::new("sato", kintone_api::types::MentionType::User),
    ]);
    client
        .comments()
        .add_record_comment(1u64, 7u64, comment)
        .send()
        .await
        .unwrap();
    client
        .comments()
        .delete_record_comment(1u64, 7u64, 2u64)
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.query(),
        Some("app=1&record=7&order=asc&offset=0&limit=10")
    );
    assert_eq!(
        body_json(&requests[1]),
        json!({"app": 1, "record": 7, "comment": {"text": "Please check", "mentions": [{"code": "sato", "type": "USER"}]}})
    );
    assert_eq!(requests[2].url.query(), Some("app=1&record=7&comment=2"));
}

/// O31: at most 10 comments per read.
#[tokio::test]
async fn more_than_ten_comments_are_refused_before_sending() {
    let (server, client) = server_and_client().await;
    let err = client
        .comments()
        .get_record_comments(1u64, 7u64)
        .limit(11)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Limit(LimitError::OutOfRange {
            field: "limit",
            max: Some(10),
            actual: 11,
            ..
        })
    ));
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn status_statuses_and_assignees() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        200,
        json!({"revision": "9", "records": [{"id": "7", "revision": "9"}]}),
    )
    .await;
    client
        .process()
        .update_record_status(1u64, 7u64, "Submit")
        .assignee("sato")
        .send()
        .await
        .unwrap();
    client
        .process()
        .update_records_status(1u64, [StatusChange::new(7u64, "Approve").revision(8u64)])
        .send()
        .await
        .unwrap();
    client
        .process()
        .update_record_assignees(1u64, 7u64, ["sato", "suzuki"])
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| r.method.as_str() == "PUT"));
    assert_eq!(requests[0].url.path(), "/k/v1/record/status.json");
    assert_eq!(
        body_json(&requests[0]),
        json!({"app": 1, "id": 7, "action": "Submit", "assignee": "sato"})
    );
    assert_eq!(requests[1].url.path(), "/k/v1/records/status.json");
    assert_eq!(
        body_json(&requests[1]),
        json!({"app": 1, "records": [{"id": 7, "action": "Approve", "revision": 8}]})
    );
    assert_eq!(requests[2].url.path(), "/k/v1/record/assignees.json");
    assert_eq!(
        body_json(&requests[2]),
        json!({"app": 1, "id": 7, "assignees": ["sato", "suzuki"]})
    );
}

#[tokio::test]
async fn too_many_assignees_are_refused() {
    let (server, client) = server_and_client().await;
    let names: Vec<String> = (0..101).map(|i| format!("user{i}")).collect();
    let err = client
        .process()
        .update_record_assignees(1u64, 7u64, names)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Limit(LimitError::TooManyItems {
            field: "assignees",
            max: 100,
            actual: 101
        })
    ));
    assert_eq!(request_count(&server).await, 0);
}

/// O11: file upload is multipart with a part named `file`.
#[tokio::test]
async fn upload_is_multipart() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"fileKey": "tmp-key"})).await;
    let file = FilePart::new("report.csv", b"a,b\n1,2\n".to_vec()).content_type("text/csv");
    let uploaded = client.files().upload_file(file).send().await.unwrap();
    assert_eq!(uploaded.file_key, "tmp-key");
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert!(header(&request, "content-type")
        .unwrap()
        .starts_with("multipart/form-data; boundary="));
    let body = String::from_utf8_lossy(&request.body);
    assert!(
        body.contains(r#"Content-Disposition: form-data; name="file"; filename="report.csv""#),
        "{body}"
    );
    assert!(body.contains("Content-Type: text/csv"));
    assert!(body.contains("a,b\n1,2\n"));
}

/// Without a content type, the part's is guessed from the file name, as kintone's JavaScript
/// client does; a name without a known extension goes without one.
#[tokio::test]
async fn upload_content_type_is_guessed_from_the_name() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"fileKey": "tmp-key"})).await;
    for (name, expected) in [
        ("report.pdf", Some("application/pdf")),
        ("photo.PNG", Some("image/png")),
        ("README", None),
    ] {
        let file = FilePart::new(name, b"x".to_vec());
        assert_eq!(file.effective_content_type(), expected);
        client.files().upload_file(file).send().await.unwrap();
    }
    let requests = server.received_requests().await.unwrap();
    let bodies: Vec<String> = requests
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(
        bodies[0].contains("Content-Type: application/pdf"),
        "{}",
        bodies[0]
    );
    assert!(
        bodies[1].contains("Content-Type: image/png"),
        "{}",
        bodies[1]
    );
    assert!(!bodies[2].contains("Content-Type:"), "{}", bodies[2]);
}

/// A line break in a file name would end the part's header early: refused, nothing sent.
#[tokio::test]
async fn upload_file_names_with_line_breaks_are_refused_before_sending() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"fileKey": "tmp-key"})).await;
    for name in ["a\r\nContent-Type: text/html.txt", "line\nbreak.txt"] {
        let err = client
            .files()
            .upload_file(FilePart::new(name, b"x".to_vec()))
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidFileName { .. }) && err.is_rejected_before_sending(),
            "{err:?}"
        );
    }
    assert_eq!(request_count(&server).await, 0);
}

/// kintone's ids start at 1 (the spec's id patterns say so): an id of 0 is refused before
/// anything is sent, wherever an id goes.
#[tokio::test]
async fn ids_of_zero_are_refused_before_sending() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({})).await;
    let errors = [
        client.records().get_record(0, 5).send().await.unwrap_err(),
        client.records().get_record(1, 0).send().await.unwrap_err(),
        client
            .records()
            .delete_records(1, [3u64, 0])
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
    ];
    for (err, field) in errors.iter().zip(["app", "id", "ids"]) {
        assert!(
            matches!(err, Error::Limit(LimitError::ZeroId { field: f }) if *f == field),
            "{err:?}"
        );
    }
    assert_eq!(request_count(&server).await, 0);
}

/// O17: file download is binary, kept byte for byte.
#[tokio::test]
async fn download_is_binary() {
    let (server, client) = server_and_client().await;
    let bytes: Vec<u8> = (0..=255u8).collect();
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_raw(bytes.clone(), "image/png"))
        .mount(&server)
        .await;
    let file = client.files().download_file("key-1").send().await.unwrap();
    assert_eq!(file.bytes().as_ref(), bytes.as_slice());
    assert_eq!(file.content_type(), Some("image/png"));
    assert_eq!(
        only_request(&server).await.url.query(),
        Some("fileKey=key-1")
    );
}

#[tokio::test]
async fn bulk_request_success_is_typed() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        200,
        json!({"results": [{"id": "10", "revision": "1"}, {}]}),
    )
    .await;
    let bulk = BulkRequest::new()
        .push(kintone_api::types::AddRecordRequest::new(1u64).record(title("a")))
        .push(kintone_api::types::DeleteRecordsRequest::new(1u64, [3u64]));
    let response = client.send_bulk(bulk).await.unwrap();
    let added = response
        .result_of::<kintone_api::types::AddRecordRequest>(0)
        .unwrap();
    assert_eq!(added.id.get(), 10);
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/k/v1/bulkRequest.json");
    assert_eq!(
        body_json(&request),
        json!({"requests": [
            {"method": "POST", "api": "/k/v1/record.json", "payload": {"app": 1, "record": {"Title": {"value": "a"}}}},
            {"method": "DELETE", "api": "/k/v1/records.json", "payload": {"app": 1, "ids": [3]}}
        ]})
    );
}

#[tokio::test]
async fn bulk_request_failure_names_the_failing_index() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        400,
        json!({"results": [{}, {"id": "x1", "code": "GAIA_RE01", "message": "The record is not found."}, {}]}),
    )
    .await;
    let bulk = BulkRequest::new()
        .push(kintone_api::types::AddRecordRequest::new(1u64))
        .push(kintone_api::types::UpdateRecordRequest::new(1u64).id(99u64))
        .push(kintone_api::types::AddRecordRequest::new(1u64));
    let err = client.send_bulk(bulk).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        (api.bulk_index, api.code.as_str(), api.id.as_str()),
        (Some(1), "GAIA_RE01", "x1")
    );
}

#[tokio::test]
async fn bulk_requests_in_a_guest_space_name_the_guest_path() {
    let server = wiremock::MockServer::start().await;
    answer_json(&server, 200, json!({"results": [{}]})).await;
    let client = kintone_api::Client::builder(server.uri())
        .api_token("T")
        .guest_space(4)
        .build()
        .unwrap();
    client
        .send_bulk(
            BulkRequest::new().push(kintone_api::types::DeleteRecordsRequest::new(1u64, [3u64])),
        )
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/k/guest/4/v1/bulkRequest.json");
    assert_eq!(
        body_json(&request)["requests"][0]["api"],
        json!("/k/guest/4/v1/records.json")
    );
}

/// O27, O28, the 500-record page and the 20-request bulk limit: typed errors, nothing sent.
#[tokio::test]
async fn documented_limits_are_checked_before_sending() {
    let (server, client) = server_and_client().await;
    let many: Vec<RecordInput> = (0..101).map(|i| title(&i.to_string())).collect();
    let errors = vec![
        client
            .records()
            .add_records(1u64, many.clone())
            .send()
            .await
            .unwrap_err(),
        client
            .records()
            .update_records(1u64, (0..101u64).map(|i| RecordUpdate::new().id(i + 1)))
            .send()
            .await
            .unwrap_err(),
        client
            .records()
            .delete_records(1u64, 1..=101u64)
            .send()
            .await
            .unwrap_err(),
        client
            .records()
            .add_records(1u64, Vec::<RecordInput>::new())
            .send()
            .await
            .unwrap_err(),
        client
            .records()
            .get_records(1u64)
            .query("order by $id limit 501")
            .send()
            .await
            .unwrap_err(),
        client
            .records()
            .get_records(1u64)
            .query("limit 500 offset 10001")
            .send()
            .await
            .unwrap_err(),
        client
            .send_bulk((0..21).fold(BulkRequest::new(), |b, _| {
                b.push(kintone_api::types::AddRecordRequest::new(1u64))
            }))
            .await
            .unwrap_err(),
        client
            .send_bulk(
                BulkRequest::new().push(kintone_api::types::AddRecordsRequest::new(1u64, many)),
            )
            .await
            .unwrap_err(),
    ];
    let limits: Vec<LimitError> = errors
        .into_iter()
        .map(|e| match e {
            Error::Limit(l) => l,
            other => panic!("expected a limit error, got {other:?}"),
        })
        .collect();
    assert_eq!(
        limits,
        vec![
            LimitError::TooManyItems {
                field: "records",
                max: 100,
                actual: 101
            },
            LimitError::TooManyItems {
                field: "records",
                max: 100,
                actual: 101
            },
            LimitError::TooManyItems {
                field: "ids",
                max: 100,
                actual: 101
            },
            LimitError::TooFewItems {
                field: "records",
                min: 1,
                actual: 0
            },
            LimitError::QueryClause {
                field: "query",
                clause: "limit",
                max: 500,
                actual: 501
            },
            LimitError::QueryClause {
                field: "query",
                clause: "offset",
                max: 10_000,
                actual: 10_001
            },
            LimitError::TooManyItems {
                field: "requests",
                max: 20,
                actual: 21
            },
            LimitError::TooManyItems {
                field: "records",
                max: 100,
                actual: 101
            },
        ]
    );
    assert_eq!(
        request_count(&server).await,
        0,
        "no request left the machine"
    );
}

/// A revision conflict is kintone's 409 `GAIA_CO02`, readable from the error.
#[tokio::test]
async fn revision_conflicts_are_readable() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        409,
        json!({"id": "e1", "code": "GAIA_CO02", "message": "The revision is not the latest."}),
    )
    .await;
    let err = client
        .records()
        .update_record(1u64)
        .id(7u64)
        .revision(1u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status().unwrap().as_u16(), err.code()),
        (409, Some("GAIA_CO02"))
    );
}
