//! What a refresh costs on an account with more streams than one listing page: the names
//! once, then only the infos around the selection, whatever the account holds.

use std::time::Duration;

use async_nats::jetstream::stream;
use jetdeck::console::catalog::{AROUND, Catalog, LIST_PAGE};
use jetdeck::console::collector::{Wanted, refresh};
use jetdeck::console::rates::RateBook;
use jetdeck::server::NatsServer;

use crate::common::{broker_for, raw};

/// 300 streams: more than one page of infos (256), so the console reads a window.
const STREAMS: usize = 300;

async fn many_streams(server: &NatsServer) -> Vec<String> {
    let js = raw(server).await;
    let names: Vec<String> = (0..STREAMS).map(|i| format!("S{i:03}")).collect();
    for chunk in names.chunks(50) {
        let creates = chunk.iter().map(|name| {
            js.create_stream(stream::Config {
                name: name.clone(),
                subjects: vec![format!("{name}.>")],
                storage: stream::StorageType::Memory,
                ..Default::default()
            })
        });
        for created in futures::future::join_all(creates).await {
            created.expect("create stream");
        }
    }
    js.publish("S280.x", "one".into())
        .await
        .unwrap()
        .await
        .unwrap();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_account_costs_the_rows_around_the_selection_not_every_stream() {
    let server = NatsServer::start().await.unwrap();
    let names = many_streams(&server).await;
    let broker = broker_for(&server.url());
    broker.connect().await.unwrap();
    let mut catalog = Catalog::default();
    let mut book = RateBook::new(Duration::from_secs(1));
    // The selection on S280: the rows AROUND either side of it.
    let around: Vec<String> = names[280 - AROUND..STREAMS].to_vec();
    let wanted = || Wanted {
        selected: Some("S280".to_string()),
        around: &around,
    };

    let first = refresh(&broker, &mut catalog, wanted(), &mut book)
        .await
        .unwrap();
    // Account info, the names (one page of 1,024), one page of infos, the consumers.
    assert_eq!(first.requests, 4);
    assert!(!first.streams_complete);
    assert_eq!(first.stream_names.len(), STREAMS);
    assert_eq!(&*first.stream_names, names.as_slice());
    // The page read from the first wanted row's place in the server's order holds
    // exactly the rows wanted onwards: the server lists by name, as the pane does.
    let read: Vec<&str> = first.streams.iter().map(|s| s.name()).collect();
    assert!(read.len() <= LIST_PAGE);
    for name in &around {
        assert!(read.contains(&name.as_str()), "{name} not read");
    }
    let s280 = first.streams.iter().find(|s| s.name() == "S280").unwrap();
    assert_eq!(s280.info.state.messages, 1);
    assert!(
        !read.contains(&"S000"),
        "a row far from the selection was read"
    );

    // The next refreshes do not list the names again.
    let second = refresh(&broker, &mut catalog, wanted(), &mut book)
        .await
        .unwrap();
    assert_eq!(second.requests, 3);

    // A new stream changes the account's count: the names are listed again at once.
    raw(&server)
        .await
        .create_stream(stream::Config {
            name: "S300".into(),
            storage: stream::StorageType::Memory,
            ..Default::default()
        })
        .await
        .unwrap();
    let third = refresh(&broker, &mut catalog, wanted(), &mut book)
        .await
        .unwrap();
    assert_eq!(third.requests, 4);
    assert_eq!(third.stream_names.len(), STREAMS + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_small_account_is_read_whole_in_one_request() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    for name in ["A", "B", "C"] {
        js.create_stream(stream::Config {
            name: name.into(),
            storage: stream::StorageType::Memory,
            ..Default::default()
        })
        .await
        .unwrap();
    }
    let broker = broker_for(&server.url());
    broker.connect().await.unwrap();
    let mut catalog = Catalog::default();
    let mut book = RateBook::new(Duration::from_secs(1));
    let wanted = Wanted {
        selected: None,
        around: &[],
    };
    let s = refresh(&broker, &mut catalog, wanted, &mut book)
        .await
        .unwrap();
    // Account info and one page of every info; no stream selected, no consumers asked.
    assert_eq!(s.requests, 2);
    assert!(s.streams_complete);
    assert_eq!(s.streams.len(), 3);
}
