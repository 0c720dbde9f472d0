//! kintone's Search (an API Lab feature, behind the cargo feature `unstable-search`) against
//! the emulator: records and record comments found by keyword, every page walked through
//! `nextPageToken`.

use kintone_api::types::SearchKeywordsOperator;
use kintone_api::types::{SearchKeywords, SearchType};
use kintone_api::{CommentInput, FieldInput, RecordInput};
use kintone_tests::*;
use std::collections::BTreeSet;

fn titled(title: &str) -> RecordInput {
    RecordInput::from([("Title".to_string(), FieldInput::single_line_text(title))])
}

#[tokio::test]
async fn a_search_walks_every_page_of_records_and_comments() {
    let (_emulator, client) = emulator_and_client().await;
    // 23 records name an invoice, 4 do not; two comments name one.
    let mut invoices = Vec::new();
    for i in 0..27 {
        let title = if i % 7 == 6 {
            format!("Quote {i}")
        } else {
            format!("Invoice {i} for March")
        };
        let added = client
            .records()
            .add_record(1)
            .record(titled(&title))
            .send()
            .await
            .unwrap();
        if i % 7 != 6 {
            invoices.push(added.id.get());
        }
    }
    for record in [invoices[0], invoices[1]] {
        client
            .comments()
            .add_record_comment(1, record, CommentInput::new("The INVOICE is paid"))
            .send()
            .await
            .unwrap();
    }
    let invoice = || SearchKeywords::new(SearchKeywordsOperator::And, ["invoice"]);

    let mut records = BTreeSet::new();
    let mut comments = 0;
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let mut call = client.search().search([invoice()]).limit(10);
        if let Some(token) = token.take() {
            call = call.page_token(token);
        }
        let page = call.send().await.unwrap().into_body();
        pages += 1;
        assert!(page.hits.len() <= 10);
        for hit in &page.hits {
            match hit.r#type {
                SearchType::Record => {
                    let record = hit.record.as_ref().expect("a record hit names its record");
                    let id: u64 = record["id"].as_str().unwrap().parse().unwrap();
                    assert!(records.insert(id), "record {id} hit twice");
                    assert!(
                        hit.url.ends_with(&format!("/k/1/show#record={id}")),
                        "{}",
                        hit.url
                    );
                }
                SearchType::RecordComment => comments += 1,
                other => panic!("the emulator finds records and comments only: {other:?}"),
            }
        }
        match page.next_page_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(records.into_iter().collect::<Vec<_>>(), invoices);
    assert_eq!(comments, 2);
    assert_eq!(pages, 3, "25 hits in pages of 10");

    // `NOT` and `types` narrow the search.
    let narrowed = client
        .search()
        .search([
            invoice(),
            SearchKeywords::new(SearchKeywordsOperator::Not, ["March"]),
        ])
        .send()
        .await
        .unwrap();
    assert!(narrowed
        .hits
        .iter()
        .all(|h| h.r#type == SearchType::RecordComment));
    assert_eq!(narrowed.hits.len(), 2);
    let only_comments = client
        .search()
        .search([invoice()])
        .types([SearchType::RecordComment])
        .send()
        .await
        .unwrap();
    assert_eq!(only_comments.hits.len(), 2);
    assert_eq!(only_comments.next_page_token, None);
}
