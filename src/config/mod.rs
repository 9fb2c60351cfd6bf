//! jetdeck's configuration file: `config.toml` in the platform's config directory
//! (`~/.config/jetdeck/config.toml` on Linux), or the file `--config` or `JETDECK_CONFIG`
//! names. Every key is known: a typo or a wrong value stops jetdeck with the file, the
//! line and what is allowed, never silently ignored. [`resolve`] puts the file under the
//! environment and the flags, and says where each value came from (`jetdeck config`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use thiserror::Error;
use toml::Spanned;

use crate::console::keys::{Command, KEY_SYNTAX, Key, KeyMap, Place, Rebind};

mod resolve;
mod servers;
pub use resolve::{Effective, FileUse, Flags, Setting, SettingFlags, Source, from_env, resolve};
pub use servers::{ConfiguredServer, ServerSpec, ServerUrl, check_servers, mask_secrets};

/// The least refresh interval: below it the console would mostly wait on the server.
pub const MIN_REFRESH: Duration = Duration::from_millis(100);
/// The most JetStream events the events pane may keep.
pub const MAX_EVENTS_KEPT: usize = 100_000;

/// The configuration file as written. Each field is optional: what is not set comes from
/// elsewhere (the default, the environment, a flag). Other settings are added here as
/// fields (`deny_unknown_fields` then accepts them).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// How often the console refreshes, e.g. "2s", "500ms".
    #[serde(default, deserialize_with = "refresh")]
    pub refresh: Option<Duration>,
    /// The natscli context to connect with when neither --context nor NATS_CONTEXT says.
    pub context: Option<String>,
    /// Start in read-only mode (as --read-only).
    pub read_only: Option<bool>,
    /// How many JetStream events the events pane keeps.
    #[serde(default, deserialize_with = "events_kept")]
    pub events_kept: Option<usize>,
    /// The colour theme's name; read (and checked) by the theme code.
    pub theme: Option<String>,
    /// Colours over the theme's, by name; read (and checked) by the theme code.
    #[serde(default)]
    pub colors: BTreeMap<String, String>,
    /// Whether the console takes the mouse (false keeps the terminal's text selection).
    pub mouse: Option<bool>,
    /// `[servers] NAME = "URL"` (or `[servers.NAME]` with url, creds, nkey): servers `X`
    /// offers after the natscli contexts; the URLs are checked as they are read.
    #[serde(default)]
    pub servers: BTreeMap<Spanned<String>, ServerSpec>,
    /// `[keys.PLACE] COMMAND = "KEY"` (or a list of keys): rebindings, checked in
    /// [`rebinds`] so each error names its line.
    #[serde(default)]
    pub keys: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<KeySpec>>>,
}

/// One key or several for a command.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    untagged,
    expecting = "expected a key (\"X\") or a list of keys ([\"X\", \"Ctrl-x\"])"
)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

fn refresh<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    parse_refresh(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn events_kept<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let n = i64::deserialize(d)?;
    check_events_kept(n)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// A refresh interval as flags, the environment and the file give it.
pub fn parse_refresh(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| {
        format!("{text:?} is not a duration ({e}); write e.g. \"1s\", \"500ms\", \"2m\"")
    })?;
    if d < MIN_REFRESH {
        return Err(format!("refresh must be at least 100ms, not {text:?}"));
    }
    Ok(d)
}

fn check_events_kept(n: i64) -> Result<usize, String> {
    match usize::try_from(n) {
        Ok(n @ 1..=MAX_EVENTS_KEPT) => Ok(n),
        _ => Err(format!(
            "events-kept must be from 1 to {MAX_EVENTS_KEPT}, not {n}"
        )),
    }
}

/// Why the configuration cannot be used. jetdeck does not start with one.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("the configuration file {path} (named by {named_by}) does not exist")]
    Missing { path: String, named_by: String },
    #[error("cannot read the configuration file {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error(
        "configuration file {path}, line {line}, column {column}: {message}\n  {line} | {text}"
    )]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
        /// The line itself, as written.
        text: String,
    },
    #[error("{var}={value:?}: {message}")]
    BadEnv {
        var: &'static str,
        value: String,
        message: String,
    },
}

impl ConfigError {
    /// The error at byte `at` of the file's `text`: its line and column counted.
    fn at(path: &Path, text: &str, at: usize, message: impl Into<String>) -> Self {
        let at = at.min(text.len());
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[start..at].chars().count() + 1;
        // The line quoted may hold a server's password: never shown.
        let text = mask_secrets(text[start..].lines().next().unwrap_or(""));
        ConfigError::Invalid {
            path: path.display().to_string(),
            line,
            column,
            message: mask_secrets(&message.into()),
            text,
        }
    }

    /// The start of `line` (1-based) in `text`, for errors known by line only.
    fn at_line(path: &Path, text: &str, line: usize, message: impl Into<String>) -> Self {
        let at: usize = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        Self::at(path, text, at, message)
    }
}

/// A configuration file read and checked: its settings and its key bindings.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub file: FileConfig,
    pub rebinds: Vec<Rebind>,
    pub keys: KeyMap,
    /// `[servers]`, by name, each with its line.
    pub servers: Vec<ConfiguredServer>,
}

/// Parses `text` (the file at `path`) and checks its key bindings.
pub fn parse(path: &Path, text: &str) -> Result<Loaded, ConfigError> {
    let file: FileConfig = toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        ConfigError::at(path, text, at, e.message().trim_end())
    })?;
    let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    if let Some(empty) = file
        .servers
        .keys()
        .find(|name| name.get_ref().trim().is_empty())
    {
        let message = "a server needs a name: write e.g. staging = \"nats://staging.example:4222\"";
        return Err(ConfigError::at(path, text, empty.span().start, message));
    }
    let servers = file
        .servers
        .iter()
        .map(|(name, spec)| ConfiguredServer {
            name: name.get_ref().clone(),
            url: spec.url.clone(),
            creds: spec.creds.clone(),
            nkey: spec.nkey.clone(),
            line: line_of(name.span().start),
        })
        .collect();
    let rebinds = rebinds(&file, &line_of)
        .map_err(|(at, message)| ConfigError::at(path, text, at, message))?;
    let keys = KeyMap::with(&rebinds)
        .map_err(|e| ConfigError::at_line(path, text, e.line(), e.to_string()))?;
    Ok(Loaded {
        path: path.to_path_buf(),
        file,
        rebinds,
        keys,
        servers,
    })
}

/// The places `[keys.NAME]` may name; `panes` is the four panes at once.
fn place_named(name: &str) -> Option<Vec<Place>> {
    if name == "panes" {
        return Some(
            Place::all()
                .into_iter()
                .filter(|p| matches!(p, Place::Pane(_)))
                .collect(),
        );
    }
    Place::all()
        .into_iter()
        .find(|p| p.config_name() == name)
        .map(|p| vec![p])
}

fn place_names() -> String {
    let mut names: Vec<String> = Place::all().into_iter().map(Place::config_name).collect();
    names.push("panes (all four)".into());
    names.join(", ")
}

/// The `[keys]` tables as rebindings, `panes` first so a single pane's win; an error
/// with the byte offset it is about.
fn rebinds(
    file: &FileConfig,
    line_of: &dyn Fn(usize) -> usize,
) -> Result<Vec<Rebind>, (usize, String)> {
    let mut out: Vec<(bool, Rebind)> = Vec::new();
    for (place, commands) in &file.keys {
        let places = place_named(place.get_ref()).ok_or_else(|| {
            let message = format!(
                "unknown place `{}` in [keys]; the places are: {}",
                place.get_ref(),
                place_names()
            );
            (place.span().start, message)
        })?;
        for (command, spec) in commands {
            let rebind = rebind_at(&places, command, spec, line_of(spec.span().start))?;
            out.push((places.len() == 1, rebind));
        }
    }
    out.sort_by_key(|(single, _)| *single);
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

fn rebind_at(
    places: &[Place],
    command: &Spanned<String>,
    spec: &Spanned<KeySpec>,
    line: usize,
) -> Result<Rebind, (usize, String)> {
    let name = command.get_ref();
    let Some(found) = Command::all().into_iter().find(|c| c.name() == *name) else {
        let mut allowed: Vec<String> = Vec::new();
        for place in places {
            for c in KeyMap::commands_at(*place) {
                if !allowed.contains(&c.name()) {
                    allowed.push(c.name());
                }
            }
        }
        let table = match places {
            [one] => one.config_name(),
            _ => "panes".to_string(),
        };
        let message = format!(
            "unknown command `{name}` in [keys.{table}]; the commands there are: {}",
            allowed.join(", ")
        );
        return Err((command.span().start, message));
    };
    let texts = match spec.get_ref() {
        KeySpec::One(one) => vec![one.clone()],
        KeySpec::Many(many) => many.clone(),
    };
    if texts.is_empty() {
        return Err((
            spec.span().start,
            format!("{name} needs a key: write {KEY_SYNTAX}"),
        ));
    }
    let mut keys: Vec<Key> = Vec::new();
    for text in &texts {
        let key = Key::parse(text).map_err(|e| (spec.span().start, e))?;
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(Rebind {
        places: places.to_vec(),
        command: found,
        keys,
        line,
    })
}

/// Where the default configuration file is: `config.toml` in the platform's config
/// directory (XDG_CONFIG_HOME honoured), under `jetdeck/`.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("jetdeck").join("config.toml"))
}

#[cfg(test)]
mod servers_tests;
#[cfg(test)]
mod tests;
