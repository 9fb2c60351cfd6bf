//! The diagnosis against a real server: each condition set up for real, collected with
//! the engine and diagnosed; the outstanding messages read by sequence; and
//! `jetdeck doctor --json` exit statuses.

use std::time::{Duration, SystemTime};

use async_nats::jetstream::{self, consumer, stream};
use futures::StreamExt;
use jetdeck::broker::{Broker, ServerVersion, SubscribeOptions};
use jetdeck::deadletters::{self, CAPTURE_STREAM, CaptureConfig, Filter};
use jetdeck::diagnosis::{
    self, ConsumerFacts, Finding, History, Kind, LIMITS_NOTE, Severity, collect, diagnose,
};

use crate::common::{eventually, raw, start};

const WITHIN: Duration = Duration::from_secs(20);

/// Stream `name` on `<lower name>.>` with `count` messages on `<lower>.<sub>`.
async fn filled(js: &jetstream::Context, name: &str, subs: &[(&str, usize)]) -> stream::Stream {
    let lower = name.to_lowercase();
    let s = js
        .create_stream(stream::Config {
            name: name.into(),
            subjects: vec![format!("{lower}.>")],
            ..Default::default()
        })
        .await
        .expect("create stream");
    for (sub, count) in subs {
        for i in 0..*count {
            js.publish(format!("{lower}.{sub}"), format!("m{i}").into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
    }
    s
}

async fn facts(broker: &Broker, stream: &str, consumer: &str) -> ConsumerFacts {
    let s = broker.stream_info(stream).await.unwrap();
    let c = broker.consumer_info(stream, consumer).await.unwrap();
    collect(broker, &s, &c, None).await.unwrap()
}

fn only(findings: &[Finding], kind: Kind) -> &Finding {
    findings
        .iter()
        .find(|f| f.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {findings:#?}"))
}

fn says(finding: &Finding, parts: &[&str]) {
    let all = format!(
        "{} {}",
        finding.sentence,
        finding.action.clone().unwrap_or_default()
    );
    for part in parts {
        assert!(all.contains(part), "{part:?} not in {all:?}");
    }
}

async fn pull(
    js: &jetstream::Context,
    stream: &str,
    config: consumer::pull::Config,
) -> consumer::PullConsumer {
    js.get_stream(stream)
        .await
        .unwrap()
        .create_consumer(config)
        .await
        .unwrap()
}

/// Fetches up to `n` messages and does not settle them.
async fn fetch_unacked(c: &consumer::PullConsumer, n: usize) -> usize {
    let mut batch = c
        .fetch()
        .max_messages(n)
        .expires(Duration::from_secs(2))
        .messages()
        .await
        .unwrap();
    let mut got = 0;
    while let Some(m) = batch.next().await {
        m.unwrap();
        got += 1;
    }
    got
}

#[tokio::test]
async fn stalled_at_max_ack_pending_and_its_outstanding_messages() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    filled(&js, "ORDERS", &[("billing", 5)]).await;
    let c = pull(
        &js,
        "ORDERS",
        consumer::pull::Config {
            durable_name: Some("billing".into()),
            max_ack_pending: 2,
            ack_wait: Duration::from_secs(120),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(fetch_unacked(&c, 2).await, 2);
    let f = facts(&broker, "ORDERS", "billing").await;
    let findings = diagnose(&f, &History::default(), f.taken_at);
    assert_eq!(findings[0].kind, Kind::Stalled, "{findings:#?}");
    assert_eq!(findings[0].severity, Severity::Problem);
    says(
        &findings[0],
        &[
            "2 messages",
            "max ack pending (2)",
            "3 pending",
            "raise max ack pending",
        ],
    );

    let page = diagnosis::outstanding(&broker, "ORDERS", "billing", None, 10, &Default::default())
        .await
        .unwrap();
    let seqs: Vec<u64> = page.messages.iter().map(|m| m.message.sequence).collect();
    assert_eq!(seqs, [1, 2]);
    assert_eq!(
        (page.ack_floor, page.last_delivered, page.next),
        (0, 2, None)
    );
    assert_eq!(page.note, Some(LIMITS_NOTE));
    let first = diagnosis::outstanding(&broker, "ORDERS", "billing", None, 1, &Default::default())
        .await
        .unwrap();
    assert_eq!((first.messages.len(), first.next), (1, Some(2)));
}

#[tokio::test]
async fn nobody_pulling() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    filled(&js, "JOBS", &[("a", 3)]).await;
    pull(
        &js,
        "JOBS",
        consumer::pull::Config {
            durable_name: Some("idle".into()),
            ..Default::default()
        },
    )
    .await;
    let f = facts(&broker, "JOBS", "idle").await;
    // Right away it is not said: a worker may just be starting.
    assert_eq!(
        diagnose(&f, &History::default(), f.taken_at)[0].kind,
        Kind::Healthy
    );
    // The same numbers twenty seconds (four fetch waits) on.
    let later = f.taken_at + Duration::from_secs(20);
    let findings = diagnose(&f, &History::default(), later);
    says(
        only(&findings, Kind::NoWorker),
        &[
            "3 messages pending",
            "never delivered",
            "no worker is pulling",
        ],
    );
}

#[tokio::test]
async fn filter_with_a_typo_names_the_closest_subject() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    filled(&js, "ORDERS", &[("billing", 3), ("shipping", 2)]).await;
    pull(
        &js,
        "ORDERS",
        consumer::pull::Config {
            durable_name: Some("typo".into()),
            filter_subject: "orders.bilingg".into(),
            ..Default::default()
        },
    )
    .await;
    let f = facts(&broker, "ORDERS", "typo").await;
    let findings = diagnose(&f, &History::default(), f.taken_at);
    let found = only(&findings, Kind::NoMatch);
    says(
        found,
        &[
            "`orders.bilingg`",
            "`orders.billing` (3 msgs)",
            "2 subjects",
        ],
    );
    assert!(
        found.sentence.find("orders.billing`").unwrap()
            < found.sentence.find("orders.shipping").unwrap_or(usize::MAX)
    );
    // A right filter costs no subjects request and says nothing.
    pull(
        &js,
        "ORDERS",
        consumer::pull::Config {
            durable_name: Some("right".into()),
            filter_subject: "orders.billing".into(),
            ..Default::default()
        },
    )
    .await;
    let f = facts(&broker, "ORDERS", "right").await;
    assert_eq!(f.stored_subjects, None);
}

#[tokio::test]
async fn messages_out_of_deliveries_from_the_capture_stream() {
    let (_server, broker) = start().await;
    deadletters::ensure_capture(&broker, &CaptureConfig::default())
        .await
        .unwrap();
    let _sub = broker
        .subscribe(
            "flaky.work",
            |_| async { Err("always fails".into()) },
            SubscribeOptions::queue("flaky").max_deliver(2),
        )
        .await
        .unwrap();
    broker
        .publish("flaky.work", jetdeck::broker::Message::new("x"))
        .await
        .unwrap();
    let filter = Filter::default();
    let counts = eventually(WITHIN, "a MAX_DELIVERIES advisory captured", || async {
        let counts = diagnosis::dead_letter_counts(&broker, CAPTURE_STREAM, &filter)
            .await
            .unwrap()
            .unwrap();
        (!counts.is_empty()).then_some(counts)
    })
    .await;
    let stream = counts.keys().next().unwrap().0.clone();
    let s = broker.stream_info(&stream).await.unwrap();
    let c = broker.consumer_info(&stream, "flaky").await.unwrap();
    let f = collect(&broker, &s, &c, Some(&counts)).await.unwrap();
    let findings = diagnose(&f, &History::default(), f.taken_at);
    says(
        only(&findings, Kind::DeadLetters),
        &[
            "1 messages ran out of deliveries (max deliver 2)",
            "jetdeck dead-letters list",
        ],
    );
}

#[tokio::test]
async fn redelivering_when_the_ack_wait_expires() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    filled(&js, "SLOW", &[("a", 4)]).await;
    let c = pull(
        &js,
        "SLOW",
        consumer::pull::Config {
            durable_name: Some("slow".into()),
            ack_wait: Duration::from_secs(1),
            ..Default::default()
        },
    )
    .await;
    let mut history = History::default();
    history.push(facts(&broker, "SLOW", "slow").await.sample());
    assert_eq!(fetch_unacked(&c, 4).await, 4);
    // After the ack wait the same four come again: redeliveries, no nak.
    eventually(WITHIN, "four redeliveries", || async {
        (fetch_unacked(&c, 4).await == 4).then_some(())
    })
    .await;
    let f = facts(&broker, "SLOW", "slow").await;
    let findings = diagnose(&f, &history, f.taken_at);
    says(
        only(&findings, Kind::Redelivering),
        &[
            "4 of the last 8 deliveries (50%)",
            "ack wait (1s)",
            "in-progress",
        ],
    );
}

#[tokio::test]
async fn paused_until_a_time() {
    let (server, broker) = start().await;
    let version = ServerVersion::of(&broker.server_info().unwrap()).unwrap();
    if !version.supports_consumer_pause() {
        eprintln!(
            "nats-server {version:?} cannot pause consumers (2.11+): checking that no pause is claimed"
        );
    }
    let js = raw(&server).await;
    filled(&js, "HELD", &[("a", 2)]).await;
    let until = SystemTime::now() + Duration::from_secs(3600);
    pull(
        &js,
        "HELD",
        consumer::pull::Config {
            durable_name: Some("held".into()),
            pause_until: version.supports_consumer_pause().then(|| until.into()),
            ..Default::default()
        },
    )
    .await;
    let f = facts(&broker, "HELD", "held").await;
    let findings = diagnose(&f, &History::default(), f.taken_at);
    if version.supports_consumer_pause() {
        says(
            only(&findings, Kind::Paused),
            &["paused until", "(in 59m", "2 pending"],
        );
    } else {
        assert!(findings.iter().all(|f| f.kind != Kind::Paused));
    }
}

#[tokio::test]
async fn push_consumer_without_a_subscriber() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    let s = filled(&js, "PUSHED", &[("a", 3)]).await;
    s.create_consumer(consumer::push::Config {
        durable_name: Some("pushed".into()),
        deliver_subject: "deliver.pushed".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let f = facts(&broker, "PUSHED", "pushed").await;
    let findings = diagnose(&f, &History::default(), f.taken_at);
    let found = only(&findings, Kind::NoSubscriber);
    assert_eq!(found.severity, Severity::Problem);
    says(found, &["3 messages pending"]);
}

#[cfg(feature = "console")]
mod command {
    use std::process::{Command, Output};

    use jetdeck::server::NatsServer;

    use super::*;

    fn doctor(server: &NatsServer, extra: &[&str]) -> Output {
        let log = tempfile::NamedTempFile::new().unwrap();
        Command::new(env!("CARGO_BIN_EXE_jetdeck"))
            .args([
                "doctor",
                "--server",
                &server.url(),
                "--interval",
                "0s",
                "--json",
            ])
            .args(extra)
            .arg("--log-file")
            .arg(log.path())
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .env_remove("NATS_URL")
            .env_remove("NATS_CONTEXT")
            .output()
            .expect("run jetdeck doctor")
    }

    fn json(out: &Output) -> serde_json::Value {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    #[tokio::test]
    async fn doctor_json_exit_statuses() {
        let server = NatsServer::start().await.unwrap();
        let js = raw(&server).await;
        filled(&js, "FINE", &[("a", 0)]).await;
        pull(
            &js,
            "FINE",
            consumer::pull::Config {
                durable_name: Some("fine".into()),
                ..Default::default()
            },
        )
        .await;
        let out = doctor(&server, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(json(&out)["consumers"][0]["marker"], "healthy");

        filled(&js, "ORDERS", &[("billing", 3)]).await;
        let c = pull(
            &js,
            "ORDERS",
            consumer::pull::Config {
                durable_name: Some("billing".into()),
                max_ack_pending: 2,
                ack_wait: Duration::from_secs(120),
                ..Default::default()
            },
        )
        .await;
        fetch_unacked(&c, 2).await;
        let out = doctor(&server, &[]);
        assert_eq!(out.status.code(), Some(1));
        let report = json(&out);
        assert_eq!(report["problems"], 1);
        let stalled = report["consumers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["consumer"] == "billing")
            .unwrap();
        assert_eq!(stalled["marker"], "stalled");
        assert_eq!(stalled["findings"][0]["severity"], "problem");
        // Only the healthy stream: 0 again.
        assert_eq!(
            doctor(&server, &["--stream", "FINE"]).status.code(),
            Some(0)
        );
        // A stream that is not there: the diagnosis failed, 2.
        assert_eq!(
            doctor(&server, &["--stream", "NOPE"]).status.code(),
            Some(2)
        );
    }

    #[tokio::test]
    async fn doctor_text_groups_findings_by_stream() {
        let server = NatsServer::start().await.unwrap();
        let js = raw(&server).await;
        filled(&js, "ORDERS", &[("billing", 5), ("shipping", 2)]).await;
        let stuck = pull(
            &js,
            "ORDERS",
            consumer::pull::Config {
                durable_name: Some("billing".into()),
                filter_subject: "orders.billing".into(),
                max_ack_pending: 2,
                ack_wait: Duration::from_secs(120),
                ..Default::default()
            },
        )
        .await;
        fetch_unacked(&stuck, 2).await;
        pull(
            &js,
            "ORDERS",
            consumer::pull::Config {
                durable_name: Some("shipping".into()),
                filter_subject: "orders.shiping".into(),
                ..Default::default()
            },
        )
        .await;
        filled(&js, "AUDIT", &[("log", 0)]).await;
        pull(
            &js,
            "AUDIT",
            consumer::pull::Config {
                durable_name: Some("archiver".into()),
                ..Default::default()
            },
        )
        .await;
        let log = tempfile::NamedTempFile::new().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_jetdeck"))
            .args(["doctor", "--server", &server.url(), "--interval", "0s"])
            .arg("--log-file")
            .arg(log.path())
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        println!("{text}");
        assert_eq!(out.status.code(), Some(1), "{text}");
        let audit = text.find("Stream AUDIT").expect("AUDIT group");
        let orders = text.find("Stream ORDERS").expect("ORDERS group");
        let healthy = text.find("archiver").unwrap();
        let stalled = text
            .find("billing              stalled")
            .expect("stalled line");
        let typo = text
            .find("shipping             no match")
            .expect("no match line");
        assert!(audit < healthy && healthy < orders && orders < stalled && orders < typo);
        assert!(text.contains("`orders.shipping` (2 msgs)"), "{text}");
        assert!(
            text.contains("3 consumers: 1 problem, 1 warning."),
            "{text}"
        );
    }
}

/// `backlog stuck`: 1,100 pending and the ack floor still. The condition is real on the
/// server (the floor does not move between two looks); the five minutes are the
/// history's: its first sample is dated 301 s back, the clock the rule reads. Once one
/// message is acked the floor moves and the finding goes.
#[tokio::test]
async fn backlog_stuck_when_the_ack_floor_stays_under_a_large_backlog() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    filled(&js, "BACKLOG", &[("job", 1100)]).await;
    let c = pull(
        &js,
        "BACKLOG",
        consumer::pull::Config {
            durable_name: Some("stuck".into()),
            ack_wait: Duration::from_secs(120),
            ..Default::default()
        },
    )
    .await;
    let mut first = facts(&broker, "BACKLOG", "stuck").await.sample();
    first.at -= diagnosis::BACKLOG_STILL + Duration::from_secs(1);
    let mut history = History::default();
    history.push(first);
    // A worker takes one message and never settles it: the floor stays at 0.
    let mut batch = c
        .fetch()
        .max_messages(1)
        .expires(Duration::from_secs(2))
        .messages()
        .await
        .unwrap();
    let held = batch.next().await.expect("a delivery").unwrap();
    let f = facts(&broker, "BACKLOG", "stuck").await;
    assert_eq!((f.num_pending, f.ack_floor_stream_seq), (1099, 0));
    let findings = diagnose(&f, &history, f.taken_at);
    let stuck = only(&findings, Kind::BacklogStuck);
    assert_eq!(stuck.severity, Severity::Problem);
    says(
        stuck,
        &["1099 messages pending", "stayed at stream seq 0", "5m"],
    );
    held.double_ack().await.unwrap();
    let f = facts(&broker, "BACKLOG", "stuck").await;
    assert_eq!(f.ack_floor_stream_seq, 1);
    let findings = diagnose(&f, &history, f.taken_at);
    assert!(
        findings.iter().all(|x| x.kind != Kind::BacklogStuck),
        "{findings:#?}"
    );
}

/// `expiring`: an ephemeral consumer with a 6 s inactive threshold that nobody pulls
/// from is said to expire once idle for half of it, before the server deletes it.
#[tokio::test]
async fn an_ephemeral_consumer_nobody_pulls_from_is_expiring() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    filled(&js, "EPH", &[("a", 2)]).await;
    pull(
        &js,
        "EPH",
        consumer::pull::Config {
            name: Some("temp".into()),
            inactive_threshold: Duration::from_secs(6),
            ..Default::default()
        },
    )
    .await;
    let f = facts(&broker, "EPH", "temp").await;
    assert!(!f.durable);
    let fresh = diagnose(&f, &History::default(), f.taken_at);
    assert!(fresh.iter().all(|x| x.kind != Kind::Expiring), "{fresh:#?}");
    let expiring = eventually(Duration::from_secs(5), "the expiring finding", || async {
        let f = facts(&broker, "EPH", "temp").await;
        diagnose(&f, &History::default(), f.taken_at)
            .into_iter()
            .find(|x| x.kind == Kind::Expiring)
    })
    .await;
    says(
        &expiring,
        &["Ephemeral consumer idle for", "6s inactive threshold"],
    );
    // The server does delete it: the finding said what would happen.
    eventually(Duration::from_secs(10), "the consumer deleted", || async {
        broker.consumer_info("EPH", "temp").await.err()
    })
    .await;
}

/// In a cluster. `lagging` is set up for real: one of three nodes of an R3 consumer is
/// killed, and the leader reports that replica not current (after the server's own
/// ~10 s), which the diagnosis says with the node's name. `no leader` cannot be set up
/// so that the diagnosis sees it: with two of three nodes stopped the survivor answers
/// consumer info with a timeout, then 503 "JetStream system temporarily unavailable"
/// (the meta group has no quorum either), so there are no facts to diagnose; that case
/// stays unit-tested (rules_tests.rs).
mod cluster {
    use std::time::Duration;

    use async_nats::jetstream::{consumer, stream};
    use jetdeck::broker::{Broker, BrokerOptions};
    use jetdeck::diagnosis::{Kind, Severity, diagnose};
    use jetdeck::server::NatsCluster;

    use super::{History, facts, says};
    use crate::common::eventually;

    #[tokio::test]
    async fn a_replica_on_a_stopped_node_is_lagging() {
        let mut cluster = NatsCluster::start(3).await.unwrap();
        let mut names = Vec::new();
        for node in &cluster.nodes {
            let b = Broker::new(BrokerOptions::default().addrs(vec![node.url()]));
            b.connect().await.unwrap();
            names.push(b.server_info().unwrap().server_name.clone());
            b.disconnect().await.unwrap();
        }
        let broker = Broker::new(BrokerOptions::default().addrs(vec![cluster.nodes[0].url()]));
        broker.connect().await.unwrap();
        let js =
            async_nats::jetstream::new(async_nats::connect(cluster.nodes[0].url()).await.unwrap());
        let s = js
            .create_stream(stream::Config {
                name: "R3".into(),
                subjects: vec!["r3.>".into()],
                num_replicas: 3,
                ..Default::default()
            })
            .await
            .unwrap();
        s.create_consumer(consumer::pull::Config {
            durable_name: Some("replicated".into()),
            num_replicas: 3,
            ..Default::default()
        })
        .await
        .unwrap();
        // Just made, a replica may still be catching up: wait until all are current.
        eventually(Duration::from_secs(20), "every replica current", || async {
            let f = facts(&broker, "R3", "replicated").await;
            let findings = diagnose(&f, &History::default(), f.taken_at);
            (f.replicas.len() == 2 && findings.iter().all(|x| x.kind != Kind::Lagging))
                .then_some(())
        })
        .await;
        cluster.nodes[2].kill();
        let lagging = eventually(Duration::from_secs(40), "the lagging finding", || async {
            let f = broker.consumer_info("R3", "replicated").await.ok()?;
            let s = broker.stream_info("R3").await.ok()?;
            let f = jetdeck::diagnosis::collect(&broker, &s, &f, None)
                .await
                .ok()?;
            diagnose(&f, &History::default(), f.taken_at)
                .into_iter()
                .find(|x| x.kind == Kind::Lagging)
        })
        .await;
        assert_eq!(lagging.severity, Severity::Warning);
        says(
            &lagging,
            &["Replicas of the consumer are behind its leader", &names[2]],
        );
    }
}
