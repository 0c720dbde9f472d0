//! The spec itself: every documented operation described, its rules kept, its limits and value
//! forms as kintone documents them, and the checked-in bundle and generated code up to date.

mod coverage;
mod fidelity;
mod generated_up_to_date;
mod rules;
