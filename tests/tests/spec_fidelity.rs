//! Limits and value forms the spec states as kintone documents them, checked through the
//! generated client on the wire: what kintone accepts is sent, what it refuses is refused before
//! sending.

use kintone_api::{CommentInput, Error, LimitError, Mention, MentionType};
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
