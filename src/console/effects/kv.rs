//! Key-value effects (issue 16): a bucket's keys watched on a task of their own. One keys
//! view is open at a time, so one watch runs: the runner holds the current watch's id,
//! and a watch ends (its consumer with it) as soon as the id changes.

use tokio::sync::watch;

use super::Reply;
use crate::broker::Broker;
use crate::console::app::{Action, KvAction};

/// Sends every key's latest entry, then each change, until the view's id is replaced.
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
            next = keys.next() => match next {
                Some(Ok(entry)) => reply.send(Action::Kv(KvAction::KeyChanged { watch: id, entry })),
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
