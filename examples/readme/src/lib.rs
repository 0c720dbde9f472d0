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

    /// The blocking client's snippet hosts the emulator from a plain `fn main`.
    #[test]
    fn the_blocking_snippet_runs_from_a_plain_main() {
        super::in_production_retries_concurrency_middleware_queries_blocking_2::main().unwrap();
    }
}
