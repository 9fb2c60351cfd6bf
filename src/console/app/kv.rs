//! Key-value buckets in the app (issue 16): the effects that reach the server and the
//! results that come back. The views' state and keys are in `overlays/kv.rs`.

use std::sync::atomic::{AtomicU64, Ordering};

use super::Effect;
use super::{App, Overlay};
use crate::broker::KeyEntry;
use crate::console::overlays::kv::{KeySeen, KeysState};
use crate::console::overlays::kv_key::KeyViewState;

/// What the key-value views ask of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvEffect {
    /// Watch every key of `bucket` (latest entries, then changes) for the view `watch`;
    /// starting one stops the one before (one keys view is open at a time).
    Watch {
        bucket: String,
        watch: u64,
    },
    /// Stop the watch `watch` (its view closed).
    StopWatch {
        watch: u64,
    },
    /// Read every revision of `key` the bucket keeps.
    ReadKey {
        bucket: String,
        key: String,
    },
    /// Change a key, expecting its latest revision (refused by the server otherwise).
    Change(KeyChange),
    CreateBucket(crate::broker::NewBucket),
    DeleteBucket {
        bucket: String,
    },
}

/// A change to one key, with the revision it must still be at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyChange {
    pub bucket: String,
    pub key: String,
    pub op: KeyChangeOp,
    pub expected: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyChangeOp {
    Put(bytes::Bytes),
    /// A new key: refused if it exists (one deleted or purged is created again).
    Create(bytes::Bytes),
    Delete,
    Purge,
    /// Put the value of revision `to` back.
    Revert {
        to: u64,
        value: bytes::Bytes,
    },
}

impl KeyChange {
    /// "delete key app.theme of config (at revision 3)": what is asked and said after.
    pub fn describe(&self) -> String {
        let what = match &self.op {
            KeyChangeOp::Put(v) => format!("put {} bytes at", v.len()),
            KeyChangeOp::Create(v) => {
                return format!(
                    "create key {} of {} with {} bytes (expecting it not to exist)",
                    self.key,
                    self.bucket,
                    v.len()
                );
            }
            KeyChangeOp::Delete => "delete".into(),
            KeyChangeOp::Purge => "purge (every revision) of".into(),
            KeyChangeOp::Revert { to, .. } => format!("revert to revision {to}"),
        };
        format!(
            "{what} key {} of {} (expecting revision {})",
            self.key, self.bucket, self.expected
        )
    }
}

impl KvEffect {
    /// What `--read-only` refuses: every variant named, so a new one must decide.
    pub fn changes_server(&self) -> bool {
        match self {
            KvEffect::Watch { .. } | KvEffect::StopWatch { .. } | KvEffect::ReadKey { .. } => false,
            KvEffect::Change(_) | KvEffect::CreateBucket(_) | KvEffect::DeleteBucket { .. } => true,
        }
    }
}

/// What comes back from the key-value effects.
#[derive(Debug, Clone)]
pub enum KvAction {
    /// Keys changed (or were there when the watch began), in the watch's order; for the
    /// view `watch`. Their values are not carried: the view shows their sizes.
    KeysChanged { watch: u64, seen: Vec<KeySeen> },
    /// The watch could not start or broke, in the server's words.
    WatchFailed { watch: u64, error: String },
    /// A key's history, oldest first, or why it could not be read.
    KeyRead {
        bucket: String,
        key: String,
        result: Result<Vec<KeyEntry>, String>,
    },
    /// A change made and checked on the server (what it holds now), or refused in the
    /// server's words.
    Changed {
        bucket: String,
        key: String,
        result: Result<String, String>,
    },
    /// A bucket created or deleted and checked on the server, or refused.
    BucketChanged(Result<String, String>),
}

/// A new watch id: a view's changes are told from an earlier view's by it.
pub fn next_watch() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl App {
    /// `K`: the buckets, from the stream infos the refresh reads.
    pub(crate) fn open_buckets(&mut self) {
        self.open(Overlay::Buckets(Box::default()));
    }

    /// The open keys view fed by `watch`, if any (under a prompt too).
    fn keys_view(&mut self, watch: u64) -> Option<&mut KeysState> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Keys(k) if k.watch == watch => Some(&mut **k),
            _ => None,
        })
    }

    /// The open key view of `bucket`/`key`, if any.
    fn key_view(&mut self, bucket: &str, key: &str) -> Option<&mut KeyViewState> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Key(k) if k.bucket == bucket && k.key == key => Some(&mut **k),
            _ => None,
        })
    }

    pub(crate) fn on_kv(&mut self, action: KvAction, effects: &mut Vec<Effect>) {
        match action {
            KvAction::KeysChanged { watch, seen } => {
                let Some(view) = self.keys_view(watch) else {
                    return;
                };
                view.changed(&seen);
                let bucket = view.bucket.clone();
                // The open key follows its changes: its history is read again.
                let open = self.overlays.iter().find_map(|o| match o {
                    Overlay::Key(k) if k.bucket == bucket => Some(k.key.clone()),
                    _ => None,
                });
                if let Some(key) = open.filter(|k| seen.iter().any(|s| s.key == *k)) {
                    effects.push(Effect::Kv(KvEffect::ReadKey { bucket, key }));
                }
            }
            KvAction::BucketChanged(Ok(said)) => self.say(said),
            KvAction::BucketChanged(Err(refused)) => self.complain(refused),
            KvAction::Changed {
                bucket,
                key,
                result,
            } => {
                match result {
                    Ok(said) => self.say(said),
                    Err(refused) => self.complain(refused),
                }
                // Either way the key view shows what the server holds now.
                if self.key_view(&bucket, &key).is_some() {
                    effects.push(Effect::Kv(KvEffect::ReadKey { bucket, key }));
                }
            }
            KvAction::KeyRead {
                bucket,
                key,
                result,
            } => {
                if let Some(view) = self.key_view(&bucket, &key) {
                    view.read(result);
                }
            }
            KvAction::WatchFailed { watch, error } => {
                if let Some(view) = self.keys_view(watch) {
                    view.error = Some(error.clone());
                }
                self.complain(error);
            }
        }
    }
}
