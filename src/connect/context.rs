//! natscli contexts: where they live, which is selected, and reading one.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ConnectFlags, Settings, SetupError};

/// A natscli context file; unknown fields are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ContextFile {
    pub(super) url: String,
    pub(super) user: String,
    pub(super) password: String,
    pub(super) token: String,
    pub(super) creds: String,
    pub(super) nkey: String,
    pub(super) cert: String,
    pub(super) key: String,
    pub(super) ca: String,
    pub(super) tls_first: bool,
    pub(super) jetstream_domain: String,
    pub(super) jetstream_api_prefix: String,
    pub(super) inbox_prefix: String,
}

/// The context in use and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextInfo {
    pub name: String,
    pub path: PathBuf,
}

/// `$XDG_CONFIG_HOME/nats`, else `~/.config/nats`.
pub fn nats_config_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("nats"))
}

/// The natscli contexts (names, sorted) and the one `context.txt` selects, for choosing
/// one; a missing directory is no contexts.
pub fn context_names(env: &dyn Fn(&str) -> Option<String>) -> (Vec<String>, Option<String>) {
    let Some(dir) = nats_config_dir(env) else {
        return (Vec::new(), None);
    };
    (listed(&dir.join("context")), selected(&dir))
}

/// The settings of context `name` alone: the flags and NATS_* variables jetdeck started
/// with do not apply to a context chosen later (only where contexts live is read).
pub fn context_settings(name: &str) -> Result<Settings, SetupError> {
    let flags = ConnectFlags {
        context: Some(name.to_string()),
        ..ConnectFlags::default()
    };
    Settings::resolve(&flags, &|var| match var {
        "XDG_CONFIG_HOME" | "HOME" => std::env::var(var).ok(),
        _ => None,
    })
}

/// Expands a leading `~/` as natscli does for paths in contexts.
pub(super) fn expand_home(path: &str, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    match (path.strip_prefix("~/"), env("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

pub(super) fn load_context(
    flags: &ConnectFlags,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(ContextInfo, ContextFile)>, SetupError> {
    let Some(dir) = nats_config_dir(env) else {
        return Ok(None);
    };
    let named = flags
        .context
        .clone()
        .or_else(|| env("NATS_CONTEXT"))
        .filter(|n| !n.is_empty());
    let Some(name) = named.or_else(|| selected(&dir)) else {
        return Ok(None);
    };
    let contexts = dir.join("context");
    let path = contexts.join(format!("{name}.json"));
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SetupError::ContextNotFound {
                name,
                dir: contexts.display().to_string(),
                known: listed(&contexts),
            });
        }
        Err(e) => {
            return Err(SetupError::Unreadable {
                what: "context",
                path: path.display().to_string(),
                reason: e.to_string(),
            });
        }
    };
    let file: ContextFile = serde_json::from_str(&text).map_err(|e| SetupError::BadContext {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(Some((ContextInfo { name, path }, file)))
}

/// The contexts in `dir` (`NAME.json`), sorted.
fn listed(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_string_lossy()
                .strip_suffix(".json")
                .map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// The context natscli's `context.txt` selects, if any.
fn selected(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join("context.txt"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}
