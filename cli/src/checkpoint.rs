//! What an import committed, kept in a file after every bulk request, so that `--resume`
//! finishes the job with no record written twice and none left out.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CliError;

/// The plan of an import and how far it got. Bulk requests are transactions sent in order, so
/// "the first `n` records of a phase are written" says everything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The input it belongs to: a resume of another file (or of a changed one) is refused.
    pub input_fingerprint: String,
    pub app: u64,
    pub update_key: Option<String>,
    /// The records (their positions in the input) to update, in order.
    pub updates: Vec<usize>,
    /// The records to add, in order; written after the updates.
    pub adds: Vec<usize>,
    pub updates_committed: usize,
    pub adds_committed: usize,
    /// The bulk request being sent, until kintone answers it.
    #[serde(default)]
    pub in_flight: Option<InFlight>,
}

/// The two phases of an import: updates (and upserts) first, then adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Update,
    Add,
}

/// A bulk request sent and not answered yet: the records `start..end` of its phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    pub phase: Phase,
    pub start: usize,
    pub end: usize,
}

impl Checkpoint {
    /// The records of a phase committed so far.
    pub fn committed(&self, phase: Phase) -> usize {
        match phase {
            Phase::Update => self.updates_committed,
            Phase::Add => self.adds_committed,
        }
    }

    pub fn committed_mut(&mut self, phase: Phase) -> &mut usize {
        match phase {
            Phase::Update => &mut self.updates_committed,
            Phase::Add => &mut self.adds_committed,
        }
    }

    /// The checkpoint of `input`: the one given, or `INPUT.checkpoint.json` beside it.
    pub fn path_for(input: &Path, given: Option<&Path>) -> PathBuf {
        match given {
            Some(path) => path.to_path_buf(),
            None => {
                let mut name = input.file_name().unwrap_or_default().to_os_string();
                name.push(".checkpoint.json");
                input.with_file_name(name)
            }
        }
    }

    pub fn load(path: &Path) -> Result<Option<Self>, CliError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                CliError::Input(format!(
                    "{} is not an import checkpoint: {e}",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CliError::Io {
                context: format!("reading {}", path.display()),
                source: e,
            }),
        }
    }

    /// Writes the checkpoint whole to a temporary file and renames it over the old one, so
    /// that a kill leaves the old or the new checkpoint, never half of one.
    pub fn save(&self, path: &Path) -> Result<(), CliError> {
        let mut temporary = path.as_os_str().to_os_string();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        let bytes = serde_json::to_vec(self).expect("a checkpoint is JSON");
        std::fs::write(&temporary, bytes)
            .and_then(|_| std::fs::rename(&temporary, path))
            .map_err(CliError::io(format!(
                "writing the checkpoint {}",
                path.display()
            )))
    }
}

/// A fingerprint of the input's bytes (64-bit FNV-1a): enough to tell another file or an
/// edited one from the same file.
#[cfg(test)]
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut hash = Fnv::default();
    hash.update(bytes);
    hash.finish(bytes.len() as u64)
}

/// The fingerprint of a file, read a buffer at a time.
pub fn fingerprint_file(path: &Path) -> Result<String, CliError> {
    use std::io::Read;
    let context = || format!("reading {}", path.display());
    let mut file = std::fs::File::open(path).map_err(CliError::io(context()))?;
    let mut buffer = vec![0u8; 64 * 1024];
    let (mut hash, mut len) = (Fnv::default(), 0u64);
    loop {
        let n = file.read(&mut buffer).map_err(CliError::io(context()))?;
        if n == 0 {
            return Ok(hash.finish(len));
        }
        hash.update(&buffer[..n]);
        len += n as u64;
    }
}

struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn update(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self, len: u64) -> String {
        format!("{:016x}-{len}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkpoint_sits_beside_its_input_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("orders.csv");
        let path = Checkpoint::path_for(&input, None);
        assert_eq!(path, dir.path().join("orders.csv.checkpoint.json"));
        let checkpoint = Checkpoint {
            input_fingerprint: fingerprint(b"a,b\n"),
            app: 3,
            update_key: Some("Code".into()),
            updates: vec![0, 2],
            adds: vec![1],
            updates_committed: 2,
            adds_committed: 0,
            in_flight: Some(InFlight {
                phase: Phase::Add,
                start: 0,
                end: 1,
            }),
        };
        assert_eq!(Checkpoint::load(&path).unwrap(), None);
        checkpoint.save(&path).unwrap();
        assert_eq!(Checkpoint::load(&path).unwrap(), Some(checkpoint));
    }

    #[test]
    fn fingerprints_tell_files_apart() {
        assert_eq!(fingerprint(b"abc"), fingerprint(b"abc"));
        assert_ne!(fingerprint(b"abc"), fingerprint(b"abd"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(fingerprint_file(&path).unwrap(), fingerprint(&bytes));
    }
}
