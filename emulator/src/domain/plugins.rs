//! Plug-ins: the ones installed, and the apps each is added to.

use std::collections::{BTreeMap, BTreeSet};

use super::seed::PluginSeed;

#[derive(Debug, Clone)]
pub struct Plugin {
    pub id: String,
    pub name: String,
    pub version: String,
    pub description: String,
}

#[derive(Debug, Default)]
pub struct Plugins {
    /// Installed plug-ins, most recently imported last.
    pub installed: Vec<Plugin>,
    /// The apps each plug-in (installed or not) is added to.
    pub used_by: BTreeMap<String, BTreeSet<u64>>,
    /// Every plug-in's last known name, for required plug-ins that are no longer installed.
    pub names: BTreeMap<String, String>,
}

impl Plugins {
    pub fn seed(&mut self, seed: PluginSeed) {
        self.names.insert(seed.id.clone(), seed.name.clone());
        if !seed.apps.is_empty() {
            self.used_by
                .entry(seed.id.clone())
                .or_default()
                .extend(seed.apps);
        }
        if !seed.uninstalled {
            self.installed.push(Plugin {
                id: seed.id,
                name: seed.name,
                version: seed.version,
                description: seed.description,
            });
        }
    }
}
