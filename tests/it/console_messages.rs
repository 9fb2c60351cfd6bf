//! Messages from the real console (issue 13), checked on the server: delete and erase
//! from the browser, delete a held delivery's message from the messages pane, the
//! browser's subject filter, the subjects view, and saving a body.

use std::time::Duration;

use async_nats::jetstream::{self, stream};

use jetdeck::server::NatsServer;

use crate::common::{eventually, raw};
use crate::pty::Console;

const DEL: &str = "\x1b[3~";
const WAIT: Duration = Duration::from_secs(5);

/// Stream MIX on `mix.>`: 30 messages round-robin on `mix.a`, `mix.b`, `mix.c` (seq 1 is
/// a, 2 b, 3 c ...), bodies `m<seq>`.
async fn interleaved(js: &jetstream::Context) -> stream::Stream {
    let s = js
        .create_stream(stream::Config {
            name: "MIX".into(),
            subjects: vec!["mix.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    for seq in 1..=30u64 {
        let subject = ["mix.a", "mix.b", "mix.c"][((seq - 1) % 3) as usize];
        js.publish(subject, format!("m{seq}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    s
}

/// The console on `server`, showing stream MIX with its `count` messages.
fn console_on(server: &NatsServer, count: &str) -> Console {
    let console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "MIX listed", |s| {
        s.lines().any(|l| tokens(l, &["MIX", "mix.>", count]))
    });
    console
}

/// Whether `line` holds each of `words` as a whitespace-separated token.
fn tokens(line: &str, words: &[&str]) -> bool {
    let have: Vec<&str> = line.split_whitespace().collect();
    words.iter().all(|w| have.contains(w))
}

async fn api_errors(js: &jetstream::Context) -> u64 {
    js.query_account().await.unwrap().requests.errors
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_and_erase_from_the_browser_remove_only_those_sequences() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    let s = interleaved(&js).await;
    let mut console = console_on(&server, "30");
    console.press("b");
    console.wait_for(WAIT, "the first page", |s| s.contains("m20"));
    // Seq 2, then Delete: the confirmation names stream, sequence and subject.
    console.press("j");
    console.press(DEL);
    console.wait_for(WAIT, "the confirmation", |s| {
        s.contains("Delete MIX seq 2 from the stream?") && s.contains("Subject mix.b")
    });
    console.press("y");
    console.wait_for(WAIT, "the delete read back", |s| {
        s.contains("MIX seq 2 deleted (checked: no longer in the stream)")
    });
    // Seq 3 erased.
    console.press("j");
    console.press(DEL);
    console.wait_for(WAIT, "the confirmation", |s| {
        s.contains("Delete MIX seq 3 from the stream?")
    });
    console.press("e");
    let screen = console.wait_for(WAIT, "the erase read back", |s| {
        s.contains("MIX seq 3 erased (checked: no longer in the stream)")
    });
    assert!(
        screen.lines().any(|l| tokens(l, &["2", "deleted", "2–3"])),
        "{screen}"
    );
    for seq in [2, 3] {
        assert!(s.get_raw_message(seq).await.is_err(), "seq {seq} gone");
    }
    for seq in [1, 4, 30] {
        assert!(s.get_raw_message(seq).await.is_ok(), "seq {seq} stays");
    }
    let mut s = s;
    assert_eq!(s.info().await.unwrap().state.messages, 28);
    // `n` in the confirmation keeps the message.
    console.press("j");
    console.press(DEL);
    console.wait_for(WAIT, "the confirmation", |s| s.contains("Delete MIX seq 4"));
    console.press("n");
    console.wait_for(WAIT, "kept", |s| {
        s.contains("kept MIX seq 4: nothing deleted")
    });
    assert!(s.get_raw_message(4).await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_held_message_from_the_messages_pane_takes_it_off_ack_pending() {
    let server = NatsServer::start().await.unwrap();
    let js = crate::common::work_stream(&server, Duration::from_secs(60)).await;
    for i in 1..=3 {
        js.publish(format!("work.{i}"), format!("job {i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "WORK", |s| s.contains("WORK"));
    console.press("\t");
    console.wait_for(WAIT, "the consumer", |s| s.contains("ops"));
    console.press("s");
    console.wait_for(WAIT, "attached", |s| s.contains("attached to WORK/ops"));
    console.press("f");
    console.wait_for(WAIT, "three held", |s| s.contains("pulled 3"));
    console.press(DEL);
    console.wait_for(WAIT, "the confirmation", |s| {
        s.contains("Delete WORK seq 1 from the stream?")
            && s.contains("WORK/ops holds a delivery of it")
    });
    console.press("y");
    console.wait_for(WAIT, "deleted, and what became of the delivery", |s| {
        s.contains("WORK seq 1 deleted (checked: no longer in the stream)")
            && s.contains("taken off ack pending")
            && s.contains("termed")
    });
    let work = js.get_stream("WORK").await.unwrap();
    assert!(work.get_raw_message(1).await.is_err());
    assert!(work.get_raw_message(2).await.is_ok());
    // The server settles the held delivery itself: 2 left awaiting an ack, not 3.
    eventually(WAIT, "ack pending 2", || {
        let js = js.clone();
        async move {
            let mut c: jetstream::consumer::PullConsumer =
                js.get_consumer_from_stream("ops", "WORK").await.ok()?;
            (c.info().await.ok()?.num_ack_pending == 2).then_some(())
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subject_filter_in_the_browser_shows_only_that_subject_and_l_its_last() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    interleaved(&js).await;
    let mut console = console_on(&server, "30");
    console.press("b");
    console.wait_for(WAIT, "the first page", |s| s.contains("mix.c"));
    let before = api_errors(&js).await;
    console.press("/");
    console.wait_for(WAIT, "the prompt", |s| s.contains("Only the subject"));
    console.press("mix.b\r");
    let screen = console.wait_for(WAIT, "the filtered page", |s| {
        s.contains("subject mix.b · 10 matching")
    });
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains("mix.")).collect();
    let shown: Vec<&str> = rows.iter().copied().filter(|l| l.contains(" B ")).collect();
    assert_eq!(shown.len(), 10, "{screen}");
    assert!(
        shown
            .iter()
            .all(|l| l.contains("mix.b") && !l.contains("mix.a") && !l.contains("mix.c")),
        "{screen}"
    );
    // T: from seq 17's own time on (a timestamp as the server stored it); 17 is mix.b.
    let t17 = js
        .get_stream("MIX")
        .await
        .unwrap()
        .get_raw_message(17)
        .await
        .unwrap()
        .time
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    console.press("T");
    console.wait_for(WAIT, "the time prompt", |s| s.contains("From a time"));
    console.press(&format!("{t17}\r"));
    let screen = console.wait_for(WAIT, "the page since seq 17", |s| {
        s.contains(&format!("subject mix.b · since {t17}")) && s.contains("m29")
    });
    let seqs: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("mix.b") && l.contains(" B "))
        .filter_map(|l| l.split_whitespace().find(|t| t.parse::<u64>().is_ok()))
        .collect();
    assert_eq!(seqs, ["17", "20", "23", "26", "29"], "{screen}");
    // l: the last message on mix.b (seq 29).
    console.press("l");
    console.wait_for(WAIT, "the last of mix.b", |s| {
        s.lines()
            .any(|l| l.contains('▶') && tokens(l, &["29", "mix.b", "m29"]))
    });
    assert_eq!(api_errors(&js).await, before, "no API errors for filtering");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_subjects_view_counts_as_the_server_does_and_enter_browses_one() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    let s = interleaved(&js).await;
    // One more on mix.c: the biggest subject, first by count.
    js.publish("mix.c", "m31".into())
        .await
        .unwrap()
        .await
        .unwrap();
    drop(s);
    let mut console = console_on(&server, "31");
    console.press("u");
    let screen = console.wait_for(WAIT, "the subjects", |s| {
        s.contains("Subjects of MIX · 3 subjects, 31 messages · by count")
    });
    let row = |s: &str, n: &str, subject: &str| s.lines().any(|l| tokens(l, &[n, subject]));
    assert!(row(&screen, "11", "mix.c"), "{screen}");
    assert!(row(&screen, "10", "mix.a"), "{screen}");
    assert!(row(&screen, "10", "mix.b"), "{screen}");
    console.press("\r");
    let screen = console.wait_for(WAIT, "mix.c browsed", |s| {
        s.contains("Browse MIX · subject mix.c · 11 matching")
    });
    assert!(
        !screen
            .lines()
            .any(|l| l.contains("mix.a") || l.contains("mix.b")),
        "{screen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn s_saves_exactly_the_body_bytes_and_asks_before_overwriting() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    js.create_stream(stream::Config {
        name: "BIN".into(),
        subjects: vec!["bin".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    let body: Vec<u8> = (0..=255u8).chain([0, 0xff, b'\n']).collect();
    js.publish("bin", body.clone().into())
        .await
        .unwrap()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.bin");
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "BIN", |s| s.contains("BIN"));
    console.press("b");
    console.wait_for(WAIT, "the browser's row", |s| {
        s.contains("Browse BIN") && s.contains(&format!("{} B", body.len()))
    });
    console.press("\r");
    console.wait_for(WAIT, "the message", |s| s.contains("BIN sequence 1"));
    console.press("s");
    console.wait_for(WAIT, "the default name", |s| s.contains("./BIN-1.bin"));
    // Ctrl-U clears the answer; then the path.
    console.press("\x15");
    console.press(&format!("{}\r", path.display()));
    console.wait_for(WAIT, "saved", |s| {
        s.contains(&format!("saved {} bytes to", body.len()))
    });
    assert_eq!(std::fs::read(&path).unwrap(), body);
    // Again to the same file: asked first; n leaves it.
    std::fs::write(&path, b"mine").unwrap();
    console.press("s\x15");
    console.press(&format!("{}\r", path.display()));
    console.wait_for(WAIT, "the overwrite question", |s| {
        s.contains("exists. Overwrite it?")
    });
    console.press("n");
    console.wait_for(WAIT, "left", |s| s.contains("left as it was"));
    assert_eq!(std::fs::read(&path).unwrap(), b"mine");
}
