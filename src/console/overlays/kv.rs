//! Key-value buckets (issue 16): the buckets view (`K`) and a bucket's keys, live.
//!
//! The buckets come from the stream infos every refresh already reads (`KV_` streams), so
//! the view costs no request and follows the server as the streams pane does. A bucket's
//! keys come from a watch (latest entry per key, then each change as it happens), kept in
//! a bounded map: past `KEYS_KEPT` keys new ones are counted, not kept, and the title
//! says so.

use std::collections::HashMap;
use std::sync::Arc;

use time::OffsetDateTime;

use super::kv_form::KeyForm;
use super::kv_key::KeyViewState;
use super::prompt::{Prompt, PromptKind};
use super::{Next, Overlay};
use crate::broker::{BucketRow, KeyEntry, KeyOperation, NewBucket, subject_matches};
use crate::console::app::{App, Effect, KvEffect, next_watch};
use crate::console::keys::Command;

/// Most keys a bucket's view keeps; more are counted (a bucket of millions of keys stays
/// within memory, and the operator filters to find one).
pub const KEYS_KEPT: usize = 100_000;

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
            _ if super::move_cursor(&mut self.selected, last, command) => {}
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
    pub size: u32,
    pub operation: KeyOperation,
}

/// A change the watch saw, without its value (a bucket's first entries arrive by the
/// thousand: only what the row shows travels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySeen {
    pub key: String,
    pub row: KeyRow,
}

impl KeyRow {
    /// The row of an entry: its size, not its value.
    pub fn of(entry: &KeyEntry) -> Self {
        Self {
            revision: entry.revision,
            changed: entry.created,
            size: u32::try_from(entry.value.len()).unwrap_or(u32::MAX),
            operation: entry.operation,
        }
    }
}

impl From<&KeyEntry> for KeySeen {
    fn from(entry: &KeyEntry) -> Self {
        Self {
            key: entry.key.clone(),
            row: KeyRow::of(entry),
        }
    }
}

/// The entry's key moved, its value dropped.
impl From<KeyEntry> for KeySeen {
    fn from(entry: KeyEntry) -> Self {
        let row = KeyRow::of(&entry);
        Self {
            key: entry.key,
            row,
        }
    }
}

/// New keys in one batch past which they are merged into the shown list in one pass
/// rather than each inserted in place (an insert moves every name after it).
const MERGE_PAST: usize = 4;

#[derive(Debug, Clone)]
pub struct KeysState {
    pub bucket: String,
    /// Which watch feeds this view: changes of an earlier one are dropped.
    pub watch: u64,
    /// The names are shared with `shown` (each is stored once), which keeps their order:
    /// a hash map takes a bucket's first entries, in no order, far faster than a tree.
    pub keys: HashMap<Arc<str>, KeyRow>,
    /// Keys seen but not kept (past `KEYS_KEPT`).
    pub not_kept: u64,
    /// Keys passing the filter, in name order.
    pub shown: Vec<Arc<str>>,
    pub filter: String,
    pub selected: usize,
    pub error: Option<String>,
}

impl KeysState {
    pub fn new(bucket: &str, watch: u64) -> Self {
        Self {
            bucket: bucket.to_string(),
            watch,
            keys: HashMap::new(),
            not_kept: 0,
            shown: Vec::new(),
            filter: String::new(),
            selected: 0,
            error: None,
        }
    }

    /// Changes the watch saw, in its order: each key's row is replaced (a new key is added
    /// while there is room).
    pub fn changed(&mut self, seen: &[KeySeen]) {
        let mut added: Vec<Arc<str>> = Vec::new();
        for s in seen {
            if let Some(old) = self.keys.get_mut(s.key.as_str()) {
                // A watch delivers in revision order; an older one never replaces a newer.
                if old.revision < s.row.revision {
                    *old = s.row.clone();
                }
                continue;
            }
            if self.keys.len() >= KEYS_KEPT {
                self.not_kept += 1;
                continue;
            }
            let key: Arc<str> = Arc::from(s.key.as_str());
            self.keys.insert(key.clone(), s.row.clone());
            if self.passes(&key) {
                added.push(key);
            }
        }
        if added.len() > MERGE_PAST {
            self.merge(added);
            return;
        }
        for key in added {
            // `shown` is in name order: an insert, not a refilter.
            if let Err(i) = self.shown.binary_search(&key) {
                let had = !self.shown.is_empty();
                self.shown.insert(i, key);
                // The selection stays on its key.
                if had && i <= self.selected {
                    self.selected += 1;
                }
            }
        }
    }

    /// Many new keys at once (a bucket's first entries come by the thousand): sorted, each
    /// one's place found by binary search, and the names between moved across in runs,
    /// so a batch costs a copy of the list, not a comparison per name. The selection stays
    /// on its key.
    fn merge(&mut self, mut added: Vec<Arc<str>>) {
        added.sort_unstable();
        let keep = self.selected_key().map(Arc::<str>::from);
        let old = std::mem::take(&mut self.shown);
        let mut merged = Vec::with_capacity(old.len() + added.len());
        let mut rest = old.into_iter();
        for key in added {
            let before = rest.as_slice().partition_point(|s| *s < key);
            merged.extend(rest.by_ref().take(before));
            merged.push(key);
        }
        merged.extend(rest);
        self.shown = merged;
        if let Some(k) = keep {
            self.selected = self.shown.binary_search(&k).unwrap_or(self.selected);
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
        self.shown.sort_unstable();
        // The selection stays on its key while keys arrive around it.
        self.selected = keep
            .and_then(|k| self.shown.binary_search_by(|s| (**s).cmp(k.as_str())).ok())
            .unwrap_or(self.selected)
            .min(self.shown.len().saturating_sub(1));
    }

    pub fn selected_key(&self) -> Option<&str> {
        self.shown.get(self.selected).map(|k| &**k)
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
            _ if super::move_cursor(&mut self.selected, last, command) => {}
            Some(Command::NewKey) => {
                let form = KeyForm::create(&self.bucket);
                return Next::Open(Overlay::KeyForm(Box::new(form)));
            }
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

    fn seen(key: &str, revision: u64, op: KeyOperation) -> KeySeen {
        KeySeen::from(&entry(key, revision, op))
    }

    fn shown(s: &KeysState) -> Vec<&str> {
        s.shown.iter().map(|k| &**k).collect()
    }

    #[test]
    fn changes_replace_rows_in_name_order_and_filter_by_pattern() {
        let mut s = KeysState::new("config", 1);
        s.changed(&[seen("b.x", 2, KeyOperation::Put)]);
        s.changed(&[seen("a.y", 3, KeyOperation::Put)]);
        s.changed(&[seen("b.x", 4, KeyOperation::Delete)]);
        s.changed(&[seen("b.x", 1, KeyOperation::Put)]);
        assert_eq!(shown(&s), ["a.y", "b.x"]);
        assert_eq!(s.keys["b.x"].size, 3, "the size, not the value");
        assert_eq!(s.keys["b.x"].revision, 4);
        assert_eq!(s.keys["b.x"].operation, KeyOperation::Delete);
        s.set_filter("b.*");
        assert_eq!(shown(&s), ["b.x"]);
        s.set_filter("Y");
        assert_eq!(shown(&s), ["a.y"]);
    }

    #[test]
    fn past_the_cap_new_keys_are_counted_not_kept() {
        let mut s = KeysState::new("big", 1);
        // In batches, as the watch sends them, in no name order.
        let all: Vec<KeySeen> = (0..KEYS_KEPT + 5)
            .map(|i| {
                seen(
                    &format!("k{:06}", (i * 7919) % (KEYS_KEPT + 5)),
                    i as u64 + 1,
                    KeyOperation::Put,
                )
            })
            .collect();
        for batch in all.chunks(1000) {
            s.changed(batch);
        }
        assert_eq!(s.keys.len(), KEYS_KEPT);
        assert_eq!(s.shown.len(), KEYS_KEPT);
        assert!(s.shown.windows(2).all(|w| w[0] < w[1]), "in name order");
        assert_eq!(s.not_kept, 5);
        // A kept key still changes.
        let first = s.shown[0].to_string();
        s.changed(&[seen(&first, 1_000_000, KeyOperation::Purge)]);
        assert_eq!(s.keys[first.as_str()].operation, KeyOperation::Purge);
    }

    #[test]
    fn the_selection_stays_on_its_key_as_batches_arrive_around_it() {
        let mut s = KeysState::new("config", 1);
        let evens: Vec<KeySeen> = (0..50)
            .map(|i| seen(&format!("k{:03}", i * 2), 1, KeyOperation::Put))
            .collect();
        s.changed(&evens);
        s.selected = 10;
        assert_eq!(s.selected_key(), Some("k020"));
        // A batch merged in one pass (past MERGE_PAST), and one inserted key by key.
        let odds: Vec<KeySeen> = (0..50)
            .map(|i| seen(&format!("k{:03}", i * 2 + 1), 2, KeyOperation::Put))
            .collect();
        s.changed(&odds);
        assert_eq!(s.selected_key(), Some("k020"));
        s.changed(&[seen("a", 3, KeyOperation::Put)]);
        assert_eq!(s.selected_key(), Some("k020"));
        assert_eq!(s.shown.len(), 101);
        assert!(s.shown.windows(2).all(|w| w[0] < w[1]), "in name order");
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
