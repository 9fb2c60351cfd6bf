//! `[servers]`: servers named in the configuration file, listed by the console's `X` after
//! the natscli contexts. `NAME = "URL"` (a comma-separated list for a cluster, as
//! `--server` takes), or `[servers.NAME]` with `url` and optionally `creds` / `nkey` file
//! paths. Each URL is checked as the connection checks `--server`, when the file is read.
//! A password or token in a URL is never shown: Debug, Display and errors mask it.

use std::fmt;
use std::path::PathBuf;

use serde::de::{self, MapAccess, Visitor, value::MapAccessDeserializer};
use serde::{Deserialize, Deserializer};

use crate::broker::{check_address, mask_url};
use crate::connect::Settings;

/// A configured server's URL(s), as written: secrets in it are masked by Debug and
/// Display; [`ServerUrl::expose`] is for the connection only.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerUrl(String);

impl ServerUrl {
    /// Checks `text` as a server URL or a comma-separated list of them.
    pub fn new(text: &str) -> Result<Self, String> {
        check_servers(text)?;
        Ok(Self(text.trim().to_string()))
    }

    /// The URLs, one per server of a cluster's list.
    pub fn servers(&self) -> Vec<String> {
        self.0
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The URL(s) fit to show: passwords and tokens replaced by `***`.
    pub fn shown(&self) -> String {
        self.servers()
            .iter()
            .map(|s| mask_url(s))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The URL as written, secrets and all: for the connect options only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.shown())
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

/// What is allowed for a server's URL, said after a bad one.
const URL_SYNTAX: &str = "write e.g. \"nats://host:4222\" (tls://, ws://, wss:// too; several: \"nats://a:4222,nats://b:4222\")";

/// Why `text` is not a server URL list, as `--server` would be refused (the address check
/// of the connection), said with any secret masked.
pub fn check_servers(text: &str) -> Result<(), String> {
    let items: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        return Err(format!("a server needs a URL: {URL_SYNTAX}"));
    }
    for item in items {
        check_address(&without_userinfo(item))
            .map_err(|reason| format!("{}: {reason}; {URL_SYNTAX}", mask_url(item)))?;
    }
    Ok(())
}

/// `scheme://user:pw@host` -> `scheme://host` (the address check sees no credentials).
fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}{host}")
}

/// One entry of `[servers]` as written: a URL, or a table with the URL and credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSpec {
    pub url: ServerUrl,
    /// A credentials file (JWT and seed), as `--creds`.
    pub creds: Option<PathBuf>,
    /// An nkey seed file, as `--nkey`.
    pub nkey: Option<PathBuf>,
}

/// `[servers.NAME]`: every key known, as the rest of the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerTable {
    // Checked as it is read, so an error names the `url` line, not the table's.
    #[serde(deserialize_with = "checked_url")]
    url: ServerUrl,
    creds: Option<PathBuf>,
    nkey: Option<PathBuf>,
}

impl<'de> Deserialize<'de> for ServerSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SpecVisitor;
        impl<'de> Visitor<'de> for SpecVisitor {
            type Value = ServerSpec;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a server URL (\"nats://host:4222\") or a table with url and optionally creds, nkey",
                )
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<ServerSpec, E> {
                Ok(ServerSpec {
                    url: ServerUrl::new(text).map_err(E::custom)?,
                    creds: None,
                    nkey: None,
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ServerSpec, A::Error> {
                let table = ServerTable::deserialize(MapAccessDeserializer::new(map))?;
                Ok(ServerSpec {
                    url: table.url,
                    creds: table.creds.map(|p| home_expanded(&p)),
                    nkey: table.nkey.map(|p| home_expanded(&p)),
                })
            }
        }
        d.deserialize_any(SpecVisitor)
    }
}

fn checked_url<'de, D: Deserializer<'de>>(d: D) -> Result<ServerUrl, D::Error> {
    let text = String::deserialize(d)?;
    ServerUrl::new(&text).map_err(de::Error::custom)
}

/// A leading `~/` as the home directory, as natscli's contexts write paths.
fn home_expanded(path: &std::path::Path) -> PathBuf {
    match (path.strip_prefix("~"), dirs::home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

/// A server from the configuration file, by name: what `X` offers to switch to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredServer {
    pub name: String,
    pub url: ServerUrl,
    pub creds: Option<PathBuf>,
    pub nkey: Option<PathBuf>,
    /// Its line in the file (for `jetdeck config`).
    pub line: usize,
}

impl ConfiguredServer {
    /// The connection settings of this server alone: the flags and NATS_* variables
    /// jetdeck started with do not apply to it (as with a context chosen later).
    pub fn settings(&self) -> Settings {
        Settings {
            servers: self.url.servers(),
            creds: self.creds.clone(),
            nkey: self.nkey.clone(),
            ..Settings::default()
        }
    }
}

/// `text` with the userinfo of any URL in it masked: the configuration file's line that an
/// error quotes may hold a password (`nats://user:secret@host`).
pub fn mask_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let before = &rest[..at];
        // The userinfo starts after the scheme or the quote, comma or space before it
        // (not after any `/`: a password may hold one).
        let after_scheme = before.rfind("://").map(|i| i + 3);
        let after_separator = before
            .rfind(|c: char| matches!(c, '"' | '\'' | ',' | '=' | '[') || c.is_whitespace())
            .map_or(0, |i| i + 1);
        // Within a URL everything from the scheme to the `@` is userinfo, `=` and `,`
        // included (a base64 token ends in `=`); the separators only bound a bare
        // `user:pass@host`.
        let start = match after_scheme {
            Some(s)
                if !before[s..]
                    .contains(|c: char| matches!(c, '"' | '\'') || c.is_whitespace()) =>
            {
                s
            }
            other => other.unwrap_or(0).max(after_separator),
        };
        let userinfo = &before[start..];
        out.push_str(&before[..start]);
        match userinfo.split_once(':') {
            _ if userinfo.is_empty() => {}
            Some((user, _)) => {
                out.push_str(user);
                out.push_str(":***");
            }
            None => out.push_str("***"),
        }
        out.push('@');
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out
}
