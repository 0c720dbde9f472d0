//! The generator's output held to snapshots (`snapshots/`), from the fixture specs and forms of
//! `codegen/tests/fixtures/`: the client generated from a spec (`generator`) and the typed
//! record structs generated from a form (`form`).

mod form;
mod generator;
