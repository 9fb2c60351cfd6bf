//! Object stores against a real server: an object of 10 MB through put and save with its
//! digest, listing, and delete checked on the server.

use async_nats::jetstream::object_store;

use crate::common::{raw, start};

#[tokio::test]
async fn ten_megabytes_round_trip_through_put_and_save_with_the_digest() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    js.create_object_store(object_store::Config {
        bucket: "files".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(broker.object_stores().await.unwrap(), ["files"]);
    let dir = tempfile::tempdir().unwrap();
    let original: Vec<u8> = (0..10 * 1024 * 1024u32)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let source = dir.path().join("source.bin");
    std::fs::write(&source, &original).unwrap();

    let put = broker
        .put_object("files", "big.bin", &source)
        .await
        .expect("put");
    assert_eq!(put.size, original.len());
    assert!(put.chunks > 1, "{put:?}");
    let digest = put.digest.clone().expect("a digest");
    assert!(digest.starts_with("SHA-256="), "{digest}");
    // What the server holds, seen from outside the broker.
    let held = js.get_object_store("files").await.unwrap();
    assert_eq!(
        held.info("big.bin").await.unwrap().digest,
        Some(digest.clone())
    );

    let listed = broker.objects("files").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].name.as_str(), listed[0].size),
        ("big.bin", original.len())
    );

    let saved = dir.path().join("saved.bin");
    let got = broker
        .save_object("files", "big.bin", &saved)
        .await
        .expect("save");
    assert_eq!(got.digest, Some(digest));
    assert!(std::fs::read(&saved).unwrap() == original, "the same bytes");

    broker
        .delete_object("files", "big.bin")
        .await
        .expect("delete");
    assert!(broker.objects("files").await.unwrap().is_empty());
    let gone = broker.save_object("files", "big.bin", &saved).await;
    assert!(gone.is_err(), "{gone:?}");
}

/// Without permission the server answers nothing (async-nats would report a timeout):
/// the error names the refusal and the subject.
#[tokio::test]
async fn a_listing_the_user_may_not_make_is_a_permission_denial_not_a_timeout() {
    use jetdeck::broker::ObjectError;
    let (_server, admin, broker) = crate::common::viewer_server().await;
    let store = admin
        .create_object_store(object_store::Config {
            bucket: "docs".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    store.put("a.txt", &mut &b"hello"[..]).await.unwrap();
    let e = broker.objects("docs").await.unwrap_err();
    assert!(
        matches!(&e, ObjectError::Denied { store, subject }
            if store == "docs" && subject.contains("OBJ_docs")),
        "{e:?}"
    );
    assert!(e.to_string().contains("permission denied"), "{e}");
    let e = broker.delete_object("docs", "a.txt").await.unwrap_err();
    assert!(matches!(&e, ObjectError::Denied { .. }), "{e:?}");
}
