//! kintone's value types: dates, times and date-times as kintone writes them, exact decimals,
//! the compact text of text fields, and the default values of old forms.

pub(crate) mod datetime;
pub(crate) mod decimal;
pub(crate) mod legacy_form;
pub(crate) mod text;
