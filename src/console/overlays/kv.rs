//! Key-value buckets (issue 16): the buckets view (`K`) and a bucket's keys, live.
//!
//! The buckets come from the stream infos every refresh already reads (`KV_` streams), so
//! the view costs no request and follows the server as the streams pane does. A bucket's
//! keys come from a watch (latest entry per key, then each change as it happens), kept in
//! a bounded map: past `KEYS_KEPT` keys new ones are counted, not kept, and the title
//! says so.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::kv_key::KeyViewState;
use super::prompt::{Prompt, PromptKind};
use super::{Next, Overlay};
use crate::broker::{BucketRow, KeyEntry, KeyOperation, NewBucket, subject_matches};
use crate::console::app::{App, Effect, KvEffect, next_watch};
use crate::console::keys::Command;

/// Most keys a bucket's view keeps; more are counted (a bucket of millions of keys stays
/// within memory, and the operator filters to find one).
pub const KEYS_KEPT: usize = 10_000;

/// The buckets among the stream infos read, sorted by name.
pub fn buckets(app: &App) -> Vec<BucketRow> {
    app.streams
        .iter()
        .filter_map(|s| BucketRow::from_stream(&s.info))
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct BucketsState {
    pub selected: usize,
    /// A bucket to create, shown with its settings, waiting for y / n.
    pub asking: Option<NewBucket>,
    /// The bucket whose name is being typed to delete it.
    pub deleting: Option<String>,
}

/// The settings a bucket created here gets (the prompt asks only its name).
pub fn new_bucket(name: &str) -> NewBucket {
    NewBucket {
        name: name.to_string(),
        history: 5,
        ttl: std::time::Duration::ZERO,
        storage: async_nats::jetstream::stream::StorageType::File,
        replicas: 1,
    }
}

/// A bucket's longest name: its stream `KV_<name>` may have 255 characters.
const BUCKET_NAME_MAX: usize = 255 - "KV_".len();

impl BucketsState {
    /// The answer of the create or delete prompt.
    pub fn answer(
        &mut self,
        kind: PromptKind,
        text: &str,
        effects: &mut Vec<Effect>,
    ) -> Result<(), String> {
        if kind == PromptKind::NewBucket {
            let valid = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            if text.is_empty() || !text.chars().all(valid) {
                return Err("a name of letters, digits, - and _".into());
            }
            // The bucket's stream, `KV_<name>`, is a stream name: 255 characters at most.
            if text.len() > BUCKET_NAME_MAX {
                return Err(format!(
                    "a bucket name takes at most {BUCKET_NAME_MAX} characters (this one has {})",
                    text.len()
                ));
            }
            self.asking = Some(new_bucket(text));
            return Ok(());
        }
        let Some(bucket) = self.deleting.clone() else {
            return Err("no bucket chosen".into());
        };
        if text != bucket {
            return Err(format!("type the bucket's name exactly: {bucket}"));
        }
        self.deleting = None;
        effects.push(Effect::Kv(KvEffect::DeleteBucket { bucket }));
        Ok(())
    }

    /// y / n on a bucket to create.
    fn confirm(&mut self, command: Option<Command>, effects: &mut Vec<Effect>) -> Next {
        if let Some(new) = self.asking.take() {
            if command == Some(Command::Yes) {
                effects.push(Effect::Kv(KvEffect::CreateBucket(new)));
            } else if command != Some(Command::No) {
                self.asking = Some(new);
            }
        }
        Next::Stay
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        if self.asking.is_some() {
            return self.confirm(command, effects);
        }
        let rows = buckets(app);
        let last = rows.len().saturating_sub(1);
        self.selected = self.selected.min(last);
        match command {
            Some(Command::CreateBucket) => {
                let prompt = Prompt::new(PromptKind::NewBucket, None);
                return Next::Open(Overlay::Prompt(Box::new(prompt)));
            }
            Some(Command::DeleteBucket) => {
                let Some(row) = rows.get(self.selected) else {
                    return Next::Stay;
                };
                self.deleting = Some(row.name.clone());
                let prompt = Prompt::new(PromptKind::DeleteBucket, None);
                return Next::Open(Overlay::Prompt(Box::new(prompt)));
            }
            Some(Command::Close) => return Next::Close,
            Some(Command::Down) => self.selected = (self.selected + 1).min(last),
            Some(Command::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Command::First) => self.selected = 0,
            Some(Command::Last) => self.selected = last,
            Some(Command::OpenBucket) => {
                if let Some(row) = rows.get(self.selected) {
                    let state = KeysState::new(&row.name, next_watch());
                    effects.push(Effect::Kv(KvEffect::Watch {
                        bucket: row.name.clone(),
                        watch: state.watch,
                    }));
                    return Next::Open(Overlay::Keys(Box::new(state)));
                }
            }
            _ => {}
        }
        Next::Stay
    }
}

/// A key's latest entry, as the keys view shows it (the value itself is not kept: the
/// key view reads it when opened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub revision: u64,
    pub changed: OffsetDateTime,
    pub size: usize,
    pub operation: KeyOperation,
}

#[derive(Debug, Clone)]
pub struct KeysState {
    pub bucket: String,
    /// Which watch feeds this view: changes of an earlier one are dropped.
    pub watch: u64,
    pub keys: BTreeMap<String, KeyRow>,
    /// Keys seen but not kept (past `KEYS_KEPT`).
    pub not_kept: u64,
    /// Keys passing the filter, in name order.
    pub shown: Vec<String>,
    pub filter: String,
    pub selected: usize,
    pub error: Option<String>,
}

impl KeysState {
    pub fn new(bucket: &str, watch: u64) -> Self {
        Self {
            bucket: bucket.to_string(),
            watch,
            keys: BTreeMap::new(),
            not_kept: 0,
            shown: Vec::new(),
            filter: String::new(),
            selected: 0,
            error: None,
        }
    }

    /// A change the watch saw: the key's row is replaced (a new key is added while there
    /// is room).
    pub fn changed(&mut self, entry: &KeyEntry) {
        let row = KeyRow {
            revision: entry.revision,
            changed: entry.created,
            size: entry.value.len(),
            operation: entry.operation,
        };
        if let Some(old) = self.keys.get_mut(&entry.key) {
            // A watch delivers in revision order; an older one never replaces a newer.
            if old.revision < row.revision {
                *old = row;
            }
            return;
        }
        if self.keys.len() >= KEYS_KEPT {
            self.not_kept += 1;
            return;
        }
        self.keys.insert(entry.key.clone(), row);
        if self.passes(&entry.key) {
            // `shown` is in name order: an insert, not a refilter (keys arrive by the
            // thousand when a view opens).
            if let Err(i) = self.shown.binary_search(&entry.key) {
                let had = !self.shown.is_empty();
                self.shown.insert(i, entry.key.clone());
                // The selection stays on its key.
                if had && i <= self.selected {
                    self.selected += 1;
                }
            }
        }
    }

    fn passes(&self, key: &str) -> bool {
        let f = self.filter.as_str();
        if f.is_empty() {
            true
        } else if f.contains('*') || f.contains('>') {
            subject_matches(f, key)
        } else {
            key.to_lowercase().contains(&f.to_lowercase())
        }
    }

    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.refilter();
    }

    fn refilter(&mut self) {
        let keep = self.selected_key().map(str::to_string);
        self.shown = self
            .keys
            .keys()
            .filter(|k| self.passes(k))
            .cloned()
            .collect();
        // The selection stays on its key while keys arrive around it.
        self.selected = keep
            .and_then(|k| self.shown.iter().position(|s| *s == k))
            .unwrap_or(self.selected)
            .min(self.shown.len().saturating_sub(1));
    }

    pub fn selected_key(&self) -> Option<&str> {
        self.shown.get(self.selected).map(String::as_str)
    }

    pub fn on_key(
        &mut self,
        _app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        let last = self.shown.len().saturating_sub(1);
        match command {
            // Esc clears the filter first, then closes (and stops the watch).
            Some(Command::Close) if !self.filter.is_empty() => self.set_filter(""),
            Some(Command::Close) => {
                effects.push(Effect::Kv(KvEffect::StopWatch { watch: self.watch }));
                return Next::Close;
            }
            Some(Command::Down) => self.selected = (self.selected + 1).min(last),
            Some(Command::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Command::First) => self.selected = 0,
            Some(Command::Last) => self.selected = last,
            Some(Command::OpenKey) => {
                if let Some(key) = self.selected_key() {
                    effects.push(Effect::Kv(KvEffect::ReadKey {
                        bucket: self.bucket.clone(),
                        key: key.to_string(),
                    }));
                    let view = KeyViewState::new(&self.bucket, key);
                    return Next::Open(Overlay::Key(Box::new(view)));
                }
            }
            Some(Command::FilterKeys) => {
                let prompt = Prompt::new(PromptKind::KeysFilter, None).with_value(&self.filter);
                return Next::Open(Overlay::Prompt(Box::new(prompt)));
            }
            _ => {}
        }
        Next::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, revision: u64, op: KeyOperation) -> KeyEntry {
        KeyEntry {
            key: key.into(),
            revision,
            created: OffsetDateTime::UNIX_EPOCH,
            operation: op,
            value: bytes::Bytes::from_static(b"abc"),
        }
    }

    #[test]
    fn changes_replace_rows_in_name_order_and_filter_by_pattern() {
        let mut s = KeysState::new("config", 1);
        s.changed(&entry("b.x", 2, KeyOperation::Put));
        s.changed(&entry("a.y", 3, KeyOperation::Put));
        s.changed(&entry("b.x", 4, KeyOperation::Delete));
        s.changed(&entry("b.x", 1, KeyOperation::Put));
        assert_eq!(s.shown, ["a.y", "b.x"]);
        assert_eq!(s.keys["b.x"].revision, 4);
        assert_eq!(s.keys["b.x"].operation, KeyOperation::Delete);
        s.set_filter("b.*");
        assert_eq!(s.shown, ["b.x"]);
        s.set_filter("Y");
        assert_eq!(s.shown, ["a.y"]);
    }

    #[test]
    fn past_the_cap_new_keys_are_counted_not_kept() {
        let mut s = KeysState::new("big", 1);
        for i in 0..KEYS_KEPT + 5 {
            s.changed(&entry(&format!("k{i:06}"), i as u64 + 1, KeyOperation::Put));
        }
        assert_eq!(s.keys.len(), KEYS_KEPT);
        assert_eq!(s.not_kept, 5);
        // A kept key still changes.
        s.changed(&entry("k000000", 1_000_000, KeyOperation::Purge));
        assert_eq!(s.keys["k000000"].operation, KeyOperation::Purge);
    }

    #[test]
    fn a_bucket_name_too_long_for_its_stream_is_refused_before_anything_is_asked() {
        let mut view = BucketsState::default();
        let mut effects = Vec::new();
        let long = "x".repeat(BUCKET_NAME_MAX + 1);
        let refused = view.answer(PromptKind::NewBucket, &long, &mut effects);
        assert!(refused.unwrap_err().contains("at most 252 characters"));
        assert!(view.asking.is_none() && effects.is_empty());
        let longest = "x".repeat(BUCKET_NAME_MAX);
        assert!(
            view.answer(PromptKind::NewBucket, &longest, &mut effects)
                .is_ok()
        );
        assert!(view.asking.is_some());
    }
}
