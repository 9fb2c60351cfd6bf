//! The configuration file, as a user meets it: jetdeck refuses to start with one it
//! cannot read (and says the line), `jetdeck config` says where each value came from,
//! and a rebound key works in the real console.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::pty::Console;

/// jetdeck with the machine's own settings kept out, and `config_home` as its config dir.
fn run(args: &[&str], config_home: &Path, env: &[(&str, &str)]) -> Output {
    let log = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jetdeck"));
    cmd.args(args)
        .arg("--log-file")
        .arg(log.path().join("j.log"));
    cmd.env("XDG_CONFIG_HOME", config_home);
    for var in [
        "NATS_URL",
        "NATS_CONTEXT",
        "JETDECK_CONFIG",
        "JETDECK_READ_ONLY",
        "JETDECK_REFRESH",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("run jetdeck")
}

/// Writes `text` where jetdeck looks by default under `config_home`.
fn write_default(config_home: &Path, text: &str) -> std::path::PathBuf {
    let dir = config_home.join("jetdeck");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn jetdeck_refuses_to_start_with_a_config_it_cannot_read_and_names_the_line() {
    let home = tempfile::tempdir().unwrap();
    let path = write_default(home.path(), "refresh = \"2s\"\n\nrefesh = \"3s\"\n");
    // The console: refused before any terminal or server is touched.
    let out = run(&["--server", "nats://127.0.0.1:1"], home.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    let first = format!(
        "jetdeck: configuration file {}, line 3, column 1: unknown field `refesh`, expected one of `refresh`,",
        path.display()
    );
    assert!(stderr.starts_with(&first), "stderr: {stderr}");
    assert!(stderr.contains("  3 | refesh = \"3s\""), "stderr: {stderr}");
    assert!(out.stdout.is_empty());
    // A clash, through --config: both bindings named.
    let clash = home.path().join("clash.toml");
    std::fs::write(&clash, "[keys.messages]\nack = \"Z\"\nterm = \"Z\"\n").unwrap();
    let out = run(&["--config", clash.to_str().unwrap()], home.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains(", line 3, column 1: `Z` is bound twice in messages: to ack (line 2) and to term (line 3)"),
        "stderr: {stderr}"
    );
    // A named file that is not there is an error too; a missing default one is not.
    let out = run(
        &["config", "--config", "/nonexistent/j.toml"],
        home.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("/nonexistent/j.toml (named by --config) does not exist")
    );
    let empty = tempfile::tempdir().unwrap();
    let out = run(&["config"], empty.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn jetdeck_config_prints_each_value_and_where_it_came_from() {
    let home = tempfile::tempdir().unwrap();
    let path = write_default(
        home.path(),
        "refresh = \"3s\"\nread-only = true\nevents-kept = 42\n\n[keys.streams]\npurge-stream = \"Z\"\n",
    );
    let out = run(
        &["config", "--refresh", "250ms"],
        home.path(),
        &[("JETDECK_READ_ONLY", "no")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = path.display();
    let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    for line in [
        format!("# configuration file: {file}"),
        "refresh = \"250ms\" # flag --refresh".to_string(),
        "read-only = false # environment JETDECK_READ_ONLY".to_string(),
        format!("events-kept = 42 # file {file}"),
        "mouse = true # default".to_string(),
        "[keys.streams]".to_string(),
        format!("purge-stream = \"Z\" # file {file}, line 6"),
    ] {
        assert!(
            stdout.lines().any(|l| words(l) == line),
            "no {line:?} in:\n{stdout}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_rebound_in_the_config_file_works_in_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("keys.toml");
    std::fs::write(&config, "[keys.streams]\nhelp = \"H\"\n").unwrap();
    let mut console = Console::start(&["--embedded", "--config", config.to_str().unwrap()]);
    let hints = |s: &str| s.contains("H help") && !s.contains("? help");
    console.wait_for(Duration::from_secs(15), "the rebound hint", hints);
    // (That `?` no longer opens help in streams is the update() test's to show.)
    console.press("H");
    console.wait_for(Duration::from_secs(5), "help", |s| s.contains(" Keys ─"));
    console.press("\x1b");
    console.wait_for(Duration::from_secs(5), "help closed", |s| {
        !s.contains(" Keys ─")
    });
    console.press("q");
    assert_eq!(console.exit_code(Duration::from_secs(10)), 0);
}
