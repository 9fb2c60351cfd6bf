use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::console::app::Pane;
use crate::console::keys::Layer;

const STREAMS: Place = Place::Pane(Pane::Streams);
const CONSUMERS: Place = Place::Pane(Pane::Consumers);
const MESSAGES: Place = Place::Pane(Pane::Messages);

fn press(map: &KeyMap, place: Place, c: char) -> Option<Command> {
    map.lookup(place, &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn rebind(place: Place, command: Command, keys: &[&str], line: usize) -> Rebind {
    Rebind {
        places: vec![place],
        command,
        keys: keys.iter().map(|k| Key::parse(k).unwrap()).collect(),
        line,
    }
}

fn hint_labels(map: &KeyMap, place: Place) -> Vec<String> {
    map.hints(place)
        .into_iter()
        .map(|h| format!("{} {}", h.label, h.text))
        .collect()
}

#[test]
fn a_rebound_key_acts_in_its_place_only_and_frees_the_old_one() {
    let map = KeyMap::with(&[rebind(STREAMS, Command::Publish, &["Z"], 3)]).unwrap();
    assert_eq!(press(&map, STREAMS, 'Z'), Some(Command::Publish));
    assert_eq!(press(&map, STREAMS, 'p'), None, "p is free in streams now");
    // Elsewhere publish keeps p.
    assert_eq!(press(&map, CONSUMERS, 'p'), Some(Command::Publish));
    assert_eq!(
        press(&map, Place::Pane(Pane::Events), 'p'),
        Some(Command::Publish)
    );
    assert_eq!(press(&map, CONSUMERS, 'Z'), None);
    assert_eq!(map.rebound(), 1);
    assert!(hint_labels(&map, STREAMS).contains(&"Z publish".to_string()));
    assert!(hint_labels(&map, Place::Pane(Pane::Events)).contains(&"p publish".to_string()));
    let help = map.help_lines();
    assert!(
        help.iter()
            .any(|h| h.label == "Z  in streams" && h.text == Command::Publish.describe()),
        "{help:?}"
    );
}

#[test]
fn a_rebinding_of_a_whole_row_rewrites_its_help_line_and_hint() {
    let map = KeyMap::with(&[
        rebind(MESSAGES, Command::Ack, &["A"], 4),
        rebind(STREAMS, Command::DeleteStream, &["Delete"], 5),
    ])
    .unwrap();
    assert_eq!(press(&map, MESSAGES, 'A'), Some(Command::Ack));
    assert_eq!(press(&map, MESSAGES, 'a'), None);
    let labels: Vec<String> = map.help_lines().into_iter().map(|h| h.label).collect();
    assert!(labels.contains(&"A / n".to_string()), "{labels:?}");
    assert!(
        labels.contains(&"P / Delete  on a stream".to_string()),
        "{labels:?}"
    );
    assert!(!labels.contains(&"a / n".to_string()));
    assert!(hint_labels(&map, MESSAGES).contains(&"A ack".to_string()));
}

#[test]
fn a_key_the_help_line_does_not_name_gets_a_line_of_its_own() {
    let letters = Place::Layer(Layer::DeadLetters);
    let map = KeyMap::with(&[rebind(letters, Command::Down, &["n"], 7)]).unwrap();
    assert_eq!(press(&map, letters, 'n'), Some(Command::Down));
    let help = map.help_lines();
    assert!(
        help.iter().any(|h| h.label == "n  in dead letters"),
        "{help:?}"
    );
}

#[test]
fn two_commands_may_swap_keys() {
    let map = KeyMap::with(&[
        rebind(MESSAGES, Command::Ack, &["n"], 2),
        rebind(MESSAGES, Command::Nak, &["a"], 3),
    ])
    .unwrap();
    assert_eq!(press(&map, MESSAGES, 'n'), Some(Command::Ack));
    assert_eq!(press(&map, MESSAGES, 'a'), Some(Command::Nak));
}

#[test]
fn a_clash_is_refused_with_both_bindings_named() {
    // With a default binding: browse keeps b in streams.
    let err = KeyMap::with(&[rebind(STREAMS, Command::Publish, &["b"], 6)]).unwrap_err();
    assert_eq!(err.line(), 6);
    assert_eq!(
        err.to_string(),
        "`b` is bound twice in streams: to publish (line 6) and to browse (its default \
         binding: rebind browse too to free the key)"
    );
    // Between two rebindings.
    let err = KeyMap::with(&[
        rebind(MESSAGES, Command::Ack, &["Z"], 2),
        rebind(MESSAGES, Command::Term, &["z", "Z"], 9),
    ])
    .unwrap_err();
    assert_eq!(err.line(), 9);
    assert_eq!(
        err.to_string(),
        "`Z` is bound twice in messages: to ack (line 2) and to term (line 9)"
    );
    // Ctrl-C quits everywhere and cannot be taken.
    let err = KeyMap::with(&[rebind(STREAMS, Command::Help, &["Ctrl-c"], 4)]).unwrap_err();
    assert!(
        err.to_string().contains("to quit (its default binding"),
        "{err}"
    );
}

#[test]
fn a_command_is_rebound_only_where_it_does_something() {
    let err = KeyMap::with(&[rebind(STREAMS, Command::Ack, &["A"], 5)]).unwrap_err();
    assert_eq!(err.line(), 5);
    let text = err.to_string();
    assert!(
        text.starts_with("ack does nothing in streams, so it cannot be bound there; the commands of streams are: ")
            && text.contains("purge-stream"),
        "{text}"
    );
}

#[test]
fn quit_rebound_in_a_pane_keeps_ctrl_c() {
    let map = KeyMap::with(&[rebind(STREAMS, Command::Quit, &["Q"], 1)]).unwrap();
    assert_eq!(press(&map, STREAMS, 'Q'), Some(Command::Quit));
    assert_eq!(press(&map, STREAMS, 'q'), None);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(map.lookup(STREAMS, &ctrl_c), Some(Command::Quit));
}

#[test]
fn command_names_are_their_serde_names() {
    for command in Command::all() {
        let serde = serde_json::to_value(command).unwrap();
        assert_eq!(serde.as_str(), Some(command.name().as_str()));
    }
    assert_eq!(Command::PurgeStream.name(), "purge-stream");
    assert_eq!(Command::AttachByTopic.name(), "attach-by-topic");
}

#[test]
fn a_plain_character_is_refused_where_it_is_typed() {
    let form = Place::Layer(Layer::Publish);
    let err = KeyMap::with(&[rebind(form, Command::Submit, &["s"], 8)]).unwrap_err();
    assert_eq!(err.line(), 8);
    assert!(
        err.to_string()
            .starts_with("`s` cannot be bound in publish-form: there it is typed into the field"),
        "{err}"
    );
    let map = KeyMap::with(&[rebind(form, Command::Submit, &["Ctrl-s", "F2"], 8)]).unwrap();
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(map.lookup(form, &ctrl_s), Some(Command::Submit));
}
