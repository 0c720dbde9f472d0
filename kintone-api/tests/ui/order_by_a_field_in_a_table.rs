use kintone_api::query::{Order, Query};
use kintone_api::typed::Row;
use kintone_api::{Decimal, KintoneRecord};

#[derive(KintoneRecord)]
#[kintone(table)]
struct Line {
    #[kintone(code = "Item")]
    item: String,
}

#[derive(KintoneRecord)]
struct Order_ {
    #[kintone(code = "Amount")]
    amount: Option<Decimal>,
    #[kintone(code = "Lines")]
    lines: Vec<Row<Line>>,
}

fn main() {
    // A field constant sorts; a table's field is never a sort key in kintone.
    let _ = Query::new().order_by(Order_::AMOUNT, Order::Desc);
    let _ = Query::new().order_by(Line::ITEM, Order::Asc);
}
