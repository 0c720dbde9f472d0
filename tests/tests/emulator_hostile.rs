//! The emulator under hostile or careless input: it answers kintone-shaped errors, never
//! crashes, leaks data across apps or users, or grows without bound.

use kintone_emulator::Failure;
use kintone_tests::*;
use serde_json::json;

/// A failure for zero requests never fires (and does not bring the server down).
#[tokio::test]
async fn a_failure_for_zero_requests_never_fires() {
    let (emulator, client) = emulator_and_client().await;
    emulator.inject(Failure::json(500, json!({"code": "X"})).times(0));
    for _ in 0..2 {
        client
            .records()
            .get_records(1u64)
            .send()
            .await
            .expect("a zero-times failure is never used");
    }
}
