use kintone_api::KintoneRecord;

#[derive(KintoneRecord)]
struct Customer {
    #[kintone(code = "Tags", type = "CHECK_BOX")]
    tags: Vec<String>,
}

fn main() {
    // kintone takes `in` on a check box, and refuses `=`.
    let _ = Customer::TAGS.in_(["vip"]);
    let _ = Customer::TAGS.eq("vip");
}
