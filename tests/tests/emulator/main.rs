//! The client against `kintone-emulator`, end to end, group by group; the emulator's fidelity to
//! kintone, its wire behaviour, hostile input and a bounded load test.

mod app_definition;
mod apps;
mod fidelity;
mod files;
mod hostile;
mod load;
mod notifications;
mod permissions;
mod process;
mod real_clients;
mod records;
mod search;
mod settings;
mod spaces_plugins;
mod support;
mod wire;
