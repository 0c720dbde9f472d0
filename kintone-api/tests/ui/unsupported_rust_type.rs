use kintone_api::KintoneRecord;

#[derive(KintoneRecord)]
struct Task {
    #[kintone(code = "Done")]
    done: bool,
}

fn main() {}
