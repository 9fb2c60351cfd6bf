//! Object stores (issue 16): the stores view (`O`) and a store's objects, with saving an
//! object to a file, putting a file, and deleting an object.
//!
//! The stores come from the stream infos every refresh already reads (`OBJ_` streams), so
//! the view costs no request. A stream info does not say how many objects a store holds
//! (its subjects mix metadata and chunks, deleted objects keep their metadata), so that
//! column is filled when a store's objects are listed. A store's objects are read with one
//! listing, off the UI thread, when it opens, after every change, and on `R`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::SystemTime;

use async_nats::jetstream::stream;

use super::prompt::{Prompt, PromptKind};
use super::{Next, Overlay};
use crate::broker::{ObjectSummary, store_of_stream, subject_matches};
use crate::console::app::{App, Effect, ObjectEffect, next_transfer};
use crate::console::keys::Command;

/// One store, as the stores view shows it: all from its stream's info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreRow {
    pub name: String,
    pub bytes: u64,
    pub replicas: usize,
    pub storage: stream::StorageType,
    pub sealed: bool,
    pub description: Option<String>,
    pub modified: Option<SystemTime>,
}

impl StoreRow {
    pub fn from_stream(info: &stream::Info) -> Option<Self> {
        let name = store_of_stream(&info.config.name)?;
        let state = &info.state;
        Some(Self {
            name: name.to_string(),
            bytes: state.bytes,
            replicas: info.config.num_replicas,
            storage: info.config.storage,
            sealed: info.config.sealed,
            description: info.config.description.clone(),
            modified: (state.last_sequence > 0).then(|| state.last_timestamp.into()),
        })
    }
}

/// The stores among the stream infos read, sorted by name.
pub fn stores(app: &App) -> Vec<StoreRow> {
    app.streams
        .iter()
        .filter_map(|s| StoreRow::from_stream(&s.info))
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct StoresState {
    pub selected: usize,
    /// Objects per store, from the last listing read of it (a stream info cannot say).
    pub counted: HashMap<String, usize>,
}

impl StoresState {
    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        let rows = stores(app);
        let last = rows.len().saturating_sub(1);
        self.selected = self.selected.min(last);
        match command {
            Some(Command::Close) => return Next::Close,
            _ if super::move_cursor(&mut self.selected, last, command) => {}
            Some(Command::OpenStore) => {
                if let Some(row) = rows.get(self.selected) {
                    effects.push(Effect::Objects(ObjectEffect::List {
                        store: row.name.clone(),
                    }));
                    let state = ObjectsState::new(&row.name);
                    return Next::Open(Overlay::Objects(Box::new(state)));
                }
            }
            _ => {}
        }
        Next::Stay
    }
}

/// A change or a save waiting for y / n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectAsk {
    /// Save over a file that exists.
    Overwrite {
        name: String,
        path: String,
    },
    /// Put a file as object `name`; `replaces` is the object of that name listed.
    Put {
        path: PathBuf,
        size: u64,
        name: String,
        replaces: Option<ObjectSummary>,
    },
    Delete {
        name: String,
        size: usize,
    },
}

/// A save or a put running: its progress, as last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: u64,
    /// "saving" or "putting".
    pub verb: &'static str,
    pub name: String,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone)]
pub struct ObjectsState {
    pub store: String,
    /// The objects listed, by name; `None` until the first listing arrives.
    pub objects: Option<Vec<ObjectSummary>>,
    /// Indices into `objects` passing the filter.
    pub shown: Vec<usize>,
    pub filter: String,
    pub selected: usize,
    pub error: Option<String>,
    pub asking: Option<ObjectAsk>,
    /// The file chosen to put, while its object name is typed.
    pub put_file: Option<(PathBuf, u64)>,
    pub transfer: Option<Transfer>,
}

impl ObjectsState {
    pub fn new(store: &str) -> Self {
        Self {
            store: store.to_string(),
            objects: None,
            shown: Vec::new(),
            filter: String::new(),
            selected: 0,
            error: None,
            asking: None,
            put_file: None,
            transfer: None,
        }
    }

    /// A listing read (or why not); the selection stays on its object.
    pub fn listed(&mut self, result: Result<Vec<ObjectSummary>, String>) {
        match result {
            Ok(mut objects) => {
                let keep = self.selected_object().map(|o| o.name.clone());
                objects.sort_by(|a, b| a.name.cmp(&b.name));
                self.objects = Some(objects);
                self.error = None;
                self.refilter(keep);
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn set_filter(&mut self, filter: &str) {
        let keep = self.selected_object().map(|o| o.name.clone());
        self.filter = filter.to_string();
        self.refilter(keep);
    }

    fn refilter(&mut self, keep: Option<String>) {
        let f = self.filter.clone();
        let passes = |name: &str| {
            if f.is_empty() {
                true
            } else if f.contains('*') || f.contains('>') {
                subject_matches(&f, name)
            } else {
                name.to_lowercase().contains(&f.to_lowercase())
            }
        };
        let objects = self.objects.as_deref().unwrap_or_default();
        self.shown = (0..objects.len())
            .filter(|i| passes(&objects[*i].name))
            .collect();
        self.selected = keep
            .and_then(|k| self.shown.iter().position(|i| objects[*i].name == k))
            .unwrap_or(self.selected)
            .min(self.shown.len().saturating_sub(1));
    }

    pub fn selected_object(&self) -> Option<&ObjectSummary> {
        let i = *self.shown.get(self.selected)?;
        self.objects.as_ref()?.get(i)
    }

    /// The object named `name`, as listed.
    pub fn object(&self, name: &str) -> Option<&ObjectSummary> {
        self.objects.as_ref()?.iter().find(|o| o.name == name)
    }

    /// y / n on what is asked.
    fn confirm(&mut self, app: &mut App, command: Option<Command>, effects: &mut Vec<Effect>) {
        let Some(ask) = self.asking.take() else {
            return;
        };
        match command {
            Some(Command::Yes) => self.go(ask, effects),
            Some(Command::No) => app.say(match ask {
                ObjectAsk::Overwrite { path, .. } => format!("not saved: {path} left as it was"),
                ObjectAsk::Put { name, .. } => format!("not put: {name} left as it was"),
                ObjectAsk::Delete { name, .. } => format!("not deleted: {name}"),
            }),
            _ => self.asking = Some(ask),
        }
    }

    fn go(&mut self, ask: ObjectAsk, effects: &mut Vec<Effect>) {
        let store = self.store.clone();
        let effect = match ask {
            ObjectAsk::Overwrite { name, path } => {
                self.start("saving", &name, 0, |transfer| ObjectEffect::Save {
                    store,
                    name: name.clone(),
                    path: path.clone(),
                    overwrite: true,
                    transfer,
                })
            }
            ObjectAsk::Put {
                path, size, name, ..
            } => self.start("putting", &name, size, |transfer| ObjectEffect::Put {
                store,
                name: name.clone(),
                path: path.clone(),
                transfer,
            }),
            ObjectAsk::Delete { name, .. } => ObjectEffect::Delete { store, name },
        };
        effects.push(Effect::Objects(effect));
    }

    /// Starts showing a transfer; the effect carries its id.
    fn start(
        &mut self,
        verb: &'static str,
        name: &str,
        total: u64,
        effect: impl FnOnce(u64) -> ObjectEffect,
    ) -> ObjectEffect {
        let id = next_transfer();
        self.transfer = Some(Transfer {
            id,
            verb,
            name: name.to_string(),
            done: 0,
            total,
        });
        effect(id)
    }

    /// Saving an object into `path` (asked from the save prompt).
    pub fn save(&mut self, name: &str, path: &str, effects: &mut Vec<Effect>) {
        let store = self.store.clone();
        let total = self.object(name).map_or(0, |o| o.size as u64);
        let effect = self.start("saving", name, total, |transfer| ObjectEffect::Save {
            store,
            name: name.to_string(),
            path: path.to_string(),
            overwrite: false,
            transfer,
        });
        effects.push(Effect::Objects(effect));
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        if self.asking.is_some() {
            self.confirm(app, command, effects);
            return Next::Stay;
        }
        let last = self.shown.len().saturating_sub(1);
        match command {
            // Esc clears the filter first, then closes.
            Some(Command::Close) if !self.filter.is_empty() => self.set_filter(""),
            Some(Command::Close) => return Next::Close,
            _ if super::move_cursor(&mut self.selected, last, command) => {}
            Some(Command::RefreshObjects) => {
                effects.push(Effect::Objects(ObjectEffect::List {
                    store: self.store.clone(),
                }));
            }
            Some(Command::FilterObjects) => {
                let prompt = Prompt::new(PromptKind::ObjectsFilter, None).with_value(&self.filter);
                return Next::Open(Overlay::Prompt(Box::new(prompt)));
            }
            Some(c @ (Command::SaveObject | Command::PutObject | Command::DeleteObject)) => {
                return self.change(app, c);
            }
            _ => {}
        }
        Next::Stay
    }

    /// s, u, d: the prompt or the question each begins with.
    fn change(&mut self, app: &mut App, command: Command) -> Next {
        if let Some(t) = &self.transfer
            && command != Command::DeleteObject
        {
            app.complain(format!("{} {} is running: wait for it", t.verb, t.name));
            return Next::Stay;
        }
        if command == Command::PutObject {
            let prompt = Prompt::new(PromptKind::PutObjectPath, None);
            return Next::Open(Overlay::Prompt(Box::new(prompt)));
        }
        let Some(object) = self.selected_object().cloned() else {
            app.complain("select an object first");
            return Next::Stay;
        };
        if command == Command::SaveObject {
            let path = format!("./{}", sanitised(&object.name));
            let prompt = Prompt::new(PromptKind::SaveObjectPath, None).with_value(&path);
            return Next::Open(Overlay::Prompt(Box::new(prompt)));
        }
        self.asking = Some(ObjectAsk::Delete {
            name: object.name,
            size: object.size,
        });
        Next::Stay
    }

    /// The answers of the save, put and filter prompts opened over this view.
    pub fn answer(
        &mut self,
        kind: PromptKind,
        text: &str,
        effects: &mut Vec<Effect>,
    ) -> Result<Option<Overlay>, String> {
        match kind {
            PromptKind::ObjectsFilter => self.set_filter(text),
            PromptKind::SaveObjectPath => {
                if text.is_empty() {
                    return Err("a file path".into());
                }
                let name = self
                    .selected_object()
                    .map(|o| o.name.clone())
                    .ok_or("no object selected")?;
                self.save(&name, text, effects);
            }
            PromptKind::PutObjectPath => {
                let path = PathBuf::from(text);
                let meta = std::fs::metadata(&path).map_err(|e| format!("{text}: {e}"))?;
                if !meta.is_file() {
                    return Err(format!("{text} is not a file"));
                }
                let default = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                self.put_file = Some((path, meta.len()));
                let prompt = Prompt::new(PromptKind::PutObjectName, None).with_value(&default);
                return Ok(Some(Overlay::Prompt(Box::new(prompt))));
            }
            PromptKind::PutObjectName => {
                if text.is_empty() {
                    return Err("an object name".into());
                }
                let (path, size) = self.put_file.take().ok_or("no file chosen")?;
                self.asking = Some(ObjectAsk::Put {
                    path,
                    size,
                    name: text.to_string(),
                    replaces: self.object(text).cloned(),
                });
            }
            other => unreachable!("{other:?} is not an objects prompt"),
        }
        Ok(None)
    }
}

/// An object name as a file name: letters, digits, `.`, `-` and `_` kept, the rest `_`
/// (an object `reports/2024 q1.pdf` saves as `reports_2024_q1.pdf`, never elsewhere).
pub fn sanitised(name: &str) -> String {
    let keep = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    let out: String = name
        .chars()
        .map(|c| if keep(c) { c } else { '_' })
        .collect();
    if out.trim_matches('.').is_empty() {
        "object".to_string()
    } else {
        out
    }
}

#[cfg(test)]
#[path = "objects_tests.rs"]
mod tests;
