//! The key form in the real console binary, in a pseudo-terminal, against a real server
//! (issue 16): a value of several lines put from the form reads back exactly; a new key
//! made from the keys view shows there, with what the server holds; a key another client
//! created meanwhile is refused in the server's words, and a deleted one is created again.

use std::time::Duration;

use async_nats::jetstream::kv;

use jetdeck::server::NatsServer;

use crate::console_kv::key_open;
use crate::pty::{Console, any_line};

const WAIT: Duration = Duration::from_secs(10);

/// A bracketed paste, as a terminal sends one.
fn paste(text: &str) -> String {
    format!("\x1b[200~{text}\x1b[201~")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_value_of_several_lines_put_from_the_form_reads_back_exactly() {
    let server = NatsServer::start().await.unwrap();
    let (store, mut console) = key_open(&server).await;
    console.press("p");
    console.wait_for(WAIT, "the form, prefilled", |s| {
        s.contains("Put a new value · config · key k") && s.contains("│ v2")
    });
    // Ctrl-U clears; Ctrl-J (a newline byte in raw mode) breaks the line; a paste keeps
    // its own line breaks (CRLF made LF) and indentation; non-ASCII text stays as typed.
    console.press("\x15{\n");
    console.press(&paste("  \"name\": \"grüße\",\r\n  \"n\": 2"));
    console.press("\n}");
    let expected = "{\n  \"name\": \"grüße\",\n  \"n\": 2\n}";
    console.wait_for(WAIT, "four lines typed", |s| {
        s.contains("4 lines, 33 bytes") && s.contains("│   \"name\": \"grüße\",")
    });
    assert_eq!(expected.len(), 33);
    console.press("\r");
    console.wait_for(WAIT, "the question", |s| {
        s.contains("Put 33 bytes at key k of config (expecting revision 2)?")
    });
    console.press("y");
    console.wait_for(WAIT, "the put, checked", |s| {
        s.contains("the server holds revision 3 (put)")
    });
    let now = store.entry("k").await.unwrap().unwrap();
    assert_eq!(
        (std::str::from_utf8(&now.value).unwrap(), now.revision),
        (expected, 3)
    );
}

/// The console open on the keys of bucket `config` (key `k`, and `gone`, deleted).
async fn keys_open(server: &NatsServer) -> (kv::Store, Console) {
    let store = crate::console_kv::config_bucket(server).await;
    store.put("k", "v1".into()).await.unwrap();
    store.put("gone", "old".into()).await.unwrap();
    store.delete("gone").await.unwrap();
    let mut console = crate::console_kv::buckets_open(server, &[]);
    console.press("\r");
    console.wait_for(WAIT, "the keys", |s| {
        s.contains("config · keys 1–2 of 2") && any_line(s, &["gone", "3"]) && s.contains("delete")
    });
    (store, console)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_key_made_from_the_keys_view_shows_there_with_what_the_server_holds() {
    let server = NatsServer::start().await.unwrap();
    let (store, mut console) = keys_open(&server).await;
    console.press("p");
    console.wait_for(WAIT, "the new key form", |s| {
        s.contains("New key · config") && s.contains("creates the key: refused if it exists")
    });
    // A name the client would refuse is refused on the field, before the server.
    console.press("app new\r");
    console.wait_for(WAIT, "the name refused", |s| {
        s.contains("' ' is not taken in a key")
    });
    console.press("\x15app.new\thello\nworld\r");
    console.wait_for(WAIT, "the question", |s| {
        s.contains("Create key app.new of config with 11 bytes (expecting it not to exist)?")
    });
    console.press("y");
    console.wait_for(WAIT, "the create, checked, and the key listed", |s| {
        s.contains("done: create key app.new")
            && s.contains("the server holds revision 4 (put)")
            && s.contains("config · keys 1–3 of 3")
            && any_line(s, &["app.new", "4"])
            && any_line(s, &["11", "B", "put"])
    });
    assert_eq!(
        &store.get("app.new").await.unwrap().unwrap()[..],
        b"hello\nworld"
    );

    // A deleted key does not exist: it is created again over its delete marker.
    console.press("p");
    console.wait_for(WAIT, "the new key form", |s| s.contains("New key · config"));
    console.press("gone\tback\r");
    console.wait_for(WAIT, "the question", |s| {
        s.contains("Create key gone of config")
    });
    console.press("y");
    console.wait_for(WAIT, "the create, checked", |s| {
        s.contains("done: create key gone") && any_line(s, &["gone", "5"])
    });
    assert_eq!(&store.get("gone").await.unwrap().unwrap()[..], b"back");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_another_client_created_meanwhile_is_refused_in_the_servers_words() {
    let server = NatsServer::start().await.unwrap();
    let (store, mut console) = keys_open(&server).await;
    console.press("p");
    console.wait_for(WAIT, "the new key form", |s| s.contains("New key · config"));
    console.press("race\tmine\r");
    console.wait_for(WAIT, "the question", |s| {
        s.contains("Create key race of config with 4 bytes")
    });
    // Another operator creates it while this one is asked.
    store.create("race", "theirs".into()).await.unwrap();
    console.press("y");
    console.wait_for(WAIT, "the server's refusal", |s| {
        s.contains("refused: create key race") && s.contains("wrong last sequence")
    });
    assert_eq!(&store.get("race").await.unwrap().unwrap()[..], b"theirs");
    // The view shows theirs; creating it again is now refused before the server.
    console.wait_for(WAIT, "their key listed", |s| any_line(s, &["race", "4"]));
    console.press("p");
    console.wait_for(WAIT, "the new key form", |s| s.contains("New key · config"));
    console.press("race\r");
    console.wait_for(WAIT, "refused on the field", |s| {
        s.contains("key race exists (revision 4): open it to put a new value")
    });
    console.press("\x1b");
    console.wait_for(WAIT, "the form cancelled", |s| s.contains("nothing sent"));
    assert_eq!(store.entry("race").await.unwrap().unwrap().revision, 4);
}
