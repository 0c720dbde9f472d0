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
    // kintone takes `in` on a table's fields, and refuses `=` (GAIA_IQ07).
    let _ = Line::ITEM.in_(["pen"]);
    let _ = Line::ITEM.eq("pen");
}
