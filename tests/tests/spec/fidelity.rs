//! Limits and value forms the spec states as kintone documents them, checked through the
//! generated client on the wire: what kintone accepts is sent, what it refuses is refused before
//! sending.

use kintone_api::types::{Mention, MentionType};
use kintone_api::{CommentInput, Error, ExpectedRevision, LimitError};
use kintone_tests::*;
use serde_json::json;

/// `fields` in a query string takes indices 0 to 99: 100 field codes go, 101 do not.
#[tokio::test]
async fn fields_in_a_query_string_stop_at_100() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"records": [], "totalCount": null})).await;
    let codes = |n: usize| (0..n).map(|i| format!("F{i}")).collect::<Vec<_>>();
    client
        .records()
        .get_records(1)
        .fields(codes(100))
        .send()
        .await
        .unwrap();
    let query = only_request(&server).await.url.query().unwrap().to_string();
    assert!(query.contains("fields%5B99%5D=F99"), "{query}");
    let err = client
        .records()
        .get_records(1)
        .fields(codes(101))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit(LimitError::TooManyItems {
                field: "fields",
                max: 100,
                actual: 101
            })
        ),
        "{err:?}"
    );
    assert_eq!(request_count(&server).await, 1);
}

/// Get Comments takes a `limit` from 0 to 10.
#[tokio::test]
async fn a_comment_limit_of_zero_is_sent() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        200,
        json!({"comments": [], "older": true, "newer": false}),
    )
    .await;
    client
        .comments()
        .get_record_comments(1, 7)
        .limit(0)
        .send()
        .await
        .unwrap();
    let query = only_request(&server).await.url.query().unwrap().to_string();
    assert!(query.contains("limit=0"), "{query}");
    let err = client
        .comments()
        .get_record_comments(1, 7)
        .limit(11)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Limit(LimitError::OutOfRange { .. })),
        "{err:?}"
    );
}

/// A comment mentions at most 10 users, groups or departments.
#[tokio::test]
async fn a_comment_mentions_at_most_ten() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"id": "3"})).await;
    let mentions = |n: usize| {
        (0..n)
            .map(|i| Mention::new(format!("user{i}"), MentionType::User))
            .collect::<Vec<_>>()
    };
    client
        .comments()
        .add_record_comment(1, 7, CommentInput::new("hi").mentions(mentions(10)))
        .send()
        .await
        .unwrap();
    let err = client
        .comments()
        .add_record_comment(1, 7, CommentInput::new("hi").mentions(mentions(11)))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit(LimitError::TooManyItems {
                field: "mentions",
                max: 10,
                actual: 11
            })
        ),
        "{err:?}"
    );
    assert_eq!(
        kintone_api::limits::MAX_MENTIONS_PER_COMMENT,
        10,
        "the limit is a named constant"
    );
}

/// `-1` skips the revision check; in Delete Records it lines up with `ids`, so some records can be
/// checked and others not. 0 is refused before sending, like any id of 0.
#[tokio::test]
async fn a_revision_of_minus_one_skips_the_check() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({})).await;
    client
        .records()
        .delete_records(1, [3u64, 4])
        .revisions([ExpectedRevision::from(2u64), ExpectedRevision::ANY])
        .send()
        .await
        .unwrap();
    assert_eq!(
        only_request(&server).await.url.query(),
        Some("app=1&ids%5B0%5D=3&ids%5B1%5D=4&revisions%5B0%5D=2&revisions%5B1%5D=-1")
    );
    let err = client
        .records()
        .update_record(1)
        .id(3u64)
        .revision(0u64)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Limit(LimitError::ZeroId { field: "revision" })),
        "{err:?}"
    );
    assert_eq!(request_count(&server).await, 1);
}

/// A revision read from kintone is what the next write expects; both forms kintone writes
/// (string and number) read back.
#[test]
fn expected_revisions_come_from_revisions_and_read_both_forms() {
    let read: kintone_api::Revision = serde_json::from_value(json!("5")).unwrap();
    assert_eq!(ExpectedRevision::from(read).get(), 5);
    assert_eq!(ExpectedRevision::ANY.get(), -1);
    assert_eq!(
        serde_json::to_value(ExpectedRevision::ANY).unwrap(),
        json!("-1")
    );
    for wire in [json!("-1"), json!(-1)] {
        let value: ExpectedRevision = serde_json::from_value(wire).unwrap();
        assert_eq!(value, ExpectedRevision::ANY);
    }
    assert!(serde_json::from_value::<ExpectedRevision>(json!("-2")).is_err());
}
