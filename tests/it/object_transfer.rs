//! Object transfers with progress against a real server: the progress reaches the whole
//! size, a digest that does not match is an error and leaves no file, and an existing file
//! is only written over when asked.

use async_nats::jetstream::object_store;
use base64::Engine;

use crate::common::{raw, start};

#[tokio::test]
async fn progress_reaches_the_size_and_a_wrong_digest_leaves_no_file() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    let store = js
        .create_object_store(object_store::Config {
            bucket: "files".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let original: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let source = dir.path().join("source.bin");
    std::fs::write(&source, &original).unwrap();

    let mut sent = Vec::new();
    let put = broker
        .put_object_with_progress("files", "blob", &source, |done| sent.push(done))
        .await
        .expect("put");
    assert_eq!(sent.last().copied(), Some(original.len() as u64));
    assert!(sent.len() > 1 && sent.is_sorted(), "{sent:?}");
    assert_eq!(put.digest, store.info("blob").await.unwrap().digest);

    let saved = dir.path().join("saved.bin");
    let mut seen = Vec::new();
    broker
        .save_object_with_progress("files", "blob", &saved, false, |d, t| seen.push((d, t)))
        .await
        .expect("save");
    assert_eq!(std::fs::read(&saved).unwrap(), original);
    let total = original.len() as u64;
    assert_eq!(seen.last().copied(), Some((total, total)));

    // Not over an existing file unasked; over it when asked.
    let again = broker
        .save_object_with_progress("files", "blob", &saved, false, |_, _| {})
        .await;
    assert!(again.unwrap_err().to_string().contains("exists"));
    broker
        .save_object_with_progress("files", "blob", &saved, true, |_, _| {})
        .await
        .expect("save over");

    // The metadata now claims another digest: the save fails and leaves no file.
    let mut info = store.info("blob").await.unwrap();
    info.digest = Some(format!(
        "SHA-256={}",
        base64::engine::general_purpose::URL_SAFE.encode([0u8; 32])
    ));
    let subject = format!(
        "$O.files.M.{}",
        base64::engine::general_purpose::URL_SAFE.encode("blob")
    );
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Rollup", "sub");
    js.publish_with_headers(subject, headers, serde_json::to_vec(&info).unwrap().into())
        .await
        .unwrap()
        .await
        .unwrap();
    let bad = dir.path().join("bad.bin");
    let refused = broker
        .save_object_with_progress("files", "blob", &bad, false, |_, _| {})
        .await;
    let said = refused.unwrap_err().to_string();
    assert!(said.contains("digest"), "{said}");
    assert!(!bad.exists(), "the partial file is removed");
}
