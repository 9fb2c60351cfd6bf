//! Key-value buckets through the broker (issue 16), against a real nats-server: what is
//! made from outside appears (live for keys), a stale expected revision is refused in the
//! server's words, history and revert, delete and purge checked on the server.

use std::time::Duration;

use async_nats::jetstream::kv;
use async_nats::jetstream::stream::StorageType;
use jetdeck::broker::{KeyOperation, KvErrorKind, NewBucket};

use crate::common::{raw, start};

const WAIT: Duration = Duration::from_secs(10);

async fn outside_bucket(js: &async_nats::jetstream::Context, name: &str) -> kv::Store {
    js.create_key_value(kv::Config {
        bucket: name.into(),
        history: 5,
        ..Default::default()
    })
    .await
    .expect("create bucket from outside")
}

#[tokio::test]
async fn buckets_and_keys_made_outside_appear_live() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    let store = outside_bucket(&js, "config").await;
    store.put("a", "1".into()).await.expect("put a");

    let rows = broker.list_buckets().await.expect("list buckets");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "config");
    assert_eq!((rows[0].keys, rows[0].values, rows[0].history), (1, 1, 5));
    assert!(rows[0].last_update.is_some());

    let mut watch = broker.watch_keys("config").await.expect("watch");
    let first = tokio::time::timeout(WAIT, watch.next())
        .await
        .expect("in time");
    let first = first.expect("an entry").expect("not an error");
    assert_eq!((first.key.as_str(), first.revision), ("a", 1));

    // Changes made from outside after the watch began arrive as they happen.
    store.put("b", "two".into()).await.expect("put b");
    store.delete("a").await.expect("delete a");
    let b = tokio::time::timeout(WAIT, watch.next())
        .await
        .expect("in time");
    let b = b.expect("an entry").expect("not an error");
    assert_eq!(
        (b.key.as_str(), b.operation, &b.value[..]),
        ("b", KeyOperation::Put, &b"two"[..])
    );
    let a = tokio::time::timeout(WAIT, watch.next())
        .await
        .expect("in time");
    let a = a.expect("an entry").expect("not an error");
    assert_eq!((a.key.as_str(), a.operation), ("a", KeyOperation::Delete));
}

#[tokio::test]
async fn put_with_a_stale_revision_is_refused_in_the_servers_words() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    let store = outside_bucket(&js, "config").await;
    let rev = broker
        .put_key("config", "k", "v1".into(), 0)
        .await
        .expect("create k");
    // Another operator changes the key in between.
    store.put("k", "theirs".into()).await.expect("their put");

    let err = broker
        .put_key("config", "k", "mine".into(), rev)
        .await
        .expect_err("stale revision refused");
    assert_eq!(err.kind, KvErrorKind::WrongRevision, "{err}");
    assert!(err.words.contains("wrong last sequence"), "{}", err.words);
    let now = store.get("k").await.expect("get").expect("k exists");
    assert_eq!(&now[..], b"theirs", "their value stands");

    // With the current revision expected, the put goes through.
    let current = store.entry("k").await.expect("entry").expect("k").revision;
    let next = broker
        .put_key("config", "k", "mine".into(), current)
        .await
        .expect("put");
    assert_eq!(next, current + 1);
    assert_eq!(&store.get("k").await.expect("get").expect("k")[..], b"mine");
}

#[tokio::test]
async fn history_lists_every_revision_and_revert_puts_an_old_value_back() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    let store = outside_bucket(&js, "config").await;
    for v in ["one", "two", "three"] {
        store.put("k", v.to_string().into()).await.expect("put");
    }
    let history = broker.key_history("config", "k").await.expect("history");
    let values: Vec<&[u8]> = history.iter().map(|e| &e.value[..]).collect();
    assert_eq!(values, [&b"one"[..], b"two", b"three"]);
    assert_eq!(
        history.iter().map(|e| e.revision).collect::<Vec<_>>(),
        [1, 2, 3]
    );

    let stale = broker
        .revert_key("config", "k", 1, 2)
        .await
        .expect_err("stale");
    assert_eq!(stale.kind, KvErrorKind::WrongRevision, "{stale}");
    let rev = broker
        .revert_key("config", "k", 1, 3)
        .await
        .expect("revert");
    assert_eq!(rev, 4);
    let entry = store.entry("k").await.expect("entry").expect("k");
    assert_eq!((&entry.value[..], entry.revision), (&b"one"[..], 4));
}

#[tokio::test]
async fn delete_and_purge_are_checked_on_the_server() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    let store = outside_bucket(&js, "config").await;
    store.put("d", "1".into()).await.expect("put d");
    store.put("p", "1".into()).await.expect("put p 1");
    let p_rev = store.put("p", "2".into()).await.expect("put p 2");

    let stale = broker
        .remove_key("config", "d", false, 99)
        .await
        .expect_err("stale");
    assert_eq!(stale.kind, KvErrorKind::WrongRevision, "{stale}");
    broker
        .remove_key("config", "d", false, 1)
        .await
        .expect("delete d");
    let d = store.entry("d").await.expect("entry").expect("marker");
    assert_eq!(d.operation, kv::Operation::Delete);
    assert_eq!(
        broker.key_history("config", "d").await.expect("h").len(),
        2,
        "history kept"
    );

    broker
        .remove_key("config", "p", true, p_rev)
        .await
        .expect("purge p");
    let p = broker.key_history("config", "p").await.expect("history");
    assert_eq!(p.len(), 1, "only the purge marker is left");
    assert_eq!(p[0].operation, KeyOperation::Purge);
}

#[tokio::test]
async fn a_bucket_is_created_and_deleted() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    let new = NewBucket {
        name: "made".into(),
        history: 3,
        ttl: Duration::from_secs(3600),
        storage: StorageType::Memory,
        replicas: 1,
    };
    let row = broker.create_bucket(&new).await.expect("create");
    assert_eq!(
        (row.history, row.ttl, row.storage),
        (3, new.ttl, StorageType::Memory)
    );
    let info = js
        .get_stream("KV_made")
        .await
        .expect("stream on the server");
    assert_eq!(info.cached_info().config.max_messages_per_subject, 3);

    broker.delete_bucket("made").await.expect("delete");
    assert!(
        js.get_stream("KV_made").await.is_err(),
        "gone on the server"
    );
    let err = broker.delete_bucket("made").await.expect_err("twice");
    assert!(!err.words.is_empty());
}

#[tokio::test]
async fn create_refuses_a_key_that_exists_in_the_servers_words_and_recreates_a_deleted_one() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    let store = outside_bucket(&js, "config").await;
    let rev = broker
        .create_key("config", "new", "one".into())
        .await
        .expect("create a key that never was");
    assert_eq!(rev, 1);

    let err = broker
        .create_key("config", "new", "two".into())
        .await
        .expect_err("it exists now");
    assert_eq!(err.kind, KvErrorKind::WrongRevision, "{err}");
    assert!(err.words.contains("wrong last sequence"), "{}", err.words);
    assert_eq!(
        &store.get("new").await.expect("get").expect("new")[..],
        b"one"
    );

    // Deleted, it does not exist: created again over its delete marker.
    store.delete("new").await.expect("delete");
    let again = broker
        .create_key("config", "new", "three".into())
        .await
        .expect("create over the delete marker");
    assert_eq!(again, 3);
    assert_eq!(
        &store.get("new").await.expect("get").expect("new")[..],
        b"three"
    );
}

/// Without permission the server answers nothing (async-nats would report a timeout):
/// a watch and a put name the refusal instead.
#[tokio::test]
async fn a_watch_or_put_the_user_may_not_make_is_a_permission_denial_not_a_timeout() {
    let (_server, admin, broker) = crate::common::viewer_server().await;
    let kv = admin
        .create_key_value(async_nats::jetstream::kv::Config {
            bucket: "cfg".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    kv.put("k1", "v1".into()).await.unwrap();
    let Err(e) = broker.watch_keys("cfg").await else {
        panic!("a watch without permission started");
    };
    assert_eq!(e.kind, KvErrorKind::Denied, "{e}");
    assert!(
        e.to_string().contains("permission denied") && e.to_string().contains("KV_cfg"),
        "{e}"
    );
    let e = broker
        .put_key("cfg", "k1", "v2".into(), 1)
        .await
        .unwrap_err();
    assert_eq!(e.kind, KvErrorKind::Denied, "{e}");
    assert!(e.to_string().contains("$KV.cfg.k1"), "{e}");
}
