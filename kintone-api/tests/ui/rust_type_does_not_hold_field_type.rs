use kintone_api::KintoneRecord;

#[derive(KintoneRecord)]
struct Task {
    #[kintone(code = "Amount", type = "NUMBER")]
    amount: String,
}

fn main() {}
