//! Connecting the way NATS users do, against servers started with auth and TLS: each good
//! path works for `validate` and for a broker (the console's connection), each failure
//! says what is wrong, and no secret reaches the output or the log.

use std::path::{Path, PathBuf};
use std::process::Command;

use jetdeck::broker::Broker;
use jetdeck::connect::{ConnectFlags, Settings};
use jetdeck::server::{NatsServer, ServerOptions};

async fn server_with(config: &str) -> NatsServer {
    NatsServer::start_with(ServerOptions {
        extra_config: Some(config.to_string()),
        ..Default::default()
    })
    .await
    .expect("start configured nats-server")
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    log: String,
}

/// `jetdeck validate` with `args` and extra environment, in a clean environment for the
/// NATS variables (no context from the machine running the tests).
fn validate(args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("validate.log");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jetdeck"));
    cmd.arg("validate")
        .args(args)
        .args(["--timeout", "10s", "--log-level", "debug", "--log-file"])
        .arg(&log)
        .env("XDG_CONFIG_HOME", dir.path().join("no-config"))
        .env("HOME", dir.path());
    for var in [
        "NATS_URL",
        "NATS_USER",
        "NATS_PASSWORD",
        "NATS_TOKEN",
        "NATS_CREDS",
        "NATS_NKEY",
        "NATS_CERT",
        "NATS_KEY",
        "NATS_CA",
        "NATS_CONTEXT",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run jetdeck");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        log: std::fs::read_to_string(&log).unwrap_or_default(),
    }
}

fn passed(run: &Run) -> bool {
    run.code == Some(0) && run.stdout.contains("Validation passed")
}

fn assert_no_secret(run: &Run, secret: &str) {
    for (what, text) in [
        ("stdout", &run.stdout),
        ("stderr", &run.stderr),
        ("log", &run.log),
    ] {
        assert!(
            !text.contains(secret),
            "the secret is in the {what}:\n{text}"
        );
    }
}

async fn broker_connects(flags: ConnectFlags) -> Result<(), String> {
    let settings = Settings::resolve(&flags, &|_| None).map_err(|e| e.to_string())?;
    let broker = Broker::new(settings.broker_options().await.map_err(|e| e.to_string())?);
    broker.connect().await.map_err(|e| e.to_string())?;
    broker.account_info().await.map_err(|e| e.to_string())?;
    broker.disconnect().await.map_err(|e| e.to_string())
}

#[tokio::test]
async fn user_and_password_from_flags_env_and_url() {
    let server = server_with("authorization { user: admin, password: s3cret-pw }").await;
    let url = server.url();
    let run = validate(
        &[
            "--server",
            &url,
            "--user",
            "admin",
            "--password",
            "s3cret-pw",
        ],
        &[],
    );
    assert!(passed(&run), "{}{}", run.stdout, run.stderr);
    assert_no_secret(&run, "s3cret-pw");
    let run = validate(
        &[],
        &[
            ("NATS_URL", &url),
            ("NATS_USER", "admin"),
            ("NATS_PASSWORD", "s3cret-pw"),
        ],
    );
    assert!(passed(&run), "{}{}", run.stdout, run.stderr);
    assert_no_secret(&run, "s3cret-pw");
    let in_url = url.replace("nats://", "nats://admin:s3cret-pw@");
    let run = validate(&["--server", &in_url], &[]);
    assert!(passed(&run), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("admin:***@"), "{}", run.stdout);
    assert_no_secret(&run, "s3cret-pw");

    broker_connects(ConnectFlags {
        server: Some(url.clone()),
        user: Some("admin".into()),
        password: Some("s3cret-pw".into()),
        ..Default::default()
    })
    .await
    .unwrap();

    let run = validate(
        &[
            "--server",
            &url,
            "--user",
            "admin",
            "--password",
            "wrong-pw",
        ],
        &[],
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("authorization violation"),
        "{}",
        run.stderr
    );
    assert_no_secret(&run, "wrong-pw");
}

#[tokio::test]
async fn token_auth_and_a_wrong_token() {
    let server = server_with("authorization { token: t0ken-value }").await;
    let url = server.url();
    let run = validate(&["--server", &url, "--token", "t0ken-value"], &[]);
    assert!(passed(&run), "{}{}", run.stdout, run.stderr);
    assert_no_secret(&run, "t0ken-value");
    let run = validate(&["--server", &url], &[("NATS_TOKEN", "t0ken-value")]);
    assert!(passed(&run), "{}{}", run.stdout, run.stderr);
    let run = validate(&["--server", &url, "--token", "bad-t0ken"], &[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("authorization violation"),
        "{}",
        run.stderr
    );
    assert_no_secret(&run, "bad-t0ken");
}

#[tokio::test]
async fn nkey_auth_and_a_missing_seed_file() {
    let user = nkeys::KeyPair::new_user();
    let server = server_with(&format!(
        "authorization {{ users: [ {{ nkey: {} }} ] }}",
        user.public_key()
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let seed_file = dir.path().join("user.nk");
    let seed = user.seed().unwrap();
    std::fs::write(&seed_file, format!("{seed}\n")).unwrap();
    let url = server.url();
    let run = validate(
        &["--server", &url, "--nkey", seed_file.to_str().unwrap()],
        &[],
    );
    assert!(passed(&run), "{}{}", run.stdout, run.stderr);
    assert_no_secret(&run, &seed);
    let run = validate(&["--server", &url, "--nkey", "/no/such/user.nk"], &[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("nkey seed file /no/such/user.nk cannot be read"),
        "{}",
        run.stderr
    );
    let run = validate(&["--server", &url, "--creds", "/no/such/user.creds"], &[]);
    assert!(
        run.stderr
            .contains("credentials file /no/such/user.creds cannot be read"),
        "{}",
        run.stderr
    );
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files.
struct Pki {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
}

fn pki() -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, pem: String| -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, pem).unwrap();
        path
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "jetdeck test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, &ca_key);
    let leaf = |names: Vec<String>, usage: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names).unwrap();
        params.extended_key_usages = vec![usage];
        let cert = params.signed_by(&key, &issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    };
    let (server_pem, server_key) = leaf(
        vec!["127.0.0.1".into(), "localhost".into()],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let (client_pem, client_key) = leaf(
        vec!["jetdeck-client".into()],
        ExtendedKeyUsagePurpose::ClientAuth,
    );
    Pki {
        ca: write("ca.pem", ca_cert.pem()),
        server_cert: write("server.pem", server_pem),
        server_key: write("server-key.pem", server_key),
        client_cert: write("client.pem", client_pem),
        client_key: write("client-key.pem", client_key),
        _dir: dir,
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test]
async fn mutual_tls_and_an_untrusted_server() {
    let pki = pki();
    let server = server_with(&format!(
        "tls {{ cert_file: {:?}, key_file: {:?}, ca_file: {:?}, verify: true }}",
        path(&pki.server_cert),
        path(&pki.server_key),
        path(&pki.ca)
    ))
    .await;
    let url = server.url();
    let tls = [
        "--tlsca",
        path(&pki.ca),
        "--tlscert",
        path(&pki.client_cert),
        "--tlskey",
        path(&pki.client_key),
    ];
    let mut args = vec!["--server", url.as_str()];
    args.extend(tls);
    let run = validate(&args, &[]);
    assert!(passed(&run), "{}{}\n{}", run.stdout, run.stderr, run.log);
    // The same through the environment.
    let run = validate(
        &["--server", &url],
        &[
            ("NATS_CA", path(&pki.ca)),
            ("NATS_CERT", path(&pki.client_cert)),
            ("NATS_KEY", path(&pki.client_key)),
        ],
    );
    assert!(passed(&run), "{}{}", run.stdout, run.stderr);
    broker_connects(ConnectFlags {
        server: Some(url.clone()),
        tlsca: Some(pki.ca.clone()),
        tlscert: Some(pki.client_cert.clone()),
        tlskey: Some(pki.client_key.clone()),
        ..Default::default()
    })
    .await
    .unwrap();

    // TLS required but not configured: the server's certificate is not trusted.
    let run = validate(&["--server", &url], &[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("TLS"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--tlsca"),
        "says what to do: {}",
        run.stderr
    );
}

#[tokio::test]
async fn a_context_file_is_used_with_no_flags_and_flags_override_it() {
    let server = server_with("authorization { user: ctx, password: ctx-pw }").await;
    let dir = tempfile::tempdir().unwrap();
    let nats = dir.path().join("nats");
    std::fs::create_dir_all(nats.join("context")).unwrap();
    std::fs::write(
        nats.join("context").join("local.json"),
        format!(
            r#"{{"url":"{}","user":"ctx","password":"ctx-pw","color_scheme":"ignored"}}"#,
            server.url()
        ),
    )
    .unwrap();
    std::fs::write(nats.join("context.txt"), "local").unwrap();
    let xdg = dir.path().to_str().unwrap();
    let run = validate(&[], &[("XDG_CONFIG_HOME", xdg)]);
    assert!(
        passed(&run),
        "the selected context, no flags: {}{}",
        run.stdout,
        run.stderr
    );
    assert_no_secret(&run, "ctx-pw");
    let run = validate(&["--context", "local"], &[("XDG_CONFIG_HOME", xdg)]);
    assert!(passed(&run), "{}{}", run.stdout, run.stderr);
    let run = validate(&[], &[("XDG_CONFIG_HOME", xdg), ("NATS_CONTEXT", "local")]);
    assert!(passed(&run), "{}{}", run.stdout, run.stderr);
    // A flag wins over the context.
    let run = validate(&["--password", "overridden"], &[("XDG_CONFIG_HOME", xdg)]);
    assert!(
        run.stderr.contains("authorization violation"),
        "{}",
        run.stderr
    );
    let run = validate(&["--context", "staging"], &[("XDG_CONFIG_HOME", xdg)]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("context \"staging\" does not exist") && run.stderr.contains("local"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn jetstream_disabled_and_no_server_are_told_apart() {
    let server = NatsServer::start_with(ServerOptions {
        no_jetstream: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let run = validate(&["--server", &server.url()], &[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("JetStream is not available"),
        "{}",
        run.stderr
    );
    drop(server);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = validate(&["--server", &format!("nats://127.0.0.1:{port}")], &[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);
}
