#![deny(deprecated)]

fn main() {
    let client = kintone_api::Client::builder("https://example.kintone.com")
        .api_token("T")
        .build()
        .unwrap();
    let _ = client.form().get_form(1u64);
}
