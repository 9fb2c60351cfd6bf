//! Where connection settings come from, the way NATS users already keep them: flags, then
//! the environment (NATS_URL, NATS_USER, ...), then a natscli context (`--context`,
//! NATS_CONTEXT, or the one selected in `context.txt`), then the default server. One
//! place resolves them for the console, `validate` and every later command, and turns
//! them into the broker's connect options. Secrets never reach Debug, Display or an error.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::broker::{BrokerOptions, DEFAULT_ADDR, mask_url};

mod context;

use context::{ContextFile, expand_home, load_context};
pub use context::{ContextInfo, context_names, context_settings, nats_config_dir};

/// The connection flags every command takes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ConnectFlags {
    /// Server URL(s), comma-separated for a cluster seed list [env: NATS_URL]
    #[arg(short, long, value_name = "URL")]
    pub server: Option<String>,
    /// User name [env: NATS_USER]
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Password (NATS_PASSWORD keeps it off the command line) [env: NATS_PASSWORD]
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Authentication token [env: NATS_TOKEN]
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// User credentials file (JWT and seed) [env: NATS_CREDS]
    #[arg(long, value_name = "FILE")]
    pub creds: Option<PathBuf>,
    /// NKey seed file [env: NATS_NKEY]
    #[arg(long, value_name = "FILE")]
    pub nkey: Option<PathBuf>,
    /// TLS client certificate [env: NATS_CERT]
    #[arg(long, value_name = "FILE")]
    pub tlscert: Option<PathBuf>,
    /// TLS client key [env: NATS_KEY]
    #[arg(long, value_name = "FILE")]
    pub tlskey: Option<PathBuf>,
    /// CA certificate that signed the server's certificate [env: NATS_CA]
    #[arg(long, value_name = "FILE")]
    pub tlsca: Option<PathBuf>,
    /// Start TLS before the server's INFO (servers with handshake_first)
    #[arg(long)]
    pub tlsfirst: bool,
    /// JetStream domain
    #[arg(long, value_name = "DOMAIN")]
    pub js_domain: Option<String>,
    /// JetStream API prefix (for imported JetStream)
    #[arg(long, value_name = "PREFIX")]
    pub js_api_prefix: Option<String>,
    /// Connection name the server shows (default jetdeck-HOSTNAME)
    #[arg(long, value_name = "NAME")]
    pub connection_name: Option<String>,
    /// natscli context to use (default: NATS_CONTEXT, else the selected one) [env: NATS_CONTEXT]
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
}

/// A secret: shown as `***` by Debug and Display.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the connect options only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Connection settings, resolved. Debug shows the servers masked and no secret.
#[derive(Clone, Default)]
pub struct Settings {
    pub servers: Vec<String>,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub token: Option<Secret>,
    pub creds: Option<PathBuf>,
    pub nkey: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub tls_ca: Option<PathBuf>,
    pub tls_first: bool,
    pub js_domain: Option<String>,
    pub js_api_prefix: Option<String>,
    pub inbox_prefix: Option<String>,
    pub connection_name: Option<String>,
    pub context: Option<ContextInfo>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("servers", &self.display_servers())
            .field("user", &self.user)
            .field("password", &self.password)
            .field("token", &self.token)
            .field("creds", &self.creds)
            .field("nkey", &self.nkey)
            .field("tls_ca", &self.tls_ca)
            .field("tls_cert", &self.tls_cert)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Error)]
pub enum SetupError {
    #[error(
        "context {name:?} does not exist in {dir} (known: {known}); list them with `nats context ls`",
        known = if .known.is_empty() { "none".to_string() } else { .known.join(", ") }
    )]
    ContextNotFound {
        name: String,
        dir: String,
        known: Vec<String>,
    },
    #[error("context file {path} is not valid: {reason}")]
    BadContext { path: String, reason: String },
    #[error("{what} file {path} cannot be read: {reason}")]
    Unreadable {
        what: &'static str,
        path: String,
        reason: String,
    },
    #[error("{0}")]
    Incomplete(String),
}

fn nonempty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

impl Settings {
    /// Resolves flags over the environment over a context over the default.
    pub fn resolve(
        flags: &ConnectFlags,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, SetupError> {
        let context = load_context(flags, env)?;
        let ctx = context.as_ref().map(|(_, file)| file);
        let from_ctx =
            |pick: fn(&ContextFile) -> &String| ctx.and_then(|c| nonempty(pick(c).clone()));
        let pick = |flag: &Option<String>, var: &str, ctx_value: Option<String>| {
            flag.clone()
                .or_else(|| env(var).filter(|v| !v.is_empty()))
                .or(ctx_value)
        };
        let path = |flag: &Option<PathBuf>, var: &str, ctx_value: Option<String>| {
            flag.clone()
                .or_else(|| env(var).filter(|v| !v.is_empty()).map(PathBuf::from))
                .or_else(|| ctx_value.map(|p| expand_home(&p, env)))
        };
        let servers = pick(&flags.server, "NATS_URL", from_ctx(|c| &c.url))
            .unwrap_or_else(|| DEFAULT_ADDR.to_string())
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let (user, password, token) = credentials(flags, env, ctx);
        let settings = Settings {
            servers,
            user,
            password: password.map(Secret),
            token: token.map(Secret),
            creds: path(&flags.creds, "NATS_CREDS", from_ctx(|c| &c.creds)),
            nkey: path(&flags.nkey, "NATS_NKEY", from_ctx(|c| &c.nkey)),
            tls_cert: path(&flags.tlscert, "NATS_CERT", from_ctx(|c| &c.cert)),
            tls_key: path(&flags.tlskey, "NATS_KEY", from_ctx(|c| &c.key)),
            tls_ca: path(&flags.tlsca, "NATS_CA", from_ctx(|c| &c.ca)),
            tls_first: flags.tlsfirst || ctx.is_some_and(|c| c.tls_first),
            js_domain: flags
                .js_domain
                .clone()
                .or(from_ctx(|c| &c.jetstream_domain)),
            js_api_prefix: flags
                .js_api_prefix
                .clone()
                .or(from_ctx(|c| &c.jetstream_api_prefix)),
            inbox_prefix: from_ctx(|c| &c.inbox_prefix),
            connection_name: flags.connection_name.clone(),
            context: context.map(|(info, _)| info),
        };
        if settings.tls_cert.is_some() != settings.tls_key.is_some() {
            return Err(SetupError::Incomplete(
                "a TLS client certificate needs both --tlscert and --tlskey".to_string(),
            ));
        }
        Ok(settings)
    }

    /// Resolves against the real environment.
    pub fn from_env(flags: &ConnectFlags) -> Result<Self, SetupError> {
        Self::resolve(flags, &|name| std::env::var(name).ok())
    }

    /// The servers as they may be shown: secrets masked.
    pub fn display_servers(&self) -> String {
        self.servers
            .iter()
            .map(|s| mask_url(s))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Broker options for these settings: servers, credentials, TLS, JetStream domain.
    /// Files are read now, so a missing one is reported by name before any connection.
    pub async fn broker_options(&self) -> Result<BrokerOptions, SetupError> {
        let mut nats = async_nats::ConnectOptions::new();
        if let Some(creds) = &self.creds {
            readable("credentials", creds)?;
            nats = nats
                .credentials_file(creds)
                .await
                .map_err(|e| SetupError::Unreadable {
                    what: "credentials",
                    path: creds.display().to_string(),
                    reason: e.to_string(),
                })?;
        }
        if let Some(nkey) = &self.nkey {
            let seed = readable("nkey seed", nkey)?;
            let seed = seed
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with('S'))
                .ok_or_else(|| SetupError::Unreadable {
                    what: "nkey seed",
                    path: nkey.display().to_string(),
                    reason: "no seed (a line starting with S) in it".to_string(),
                })?;
            nats = nats.nkey(seed.to_string());
        }
        match (&self.user, &self.password, &self.token) {
            (Some(user), password, _) => {
                nats = nats.user_and_password(
                    user.clone(),
                    password
                        .as_ref()
                        .map(|p| p.expose().to_string())
                        .unwrap_or_default(),
                );
            }
            (None, _, Some(token)) => nats = nats.token(token.expose().to_string()),
            _ => {}
        }
        if let Some(ca) = &self.tls_ca {
            readable("CA certificate", ca)?;
            nats = nats.add_root_certificates(ca.clone()).require_tls(true);
        }
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            readable("client certificate", cert)?;
            readable("client key", key)?;
            nats = nats
                .add_client_certificate(cert.clone(), key.clone())
                .require_tls(true);
        }
        if self.tls_first {
            nats = nats.tls_first();
        }
        if let Some(prefix) = &self.inbox_prefix {
            nats = nats.custom_inbox_prefix(prefix);
        }
        // Explicit credentials win over any user:password@ in a URL.
        let explicit = self.user.is_some()
            || self.token.is_some()
            || self.nkey.is_some()
            || self.creds.is_some();
        let servers: Vec<String> = if explicit {
            self.servers.iter().map(|s| strip_userinfo(s)).collect()
        } else {
            self.servers.clone()
        };
        let mut options = BrokerOptions::default()
            .addrs(servers)
            .nats_options(nats)
            .jetstream(self.js_domain.clone(), self.js_api_prefix.clone());
        if let Some(name) = &self.connection_name {
            options = options.client_name(name);
        }
        Ok(options)
    }
}

/// `scheme://user:pw@host` -> `scheme://host`.
fn strip_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    if scheme.is_empty() {
        host.to_string()
    } else {
        format!("{scheme}://{host}")
    }
}

/// Reads a file the connection needs, or says which one could not be read.
fn readable(what: &'static str, path: &Path) -> Result<String, SetupError> {
    std::fs::read_to_string(path).map_err(|e| SetupError::Unreadable {
        what,
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// User, password and token, by precedence. The highest source that names any
/// credential decides the kind: a token there means token auth (a user from a lower source
/// is not mixed in); otherwise user and password, each from the highest source that has it.
fn credentials(
    flags: &ConnectFlags,
    env: &dyn Fn(&str) -> Option<String>,
    ctx: Option<&ContextFile>,
) -> (Option<String>, Option<String>, Option<String>) {
    let env_of = |var: &str| env(var).filter(|v| !v.is_empty());
    let from_ctx = |pick: fn(&ContextFile) -> &String| ctx.and_then(|c| nonempty(pick(c).clone()));
    let levels = [
        (
            flags.user.clone(),
            flags.password.clone(),
            flags.token.clone(),
        ),
        (
            env_of("NATS_USER"),
            env_of("NATS_PASSWORD"),
            env_of("NATS_TOKEN"),
        ),
        (
            from_ctx(|c| &c.user),
            from_ctx(|c| &c.password),
            from_ctx(|c| &c.token),
        ),
    ];
    let top = levels
        .iter()
        .find(|(u, p, t)| u.is_some() || p.is_some() || t.is_some());
    match top {
        Some((None, None, Some(token))) => (None, None, Some(token.clone())),
        Some(_) => (
            levels.iter().find_map(|(u, _, _)| u.clone()),
            levels.iter().find_map(|(_, p, _)| p.clone()),
            None,
        ),
        None => (None, None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn write_context(dir: &Path, name: &str, body: &str) {
        let contexts = dir.join("nats").join("context");
        std::fs::create_dir_all(&contexts).unwrap();
        std::fs::write(contexts.join(format!("{name}.json")), body).unwrap();
    }

    #[test]
    fn defaults_without_anything() {
        let s = Settings::resolve(&ConnectFlags::default(), &env_of(&[])).unwrap();
        assert_eq!(s.servers, ["nats://127.0.0.1:4222"]);
        assert!(s.context.is_none() && s.user.is_none());
    }

    #[test]
    fn a_context_is_found_three_ways_and_flags_win() {
        let home = tempfile::tempdir().unwrap();
        let xdg = home.path().to_str().unwrap();
        write_context(
            home.path(),
            "prod",
            r#"{"description":"x","url":"nats://prod:4222","user":"ops","password":"pw","unknown_field":1,"jetstream_domain":"hub"}"#,
        );
        write_context(home.path(), "dev", r#"{"url":"nats://dev:4222"}"#);
        // By flag.
        let flags = ConnectFlags {
            context: Some("prod".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&flags, &env_of(&[("XDG_CONFIG_HOME", xdg)])).unwrap();
        assert_eq!(s.servers, ["nats://prod:4222"]);
        assert_eq!(s.user.as_deref(), Some("ops"));
        assert_eq!(s.password.as_ref().map(Secret::expose), Some("pw"));
        assert_eq!(s.js_domain.as_deref(), Some("hub"));
        assert_eq!(s.context.as_ref().unwrap().name, "prod");
        // By NATS_CONTEXT.
        let s = Settings::resolve(
            &ConnectFlags::default(),
            &env_of(&[("XDG_CONFIG_HOME", xdg), ("NATS_CONTEXT", "dev")]),
        )
        .unwrap();
        assert_eq!(s.servers, ["nats://dev:4222"]);
        // By context.txt.
        std::fs::write(home.path().join("nats").join("context.txt"), "prod\n").unwrap();
        let s = Settings::resolve(
            &ConnectFlags::default(),
            &env_of(&[("XDG_CONFIG_HOME", xdg)]),
        )
        .unwrap();
        assert_eq!(s.servers, ["nats://prod:4222"]);
        // A flag beats the environment, which beats the context.
        let flags = ConnectFlags {
            server: Some("nats://flag:4222".into()),
            ..Default::default()
        };
        let env = env_of(&[
            ("XDG_CONFIG_HOME", xdg),
            ("NATS_USER", "env-user"),
            ("NATS_URL", "nats://env:4222"),
        ]);
        let s = Settings::resolve(&flags, &env).unwrap();
        assert_eq!(s.servers, ["nats://flag:4222"]);
        assert_eq!(s.user.as_deref(), Some("env-user"));
        assert_eq!(
            s.password.as_ref().map(Secret::expose),
            Some("pw"),
            "the password from the context"
        );
        assert_eq!(
            s.js_domain.as_deref(),
            Some("hub"),
            "the rest from the context"
        );
        // HOME/.config/nats when XDG_CONFIG_HOME is unset.
        let home_only = tempfile::tempdir().unwrap();
        write_context(
            &home_only.path().join(".config"),
            "h",
            r#"{"url":"nats://home:4222"}"#,
        );
        let flags = ConnectFlags {
            context: Some("h".into()),
            ..Default::default()
        };
        let s = Settings::resolve(
            &flags,
            &env_of(&[("HOME", home_only.path().to_str().unwrap())]),
        )
        .unwrap();
        assert_eq!(s.servers, ["nats://home:4222"]);
    }

    #[test]
    fn a_missing_or_malformed_context_is_a_clear_error() {
        let home = tempfile::tempdir().unwrap();
        let xdg = home.path().to_str().unwrap();
        write_context(home.path(), "good", r#"{"url":"nats://a:4222"}"#);
        write_context(home.path(), "broken", r#"{"url": "#);
        let env = env_of(&[("XDG_CONFIG_HOME", xdg)]);
        let flags = |name: &str| ConnectFlags {
            context: Some(name.into()),
            ..Default::default()
        };
        let err = Settings::resolve(&flags("nope"), &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("context \"nope\" does not exist") && err.contains("broken, good"),
            "{err}"
        );
        let err = Settings::resolve(&flags("broken"), &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("broken.json is not valid"), "{err}");
    }

    #[test]
    fn credentials_come_as_a_set_from_the_highest_source() {
        let home = tempfile::tempdir().unwrap();
        write_context(
            home.path(),
            "c",
            r#"{"user":"ctx-user","password":"ctx-pw"}"#,
        );
        let xdg = home.path().to_str().unwrap();
        let flags = ConnectFlags {
            token: Some("flag-token".into()),
            context: Some("c".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&flags, &env_of(&[("XDG_CONFIG_HOME", xdg)])).unwrap();
        assert_eq!(s.token.as_ref().map(Secret::expose), Some("flag-token"));
        assert!(
            s.user.is_none() && s.password.is_none(),
            "not mixed with the context's user"
        );
        assert_eq!(strip_userinfo("nats://u:p@h:4222"), "nats://h:4222");
        assert_eq!(strip_userinfo("h:4222"), "h:4222");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let flags = ConnectFlags {
            server: Some("nats://u:urlpw@h:4222".into()),
            password: Some("hunter2".into()),
            token: Some("t0ken".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&flags, &env_of(&[])).unwrap();
        let shown = format!("{s:?} {}", s.display_servers());
        assert!(
            !shown.contains("hunter2") && !shown.contains("t0ken"),
            "{shown}"
        );
        assert!(s.display_servers().contains("u:***@h"));
    }

    #[tokio::test]
    async fn files_the_connection_needs_are_named_when_missing() {
        for flags in [
            ConnectFlags {
                creds: Some("/nope/user.creds".into()),
                ..Default::default()
            },
            ConnectFlags {
                nkey: Some("/nope/user.nk".into()),
                ..Default::default()
            },
            ConnectFlags {
                tlsca: Some("/nope/ca.pem".into()),
                ..Default::default()
            },
        ] {
            let s = Settings::resolve(&flags, &env_of(&[])).unwrap();
            let err = s.broker_options().await.unwrap_err().to_string();
            assert!(
                err.contains("/nope/") && err.contains("cannot be read"),
                "{err}"
            );
        }
        let half = ConnectFlags {
            tlscert: Some("c.pem".into()),
            ..Default::default()
        };
        let err = Settings::resolve(&half, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("both --tlscert and --tlskey"), "{err}");
    }
}
