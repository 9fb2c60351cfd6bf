//! Termination signals: the console restores the terminal, gives held messages back,
//! stops its embedded server and removes the temporary store, and exits 128 + signal.
//! Stores that SIGKILL left behind go at the next `--embedded` start.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use async_nats::jetstream::consumer;
use futures::StreamExt;
use jetdeck::server::{NatsServer, OWNER_FILE, TEMP_PREFIX};

use crate::common::{eventually, work_stream};
use crate::pty::{Console, any_line, delivery_of};

const SCREEN: Duration = Duration::from_secs(5);

/// The terminal as the console left it: main screen, cursor shown, no bracketed paste.
fn assert_restored(console: &Console, what: &str) {
    let parser = console.screen.lock().unwrap();
    let screen = parser.screen();
    assert!(
        !screen.alternate_screen(),
        "{what}: left the alternate screen"
    );
    assert!(!screen.hide_cursor(), "{what}: cursor shown again");
    assert!(!screen.bracketed_paste(), "{what}: bracketed paste off");
}

/// The `jetdeck-nats-*` directories in `dir`.
fn stores_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
        .map(|e| e.path())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_gives_held_messages_back_and_restores_the_terminal() {
    let server = NatsServer::start().await.unwrap();
    // A long ack wait: the message comes back at once only if it is nak'd.
    let js = work_stream(&server, Duration::from_secs(120)).await;
    let work = js.get_stream("WORK").await.unwrap();
    js.publish("work.job1", "job 1".into())
        .await
        .unwrap()
        .await
        .unwrap();

    let mut console = Console::start(&["--server", &server.url(), "--refresh", "300ms"]);
    console.wait_for(Duration::from_secs(10), "the consumer", |s| {
        s.contains("● connected") && any_line(s, &["ops", ">"])
    });
    console.press("\ts");
    console.wait_for(SCREEN, "attached", |s| {
        s.contains("attached to WORK/ops (manual)")
    });
    console.press("f");
    console.wait_for(SCREEN, "job 1 held", |s| {
        delivery_of(s, "work.job1") == Some(1)
    });
    let info = work.clone().consumer_info("ops").await.unwrap();
    assert_eq!(info.num_ack_pending, 1, "held by the console");

    console.signal(libc::SIGTERM);
    assert_eq!(console.exit_code(Duration::from_secs(10)), 128 + 15);
    assert_restored(&console, "SIGTERM");
    // Nak'd on the way out: another client gets it now, not after the 120 s ack wait.
    let ops: consumer::PullConsumer = work.get_consumer("ops").await.unwrap();
    eventually(Duration::from_secs(3), "the held message back", || async {
        let mut batch = ops
            .fetch()
            .max_messages(1)
            .expires(Duration::from_millis(500))
            .messages()
            .await
            .ok()?;
        let message = batch.next().await?.ok()?;
        let info = message.info().ok()?;
        (message.subject.as_str() == "work.job1" && info.delivered == 2).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_termination_signal_stops_the_embedded_server_and_removes_its_store() {
    for (signal, name) in [
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGINT, "SIGINT"),
    ] {
        // A temp dir of its own, so only this console's store is looked at.
        let tmp = tempfile::tempdir().unwrap();
        let mut console = Console::start_with_env(
            &["--embedded", "--refresh", "300ms"],
            &[("TMPDIR", tmp.path())],
        );
        let screen = console.wait_for(Duration::from_secs(15), "connected", |s| {
            s.contains("● connected") && s.contains("private nats-server")
        });
        let stores = stores_in(tmp.path());
        assert_eq!(stores.len(), 1, "{name}: one store: {stores:?}");
        let shown = stores[0].join("store").display().to_string();
        assert!(screen.contains(&shown), "{name}: the header shows {shown}");

        console.signal(signal);
        assert_eq!(
            console.exit_code(Duration::from_secs(10)),
            128 + signal as u32,
            "{name}"
        );
        assert_restored(&console, name);
        assert!(
            stores_in(tmp.path()).is_empty(),
            "{name}: the temporary store is removed: {:?}",
            stores_in(tmp.path())
        );
    }
}

/// `jetdeck ARGS` with its own temp dir, the machine's NATS settings left out.
fn jetdeck(args: &[&str], tmp: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jetdeck"));
    cmd.args(args)
        .arg("--log-file")
        .arg(tmp.join("jetdeck.log"))
        .env("TMPDIR", tmp)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env_remove("NATS_URL")
        .env_remove("NATS_CONTEXT");
    cmd
}

fn fake_store(tmp: &Path, name: &str, owner: Option<u32>) -> PathBuf {
    let dir = tmp.join(format!("{TEMP_PREFIX}{name}"));
    std::fs::create_dir_all(dir.join("store")).unwrap();
    if let Some(pid) = owner {
        std::fs::write(dir.join(OWNER_FILE), pid.to_string()).unwrap();
    }
    dir
}

#[test]
fn an_embedded_start_removes_stores_of_dead_processes_only() {
    let tmp = tempfile::tempdir().unwrap();
    let mut gone = Command::new("true").spawn().unwrap();
    let dead_pid = gone.id();
    gone.wait().unwrap();
    let dead = fake_store(tmp.path(), "dead", Some(dead_pid));
    let live = fake_store(tmp.path(), "live", Some(std::process::id()));
    let unowned = fake_store(tmp.path(), "unowned", None);

    let out = jetdeck(&["validate", "--embedded", "--count", "1"], tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(!dead.exists(), "the dead process's store is removed");
    assert!(live.exists(), "a live process's store is kept");
    assert!(unowned.exists(), "a store naming no owner is kept");
    assert_eq!(
        stores_in(tmp.path()).len(),
        2,
        "and validate removed its own on the way out"
    );
}

#[test]
fn validate_removes_its_embedded_store_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = jetdeck(
        &[
            "validate",
            "--embedded",
            "--count",
            "1000000",
            "--timeout",
            "120s",
        ],
        tmp.path(),
    )
    .stdout(std::process::Stdio::null())
    .spawn()
    .unwrap();
    // Once the store exists the server is starting or running; either way it must go.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while stores_in(tmp.path()).is_empty() {
        assert!(std::time::Instant::now() < deadline, "no store appeared");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert!(
        stores_in(tmp.path()).is_empty(),
        "{:?}",
        stores_in(tmp.path())
    );
}

#[test]
fn closing_the_terminal_ends_the_console_cleanly() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    let tmp = tempfile::tempdir().unwrap();
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 160,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_jetdeck"));
    command.args(["--embedded", "--log-file"]);
    command.arg(tmp.path().join("jetdeck.log"));
    command.env("TMPDIR", tmp.path());
    command.env("TERM", "xterm-256color");
    command.env("XDG_CONFIG_HOME", "/nonexistent");
    let mut child = pty.slave.spawn_command(command).unwrap();
    drop(pty.slave);
    // The master's only descriptor (no reader clone, no writer): dropping it hangs up.
    let fd = pty.master.as_raw_fd().unwrap();
    read_until_connected(fd, tmp.path());
    drop(pty.master);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "still running");
        std::thread::sleep(Duration::from_millis(20));
    };
    let log = std::fs::read_to_string(tmp.path().join("jetdeck.log")).unwrap();
    assert_eq!(status.exit_code(), 128 + 1, "{status:?}; log:\n{log}");
    assert!(!log.contains("panicked"), "{log}");
    assert!(
        stores_in(tmp.path()).is_empty(),
        "the temporary store is removed: {:?}",
        stores_in(tmp.path())
    );
}

/// Reads the console's output from the pty master `fd` until it shows it is connected
/// and its store exists.
fn read_until_connected(fd: i32, tmp: &Path) {
    let mut screen = vt100::Parser::new(
        std::num::NonZeroU16::new(40).unwrap(),
        std::num::NonZeroU16::new(160).unwrap(),
        0,
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let ready = |screen: &vt100::Parser| {
        screen.screen().contents().contains("● connected") && !stores_in(tmp).is_empty()
    };
    while !ready(&screen) {
        assert!(std::time::Instant::now() < deadline, "never connected");
        let mut poll = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        if unsafe { libc::poll(&mut poll, 1, 50) } == 1 {
            let mut buf = [0u8; 8192];
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n > 0 {
                screen.process(&buf[..n as usize]);
            }
        }
    }
}
