use kintone_api::typed::Row;
use kintone_api::KintoneRecord;

#[derive(KintoneRecord)]
#[kintone(table)]
struct Line {
    #[kintone(code = "Item")]
    item: String,
}

#[derive(KintoneRecord)]
struct Order {
    #[kintone(code = "Lines")]
    lines: Vec<Row<Line>>,
}

fn main() {
    let _ = Order::LINES.in_(["x"]);
}
