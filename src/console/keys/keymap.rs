//! The key table in effect: the default bindings ([`BINDINGS`]) with the configuration
//! file's rebindings on top. Key handling, the hint bar and the help overlay all read
//! this, so what help shows is what the keys do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{BINDINGS, Binding, Command, Key, Layer, Place, Scope};

/// A rebinding from the configuration: at `places` (one, or the panes), `command`
/// answers `keys` instead of its default keys there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebind {
    pub places: Vec<Place>,
    pub command: Command,
    pub keys: Vec<Key>,
    /// The configuration file's line it is written on.
    pub line: usize,
}

/// Why a set of rebindings cannot be used. Each names the configuration line(s).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyMapError {
    #[error(
        "{} does nothing in {}, so it cannot be bound there; the commands of {} are: {}",
        .command.name(), .place.config_name(), .place.config_name(), names(.allowed)
    )]
    NotHere {
        line: usize,
        command: Command,
        place: Place,
        allowed: Vec<Command>,
    },
    #[error(
        "`{}` cannot be bound in {}: there it is typed into the field; use a Ctrl- key or a \
         named one (Enter, Tab, F1...)",
        .key.name(), .place.config_name()
    )]
    Typed { line: usize, key: Key, place: Place },
    #[error(
        "`{}` is bound twice in {}: to {} ({}) and to {} ({})",
        .key.name(), .place.config_name(), .first.0.name(), origin(.first.1, .first.0),
        .second.0.name(), origin(.second.1, .second.0)
    )]
    Clash {
        key: Key,
        place: Place,
        first: (Command, Option<usize>),
        second: (Command, Option<usize>),
    },
}

impl KeyMapError {
    /// The configuration line the error is about (a clash: the later rebinding's).
    pub fn line(&self) -> usize {
        match self {
            KeyMapError::NotHere { line, .. } | KeyMapError::Typed { line, .. } => *line,
            KeyMapError::Clash { first, second, .. } => first.1.max(second.1).unwrap_or_default(),
        }
    }
}

fn names(commands: &[Command]) -> String {
    let names: Vec<String> = commands.iter().map(|c| c.name()).collect();
    names.join(", ")
}

fn origin(line: Option<usize>, command: Command) -> String {
    match line {
        Some(line) => format!("line {line}"),
        None => format!(
            "its default binding: rebind {} too to free the key",
            command.name()
        ),
    }
}

/// Where keys without Control are typed into a field: only Ctrl- and named keys may be
/// bound there.
const TYPED: [Place; 5] = [
    Place::Filter,
    Place::Layer(Layer::Publish),
    Place::Layer(Layer::AttachForm),
    Place::Layer(Layer::Prompt),
    Place::Layer(Layer::ConfigForm),
];

/// A hint as the bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownHint {
    pub label: String,
    pub text: &'static str,
}

/// A help overlay line: the keys, and what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownHelp {
    pub label: String,
    pub text: &'static str,
}

/// One binding in effect: a row of the default table, or one rebound in one place.
#[derive(Debug, Clone)]
struct Row {
    keys: Vec<Key>,
    /// `Scope::Anywhere` rows (Ctrl-C) stay as they are: there is always a way out.
    anywhere: bool,
    places: Vec<Place>,
    command: Command,
    hint: Option<(u8, String, &'static str)>,
    help: Option<ShownHelp>,
    /// A line of its own after `help`, for a rebinding the group's line cannot say.
    extra_help: Option<ShownHelp>,
    /// The row of the default table whose help line speaks for this one.
    group: Option<usize>,
    /// Where it was rebound (None: the default table).
    line: Option<usize>,
}

impl Row {
    fn covers(&self, place: Place) -> bool {
        self.anywhere || self.places.contains(&place)
    }

    fn from_binding(b: &Binding, group: Option<usize>) -> Row {
        Row {
            keys: b.keys.to_vec(),
            anywhere: b.scope == Scope::Anywhere,
            places: Place::all()
                .into_iter()
                .filter(|p| b.scope.covers(*p))
                .collect(),
            command: b.command,
            hint: b.hint.map(|h| (h.rank, h.label.to_string(), h.text)),
            help: b.help.map(|h| ShownHelp {
                label: h.label.to_string(),
                text: h.text,
            }),
            extra_help: None,
            group,
            line: None,
        }
    }
}

/// A help line of its own for a rebound row: its keys, where, and what it does.
fn own_help_line(row: &Row) -> ShownHelp {
    let places: Vec<&str> = row.places.iter().map(|p| p.name()).collect();
    ShownHelp {
        label: format!("{}  in {}", key_names(&row.keys, " "), places.join(", ")),
        text: row.command.describe(),
    }
}

/// The bindings in effect.
#[derive(Debug, Clone)]
pub struct KeyMap {
    rows: Vec<Row>,
    rebound: usize,
}

impl Default for KeyMap {
    /// The default table, as README lists it.
    fn default() -> Self {
        let mut group = None;
        let rows = BINDINGS
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if b.help.is_some() {
                    group = Some(i);
                }
                Row::from_binding(b, group)
            })
            .collect();
        KeyMap { rows, rebound: 0 }
    }
}

fn key_names(keys: &[Key], separator: &str) -> String {
    let names: Vec<String> = keys.iter().map(|k| k.name()).collect();
    names.join(separator)
}

/// `label` with the old keys' names put right: the first one found becomes the new keys,
/// the others go. Only the words before "in"/"on" are keys ("i  on a consumer"). None if
/// no old key is named there.
fn relabel(label: &str, split: char, old: &[Key], new: &[Key]) -> Option<String> {
    let old: Vec<String> = old.iter().map(|k| k.name()).collect();
    let mut replaced = false;
    let mut in_keys = true;
    let mut out: Vec<String> = Vec::new();
    for word in label.split(split) {
        in_keys &= !matches!(word, "in" | "on");
        let bare = word.trim_matches(|c| c == '(' || c == ')');
        if in_keys && !bare.is_empty() && old.iter().any(|o| o == bare) {
            if !replaced {
                let joined = key_names(new, &split.to_string());
                out.push(word.replace(bare, &joined));
                replaced = true;
            }
            continue;
        }
        out.push(word.to_string());
    }
    replaced.then(|| out.join(&split.to_string()))
}

impl KeyMap {
    /// The default table with `rebinds` on top, applied in order; refused when a command
    /// is rebound where it does nothing, or when two bindings of one place share a key.
    pub fn with(rebinds: &[Rebind]) -> Result<KeyMap, KeyMapError> {
        let mut map = KeyMap::default();
        for rebind in rebinds {
            map.apply(rebind)?;
        }
        map.check_clashes()?;
        Ok(map)
    }

    /// How many rebindings are in effect.
    pub fn rebound(&self) -> usize {
        self.rebound
    }

    /// The commands that do something at `place` (have a binding there by default).
    pub fn commands_at(place: Place) -> Vec<Command> {
        let mut out: Vec<Command> = Vec::new();
        for b in BINDINGS.iter().filter(|b| b.scope.covers(place)) {
            if b.scope != Scope::Anywhere && !out.contains(&b.command) {
                out.push(b.command);
            }
        }
        out
    }

    fn apply(&mut self, rebind: &Rebind) -> Result<(), KeyMapError> {
        let Rebind {
            command,
            ref keys,
            line,
            ..
        } = *rebind;
        // `panes`: the panes where the command does something.
        let places: Vec<Place> = rebind
            .places
            .iter()
            .copied()
            .filter(|p| Self::commands_at(*p).contains(&command))
            .collect();
        if places.is_empty() {
            let place = rebind.places.first().copied().unwrap_or(Place::Filter);
            return Err(KeyMapError::NotHere {
                line,
                command,
                place,
                allowed: Self::commands_at(place),
            });
        }
        let typed = places.iter().find(|p| TYPED.contains(p));
        let plain = keys
            .iter()
            .find(|k| matches!(k.code, KeyCode::Char(_)) && !k.ctrl);
        if let (Some(&place), Some(&key)) = (typed, plain) {
            return Err(KeyMapError::Typed { line, key, place });
        }
        self.rebound += 1;
        let targets: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                let r = &self.rows[i];
                r.command == command && !r.anywhere && r.places.iter().any(|p| places.contains(p))
            })
            .collect();
        let mut relabelled: Vec<usize> = Vec::new();
        let mut left: Vec<Place> = Vec::new();
        let mut split_from = None;
        for i in targets {
            if self.rows[i].places.iter().all(|p| places.contains(p)) {
                self.rebind_in_place(i, keys, line, &mut relabelled);
            } else {
                left.extend(self.rows[i].places.iter().filter(|p| places.contains(p)));
                self.rows[i].places.retain(|p| !places.contains(p));
                split_from.get_or_insert(i);
            }
        }
        if let Some(i) = split_from {
            let hint = self.rows[i]
                .hint
                .as_ref()
                .map(|(rank, _, text)| (*rank, key_names(keys, "/"), *text));
            let row = Row {
                keys: keys.clone(),
                anywhere: false,
                places: left,
                command,
                hint,
                help: None,
                extra_help: None,
                group: None,
                line: Some(line),
            };
            self.rows.insert(i + 1, row);
            self.rows[i + 1].extra_help = Some(own_help_line(&self.rows[i + 1]));
        }
        Ok(())
    }

    /// Row `i` (rebound in all its places) takes `keys`; its hint and its group's help
    /// line say so (once per group: `relabelled` holds the groups done).
    fn rebind_in_place(
        &mut self,
        i: usize,
        keys: &[Key],
        line: usize,
        relabelled: &mut Vec<usize>,
    ) {
        let old = std::mem::replace(&mut self.rows[i].keys, keys.to_vec());
        self.rows[i].line = Some(line);
        if let Some((_, label, _)) = &mut self.rows[i].hint {
            *label = relabel(label, '/', &old, keys).unwrap_or_else(|| key_names(keys, "/"));
        }
        let group = self.rows[i].group;
        if group.is_some_and(|g| relabelled.contains(&g)) {
            return;
        }
        let head = group.and_then(|g| {
            self.rows
                .iter()
                .position(|r| r.group == Some(g) && r.help.is_some())
        });
        let done = head.and_then(|h| {
            let help = self.rows[h].help.as_mut()?;
            help.label = relabel(&help.label, ' ', &old, keys)?;
            Some(())
        });
        match (done, group) {
            (Some(()), Some(g)) => relabelled.push(g),
            _ => self.rows[i].extra_help = Some(own_help_line(&self.rows[i])),
        }
    }

    fn check_clashes(&self) -> Result<(), KeyMapError> {
        for place in Place::all() {
            let mut seen: Vec<(Key, &Row)> = Vec::new();
            for row in self.rows.iter().filter(|r| r.covers(place)) {
                for key in &row.keys {
                    if let Some((_, other)) = seen.iter().find(|(k, _)| k == key) {
                        return Err(KeyMapError::Clash {
                            key: *key,
                            place,
                            first: (other.command, other.line),
                            second: (row.command, row.line),
                        });
                    }
                    seen.push((*key, row));
                }
            }
        }
        Ok(())
    }

    /// The command `key` runs at `place`, if any. A binding with Control wins over one
    /// without (Ctrl-T in the publish form is the template, not a typed t); one without
    /// answers whatever the modifiers (Shift gives capitals; a stray Alt changes nothing).
    pub fn lookup(&self, place: Place, key: &KeyEvent) -> Option<Command> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let find = |want_ctrl: bool| {
            self.rows.iter().find_map(|r| {
                (r.covers(place)
                    && r.keys
                        .iter()
                        .any(|k| k.code == key.code && k.ctrl == want_ctrl))
                .then_some(r.command)
            })
        };
        ctrl.then(|| find(true)).flatten().or_else(|| find(false))
    }

    /// The hint bar's entries at `place`, in rank order.
    pub fn hints(&self, place: Place) -> Vec<ShownHint> {
        let mut hints: Vec<(u8, ShownHint)> = self
            .rows
            .iter()
            .filter(|r| r.covers(place))
            .filter_map(|r| r.hint.as_ref())
            .map(|(rank, label, text)| {
                let label = label.clone();
                (*rank, ShownHint { label, text })
            })
            .collect();
        hints.sort_by_key(|(rank, _)| *rank);
        hints.into_iter().map(|(_, h)| h).collect()
    }

    /// The help overlay's key lines, in table order.
    pub fn help_lines(&self) -> Vec<ShownHelp> {
        self.rows
            .iter()
            .flat_map(|r| [r.help.clone(), r.extra_help.clone()])
            .flatten()
            .collect()
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
