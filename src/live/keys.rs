//! Secret API keys: what a client presents is a random secret, never the public name of a key.
//!
//! Limits, metrics and scenario fleets name keys by public *labels* (`key-0`, `key-3.1`, see
//! [`super::identities`]); anyone can guess those, so a server that accepted them as bearer
//! tokens would let any client spend another tenant's limit. `serve` therefore maps each label
//! to a secret: 128 random bits from the operating system ([`issue`]), printed once or written
//! to a file (`--keys-out`, mode 0600), or read from such a file (`--keys-file`). The server
//! only ever looks a presented token up among the secrets ([`Secrets::secure`]); the label
//! stays the identity's name for limits and metrics.
//!
//! The file format, one key a line (`#` starts a comment): `<label> <secret>`. `load
//! --keys-file` reads the same file to send each label's secret; `check-live` (in process)
//! takes the secrets from the server it started.

use super::config::Identity;
use anyhow::{anyhow, bail, Context, Result};
use rand::RngCore;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Prefix of issued secrets (recognisable in logs and secret scanners).
pub const PREFIX: &str = "tlk_";

/// Fewest characters a secret from a file may have (an issued one has 36).
pub const MIN_SECRET_LEN: usize = 16;

/// Largest keys file read (a line is under 300 bytes: room for a million keys).
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A fresh secret: [`PREFIX`] and 128 bits from the operating system's generator, in hex.
pub fn secret() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut s = String::with_capacity(PREFIX.len() + 32);
    s.push_str(PREFIX);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Label -> secret, in label order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secrets(pub BTreeMap<String, String>);

/// A fresh secret for every label.
pub fn issue<'a>(labels: impl IntoIterator<Item = &'a String>) -> Secrets {
    Secrets(labels.into_iter().map(|l| (l.clone(), secret())).collect())
}

impl Secrets {
    /// Parse a keys file's text; errors name `origin:line:col`.
    pub fn parse(origin: &str, text: &str) -> Result<Secrets> {
        let mut out = BTreeMap::new();
        let mut seen = HashSet::new();
        for (n, line) in text.lines().enumerate() {
            let content = line.split('#').next().unwrap_or("");
            let col = content.len() - content.trim_start().len() + 1;
            let mut words = content.split_whitespace();
            let Some(label) = words.next() else { continue };
            let at = format!("{origin}:{}:{col}", n + 1);
            let secret = words
                .next()
                .ok_or_else(|| anyhow!("{at}: expected `<label> <secret>`, got only `{label}`"))?;
            if let Some(extra) = words.next() {
                bail!("{at}: expected `<label> <secret>`, then nothing, got `{extra}` too");
            }
            if secret.len() < MIN_SECRET_LEN || !secret.bytes().all(|b| b.is_ascii_graphic()) {
                bail!(
                    "{at}: the secret of `{label}` must be at least {MIN_SECRET_LEN} visible \
                     ASCII characters (a guessable key lets anyone spend its limit)"
                );
            }
            if !seen.insert(secret.to_string()) {
                bail!("{at}: the secret of `{label}` is also another label's");
            }
            if out.insert(label.to_string(), secret.to_string()).is_some() {
                bail!("{at}: label `{label}` listed twice");
            }
        }
        Ok(Secrets(out))
    }

    /// Read a keys file (size-capped).
    pub fn read(path: &Path) -> Result<Secrets> {
        let len = std::fs::metadata(path)
            .with_context(|| format!("{}: cannot read the keys file", path.display()))?
            .len();
        if len > MAX_FILE_BYTES {
            bail!(
                "{}: {len} bytes, more than a keys file may have ({MAX_FILE_BYTES})",
                path.display()
            );
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the keys file", path.display()))?;
        Secrets::parse(&path.display().to_string(), &text)
    }

    /// The file text (also what `serve` prints when it writes no file).
    pub fn render(&self) -> String {
        let mut s = String::from("# throttlelab API keys: <label> <secret>\n");
        for (label, secret) in &self.0 {
            s.push_str(&format!("{label} {secret}\n"));
        }
        s
    }

    /// Write the file, readable by its owner only (a fresh file: an existing one is replaced).
    pub fn write(&self, path: &Path) -> Result<()> {
        use std::io::Write as _;
        let _ = std::fs::remove_file(path);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options
            .open(path)
            .with_context(|| format!("{}: cannot create the keys file", path.display()))?;
        f.write_all(self.render().as_bytes())
            .and_then(|()| f.sync_all())
            .with_context(|| format!("{}: cannot write the keys file", path.display()))
    }

    /// The server's key table: each label of `roster` (label -> identity) under its secret.
    /// Every label needs a secret, and every secret a label of the roster.
    pub fn secure(&self, roster: HashMap<String, Identity>) -> Result<HashMap<String, Identity>> {
        if let Some(extra) = self.0.keys().find(|l| !roster.contains_key(*l)) {
            bail!("the keys file names `{extra}`, which is not a key of this server");
        }
        roster
            .into_iter()
            .map(|(label, id)| match self.0.get(&label) {
                Some(secret) => Ok((secret.clone(), id)),
                None => Err(anyhow!("the keys file has no secret for `{label}`")),
            })
            .collect()
    }

    /// The secret of `label`.
    pub fn get(&self, label: &str) -> Option<&str> {
        self.0.get(label).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster(n: usize) -> HashMap<String, Identity> {
        super::super::config::LiveConfig::generated_keys(n, 2).unwrap()
    }

    #[test]
    fn issued_secrets_are_long_random_and_distinct() {
        let s = issue(roster(50).keys());
        let secrets: HashSet<&String> = s.0.values().collect();
        assert_eq!(secrets.len(), 50);
        for v in s.0.values() {
            assert_eq!(v.len(), PREFIX.len() + 32);
            assert!(v.starts_with(PREFIX));
        }
        let table = s.secure(roster(50)).unwrap();
        assert!(!table.contains_key("key-0"), "the label is not a token");
        assert_eq!(table[s.get("key-7").unwrap()].key, "key-7");
    }

    #[test]
    fn the_file_round_trips_and_errors_name_line_and_column() {
        let s = issue(roster(3).keys());
        assert_eq!(Secrets::parse("k", &s.render()).unwrap(), s);
        let e = Secrets::parse("k.txt", "# c\nkey-0 tlk_0123456789abcdef\n  key-1 short\n");
        assert!(e.unwrap_err().to_string().starts_with("k.txt:3:3: "));
        let e = Secrets::parse("k", "key-0 aaaaaaaaaaaaaaaaaa\nkey-1 aaaaaaaaaaaaaaaaaa\n");
        assert!(e.unwrap_err().to_string().contains("k:2:1"));
        assert!(Secrets::parse("k", "key-0\n").is_err());
        assert!(Secrets::parse("k", "key-0 aaaaaaaaaaaaaaaaaa extra\n").is_err());
    }

    #[test]
    fn every_label_needs_a_secret_and_every_secret_a_label() {
        let two =
            Secrets::parse("k", "key-0 aaaaaaaaaaaaaaaaaa\nkey-1 bbbbbbbbbbbbbbbbbb\n").unwrap();
        assert!(two.secure(roster(2)).is_ok());
        assert!(two.secure(roster(3)).is_err(), "key-2 has no secret");
        assert!(two.secure(roster(1)).is_err(), "key-1 is not a key");
    }
}
