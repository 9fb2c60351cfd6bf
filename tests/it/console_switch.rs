//! Switching context without quitting (`X`, issue 15), against two real servers named by
//! two natscli contexts in a temporary XDG_CONFIG_HOME.

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use futures::StreamExt;

use jetdeck::server::NatsServer;

use crate::common::{eventually, raw, work_stream};
use crate::pty::Console;

const WAIT: Duration = Duration::from_secs(10);

fn write_context(config: &std::path::Path, name: &str, url: &str) {
    let dir = config.join("nats").join("context");
    std::fs::create_dir_all(&dir).unwrap();
    let body = format!(r#"{{"url":"{url}"}}"#);
    std::fs::write(dir.join(format!("{name}.json")), body).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_context_detaches_naks_held_messages_and_refills_from_the_other_server() {
    let first = NatsServer::start().await.unwrap();
    let second = NatsServer::start().await.unwrap();
    let js = work_stream(&first, Duration::from_secs(60)).await;
    for i in 1..=3 {
        js.publish(format!("work.{i}"), format!("job {i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    raw(&second)
        .await
        .create_stream(stream::Config {
            name: "OTHER".into(),
            subjects: vec!["other.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let config = tempfile::tempdir().unwrap();
    write_context(config.path(), "alpha", &first.url());
    write_context(config.path(), "beta", &second.url());
    let mut console = Console::start_with_env(
        &["--context", "alpha"],
        &[("XDG_CONFIG_HOME", config.path())],
    );
    console.wait_for(WAIT, "WORK on alpha", |s| {
        s.contains("WORK") && s.contains("context alpha")
    });
    console.press("\t");
    console.wait_for(WAIT, "the consumer", |s| s.contains("ops"));
    console.press("s");
    console.wait_for(WAIT, "attached", |s| s.contains("attached to WORK/ops"));
    console.press("f");
    console.wait_for(WAIT, "three held", |s| s.contains("pulled 3"));
    let pending = || {
        let js = js.clone();
        async move {
            let mut c: jetstream::consumer::PullConsumer =
                js.get_consumer_from_stream("ops", "WORK").await.ok()?;
            Some(c.info().await.ok()?.num_ack_pending)
        }
    };
    assert_eq!(pending().await, Some(3), "held by the console");
    console.press("X");
    console.wait_for(WAIT, "the contexts", |s| {
        s.contains("Switch context") && s.contains("alpha  (active") && s.contains("beta")
    });
    console.press("j");
    console.press("\r");
    let screen = console.wait_for(WAIT, "OTHER on beta", |s| {
        s.contains("OTHER") && s.contains("context beta") && !s.contains("WORK")
    });
    assert!(
        screen.contains("now on context beta") && screen.contains("3 held message(s) nak'd"),
        "{screen}"
    );
    assert!(
        screen.contains(&second.url()),
        "the header names the new server:\n{screen}"
    );
    // Checked on the first server: the held messages went back at once (nak'd), not
    // after the 60 s ack wait: another client is delivered all three again now. (A nak
    // leaves them counted in num_ack_pending until they are redelivered.)
    let ops: jetstream::consumer::PullConsumer =
        js.get_consumer_from_stream("ops", "WORK").await.unwrap();
    let again = eventually(WAIT, "the three held messages back", || async {
        let mut batch = ops
            .fetch()
            .max_messages(3)
            .expires(Duration::from_millis(500))
            .messages()
            .await
            .ok()?;
        let mut redelivered = 0;
        while let Some(Ok(message)) = batch.next().await {
            if message.info().ok()?.delivered == 2 {
                redelivered += 1;
            }
            message.ack().await.ok()?;
        }
        (redelivered == 3).then_some(redelivered)
    })
    .await;
    assert_eq!(again, 3);
    eventually(WAIT, "ack pending 0 on the first server", || {
        let pending = pending();
        async move { (pending.await? == 0).then_some(()) }
    })
    .await;
    // And back: the first server's stream shows again, nothing attached.
    console.press("X");
    console.wait_for(WAIT, "the contexts again", |s| s.contains("beta  (active"));
    console.press("k");
    console.press("\r");
    console.wait_for(WAIT, "WORK on alpha again", |s| {
        s.contains("WORK") && s.contains("context alpha") && !s.contains("OTHER")
    });
}
