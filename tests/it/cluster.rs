use async_nats::jetstream::stream;
use jetdeck::broker::{Broker, BrokerOptions, Message};
use jetdeck::server::NatsCluster;

#[tokio::test]
async fn a_three_node_cluster_serves_replicated_streams() {
    let cluster = NatsCluster::start(3).await.unwrap();
    assert_eq!(cluster.nodes.len(), 3);
    let broker = Broker::new(
        BrokerOptions::default()
            .addrs(cluster.urls())
            .stream_config(stream::Config {
                retention: stream::RetentionPolicy::WorkQueue,
                num_replicas: 3,
                ..Default::default()
            }),
    );
    broker.connect().await.unwrap();
    let ack = broker
        .publish("orders.created", Message::new("replicated"))
        .await
        .unwrap();
    assert_eq!((ack.stream.as_str(), ack.sequence), ("ORDERS", 1));
    let info = broker.stream_info("ORDERS").await.unwrap();
    assert_eq!(info.config.num_replicas, 3);
    let cluster_info = info.cluster.expect("cluster info");
    assert!(cluster_info.leader.is_some());
    assert_eq!(cluster_info.replicas.len(), 2);
}

#[tokio::test]
async fn losing_the_connected_node_mid_run_loses_nothing() {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use jetdeck::broker::SubscribeOptions;

    let mut cluster = NatsCluster::start(3).await.unwrap();
    let broker = Broker::new(
        BrokerOptions::default()
            .addrs(cluster.urls())
            .fetch_wait(Duration::from_millis(500))
            .stream_config(stream::Config {
                retention: stream::RetentionPolicy::WorkQueue,
                num_replicas: 3,
                ..Default::default()
            }),
    );
    broker.connect().await.unwrap();
    let (_sub, mut rx) = crate::common::forward(
        &broker,
        "orders.created",
        SubscribeOptions::queue("survivor"),
        crate::common::body,
    )
    .await;
    let within = Duration::from_secs(60);
    for i in 0..10 {
        broker
            .publish("orders.created", Message::new(format!("m{i}")))
            .await
            .unwrap();
    }
    // Kill the member this client is connected to.
    let port = broker.server_info().unwrap().port;
    let node = cluster
        .nodes
        .iter_mut()
        .find(|n| n.port() == port)
        .expect("connected to a member");
    node.kill();
    for i in 10..20 {
        crate::common::eventually(within, "a publish after the node died", || async {
            broker
                .publish("orders.created", Message::new(format!("m{i}")))
                .await
                .ok()
        })
        .await;
    }
    let mut seen = BTreeSet::new();
    while seen.len() < 20 {
        seen.extend(crate::common::recv_n(&mut rx, 1, within).await);
    }
    assert_eq!(
        seen,
        (0..20).map(|i| format!("m{i}")).collect::<BTreeSet<_>>()
    );
    assert_ne!(
        broker.server_info().unwrap().port,
        port,
        "moved to another member"
    );
}

#[cfg(feature = "console")] // it runs the jetdeck binary
#[tokio::test]
async fn validate_succeeds_with_a_seed_list() {
    let cluster = NatsCluster::start(3).await.unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jetdeck"))
        .args([
            "validate",
            "--server",
            &cluster.urls().join(","),
            "--log-file",
        ])
        .arg(tempfile::tempdir().unwrap().path().join("v.log"))
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Validation passed: 5 of 5"));
}
