use std::collections::{BTreeMap, BTreeSet};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

/// The places a scope names, as README writes them.
fn place_names(scope: Scope) -> Vec<String> {
    match scope {
        Scope::Anywhere => vec!["anywhere".into()],
        Scope::Panes(p) if p == ALL_PANES => vec!["panes".into()],
        _ => Place::all()
            .into_iter()
            .filter(|p| scope.covers(*p))
            .map(|p| p.name().to_string())
            .collect(),
    }
}

/// (key, place) -> what it does, from the table.
fn from_table() -> BTreeMap<(String, String), &'static str> {
    let mut map = BTreeMap::new();
    for b in BINDINGS.iter() {
        for key in b.keys {
            for place in expand(&place_names(b.scope).join(", ")).unwrap() {
                map.insert((key.name(), place), b.command.describe());
            }
        }
    }
    map
}

/// README's "where": places separated by commas; "panes" is every pane.
fn expand(places: &str) -> Result<Vec<String>, String> {
    let known: Vec<&str> = Place::all().into_iter().map(Place::name).collect();
    let mut out = Vec::new();
    for word in places.split(',').map(str::trim) {
        match word {
            "panes" => out.extend(["streams", "consumers", "messages", "events"].map(String::from)),
            "anywhere" => out.push(word.into()),
            w if known.contains(&w) => out.push(w.into()),
            w => return Err(format!("README names an unknown place {w:?}")),
        }
    }
    Ok(out)
}

/// README's key table: `| key | where | does |`, keys in backticks.
fn from_readme() -> BTreeMap<(String, String), String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mut lines = readme
        .lines()
        .skip_while(|l| l.trim() != "| key | where | does |");
    assert!(
        lines.next().is_some(),
        "README has no `| key | where | does |` table"
    );
    let mut map = BTreeMap::new();
    for line in lines.skip(1).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [keys, places, does] = cells[..] else {
            panic!("README key row is not three cells: {line}");
        };
        let keys: Vec<&str> = keys.split('`').skip(1).step_by(2).collect();
        assert!(!keys.is_empty(), "README key row names no key: {line}");
        for place in expand(places).unwrap() {
            for key in &keys {
                let old = map.insert((key.to_string(), place.clone()), does.to_string());
                assert!(old.is_none(), "README lists `{key}` in {place} twice");
            }
        }
    }
    map
}

/// README's table as the bindings say it should be (printed when they disagree).
fn readme_table() -> String {
    let mut rows: Vec<(String, Command, Vec<String>)> = Vec::new();
    for b in BINDINGS.iter() {
        let keys = b
            .keys
            .iter()
            .map(|k| format!("`{}`", k.name()))
            .collect::<Vec<_>>();
        let keys = keys.join(" ");
        let places = place_names(b.scope);
        match rows
            .iter_mut()
            .find(|(k, c, _)| *k == keys && *c == b.command)
        {
            Some((_, _, p)) => p.extend(places),
            None => rows.push((keys, b.command, places)),
        }
    }
    let mut out = String::from("| key | where | does |\n|---|---|---|\n");
    for (keys, command, places) in rows {
        out.push_str(&format!(
            "| {keys} | {} | {} |\n",
            places.join(", "),
            command.describe()
        ));
    }
    out
}

#[test]
fn readme_key_table_matches_the_bindings() {
    let table = from_table();
    let readme = from_readme();
    let mut wrong = Vec::new();
    for ((key, place), does) in &table {
        match readme.get(&(key.clone(), place.clone())) {
            None => wrong.push(format!("README lacks `{key}` in {place} ({does})")),
            Some(r) if r != does => wrong.push(format!(
                "README says `{key}` in {place} does {r:?}, not {does:?}"
            )),
            Some(_) => {}
        }
    }
    for (key, place) in readme.keys() {
        if !table.contains_key(&(key.clone(), place.clone())) {
            wrong.push(format!("README lists `{key}` in {place}, bound to nothing"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\n\nREADME's table should read:\n{}",
        wrong.join("\n"),
        readme_table()
    );
}

#[test]
fn no_key_is_bound_twice_in_one_place() {
    for place in Place::all() {
        let mut seen = BTreeSet::new();
        for b in BINDINGS.iter().filter(|b| b.scope.covers(place)) {
            for key in b.keys {
                assert!(
                    seen.insert(key.name()),
                    "{} bound twice in {}",
                    key.name(),
                    place.name()
                );
            }
        }
    }
}

#[test]
fn control_bindings_win_and_others_take_any_modifier() {
    let map = KeyMap::default();
    let press = |code, modifiers| KeyEvent::new(code, modifiers);
    let publish = Place::Layer(Layer::Publish);
    let t = KeyCode::Char('t');
    assert_eq!(
        map.lookup(publish, &press(t, KeyModifiers::CONTROL)),
        Some(Command::Template)
    );
    assert_eq!(
        map.lookup(publish, &press(t, KeyModifiers::NONE)),
        None,
        "typed"
    );
    let consumers = Place::Pane(Pane::Consumers);
    assert_eq!(
        map.lookup(consumers, &press(KeyCode::Char('S'), KeyModifiers::SHIFT)),
        Some(Command::AttachByTopic)
    );
    let c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    for place in Place::all() {
        assert_eq!(
            map.lookup(place, &c),
            Some(Command::Quit),
            "{}",
            place.name()
        );
    }
}

#[test]
fn hints_follow_their_rank() {
    let map = KeyMap::default();
    let text = |place| {
        map.hints(place)
            .iter()
            .map(|h| format!("{} {}", h.label, h.text))
            .collect::<Vec<_>>()
            .join(", ")
    };
    assert_eq!(
        text(Place::Pane(Pane::Consumers)),
        "q quit, ? help, Tab pane, Enter details, i why?, s attach, d delete, S attach by topic, / filter"
    );
    assert_eq!(
        text(Place::Pane(Pane::Events)),
        "q quit, ? help, Tab pane, Enter open message, p publish, / filter"
    );
}
