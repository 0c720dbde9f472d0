// An operation outside the spec cannot pose as one of kintone's: `Operation` is sealed, as the
// types it names are the client's own (such a call goes through `kintone_api::dynamic`).
use kintone_api::{LimitError, Operation};

#[derive(serde::Serialize)]
struct Made;

impl Operation for Made {
    const SEALED: kintone_api::runtime::Seal = kintone_api::runtime::Seal;
    type Response = ();
    const ID: &'static str = "made";
    const PATH: &'static str = "made.json";
    const GUEST_SPACE: bool = false;

    fn validate(&self) -> Result<(), LimitError> {
        Ok(())
    }
}

fn main() {}
