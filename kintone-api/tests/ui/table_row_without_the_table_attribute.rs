use kintone_api::typed::Row;
use kintone_api::KintoneRecord;

// A row struct must say it is one, so that its query constants are a table's.
#[derive(KintoneRecord)]
struct Line {
    #[kintone(code = "Item")]
    item: String,
}

#[derive(KintoneRecord)]
struct Order {
    #[kintone(code = "Lines")]
    lines: Vec<Row<Line>>,
}

fn main() {}
