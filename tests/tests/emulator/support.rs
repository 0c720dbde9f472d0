//! What several of this binary's modules share.

use kintone_api::{Client, Error};
use kintone_emulator::Emulator;
use kintone_tests::signed_in;

/// kintone's error code, if the error is kintone's answer.
pub fn code_of(err: &Error) -> Option<&str> {
    match err {
        Error::Api(e) => Some(e.code.as_str()),
        _ => None,
    }
}

/// A client signed in as one of the users the domain is seeded with (password `pw`).
pub fn as_user(emulator: &Emulator, login: &str) -> Client {
    signed_in(emulator, login, "pw")
}
