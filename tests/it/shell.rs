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
