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
