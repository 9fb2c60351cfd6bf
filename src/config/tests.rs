use std::collections::HashMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::console::app::Pane;

const GOOD: &str = r#"# every setting
refresh = "2s"
context = "staging"
read-only = true
events-kept = 2000
theme = "light"
mouse = false

[colors]
accent = "magenta"

[keys.streams]
purge-stream = "Z"

[keys.panes]
help = ["H", "F1"]

[keys.messages]
help = "?"
ack = "A"
"#;

fn path() -> PathBuf {
    PathBuf::from("/home/op/.config/jetdeck/config.toml")
}

/// The error for `text`, as jetdeck prints it.
fn error(text: &str) -> String {
    parse(&path(), text).unwrap_err().to_string()
}

/// The error's line number, and its message.
fn located(text: &str) -> (usize, String) {
    match parse(&path(), text).unwrap_err() {
        ConfigError::Invalid { line, message, .. } => (line, message),
        other => panic!("not located: {other}"),
    }
}

#[test]
fn a_good_file_gives_every_setting_and_its_keys() {
    let loaded = parse(&path(), GOOD).unwrap();
    let f = &loaded.file;
    assert_eq!(f.refresh, Some(Duration::from_secs(2)));
    assert_eq!(f.context.as_deref(), Some("staging"));
    assert_eq!(f.read_only, Some(true));
    assert_eq!(f.events_kept, Some(2000));
    assert_eq!(f.theme.as_deref(), Some("light"));
    assert_eq!(f.mouse, Some(false));
    assert_eq!(f.colors.get("accent").map(String::as_str), Some("magenta"));
    // `panes` first, then a single pane's over it: `?` stays help in messages.
    let streams = Place::Pane(Pane::Streams);
    let messages = Place::Pane(Pane::Messages);
    let press = |place, code| {
        loaded
            .keys
            .lookup(place, &KeyEvent::new(code, KeyModifiers::NONE))
    };
    assert_eq!(
        press(streams, KeyCode::Char('Z')),
        Some(Command::PurgeStream)
    );
    assert_eq!(press(streams, KeyCode::Char('P')), None);
    assert_eq!(press(streams, KeyCode::Char('H')), Some(Command::Help));
    assert_eq!(press(streams, KeyCode::F(1)), Some(Command::Help));
    assert_eq!(press(streams, KeyCode::Char('?')), None);
    assert_eq!(press(messages, KeyCode::Char('?')), Some(Command::Help));
    assert_eq!(press(messages, KeyCode::Char('H')), None);
    assert_eq!(press(messages, KeyCode::Char('A')), Some(Command::Ack));
    let lines: Vec<(String, usize)> = loaded
        .rebinds
        .iter()
        .map(|r| (r.command.name(), r.line))
        .collect();
    assert!(lines.contains(&("purge-stream".into(), 13)), "{lines:?}");
    assert!(lines.contains(&("ack".into(), 20)), "{lines:?}");
}

#[test]
fn an_empty_file_is_all_defaults() {
    let loaded = parse(&path(), "# nothing yet\n").unwrap();
    assert!(loaded.rebinds.is_empty() && loaded.file.refresh.is_none());
}

#[test]
fn an_unknown_key_names_its_line_and_the_known_ones() {
    let (line, message) = located("refresh = \"2s\"\n\nrefrsh = \"3s\"\n");
    assert_eq!(line, 3);
    assert!(
        message.starts_with("unknown field `refrsh`, expected one of `refresh`, `context`"),
        "{message}"
    );
    let full = error("refresh = \"2s\"\n\nrefrsh = \"3s\"\n");
    assert!(
        full.starts_with(
            "configuration file /home/op/.config/jetdeck/config.toml, line 3, column 1: unknown field"
        ) && full.ends_with("\n  3 | refrsh = \"3s\""),
        "{full}"
    );
}

#[test]
fn a_value_of_the_wrong_type_names_its_line() {
    let (line, message) = located("mouse = true\nread-only = \"yes\"\n");
    assert_eq!(line, 2);
    assert_eq!(message, "invalid type: string \"yes\", expected a boolean");
    let (line, message) = located("\n\nevents-kept = \"many\"\n");
    assert_eq!(line, 3);
    assert!(message.contains("expected i64"), "{message}");
    let (line, message) = located("events-kept = 0\n");
    assert_eq!(
        (line, message.as_str()),
        (1, "events-kept must be from 1 to 100000, not 0")
    );
}

#[test]
fn a_bad_duration_names_its_line_and_how_to_write_one() {
    let (line, message) = located("# the console\nrefresh = \"2 parsecs\"\n");
    assert_eq!(line, 2);
    assert!(
        message.starts_with("\"2 parsecs\" is not a duration") && message.ends_with("\"2m\""),
        "{message}"
    );
    let (line, message) = located("refresh = \"10ms\"\n");
    assert_eq!(
        (line, message.as_str()),
        (1, "refresh must be at least 100ms, not \"10ms\"")
    );
}

#[test]
fn an_unknown_command_names_its_line_and_the_commands_of_the_place() {
    let (line, message) = located("[keys.streams]\nbrowse = \"B\"\npurge = \"X\"\n");
    assert_eq!(line, 3);
    assert!(
        message.starts_with("unknown command `purge` in [keys.streams]; the commands there are: ")
            && message.contains("purge-stream")
            && !message.contains(" ack,"),
        "{message}"
    );
    // A command that exists, where it does nothing.
    let (line, message) = located("[keys.streams]\n\nack = \"A\"\n");
    assert_eq!(line, 3);
    assert!(
        message.starts_with("ack does nothing in streams"),
        "{message}"
    );
}

#[test]
fn an_unknown_place_or_key_names_its_line() {
    let (line, message) = located("[keys]\n\n[keys.stream]\npublish = \"X\"\n");
    assert_eq!(line, 3);
    assert!(
        message.starts_with("unknown place `stream` in [keys]; the places are: streams, ")
            && message.contains("publish-form")
            && message.ends_with("panes (all four)"),
        "{message}"
    );
    let (line, message) = located("[keys.messages]\nack = \"Hyper-a\"\n");
    assert_eq!(line, 2);
    assert!(
        message.starts_with("`Hyper-a` is not a key: write one character"),
        "{message}"
    );
    let (line, message) = located("[keys.messages]\nack = 5\n");
    assert_eq!(line, 2);
    assert!(
        message.contains("a key (\"X\") or a list of keys"),
        "{message}"
    );
}

#[test]
fn a_clash_is_refused_naming_both_lines() {
    let text = "[keys.messages]\nack = \"Z\"\n\n[keys.messages.\"term\"]\n";
    // (a table where a key belongs is a type error, also with its line)
    assert_eq!(located(text).0, 4);
    let text = "[keys.messages]\nack = \"Z\"\nnak = \"n\"\nterm = \"Z\"\n";
    let (line, message) = located(text);
    assert_eq!(line, 4);
    assert_eq!(
        message,
        "`Z` is bound twice in messages: to ack (line 2) and to term (line 4)"
    );
    let (line, message) = located("[keys.streams]\n\npublish = \"b\"\n");
    assert_eq!(line, 3);
    assert!(
        message.contains("and to browse (its default binding"),
        "{message}"
    );
}

fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

const LAYERED: &str = "refresh = \"3s\"\nread-only = true\ncontext = \"from-file\"\n";

#[test]
fn the_file_beats_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), LAYERED);
    let in_file = Source::File(file.clone());
    let nothing = env_of(&[]);
    // Default: no file at the default place.
    let e = resolve(
        &Flags::default(),
        &nothing,
        Some(dir.path().join("none.toml")),
    )
    .unwrap();
    assert_eq!(
        e.refresh,
        Setting {
            value: Duration::from_secs(1),
            source: Source::Default
        }
    );
    assert_eq!((e.read_only.value, e.context.value.clone()), (false, None));
    assert_eq!(e.file, FileUse::None(Some(dir.path().join("none.toml"))));
    // File (at the default place) over the default.
    let e = resolve(&Flags::default(), &nothing, Some(file.clone())).unwrap();
    assert_eq!(
        e.refresh,
        Setting {
            value: Duration::from_secs(3),
            source: in_file.clone()
        }
    );
    assert_eq!(
        e.read_only,
        Setting {
            value: true,
            source: in_file.clone()
        }
    );
    assert_eq!(e.context.value.as_deref(), Some("from-file"));
    assert_eq!(e.events_kept.source, Source::Default);
}

#[test]
fn flag_beats_environment_beats_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), LAYERED);
    // Environment over the file.
    let env = env_of(&[
        ("JETDECK_REFRESH", "5s"),
        ("JETDECK_READ_ONLY", "false"),
        ("NATS_CONTEXT", "from-env"),
    ]);
    let e = resolve(&Flags::default(), &env, Some(file.clone())).unwrap();
    assert_eq!(
        e.refresh,
        Setting {
            value: Duration::from_secs(5),
            source: Source::Env("JETDECK_REFRESH")
        }
    );
    assert_eq!(
        e.read_only,
        Setting {
            value: false,
            source: Source::Env("JETDECK_READ_ONLY")
        }
    );
    assert_eq!(e.context.value.as_deref(), Some("from-env"));
    // Flags over the environment.
    let flags = Flags {
        config: None,
        refresh: Some(Duration::from_secs(7)),
        read_only: true,
        context: Some("from-flag".into()),
    };
    let e = resolve(&flags, &env, Some(file.clone())).unwrap();
    assert_eq!(
        e.refresh,
        Setting {
            value: Duration::from_secs(7),
            source: Source::Flag("--refresh")
        }
    );
    assert_eq!(
        e.read_only,
        Setting {
            value: true,
            source: Source::Flag("--read-only")
        }
    );
    assert_eq!(
        e.context,
        Setting {
            value: Some("from-flag".into()),
            source: Source::Flag("--context")
        }
    );
    // A bad value in the environment is an error naming the variable.
    let bad = env_of(&[("JETDECK_REFRESH", "soon")]);
    let err = resolve(&Flags::default(), &bad, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("JETDECK_REFRESH=\"soon\": \"soon\" is not a duration"),
        "{err}"
    );
}

#[test]
fn the_file_is_named_by_flag_then_environment_then_found_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let by_flag = dir.path().join("flag.toml");
    std::fs::write(&by_flag, "events-kept = 10\n").unwrap();
    let by_env = dir.path().join("env.toml");
    std::fs::write(&by_env, "events-kept = 20\n").unwrap();
    let default = write(dir.path(), "events-kept = 30\n");
    let env = env_of(&[("JETDECK_CONFIG", by_env.to_str().unwrap())]);
    let flags = Flags {
        config: Some(by_flag.clone()),
        ..Flags::default()
    };
    let kept = |flags: &Flags, env: &dyn Fn(&str) -> Option<String>| {
        resolve(flags, env, Some(default.clone()))
            .unwrap()
            .events_kept
            .value
    };
    assert_eq!(kept(&flags, &env), 10);
    assert_eq!(kept(&Flags::default(), &env), 20);
    assert_eq!(kept(&Flags::default(), &env_of(&[])), 30);
    // A named file must exist; the default one need not.
    let missing = Flags {
        config: Some(dir.path().join("nope.toml")),
        ..Flags::default()
    };
    let err = resolve(&missing, &env_of(&[]), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("nope.toml (named by --config) does not exist"),
        "{err}"
    );
    let env = env_of(&[("JETDECK_CONFIG", "/nonexistent/jetdeck.toml")]);
    let err = resolve(&Flags::default(), &env, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("(named by JETDECK_CONFIG) does not exist"),
        "{err}"
    );
}

#[test]
fn the_report_says_where_each_value_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "events-kept = 50\n\n[keys.streams]\npurge-stream = \"Z\"\n",
    );
    let env = env_of(&[("JETDECK_READ_ONLY", "1")]);
    let flags = Flags {
        refresh: Some(Duration::from_millis(1500)),
        ..Flags::default()
    };
    let report = resolve(&flags, &env, Some(file.clone())).unwrap().report();
    let shown = file.display();
    for line in [
        format!("# configuration file: {shown}"),
        "refresh = \"1s 500ms\"  # flag --refresh".to_string(),
        "read-only = true       # environment JETDECK_READ_ONLY".to_string(),
        format!("events-kept = 50       # file {shown}"),
        "mouse = true           # default".to_string(),
        "[keys.streams]".to_string(),
        format!("purge-stream = \"Z\"  # file {shown}, line 4"),
    ] {
        // Compared word by word: the comments are aligned in one column.
        let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            report.lines().any(|l| words(l) == words(&line)),
            "no {line:?} in:\n{report}"
        );
    }
}

#[test]
fn the_example_file_in_assets_is_a_good_file() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/config.example.toml"
    ));
    let text = std::fs::read_to_string(path).unwrap();
    let loaded = parse(path, &text).unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.file.refresh.is_some() && !loaded.rebinds.is_empty());
}
