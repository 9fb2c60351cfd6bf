//! Switching to a server of jetdeck's configuration file (`X`, issue 15): the second of
//! two real servers is named only in `[servers]` (with a password in its URL, which never
//! reaches the screen, the log or `jetdeck config`), next to a natscli context of the
//! same name that leads to the first server.

use std::process::Command;
use std::time::Duration;

use async_nats::jetstream::{self, stream};

use jetdeck::server::{NatsServer, ServerOptions};

use crate::common::work_stream;
use crate::pty::Console;

const WAIT: Duration = Duration::from_secs(10);
const PASSWORD: &str = "s3cret-pw";

fn write_context(config: &std::path::Path, name: &str, url: &str) {
    let dir = config.join("nats").join("context");
    std::fs::create_dir_all(&dir).unwrap();
    let body = format!(r#"{{"url":"{url}"}}"#);
    std::fs::write(dir.join(format!("{name}.json")), body).unwrap();
}

/// A server that wants user `ops` with [`PASSWORD`], with the stream OTHER on it.
async fn second_server() -> (NatsServer, String) {
    let server = NatsServer::start_with(ServerOptions {
        extra_config: Some(format!(
            "authorization {{ user: ops, password: {PASSWORD} }}"
        )),
        ..Default::default()
    })
    .await
    .expect("start nats-server with a password");
    let with_password = server
        .url()
        .replacen("nats://", &format!("nats://ops:{PASSWORD}@"), 1);
    // The bare client takes no credentials from a URL (jetdeck's broker does).
    let client = async_nats::ConnectOptions::with_user_and_password("ops".into(), PASSWORD.into())
        .connect(server.url())
        .await
        .expect("connect");
    jetstream::new(client)
        .create_stream(stream::Config {
            name: "OTHER".into(),
            subjects: vec!["other.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    (server, with_password)
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_to_a_configured_server_shows_its_streams_and_never_its_password() {
    let first = NatsServer::start().await.unwrap();
    let (second, with_password) = second_server().await;
    work_stream(&first, Duration::from_secs(60)).await;
    let home = tempfile::tempdir().unwrap();
    write_context(home.path(), "alpha", &first.url());
    // A context named as the configured server, leading elsewhere: both are listed.
    write_context(home.path(), "second", &first.url());
    let file = home.path().join("jetdeck.toml");
    std::fs::write(&file, format!("[servers]\nsecond = \"{with_password}\"\n")).unwrap();
    let masked = with_password.replace(PASSWORD, "***");
    let mut console = Console::start_with_env(
        &["--config", file.to_str().unwrap(), "--context", "alpha"],
        &[("XDG_CONFIG_HOME", home.path())],
    );
    console.wait_for(WAIT, "WORK on alpha", |s| {
        s.contains("WORK") && s.contains("context alpha")
    });
    console.press("X");
    let listed = console.wait_for(WAIT, "contexts, then the server", |s| {
        s.contains("alpha  (active") && s.contains(&format!("server second  {masked}"))
    });
    assert!(!listed.contains(PASSWORD), "{listed}");
    // alpha, the context second, then the server second.
    console.press("j");
    console.press("j");
    console.press("\r");
    let screen = console.wait_for(WAIT, "OTHER on the configured server", |s| {
        s.contains("OTHER") && s.contains("config server second") && !s.contains("WORK")
    });
    assert!(
        screen.contains(&format!(
            "now on server second ({masked}); 0 held message(s) nak'd"
        )),
        "{screen}"
    );
    assert!(!screen.contains("context alpha"), "{screen}");
    console.press("X");
    let listed = console.wait_for(WAIT, "the server marked active", |s| {
        s.contains(&format!("server second  {masked}  (active"))
    });
    assert!(
        !listed.contains("second  (active"),
        "the context of the same name is not the one in use:\n{listed}"
    );
    // The context `second` is the first server: WORK again.
    console.press("k");
    console.press("\r");
    console.wait_for(WAIT, "WORK through the context second", |s| {
        s.contains("WORK") && s.contains("context second") && !s.contains("OTHER")
    });
    let log = console.log();
    assert!(log.contains("switched"), "{log}");
    assert!(!log.contains(PASSWORD), "the password in the log:\n{log}");
    drop(second);
}

#[test]
fn jetdeck_config_lists_the_servers_masked() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("jetdeck.toml");
    std::fs::write(
        &file,
        format!("[servers]\nprod = \"nats://ops:{PASSWORD}@prod.example:4222\"\n"),
    )
    .unwrap();
    let log = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jetdeck"))
        .args(["config", "--config", file.to_str().unwrap()])
        .arg("--log-file")
        .arg(log.path().join("j.log"))
        .env("XDG_CONFIG_HOME", home.path())
        .env_remove("JETDECK_CONFIG")
        .output()
        .expect("run jetdeck config");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("prod = "))
        .unwrap_or_else(|| panic!("no prod in:\n{stdout}"));
    assert!(
        row.contains("\"nats://ops:***@prod.example:4222\"") && row.contains("line 2"),
        "{row}"
    );
    assert!(!stdout.contains(PASSWORD), "{stdout}");
    // A bad URL stops jetdeck with the line, the password masked there too.
    std::fs::write(
        &file,
        format!("[servers]\nprod = \"nats://ops:{PASSWORD}@prod.example:42x\"\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jetdeck"))
        .args(["config", "--config", file.to_str().unwrap()])
        .arg("--log-file")
        .arg(log.path().join("j.log"))
        .env("XDG_CONFIG_HOME", home.path())
        .env_remove("JETDECK_CONFIG")
        .output()
        .expect("run jetdeck config");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("line 2") && stderr.contains("port \"42x\"") && !stderr.contains(PASSWORD),
        "{stderr}"
    );
}

/// Started with `--server` (no context): `X` lists where it started first. A configured
/// server that does not answer is tried first and the console stays where it is; the
/// start row brings it back.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_leaves_the_console_where_it_was_and_start_leads_back() {
    let first = NatsServer::start().await.unwrap();
    let (second, with_password) = second_server().await;
    work_stream(&first, Duration::from_secs(60)).await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("jetdeck.toml");
    // Port 1 on loopback: refused at once, nothing listens there.
    let config =
        format!("[servers]\nsecond = \"{with_password}\"\nzz-down = \"nats://127.0.0.1:1\"\n");
    std::fs::write(&file, config).unwrap();
    let mut console = Console::start_with_env(
        &["--config", file.to_str().unwrap(), "--server", &first.url()],
        &[("XDG_CONFIG_HOME", home.path())],
    );
    console.wait_for(WAIT, "WORK", |s| {
        s.contains("WORK") && s.contains("● connected")
    });
    console.press("X");
    console.wait_for(WAIT, "start first, active", |s| {
        s.contains(&format!("start {}  (active", first.url()))
    });
    console.press("j");
    console.press("\r");
    console.wait_for(WAIT, "OTHER on second", |s| {
        s.contains("OTHER") && s.contains("config server second") && !s.contains("WORK")
    });
    console.press("X");
    console.wait_for(WAIT, "second active", |s| {
        s.contains("second  nats://ops:***")
    });
    console.press("j");
    console.press("\r");
    let screen = console.wait_for(WAIT, "the refusal", |s| {
        s.contains("stayed here, server zz-down not reached: could not connect")
    });
    assert!(
        screen.contains("OTHER")
            && screen.contains("config server second")
            && screen.contains("● connected"),
        "still on second:\n{screen}"
    );
    console.press("X");
    console.wait_for(WAIT, "the list again", |s| s.contains("start nats://"));
    console.press("g");
    console.press("k");
    console.press("k");
    console.press("\r");
    let screen = console.wait_for(WAIT, "WORK where it started", |s| {
        s.contains("WORK") && !s.contains("OTHER") && s.contains("now back where jetdeck started")
    });
    assert!(!screen.contains("config server"), "{screen}");
    drop(second);
}
