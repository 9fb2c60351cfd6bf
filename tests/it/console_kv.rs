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
        s.contains("Keys of config (1)") && any_line(s, &["app.theme", "1"]) && s.contains("put")
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
