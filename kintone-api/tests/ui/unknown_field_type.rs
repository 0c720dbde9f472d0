use kintone_api::KintoneRecord;

#[derive(KintoneRecord)]
struct Task {
    #[kintone(code = "Title", type = "SINGLE_LINE")]
    title: String,
}

#[derive(KintoneRecord)]
struct Linked {
    #[kintone(code = "Related", type = "REFERENCE_TABLE")]
    related: Vec<String>,
}

fn main() {}
