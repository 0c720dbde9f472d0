use kintone_api::KintoneRecord;

// `Option<String>` holds a SINGLE_LINE_TEXT as well as a DROP_DOWN: the type must be named.
#[derive(KintoneRecord)]
struct Contact {
    #[kintone(code = "Nickname", type = "SINGLE_LINE_TEXT")]
    nickname: Option<String>,
    #[kintone(code = "Title")]
    title: Option<String>,
}

fn main() {}
