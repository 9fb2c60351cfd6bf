//! Key-value buckets in the real console binary, in a pseudo-terminal, against a real
//! server (issue 16): a bucket made from outside appears in the streams pane (marked) and
//! in the buckets view; its keys appear, and keys put from outside appear live.

use std::time::Duration;

use async_nats::jetstream::kv;

use jetdeck::server::NatsServer;

use crate::common::raw;
use crate::pty::{Console, any_line};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread")]
async fn buckets_and_keys_made_outside_appear_live() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(WAIT, "the console, connected", |s| {
        s.contains("Streams (0)")
    });

    let store = js
        .create_key_value(kv::Config {
            bucket: "config".into(),
            history: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    store.put("app.theme", "dark".into()).await.unwrap();
    console.wait_for(WAIT, "the bucket's stream, marked", |s| {
        s.contains("KV_config bucket")
    });

    console.press("K");
    console.wait_for(WAIT, "the buckets view", |s| {
        // keys, values; then history, TTL, replicas, storage.
        s.contains("Key-value buckets (1)")
            && any_line(s, &["config", "1", "1"])
            && any_line(s, &["5", "-", "1", "File"])
    });
    console.press("\r");
    console.wait_for(WAIT, "the key already there", |s| {
        s.contains("config · keys 1–1 of 1")
            && any_line(s, &["app.theme", "1"])
            && s.contains("put")
    });

    // Put and delete from outside: the open view follows.
    store.put("feature.beta", "true".into()).await.unwrap();
    store.delete("app.theme").await.unwrap();
    console.wait_for(WAIT, "the new key and the delete, live", |s| {
        any_line(s, &["feature.beta", "2"])
            && any_line(s, &["app.theme", "3"])
            && s.contains("delete")
    });

    // The first key (app.theme): its value now (deleted) and its two revisions.
    console.press("g");
    console.press("\r");
    console.wait_for(WAIT, "the key's history", |s| {
        s.contains("config · key app.theme")
            && s.contains("History (2 revisions kept)")
            && s.contains("it has no value")
    });
    console.press("k");
    console.wait_for(WAIT, "the earlier value", |s| {
        s.contains("1 (earlier) · put") && s.contains("Value (text, 4 bytes)") && s.contains("dark")
    });
}

/// Bucket `config` (10 revisions a key), made from outside.
pub(crate) async fn config_bucket(server: &NatsServer) -> kv::Store {
    raw(server)
        .await
        .create_key_value(kv::Config {
            bucket: "config".into(),
            history: 10,
            ..Default::default()
        })
        .await
        .unwrap()
}

/// The console (with `flags`) on the buckets view, `config` listed: Enter opens its keys.
pub(crate) fn buckets_open(server: &NatsServer, flags: &[&str]) -> Console {
    let url = server.url();
    let mut args = vec!["--server", url.as_str()];
    args.extend_from_slice(flags);
    let mut console = Console::start(&args);
    console.wait_for(WAIT, "the bucket", |s| s.contains("KV_config bucket"));
    console.press("K");
    console.wait_for(WAIT, "the buckets view", |s| {
        s.contains("Key-value buckets (1)")
    });
    console
}

/// The console open on key `k` of bucket `config` (revisions 1 "v1" and 2 "v2").
pub(crate) async fn key_open(server: &NatsServer) -> (kv::Store, Console) {
    key_open_with(server, &[]).await
}

async fn key_open_with(server: &NatsServer, flags: &[&str]) -> (kv::Store, Console) {
    let store = config_bucket(server).await;
    store.put("k", "v1".into()).await.unwrap();
    store.put("k", "v2".into()).await.unwrap();
    let mut console = buckets_open(server, flags);
    console.press("\r");
    console.wait_for(WAIT, "the key", |s| any_line(s, &["k", "2"]));
    console.press("\r");
    console.wait_for(WAIT, "its history", |s| {
        s.contains("History (2 revisions kept)") && s.contains("2 (latest) · put")
    });
    (store, console)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_put_over_someone_elses_change_is_refused_in_the_servers_words() {
    let server = NatsServer::start().await.unwrap();
    let (store, mut console) = key_open(&server).await;
    console.press("p");
    console.wait_for(WAIT, "the value form", |s| {
        s.contains("Put a new value") && s.contains("expects revision 2")
    });
    // Another operator changes the key while this one types.
    store.put("k", "theirs".into()).await.unwrap();
    console.press("\x15mine\r"); // Ctrl-U clears the field first
    console.wait_for(WAIT, "the question", |s| {
        s.contains("Put 4 bytes at key k of config (expecting revision 2)?")
    });
    console.press("y");
    console.wait_for(WAIT, "the refusal", |s| {
        s.contains("refused") && s.contains("wrong last sequence")
    });
    let now = store.entry("k").await.unwrap().unwrap();
    assert_eq!((&now.value[..], now.revision), (&b"theirs"[..], 3));

    // Typed over the current revision, the put goes through and is checked.
    console.wait_for(WAIT, "the view following", |s| {
        s.contains("3 (latest) · put")
    });
    console.press("p");
    console.wait_for(WAIT, "the value form", |s| s.contains("expects revision 3"));
    console.press("\x15mine\r");
    console.wait_for(WAIT, "the question", |s| {
        s.contains("(expecting revision 3)?")
    });
    console.press("y");
    console.wait_for(WAIT, "the put, checked", |s| {
        s.contains("the server holds revision 4")
    });
    let now = store.entry("k").await.unwrap().unwrap();
    assert_eq!((&now.value[..], now.revision), (&b"mine"[..], 4));
}

#[tokio::test(flavor = "multi_thread")]
async fn revert_delete_and_purge_ask_and_are_checked_on_the_server() {
    let server = NatsServer::start().await.unwrap();
    let (store, mut console) = key_open(&server).await;
    // Revert to revision 1: ↑ chooses it, r asks, y goes.
    console.press("k");
    console.wait_for(WAIT, "revision 1", |s| s.contains("1 (earlier) · put"));
    console.press("r");
    console.wait_for(WAIT, "the question", |s| s.contains("Revert to revision 1"));
    console.press("y");
    console.wait_for(WAIT, "the revert, checked", |s| {
        s.contains("the server holds revision 3")
    });
    assert_eq!(&store.get("k").await.unwrap().unwrap()[..], b"v1");

    console.press("d");
    console.wait_for(WAIT, "the question", |s| s.contains("Delete key k"));
    console.press("n");
    console.wait_for(WAIT, "the question gone", |s| !s.contains("Delete key k"));
    assert_eq!(
        &store.get("k").await.unwrap().unwrap()[..],
        b"v1",
        "n kept it"
    );
    console.press("d");
    console.wait_for(WAIT, "the question", |s| s.contains("Delete key k"));
    console.press("y");
    console.wait_for(WAIT, "the delete, checked", |s| {
        s.contains("revision 4 (delete)")
    });
    let e = store.entry("k").await.unwrap().unwrap();
    assert_eq!(e.operation, kv::Operation::Delete);

    // The chosen revision stays chosen as the history is read again; G: the latest.
    console.press("G");
    console.wait_for(WAIT, "the latest, a delete", |s| {
        s.contains("4 (latest) · delete")
    });
    console.press("P");
    console.wait_for(WAIT, "the question", |s| {
        s.contains("Purge (every revision) of key k")
    });
    console.press("y");
    console.wait_for(WAIT, "the purge, checked", |s| s.contains("(purge)"));
    let mut history = store.history("k").await.unwrap();
    use futures::StreamExt;
    let only = history.next().await.unwrap().unwrap();
    assert_eq!(only.operation, kv::Operation::Purge);
    assert!(history.next().await.is_none(), "one marker left");
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_refuses_every_change_to_a_key() {
    let server = NatsServer::start().await.unwrap();
    let (store, mut console) = key_open_with(&server, &["--read-only"]).await;
    for (key, does) in [
        ("p", "put a new value"),
        ("d", "delete the key"),
        ("P", "purge the key"),
        ("r", "revert"),
    ] {
        console.press(key);
        console.wait_for(WAIT, "the refusal", |s| {
            s.contains("read-only, refused") && s.contains(does)
        });
    }
    let e = store.entry("k").await.unwrap().unwrap();
    assert_eq!(
        (&e.value[..], e.revision),
        (&b"v2"[..], 2),
        "nothing changed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_is_created_shown_first_and_deleted_by_typing_its_name() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(WAIT, "the console, connected", |s| {
        s.contains("Streams (0)")
    });
    console.press("K");
    console.wait_for(WAIT, "the buckets view", |s| {
        s.contains("Key-value buckets (0)")
    });
    console.press("c");
    console.wait_for(WAIT, "the name prompt", |s| s.contains("New bucket's name"));
    console.press("flags\r");
    console.wait_for(WAIT, "the settings, asked", |s| {
        s.contains("Create bucket flags (stream KV_flags)?") && s.contains("5 revisions kept")
    });
    console.press("y");
    console.wait_for(WAIT, "the create, checked", |s| {
        s.contains("bucket flags created; the server holds it")
    });
    let info = js.get_stream("KV_flags").await.unwrap();
    assert_eq!(info.cached_info().config.max_messages_per_subject, 5);
    console.wait_for(WAIT, "the bucket listed", |s| {
        s.contains("Key-value buckets (1)")
    });

    console.press("d");
    console.wait_for(WAIT, "the typed-name prompt", |s| {
        s.contains("type its name")
    });
    console.press("flag\r");
    console.wait_for(WAIT, "a wrong name refused", |s| {
        s.contains("type the bucket's name exactly: flags")
    });
    assert!(js.get_stream("KV_flags").await.is_ok(), "still there");
    console.press("s\r");
    console.wait_for(WAIT, "the delete, checked", |s| {
        s.contains("bucket flags deleted; the server no longer has it")
    });
    assert!(
        js.get_stream("KV_flags").await.is_err(),
        "gone on the server"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_refuses_creating_and_deleting_buckets() {
    let server = NatsServer::start().await.unwrap();
    let (_store, mut console) = key_open_with(&server, &["--read-only"]).await;
    // Back to the buckets view: Esc twice (each alone, waited for).
    console.press("\x1b");
    console.wait_for(WAIT, "the keys view", |s| s.contains("config · keys"));
    console.press("\x1b");
    console.wait_for(WAIT, "the buckets view", |s| !s.contains("config · keys"));
    for (key, does) in [("c", "create a bucket"), ("d", "delete the bucket")] {
        console.press(key);
        console.wait_for(WAIT, "the refusal", |s| {
            s.contains("read-only, refused") && s.contains(does)
        });
    }
    let js = raw(&server).await;
    assert!(js.get_stream("KV_config").await.is_ok(), "still there");
}
