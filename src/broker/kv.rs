//! Key-value buckets (issue 16): each is a stream `KV_<bucket>` underneath. The bucket list
//! comes from the stream listing the console already makes (no extra request); keys, values
//! and history go through async-nats's kv API. Every change returns what the server said,
//! and a refusal keeps the server's own words.

use std::time::Duration;

use async_nats::jetstream::kv;
use async_nats::jetstream::stream::{self, StorageType};
use bytes::Bytes;
use futures::StreamExt;
use thiserror::Error;
use time::OffsetDateTime;

use super::Broker;

mod create;
pub use create::{KEY_NAME_MAX, validate_key};

/// The stream-name prefix of a key-value bucket.
pub const KV_STREAM_PREFIX: &str = "KV_";

/// The bucket a stream holds, if it is a key-value bucket's stream.
pub fn bucket_of_stream(stream: &str) -> Option<&str> {
    stream
        .strip_prefix(KV_STREAM_PREFIX)
        .filter(|b| !b.is_empty())
}

/// One bucket, as the buckets view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketRow {
    pub name: String,
    /// Keys with a current entry or a delete marker (the stream's subject count).
    pub keys: u64,
    /// Stored values, history included.
    pub values: u64,
    pub bytes: u64,
    /// Revisions kept per key.
    pub history: i64,
    /// Zero: values never expire.
    pub ttl: Duration,
    pub replicas: usize,
    pub storage: StorageType,
    /// `None` when nothing was ever put.
    pub last_update: Option<OffsetDateTime>,
}

impl BucketRow {
    /// The row of a `KV_` stream's info; `None` for any other stream.
    pub fn from_stream(info: &stream::Info) -> Option<Self> {
        let name = bucket_of_stream(&info.config.name)?;
        let state = &info.state;
        Some(Self {
            name: name.to_string(),
            keys: state.subjects_count,
            values: state.messages,
            bytes: state.bytes,
            history: info.config.max_messages_per_subject,
            ttl: info.config.max_age,
            replicas: info.config.num_replicas,
            storage: info.config.storage,
            last_update: (state.last_sequence > 0).then_some(state.last_timestamp),
        })
    }
}

/// What happened to a key at one revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOperation {
    Put,
    Delete,
    Purge,
}

impl KeyOperation {
    pub fn word(self) -> &'static str {
        match self {
            KeyOperation::Put => "put",
            KeyOperation::Delete => "delete",
            KeyOperation::Purge => "purge",
        }
    }
}

impl From<kv::Operation> for KeyOperation {
    fn from(op: kv::Operation) -> Self {
        match op {
            kv::Operation::Put => KeyOperation::Put,
            kv::Operation::Delete => KeyOperation::Delete,
            kv::Operation::Purge => KeyOperation::Purge,
        }
    }
}

/// One revision of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    pub key: String,
    pub revision: u64,
    pub created: OffsetDateTime,
    pub operation: KeyOperation,
    pub value: Bytes,
}

impl From<kv::Entry> for KeyEntry {
    fn from(e: kv::Entry) -> Self {
        Self {
            key: e.key,
            revision: e.revision,
            created: e.created,
            operation: e.operation.into(),
            value: e.value,
        }
    }
}

/// What can make a key-value call fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KvErrorKind {
    NotConnected,
    /// The bucket does not exist.
    NoBucket,
    /// An expected revision was not the key's latest: another change came first.
    WrongRevision,
    /// The key or bucket name is not one the server takes.
    InvalidName,
    /// The server refused a request of the call: this user may not use its subject.
    Denied,
    /// No answer in time: the server is down, unreachable or slow.
    NoAnswer,
    Other,
}

/// A failed key-value call: what was asked and the server's (or client's) own words.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{action} {target}: {words}")]
pub struct KvError {
    pub kind: KvErrorKind,
    pub action: &'static str,
    pub target: String,
    /// The innermost cause's text: the server's refusal when there is one.
    pub words: String,
}

impl KvError {
    /// Whether the server said no (rather than not answering, or the client failing).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self.kind,
            KvErrorKind::NoBucket
                | KvErrorKind::WrongRevision
                | KvErrorKind::InvalidName
                | KvErrorKind::Denied
        )
    }

    fn new(kind: KvErrorKind, action: &'static str, target: &str, words: String) -> Self {
        Self {
            kind,
            action,
            target: target.to_string(),
            words,
        }
    }

    fn not_connected(action: &'static str, target: &str) -> Self {
        Self::new(
            KvErrorKind::NotConnected,
            action,
            target,
            "not connected".into(),
        )
    }
}

/// The innermost error's text: async-nats wraps the server's refusal in its own kinds.
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Sorts an async-nats error into a kind, from its text (the kinds differ per call).
/// The requests of an operation on `bucket`.
fn kv_marks(bucket: &str) -> super::StoreMarks {
    super::StoreMarks::new(
        format!("{KV_STREAM_PREFIX}{bucket}"),
        format!("$KV.{bucket}."),
    )
}

fn kv_denied(action: &'static str, bucket: &str, subject: &str) -> KvError {
    let words = format!(
        "permission denied: this user may not use {subject} (the server refused the request)"
    );
    KvError::new(KvErrorKind::Denied, action, bucket, words)
}

fn kv_error(
    err: &(dyn std::error::Error + 'static),
    action: &'static str,
    target: &str,
) -> KvError {
    let mut words = innermost(err);
    let all = err.to_string().to_lowercase();
    let kind = if all.contains("timed out") || all.contains("deadline has elapsed") {
        // The client's words for a request without an answer ("deadline has elapsed")
        // say nothing to an operator; a change may or may not have been made.
        words = "no answer from the server in time (it may be down or unreachable; a \
                 change may or may not have been made: look before trying again)"
            .to_string();
        KvErrorKind::NoAnswer
    } else if all.contains("wrong last") {
        KvErrorKind::WrongRevision
    } else if all.contains("stream not found") || all.contains("bucket not found") {
        KvErrorKind::NoBucket
    } else if all.contains("invalid") {
        KvErrorKind::InvalidName
    } else {
        KvErrorKind::Other
    };
    KvError::new(kind, action, target, words)
}

/// A bucket a new one is made with: the settings the create form asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBucket {
    pub name: String,
    pub history: i64,
    pub ttl: Duration,
    pub storage: StorageType,
    pub replicas: usize,
}

/// The live keys of a bucket: every key's latest entry first, then each change as it
/// happens. Dropping it stops the watch.
pub struct KeyWatch {
    inner: kv::Watch,
    /// What ended a batch early (an error, or the end), given at the next call.
    after: Option<Option<KvError>>,
}

impl KeyWatch {
    /// The next change (value included); `None` when the watch ended.
    pub async fn next(&mut self) -> Option<Result<KeyEntry, KvError>> {
        let item = self.inner.next().await?;
        Some(
            item.map(KeyEntry::from)
                .map_err(|e| kv_error(&e, "watch", "keys")),
        )
    }

    /// The next change and those already waiting behind it, up to `max`, in order; `None`
    /// when the watch ended. When many were waiting (a bucket's first entries), more are
    /// gathered for up to `gather`, so a large bucket comes in a few large batches rather
    /// than many small ones; a lone change is given at once. An error or the end found
    /// after the first change is given at the next call, so no change before it is lost.
    pub async fn next_batch(
        &mut self,
        max: usize,
        gather: Duration,
    ) -> Option<Result<Vec<KeyEntry>, KvError>> {
        use futures::FutureExt;
        match self.after.take() {
            Some(Some(e)) => return Some(Err(e)),
            Some(None) => return None,
            None => {}
        }
        let first = match self.next().await? {
            Ok(entry) => entry,
            Err(e) => return Some(Err(e)),
        };
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + gather;
        while batch.len() < max {
            // What is ready now; past a flood's worth, what comes before the deadline. The
            // stream's `next` takes nothing until it is ready, so a change not taken here
            // is left for the next batch.
            let next = match self.next().now_or_never() {
                Some(next) => next,
                None if batch.len() < FLOOD => break,
                None => match tokio::time::timeout_at(deadline, self.next()).await {
                    Ok(next) => next,
                    Err(_) => break,
                },
            };
            match next {
                Some(Ok(entry)) => batch.push(entry),
                Some(Err(e)) => {
                    self.after = Some(Some(e));
                    break;
                }
                None => {
                    self.after = Some(None);
                    break;
                }
            }
        }
        Some(Ok(batch))
    }
}

/// Changes waiting at once past which a batch gathers more (a bucket's first entries).
const FLOOD: usize = 64;

impl Broker {
    fn kv_context(
        &self,
        action: &'static str,
        target: &str,
    ) -> Result<async_nats::jetstream::Context, KvError> {
        self.connection()
            .map(|c| c.js.clone())
            .ok_or_else(|| KvError::not_connected(action, target))
    }

    /// Runs `call` on `bucket`. A request the server refuses gets no answer, so the call
    /// would fail only at its timeout, as a timeout: it ends as soon as the server
    /// reports the refusal of one of its own requests (see `StoreMarks`), with the refusal
    /// as the error. Cut short there, it stops where it would have failed anyway: the
    /// client's flows stop at their first failed request.
    pub(super) async fn kv_call<T>(
        &self,
        bucket: &str,
        action: &'static str,
        call: impl std::future::Future<Output = Result<T, KvError>>,
    ) -> Result<T, KvError> {
        let marks = kv_marks(bucket);
        let refused = super::permissions::Denials::refused(self.denials().watch(), &marks);
        tokio::select! {
            result = self.kv_change(bucket, action, call) => result,
            subject = refused => Err(kv_denied(action, bucket, &subject)),
        }
    }

    /// Runs `call` on `bucket` to its end; when it failed without the server saying no
    /// (a timeout), and the server refused one of its requests meanwhile, the refusal is
    /// the error.
    async fn kv_change<T>(
        &self,
        bucket: &str,
        action: &'static str,
        call: impl std::future::Future<Output = Result<T, KvError>>,
    ) -> Result<T, KvError> {
        let since = std::time::Instant::now();
        call.await.map_err(|e| {
            let refused = (!e.is_refusal())
                .then(|| self.denials().refused_since(since, &kv_marks(bucket)))
                .flatten();
            match refused {
                Some(subject) => kv_denied(action, bucket, &subject),
                None => e,
            }
        })
    }

    async fn store(&self, bucket: &str, action: &'static str) -> Result<kv::Store, KvError> {
        let js = self.kv_context(action, bucket)?;
        js.get_key_value(bucket)
            .await
            .map_err(|e| kv_error(&e, action, bucket))
    }

    /// Every bucket, sorted by name: the `KV_` streams of the stream listing.
    pub async fn list_buckets(&self) -> Result<Vec<BucketRow>, KvError> {
        let infos = self
            .list_streams()
            .await
            .map_err(|e| kv_error(&e, "list", "buckets"))?;
        Ok(infos.iter().filter_map(BucketRow::from_stream).collect())
    }

    /// One bucket's row, fresh from the server.
    pub async fn bucket(&self, bucket: &str) -> Result<BucketRow, KvError> {
        let info = self
            .stream_info(&format!("{KV_STREAM_PREFIX}{bucket}"))
            .await
            .map_err(|e| kv_error(&e, "read bucket", bucket))?;
        BucketRow::from_stream(&info).ok_or_else(|| {
            KvError::new(
                KvErrorKind::NoBucket,
                "read bucket",
                bucket,
                "no bucket".into(),
            )
        })
    }

    /// Watches every key of `bucket`: the latest entries, then changes as they happen.
    pub async fn watch_keys(&self, bucket: &str) -> Result<KeyWatch, KvError> {
        self.kv_call(bucket, "watch", async {
            let store = self.store(bucket, "watch").await?;
            // `watch_all` sends only changes from now; with history (last per key) the view
            // starts with every key's latest entry, then changes follow.
            let inner = store
                .watch_with_history(">")
                .await
                .map_err(|e| kv_error(&e, "watch", bucket))?;
            Ok(KeyWatch { inner, after: None })
        })
        .await
    }

    /// The key's latest entry (a delete or purge marker included), `None` if it never was.
    pub async fn key_entry(&self, bucket: &str, key: &str) -> Result<Option<KeyEntry>, KvError> {
        self.kv_call(bucket, "read", async {
            let store = self.store(bucket, "read").await?;
            let entry = store
                .entry(key)
                .await
                .map_err(|e| kv_error(&e, "read", key))?;
            Ok(entry.map(KeyEntry::from))
        })
        .await
    }

    /// Every revision the bucket keeps of `key`, oldest first.
    pub async fn key_history(&self, bucket: &str, key: &str) -> Result<Vec<KeyEntry>, KvError> {
        self.kv_call(bucket, "history", async {
            let store = self.store(bucket, "history").await?;
            let mut history = store
                .history(key)
                .await
                .map_err(|e| kv_error(&e, "history", key))?;
            let mut out = Vec::new();
            while let Some(entry) = history.next().await {
                out.push(entry.map_err(|e| kv_error(&e, "history", key))?.into());
            }
            Ok(out)
        })
        .await
    }

    /// Puts `value` at `key` only if the key's latest revision is `expected` (0: the key
    /// must not exist yet). Returns the new revision; another operator's change in between
    /// is refused by the server (`KvErrorKind::WrongRevision`, its words kept).
    pub async fn put_key(
        &self,
        bucket: &str,
        key: &str,
        value: Bytes,
        expected: u64,
    ) -> Result<u64, KvError> {
        self.kv_call(bucket, "put", async {
            let store = self.store(bucket, "put").await?;
            store
                .update(key, value, expected)
                .await
                .map_err(|e| kv_error(&e, "put", key))
        })
        .await
    }

    /// Puts the value of an earlier revision back, with the current revision expected.
    pub async fn revert_key(
        &self,
        bucket: &str,
        key: &str,
        to_revision: u64,
        current: u64,
    ) -> Result<u64, KvError> {
        self.kv_call(bucket, "revert", async {
            let store = self.store(bucket, "revert").await?;
            let old = store
                .entry_for_revision(key, to_revision)
                .await
                .map_err(|e| kv_error(&e, "revert", key))?
                .ok_or_else(|| {
                    let words = format!("revision {to_revision} is no longer kept");
                    KvError::new(KvErrorKind::Other, "revert", key, words)
                })?;
            store
                .update(key, old.value, current)
                .await
                .map_err(|e| kv_error(&e, "revert", key))
        })
        .await
    }

    /// Deletes `key` (a delete marker; history kept), or purges it (every revision gone,
    /// one purge marker left), expecting its latest revision to be `expected`.
    pub async fn remove_key(
        &self,
        bucket: &str,
        key: &str,
        purge: bool,
        expected: u64,
    ) -> Result<(), KvError> {
        self.kv_call(bucket, if purge { "purge" } else { "delete" }, async {
            let action = if purge { "purge" } else { "delete" };
            let store = self.store(bucket, action).await?;
            if purge {
                store
                    .purge_expect_revision(key, Some(expected))
                    .await
                    .map_err(|e| kv_error(&e, action, key))
            } else {
                store
                    .delete_expect_revision(key, Some(expected))
                    .await
                    .map_err(|e| kv_error(&e, action, key))
            }
        })
        .await
    }

    /// Creates a bucket (refused if one of that name exists with other settings).
    pub async fn create_bucket(&self, new: &NewBucket) -> Result<BucketRow, KvError> {
        self.kv_call(&new.name, "create bucket", async {
            let js = self.kv_context("create bucket", &new.name)?;
            let store = js
                .create_key_value(kv::Config {
                    bucket: new.name.clone(),
                    history: new.history,
                    max_age: new.ttl,
                    storage: new.storage,
                    num_replicas: new.replicas,
                    ..Default::default()
                })
                .await
                .map_err(|e| kv_error(&e, "create bucket", &new.name))?;
            let status = store
                .status()
                .await
                .map_err(|e| kv_error(&e, "create bucket", &new.name))?;
            BucketRow::from_stream(&status.info).ok_or_else(|| {
                let words = "the server made no KV_ stream".to_string();
                KvError::new(KvErrorKind::Other, "create bucket", &new.name, words)
            })
        })
        .await
    }

    /// Deletes a bucket and everything in it.
    pub async fn delete_bucket(&self, bucket: &str) -> Result<(), KvError> {
        self.kv_call(bucket, "delete bucket", async {
            let js = self.kv_context("delete bucket", bucket)?;
            js.delete_key_value(bucket)
                .await
                .map_err(|e| kv_error(&e, "delete bucket", bucket))?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_without_an_answer_is_said_so_not_in_the_clients_words() {
        let elapsed = std::io::Error::other("deadline has elapsed");
        let e = kv_error(&elapsed, "put", "k");
        assert_eq!(e.kind, KvErrorKind::NoAnswer);
        assert!(!e.is_refusal());
        assert!(e.words.contains("may or may not"), "{e}");
        let wrong = std::io::Error::other("wrong last sequence: 3");
        assert!(kv_error(&wrong, "put", "k").is_refusal());
    }

    #[test]
    fn only_kv_streams_are_buckets() {
        assert_eq!(bucket_of_stream("KV_config"), Some("config"));
        assert_eq!(bucket_of_stream("KV_"), None);
        assert_eq!(bucket_of_stream("ORDERS"), None);
        assert_eq!(bucket_of_stream("OBJ_files"), None);
    }
}
