use kintone_api::{Decimal, KintoneRecord};

#[derive(KintoneRecord)]
struct Sale {
    #[kintone(code = "Amount")]
    amount: Option<Decimal>,
}

fn main() {
    let _ = Sale::AMOUNT.like("100");
}
