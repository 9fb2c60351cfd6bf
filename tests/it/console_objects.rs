//! Object stores in the real console binary, in a pseudo-terminal, against a real server
//! (issue 16): a store made from outside with a 10 MB object appears (its stream marked);
//! the object is saved to a file (digest checked, the same bytes), a file is put and
//! checked from outside (its digest), an object is deleted and gone from the server, and
//! read-only refuses put and delete.

use std::time::Duration;

use async_nats::jetstream::object_store;

use jetdeck::server::NatsServer;

use crate::common::raw;
use crate::pty::{Console, any_line};

const WAIT: Duration = Duration::from_secs(20);

fn ten_megabytes() -> Vec<u8> {
    (0..10 * 1024 * 1024u32)
        .map(|i| (i * 7 % 251) as u8)
        .collect()
}

/// A store `files` holding `big.bin` (10 MiB), made from outside, and the console open on
/// its objects.
async fn files_open(server: &NatsServer, flags: &[&str]) -> (object_store::ObjectStore, Console) {
    let js = raw(server).await;
    let store = js
        .create_object_store(object_store::Config {
            bucket: "files".into(),
            description: Some("test files".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    store
        .put("big.bin", &mut &ten_megabytes()[..])
        .await
        .unwrap();
    let url = server.url();
    let mut args = vec!["--server", url.as_str()];
    args.extend_from_slice(flags);
    let mut console = Console::start(&args);
    console.wait_for(WAIT, "the store's stream, marked", |s| {
        s.contains("OBJ_files objects")
    });
    console.press("O");
    console.wait_for(WAIT, "the stores view", |s| {
        s.contains("Object stores (1)")
            && any_line(s, &["files", "-", "10.0", "MiB"])
            && s.contains("test files")
    });
    console.press("\r");
    console.wait_for(WAIT, "the object", |s| {
        s.contains("Objects of files (1)")
            && any_line(s, &["big.bin", "10.0", "MiB", "80"])
            && s.contains("SHA-256=")
    });
    (store, console)
}

#[tokio::test(flavor = "multi_thread")]
async fn save_put_and_delete_an_object_each_checked() {
    let server = NatsServer::start().await.unwrap();
    let (store, mut console) = files_open(&server, &[]).await;
    let dir = tempfile::tempdir().unwrap();

    // Save: the prompt offers ./big.bin; a path of our own instead.
    let saved = dir.path().join("saved.bin");
    console.press("s");
    console.wait_for(WAIT, "the default path", |s| s.contains("./big.bin"));
    console.press("\x15");
    console.press(&format!("{}\r", saved.display()));
    console.wait_for(WAIT, "saved", |s| {
        s.contains(&format!(
            "saved big.bin (10.0 MiB, digest checked) to {}",
            saved.display()
        ))
    });
    assert!(
        std::fs::read(&saved).unwrap() == ten_megabytes(),
        "the same bytes"
    );

    // Put: a file of our own as `notes.txt`, asked, then checked from outside.
    let source = dir.path().join("notes.txt");
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 97) as u8).collect();
    std::fs::write(&source, &body).unwrap();
    console.press("u");
    console.wait_for(WAIT, "the path prompt", |s| s.contains("Put the file"));
    console.press(&format!("{}\r", source.display()));
    console.wait_for(WAIT, "the name prompt", |s| {
        s.contains("As the object named") && s.contains("notes.txt")
    });
    console.press("\r");
    console.wait_for(WAIT, "the question", |s| {
        s.contains("into files as notes.txt?") && s.contains("A new object")
    });
    console.press("y");
    let screen = console.wait_for(WAIT, "put and checked", |s| {
        s.contains("checked on the server") && any_line(s, &["notes.txt", "293.0", "KiB"])
    });
    let held = store.info("notes.txt").await.unwrap();
    assert_eq!(held.size, body.len());
    let digest = held.digest.expect("a digest");
    assert!(screen.contains(&digest), "the digest said: {screen}");

    // Putting over it again says it replaces.
    console.press("u");
    console.wait_for(WAIT, "the path prompt", |s| s.contains("Put the file"));
    console.press(&format!("{}\r", source.display()));
    console.wait_for(WAIT, "the name prompt", |s| {
        s.contains("As the object named")
    });
    console.press("\r");
    console.wait_for(WAIT, "the replace question", |s| {
        s.contains("REPLACES the object notes.txt")
    });
    console.press("n");
    console.wait_for(WAIT, "left", |s| {
        s.contains("not put: notes.txt left as it was")
    });

    // Delete big.bin (the first): asked with its size, then gone from the server.
    console.press("g");
    console.press("d");
    console.wait_for(WAIT, "the delete question", |s| {
        s.contains("Delete big.bin (10.0 MiB) from files?")
    });
    console.press("y");
    console.wait_for(WAIT, "deleted", |s| {
        s.contains("the server no longer lists it") && s.contains("Objects of files (1)")
    });
    let gone = store.info("big.bin").await.unwrap();
    assert!(gone.deleted, "{gone:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_saves_but_refuses_put_and_delete() {
    let server = NatsServer::start().await.unwrap();
    let (store, mut console) = files_open(&server, &["--read-only"]).await;
    console.press("d");
    console.wait_for(WAIT, "the delete refused", |s| {
        s.contains("read-only, refused: delete the object")
    });
    console.press("u");
    console.wait_for(WAIT, "the put refused", |s| {
        s.contains("read-only, refused: put a file")
    });
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved.bin");
    console.press("s\x15");
    console.press(&format!("{}\r", saved.display()));
    console.wait_for(WAIT, "saved", |s| s.contains("digest checked"));
    assert!(std::fs::read(&saved).unwrap() == ten_megabytes());
    assert!(!store.info("big.bin").await.unwrap().deleted);
}
