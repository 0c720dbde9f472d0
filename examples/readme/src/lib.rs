//! The README's Rust snippets as a user's crate compiles them (`build.rs` writes each as a
//! module), and the tests that run the ones that need no real kintone against the emulator.
//! The others (a real kintone's URL, a file on disk) are compiled only.

include!(concat!(env!("OUT_DIR"), "/readme.rs"));

#[cfg(test)]
mod tests {
    /// The emulator's snippet, as written: an app seeded, a client on it, a failure injected.
    #[tokio::test]
    async fn the_emulator_snippet_runs() {
        super::the_emulator_1::run().await.unwrap();
    }

    /// The typed records' snippet: an order written from its struct, found again by a typed
    /// query and read back as the struct.
    #[tokio::test]
    async fn the_typed_records_snippet_runs() {
        use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
        let orders = AppSeed::new(1, "Orders")
            .field(FieldSeed::new("Title", FieldType::SingleLineText))
            .field(FieldSeed::new("Amount", FieldType::Number))
            .field(
                FieldSeed::new("Lines", FieldType::Subtable)
                    .fields([FieldSeed::new("Item", FieldType::SingleLineText)]),
            )
            .field(FieldSeed::new("Total", FieldType::Calc).expression("Amount"));
        let emulator = Emulator::builder()
            .app(orders)
            .api_token("TOKEN", 1, Permissions::ALL)
            .start()
            .await
            .unwrap();
        let client = kintone_api::Client::builder(emulator.base_url())
            .api_token("TOKEN")
            .build()
            .unwrap();
        super::typed_records_generate_derive_query_1::run(&client)
            .await
            .unwrap();
        assert_eq!(emulator.record_count(1), 1);
    }

    /// The blocking client's snippet hosts the emulator from a plain `fn main`.
    #[test]
    fn the_blocking_snippet_runs_from_a_plain_main() {
        super::in_production_retries_concurrency_middleware_queries_blocking_2::main().unwrap();
    }
}
