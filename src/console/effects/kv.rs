//! Key-value effects (issue 16): a bucket's keys watched on a task of their own. One keys
//! view is open at a time, so one watch runs: the runner holds the current watch's id,
//! and a watch ends (its consumer with it) as soon as the id changes.

use tokio::sync::watch;

use super::Reply;
use crate::broker::Broker;
use crate::broker::KeyOperation;
use crate::console::app::{Action, KeyChange, KeyChangeOp, KvAction};
use crate::console::overlays::kv::KeySeen;

/// Most changes sent in one action: a bucket's first entries arrive by the thousand, and
/// each batch is applied before the next frame.
const BATCH: usize = 4096;

/// How long a batch gathers a flood of changes (a large bucket's first entries): each
/// batch costs the view a pass over its names, so fewer, larger ones.
const GATHER: std::time::Duration = std::time::Duration::from_millis(50);

/// Changes in a batch past which the next waits `PACE`.
const PACE_PAST: usize = 64;

/// The pause after a large batch.
const PACE: std::time::Duration = std::time::Duration::from_millis(2);

/// Sends every key's latest entry, then each change (in batches of what is ready, values
/// left behind), until the view's id is replaced.
pub(crate) async fn watch_keys(
    broker: Broker,
    reply: Reply,
    bucket: String,
    id: u64,
    mut current: watch::Receiver<u64>,
) {
    let failed = |error: String| Action::Kv(KvAction::WatchFailed { watch: id, error });
    let mut keys = match broker.watch_keys(&bucket).await {
        Ok(keys) => keys,
        Err(e) => return reply.send(failed(e.to_string())),
    };
    loop {
        tokio::select! {
            changed = current.changed() => {
                if changed.is_err() || *current.borrow() != id {
                    return;
                }
            }
            next = keys.next_batch(BATCH, GATHER) => match next {
                Some(Ok(entries)) => {
                    let flood = entries.len() >= PACE_PAST;
                    let seen = entries.into_iter().map(KeySeen::from).collect();
                    reply.send(Action::Kv(KvAction::KeysChanged { watch: id, seen }));
                    if flood {
                        // More may be waiting (a large bucket's first entries): a pause
                        // lets the loop apply this batch and draw before the next comes,
                        // so keys pressed meanwhile wait for one batch, not for them all.
                        tokio::time::sleep(PACE).await;
                    }
                }
                Some(Err(e)) => return reply.send(failed(e.to_string())),
                None => return reply.send(failed(format!("the watch of {bucket} ended"))),
            },
        }
    }
}

/// Every revision of `key` the bucket keeps.
pub(crate) async fn read_key(broker: Broker, reply: Reply, bucket: String, key: String) {
    let result = broker
        .key_history(&bucket, &key)
        .await
        .map_err(|e| e.to_string());
    reply.send(Action::Kv(KvAction::KeyRead {
        bucket,
        key,
        result,
    }));
}

/// Makes the change, then reads the key back: the result says what the server holds.
pub(crate) async fn change(broker: Broker, reply: Reply, change: KeyChange) {
    let result = make(&broker, &change).await;
    reply.send(Action::Kv(KvAction::Changed {
        bucket: change.bucket,
        key: change.key,
        result,
    }));
}

async fn make(broker: &Broker, c: &KeyChange) -> Result<String, String> {
    let (bucket, key, expected) = (c.bucket.as_str(), c.key.as_str(), c.expected);
    let refused =
        |e: crate::broker::KvError| format!("{}: {}: {}", failed(&e), c.describe(), e.words);
    let written = match &c.op {
        KeyChangeOp::Put(value) | KeyChangeOp::Revert { value, .. } => {
            let rev = broker
                .put_key(bucket, key, value.clone(), expected)
                .await
                .map_err(refused)?;
            Some((rev, value.clone()))
        }
        KeyChangeOp::Create(value) => {
            let rev = broker
                .create_key(bucket, key, value.clone())
                .await
                .map_err(refused)?;
            Some((rev, value.clone()))
        }
        KeyChangeOp::Delete | KeyChangeOp::Purge => {
            let purge = c.op == KeyChangeOp::Purge;
            broker
                .remove_key(bucket, key, purge, expected)
                .await
                .map_err(refused)?;
            None
        }
    };
    check(broker, c, written).await
}

/// What the server holds after the change, against what the change meant.
async fn check(
    broker: &Broker,
    c: &KeyChange,
    written: Option<(u64, bytes::Bytes)>,
) -> Result<String, String> {
    let unchecked = |e: crate::broker::KvError| format!("{}: done, but not checked: {e}", c.key);
    let history = broker
        .key_history(&c.bucket, &c.key)
        .await
        .map_err(unchecked)?;
    let Some(now) = history.last() else {
        return Err(format!(
            "{}: done, but the server holds no revision of it",
            c.key
        ));
    };
    let held = match (&c.op, written) {
        (KeyChangeOp::Delete, _) => now.operation == KeyOperation::Delete,
        (KeyChangeOp::Purge, _) => history.len() == 1 && now.operation == KeyOperation::Purge,
        (_, Some((rev, value))) => now.revision == rev && now.value == value,
        (_, None) => false,
    };
    if held {
        Ok(format!(
            "done: {}; the server holds revision {} ({})",
            c.describe(),
            now.revision,
            now.operation.word()
        ))
    } else {
        Err(format!(
            "{}: done, but the server now holds revision {} ({}): changed since?",
            c.key,
            now.revision,
            now.operation.word()
        ))
    }
}

/// Creates the bucket, then reads it back from the server.
pub(crate) async fn create_bucket(broker: Broker, reply: Reply, new: crate::broker::NewBucket) {
    let result = match broker.create_bucket(&new).await {
        Err(e) => Err(format!(
            "{}: create bucket {}: {}",
            failed(&e),
            new.name,
            e.words
        )),
        Ok(_) => match broker.bucket(&new.name).await {
            Ok(row) => Ok(format!(
                "done: bucket {} created; the server holds it (history {}, {:?})",
                row.name, row.history, row.storage
            )),
            Err(e) => Err(format!(
                "bucket {}: created, but not found after: {e}",
                new.name
            )),
        },
    };
    reply.send(Action::Kv(KvAction::BucketChanged(result)));
}

/// Deletes the bucket, then checks the server no longer has it.
pub(crate) async fn delete_bucket(broker: Broker, reply: Reply, bucket: String) {
    let result = match broker.delete_bucket(&bucket).await {
        Err(e) => Err(format!(
            "{}: delete bucket {bucket}: {}",
            failed(&e),
            e.words
        )),
        Ok(()) => match broker.bucket(&bucket).await {
            Err(e) if e.kind == crate::broker::KvErrorKind::NoBucket => Ok(format!(
                "done: bucket {bucket} deleted; the server no longer has it"
            )),
            Err(e) => Err(format!("bucket {bucket}: deleted, but not checked: {e}")),
            Ok(_) => Err(format!(
                "bucket {bucket}: deleted, but the server still has it"
            )),
        },
    };
    reply.send(Action::Kv(KvAction::BucketChanged(result)));
}

/// "refused" when the server said no; "not confirmed" when it did not answer or the client
/// failed (nothing says the server refused it).
fn failed(e: &crate::broker::KvError) -> &'static str {
    if e.is_refusal() {
        "refused"
    } else {
        "not confirmed"
    }
}
