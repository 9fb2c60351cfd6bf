//! The configuration in effect: each setting from the flag, else the environment, else
//! the file, else the default, with where it came from (what `jetdeck config` prints).

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use super::{ConfigError, ConfiguredServer, Loaded, parse, parse_refresh};
use crate::console::keys::{KeyMap, Rebind};

/// The settings the command line gives (None / false: not given).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub refresh: Option<Duration>,
    pub read_only: bool,
    pub context: Option<String>,
}

/// The console's settings that flags give, over the environment, the configuration file
/// and the defaults (clap arguments of the console and of `jetdeck config`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct SettingFlags {
    /// Refuse every key that would change the server (publish, settle, create, delete,
    /// retry...): for leaving jetdeck open on production. Attaching browses instead.
    /// [env: JETDECK_READ_ONLY]
    #[arg(long)]
    pub read_only: bool,
    /// How often the console refreshes from the server (default 1s) [env: JETDECK_REFRESH]
    #[arg(long, value_name = "DURATION", value_parser = parse_refresh)]
    pub refresh: Option<Duration>,
}

impl SettingFlags {
    /// With the configuration file and the context the command line names.
    pub fn flags(&self, config: Option<PathBuf>, context: Option<String>) -> Flags {
        Flags {
            config,
            refresh: self.refresh,
            read_only: self.read_only,
            context,
        }
    }
}

/// [`resolve`] against the process's environment and the platform's config directory.
pub fn from_env(flags: &Flags) -> Result<Effective, ConfigError> {
    let env = |name: &str| std::env::var(name).ok();
    resolve(flags, &env, super::default_path())
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(&'static str),
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File(path) => write!(f, "file {}", path.display()),
            Source::Env(var) => write!(f, "environment {var}"),
            Source::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

/// Which configuration file was read, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileUse {
    /// The default place had none (or there is no config directory).
    None(Option<PathBuf>),
    /// Read from `path`; `named_by` the flag or variable that named it (None: the default
    /// place).
    Read {
        path: PathBuf,
        named_by: Option<&'static str>,
    },
}

/// The configuration in effect.
#[derive(Debug)]
pub struct Effective {
    pub file: FileUse,
    pub refresh: Setting<Duration>,
    /// None: natscli's own choice (its selected context, if any).
    pub context: Setting<Option<String>>,
    pub read_only: Setting<bool>,
    pub events_kept: Setting<usize>,
    /// The theme's name (None: the default theme). The theme code reads this.
    pub theme: Setting<Option<String>>,
    /// Colours over the theme's, by name, as written. The theme code reads this.
    pub colors: Setting<BTreeMap<String, String>>,
    /// Whether the console takes the mouse. The mouse code reads this.
    pub mouse: Setting<bool>,
    pub rebinds: Vec<Rebind>,
    /// The key bindings in effect.
    pub keys: KeyMap,
    /// `[servers]`: what `X` offers after the natscli contexts (only the file sets them).
    pub servers: Vec<ConfiguredServer>,
}

/// clap's reading of a flag's environment variable: these are false, all else true.
fn truthy(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "n" | "no" | "f" | "false" | "off" | "0"
    )
}

/// Finds and reads the configuration file: `--config`, else JETDECK_CONFIG, else the
/// default place. A file that was named must exist; the default one need not.
fn load(
    flags: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
    default_path: Option<PathBuf>,
) -> Result<(FileUse, Option<Loaded>), ConfigError> {
    let named = match (
        &flags.config,
        env("JETDECK_CONFIG").filter(|v| !v.is_empty()),
    ) {
        (Some(path), _) => Some((path.clone(), "--config")),
        (None, Some(path)) => Some((PathBuf::from(path), "JETDECK_CONFIG")),
        (None, None) => None,
    };
    let (path, named_by) = match named {
        Some((path, by)) => (path, Some(by)),
        None => match default_path {
            Some(path) => (path, None),
            None => return Ok((FileUse::None(None), None)),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match named_by {
                None => Ok((FileUse::None(Some(path)), None)),
                Some(by) => Err(ConfigError::Missing {
                    path: path.display().to_string(),
                    named_by: by.to_string(),
                }),
            };
        }
        Err(e) => {
            return Err(ConfigError::Unreadable {
                path: path.display().to_string(),
                reason: e.to_string(),
            });
        }
    };
    let loaded = parse(&path, &text)?;
    Ok((FileUse::Read { path, named_by }, Some(loaded)))
}

/// The configuration in effect: flag over environment over file over default.
/// `default_path` is where the file is looked for when nothing names one.
pub fn resolve(
    flags: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
    default_path: Option<PathBuf>,
) -> Result<Effective, ConfigError> {
    let (file_use, loaded) = load(flags, env, default_path)?;
    let path = loaded.as_ref().map(|l| l.path.clone()).unwrap_or_default();
    let file = || Source::File(path.clone());
    let var = |name: &'static str| env(name).filter(|v| !v.is_empty()).map(|v| (name, v));
    let cfg = loaded.as_ref().map(|l| &l.file);

    let refresh = match (flags.refresh, var("JETDECK_REFRESH")) {
        (Some(d), _) => setting(d, Source::Flag("--refresh")),
        (None, Some((name, text))) => {
            let d = parse_refresh(&text).map_err(|message| ConfigError::BadEnv {
                var: name,
                value: text.clone(),
                message,
            })?;
            setting(d, Source::Env(name))
        }
        (None, None) => match cfg.and_then(|c| c.refresh) {
            Some(d) => setting(d, file()),
            None => setting(Duration::from_secs(1), Source::Default),
        },
    };
    let read_only = match (flags.read_only, var("JETDECK_READ_ONLY")) {
        (true, _) => setting(true, Source::Flag("--read-only")),
        (false, Some((name, text))) => setting(truthy(&text), Source::Env(name)),
        (false, None) => or_default(cfg.and_then(|c| c.read_only), &file, false),
    };
    let context = match (&flags.context, var("NATS_CONTEXT")) {
        (Some(name), _) => setting(Some(name.clone()), Source::Flag("--context")),
        (None, Some((var, name))) => setting(Some(name), Source::Env(var)),
        (None, None) => match cfg.and_then(|c| c.context.clone()) {
            Some(name) => setting(Some(name), file()),
            None => setting(None, Source::Default),
        },
    };
    let events_kept = or_default(
        cfg.and_then(|c| c.events_kept),
        &file,
        crate::console::app::EVENTS_KEPT,
    );
    let theme = match cfg.and_then(|c| c.theme.clone()) {
        Some(name) => setting(Some(name), file()),
        None => setting(None, Source::Default),
    };
    let colors = cfg.map(|c| c.colors.clone()).unwrap_or_default();
    let colors_source = if colors.is_empty() {
        Source::Default
    } else {
        file()
    };
    let mouse = or_default(cfg.and_then(|c| c.mouse), &file, true);
    let (rebinds, keys, servers) = match loaded {
        Some(l) => (l.rebinds, l.keys, l.servers),
        None => (Vec::new(), KeyMap::default(), Vec::new()),
    };
    Ok(Effective {
        file: file_use,
        refresh,
        context,
        read_only,
        events_kept,
        theme,
        colors: setting(colors, colors_source),
        mouse,
        rebinds,
        keys,
        servers,
    })
}

fn setting<T>(value: T, source: Source) -> Setting<T> {
    Setting { value, source }
}

fn or_default<T>(from_file: Option<T>, file: &dyn Fn() -> Source, default: T) -> Setting<T> {
    match from_file {
        Some(value) => setting(value, file()),
        None => setting(default, Source::Default),
    }
}

impl Effective {
    /// The configuration in effect as a configuration file, each value followed by where
    /// it came from: what `jetdeck config` prints.
    pub fn report(&self) -> String {
        let mut out = String::from(
            "# jetdeck's configuration in effect; after each value, where it came from.\n",
        );
        let _ = match &self.file {
            FileUse::Read {
                path,
                named_by: Some(by),
            } => {
                writeln!(
                    out,
                    "# configuration file: {} (named by {by})",
                    path.display()
                )
            }
            FileUse::Read {
                path,
                named_by: None,
            } => {
                writeln!(out, "# configuration file: {}", path.display())
            }
            FileUse::None(Some(path)) => {
                writeln!(
                    out,
                    "# configuration file: none ({} does not exist)",
                    path.display()
                )
            }
            FileUse::None(None) => {
                writeln!(out, "# configuration file: none (no config directory)")
            }
        };
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut row = |text: String, source: &Source| rows.push((text, source.to_string()));
        let humane = humantime::format_duration(self.refresh.value).to_string();
        row(format!("refresh = {humane:?}"), &self.refresh.source);
        match &self.context.value {
            Some(name) => row(format!("context = {name:?}"), &self.context.source),
            None => row(
                "# context: natscli's selected one".into(),
                &self.context.source,
            ),
        }
        row(
            format!("read-only = {}", self.read_only.value),
            &self.read_only.source,
        );
        row(
            format!("events-kept = {}", self.events_kept.value),
            &self.events_kept.source,
        );
        match &self.theme.value {
            Some(name) => row(format!("theme = {name:?}"), &self.theme.source),
            None => row("# theme: the default".into(), &self.theme.source),
        }
        row(format!("mouse = {}", self.mouse.value), &self.mouse.source);
        push_aligned(&mut out, &rows);
        if !self.colors.value.is_empty() {
            out.push_str("\n[colors]\n");
            let rows: Vec<(String, String)> = self
                .colors
                .value
                .iter()
                .map(|(k, v)| (format!("{k} = {v:?}"), self.colors.source.to_string()))
                .collect();
            push_aligned(&mut out, &rows);
        }
        self.report_servers(&mut out);
        self.report_keys(&mut out);
        out
    }

    /// `[servers]`, each with its line; passwords and tokens in the URLs masked.
    fn report_servers(&self, out: &mut String) {
        if self.servers.is_empty() {
            out.push_str("\n# servers: none besides the natscli contexts\n");
            return;
        }
        let path = match &self.file {
            FileUse::Read { path, .. } => path.display().to_string(),
            FileUse::None(_) => String::new(),
        };
        out.push_str("\n[servers]\n");
        let rows: Vec<(String, String)> = self
            .servers
            .iter()
            .map(|s| {
                let mut text = format!("{} = {:?}", toml_key(&s.name), s.url.shown());
                if s.creds.is_some() || s.nkey.is_some() {
                    let mut fields = vec![format!("url = {:?}", s.url.shown())];
                    if let Some(creds) = &s.creds {
                        fields.push(format!("creds = {:?}", creds.display().to_string()));
                    }
                    if let Some(nkey) = &s.nkey {
                        fields.push(format!("nkey = {:?}", nkey.display().to_string()));
                    }
                    text = format!("{} = {{ {} }}", toml_key(&s.name), fields.join(", "));
                }
                (text, format!("file {path}, line {}", s.line))
            })
            .collect();
        push_aligned(out, &rows);
    }

    fn report_keys(&self, out: &mut String) {
        let path = match &self.file {
            FileUse::Read { path, .. } => path.display().to_string(),
            FileUse::None(_) => String::new(),
        };
        let mut by_place: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for r in &self.rebinds {
            let keys: Vec<String> = r.keys.iter().map(|k| format!("{:?}", k.name())).collect();
            let keys = match keys.as_slice() {
                [one] => one.clone(),
                many => format!("[{}]", many.join(", ")),
            };
            let table = match r.places.as_slice() {
                [one] => one.config_name(),
                _ => "panes".to_string(),
            };
            by_place.entry(table).or_default().push((
                format!("{} = {keys}", r.command.name()),
                format!("file {path}, line {}", r.line),
            ));
        }
        if by_place.is_empty() {
            out.push_str("\n# keys: the default table (README's key table; ? in the console)\n");
        }
        for (place, rows) in by_place {
            let _ = writeln!(out, "\n[keys.{place}]");
            push_aligned(out, &rows);
        }
    }
}

/// A table key as TOML writes it: bare when it can be, else quoted.
fn toml_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

/// `text  # source` lines, the comments in one column.
fn push_aligned(out: &mut String, rows: &[(String, String)]) {
    let width = rows
        .iter()
        .map(|(t, _)| t.chars().count())
        .max()
        .unwrap_or(0);
    for (text, source) in rows {
        let _ = writeln!(out, "{text:<width$}  # {source}");
    }
}
