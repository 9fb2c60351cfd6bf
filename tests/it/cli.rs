//! `jetdeck validate`, run as a user runs it.

use std::process::Command;

use jetdeck::server::NatsServer;

fn jetdeck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jetdeck"))
}

fn run(args: &[&str], log: &std::path::Path) -> std::process::Output {
    let mut cmd = jetdeck();
    cmd.args(args).arg("--log-file").arg(log);
    // The machine's own NATS settings stay out of these runs.
    cmd.env("XDG_CONFIG_HOME", "/nonexistent");
    for var in [
        "NATS_URL",
        "NATS_USER",
        "NATS_PASSWORD",
        "NATS_TOKEN",
        "NATS_CREDS",
        "NATS_NKEY",
        "NATS_CONTEXT",
    ] {
        cmd.env_remove(var);
    }
    cmd.output().expect("run jetdeck")
}

fn expected_report(url: &str, stream_line: &str) -> Vec<String> {
    let mut lines = vec![
        format!("Connected to NATS at {url}"),
        stream_line.to_string(),
        "Subscribed to topic test.messages with durable consumer validation-queue".to_string(),
        "Publishing test messages...".to_string(),
    ];
    for i in 1..=5 {
        lines.push(format!("Published message {i}"));
        lines.push(format!("Received message: Test message {i}"));
    }
    lines.push("Validation passed: 5 of 5 messages received and acknowledged".to_string());
    lines
}

/// Received lines may come before or after the next Published line; the rest is fixed.
fn assert_report(stdout: &str, expected: &[String]) {
    let mut got: Vec<&str> = stdout.lines().collect();
    let mut want: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(got[..4], want[..4], "stdout:\n{stdout}");
    assert_eq!(got.last(), want.last(), "stdout:\n{stdout}");
    let published = |l: &&str| l.starts_with("Published");
    let received: Vec<&str> = got
        .iter()
        .copied()
        .filter(|l| l.starts_with("Received"))
        .collect();
    assert_eq!(
        received,
        want.iter()
            .copied()
            .filter(|l| l.starts_with("Received"))
            .collect::<Vec<_>>(),
        "messages received in order"
    );
    got.retain(published);
    want.retain(published);
    assert_eq!(got, want);
    assert_eq!(
        stdout.lines().count(),
        expected.len(),
        "nothing else on stdout:\n{stdout}"
    );
}

#[tokio::test]
async fn validate_against_a_server_creates_then_reuses_the_stream() {
    let server = NatsServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("jetdeck.log");
    let url = server.url();

    let first = run(&["validate", "--server", &url], &log);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_report(
        &stdout,
        &expected_report(&url, "Created stream TEST for topic test.messages"),
    );

    let second = run(&["validate", "--server", &url], &log);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success(), "{stdout}");
    assert_report(
        &stdout,
        &expected_report(&url, "Using existing stream TEST for topic test.messages"),
    );
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("connected"),
        "the log file has the run:\n{logged}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "log file readable by its owner only");
    }
}

#[tokio::test]
async fn validate_embedded_starts_its_own_server() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &["validate", "--embedded", "--count", "3"],
        &dir.path().join("j.log"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = stdout.lines().next().unwrap();
    assert!(
        first.starts_with("Connected to NATS at nats://127.0.0.1:"),
        "{first}"
    );
    assert!(stdout.contains("Created stream TEST for topic test.messages"));
    assert!(stdout.ends_with("Validation passed: 3 of 3 messages received and acknowledged\n"));
}

#[tokio::test]
async fn validate_without_a_server_fails_clearly_and_names_the_log() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("fail.log");
    let url = format!("nats://127.0.0.1:{port}");
    let out = run(&["validate", "--server", &url], &log);
    assert!(!out.status.success());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "no report lines on failure to connect"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Validation failed: connect failed"),
        "{stderr}"
    );
    assert!(stderr.contains(&url), "{stderr}");
    assert!(stderr.contains(&log.display().to_string()), "{stderr}");
}

#[tokio::test]
async fn validate_masks_a_password_in_the_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("secret.log");
    let out = run(
        &[
            "validate",
            "--server",
            &format!("nats://admin:hunter2@127.0.0.1:{port}"),
        ],
        &log,
    );
    assert!(!out.status.success());
    let all = format!(
        "{}{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert!(!all.contains("hunter2"), "the password leaked:\n{all}");
    assert!(all.contains("admin:***@"), "{all}");
}

#[test]
fn the_console_without_a_terminal_says_what_to_do_instead() {
    let dir = tempfile::tempdir().unwrap();
    let out = jetdeck()
        .args(["--server", "nats://127.0.0.1:1", "--log-file"])
        .arg(dir.path().join("c.log"))
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("needs an interactive terminal") && stderr.contains("jetdeck validate"),
        "{stderr}"
    );
}
