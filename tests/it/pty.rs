//! Drives the real jetdeck binary in a pseudo-terminal and reads its screen back
//! through a terminal emulator (vt100), as an operator would see it.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 160;

pub struct Console {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    pub screen: Arc<Mutex<vt100::Parser>>,
    keys: Box<dyn Write + Send>,
    /// Disconnected once the reader has seen the end of the output (all of it parsed).
    drained: std::sync::mpsc::Receiver<()>,
    _log: tempfile::TempDir,
}

impl Console {
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_env(args, &[])
    }

    /// `start` with extra environment variables (TMPDIR, say).
    pub fn start_with_env(args: &[&str], env: &[(&str, &std::path::Path)]) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let log = tempfile::tempdir().unwrap();
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_jetdeck"));
        command.args(args);
        command.arg("--log-file");
        command.arg(log.path().join("console.log"));
        command.env("TERM", "xterm-256color");
        // The machine's own NATS settings stay out of these runs.
        command.env("XDG_CONFIG_HOME", "/nonexistent");
        for var in [
            "NATS_URL",
            "NATS_USER",
            "NATS_PASSWORD",
            "NATS_TOKEN",
            "NATS_CREDS",
            "NATS_NKEY",
            "NATS_CONTEXT",
        ] {
            command.env_remove(var);
        }
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pty.slave.spawn_command(command).expect("spawn jetdeck");
        drop(pty.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(ROWS).unwrap(),
            std::num::NonZeroU16::new(COLS).unwrap(),
            0,
        )));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let sink = screen.clone();
        let (reading, drained) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            let _reading = reading;
            let mut buf = [0u8; 8192];
            let mut held = Vec::new();
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                held.extend_from_slice(&buf[..n]);
                feed_whole_frames(&mut held, &mut sink.lock().unwrap());
            }
            sink.lock().unwrap().process(&held);
        });
        let keys = pty.master.take_writer().unwrap();
        // The master must outlive the child; leak it into the reader's lifetime.
        std::mem::forget(pty.master);
        Console {
            child,
            screen,
            keys,
            drained,
            _log: log,
        }
    }

    /// What jetdeck has written to its log file so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self._log.path().join("console.log")).unwrap_or_default()
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen satisfies `check`, or fails showing the screen.
    pub fn wait_for(&self, within: Duration, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + within;
        loop {
            let text = self.contents();
            if check(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within {within:?}; the screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn press(&mut self, keys: &str) {
        self.keys.write_all(keys.as_bytes()).unwrap();
        self.keys.flush().unwrap();
    }

    /// Sends `signal` to the console's process, as `kill -SIGNAL` would.
    pub fn signal(&self, signal: i32) {
        let pid = self.child.process_id().expect("a running console") as i32;
        assert_eq!(
            unsafe { libc::kill(pid, signal) },
            0,
            "kill -{signal} {pid}"
        );
    }

    pub fn exit_code(&mut self, within: Duration) -> u32 {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Its last output (leaving the alternate screen) may still be unread.
                let _ = self.drained.recv_timeout(Duration::from_secs(2));
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "jetdeck did not exit:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The console draws each frame between these (a synchronized update, DEC mode 2026). A
/// frame arrives in several reads; the screen is read between frames, never half drawn
/// (a check could match the top of a new frame over the bottom of the old one).
const FRAME_START: &[u8] = b"\x1b[?2026h";
const FRAME_END: &[u8] = b"\x1b[?2026l";

/// Feeds `parser` all of `held` but an unfinished frame (or the start of one), which stays
/// held for the next read.
fn feed_whole_frames(held: &mut Vec<u8>, parser: &mut vt100::Parser) {
    loop {
        let Some(start) = find(held, FRAME_START) else {
            let upto = held.len() - cut_prefix_at_end(held, FRAME_START);
            parser.process(&held[..upto]);
            held.drain(..upto);
            return;
        };
        let Some(end) = find(&held[start..], FRAME_END) else {
            parser.process(&held[..start]);
            held.drain(..start);
            return;
        };
        let end = start + end + FRAME_END.len();
        parser.process(&held[..end]);
        held.drain(..end);
    }
}

fn find(bytes: &[u8], what: &[u8]) -> Option<usize> {
    bytes.windows(what.len()).position(|w| w == what)
}

/// How many bytes at the end of `bytes` are the beginning of `what` (a marker the read
/// cut in two).
fn cut_prefix_at_end(bytes: &[u8], what: &[u8]) -> usize {
    (1..what.len())
        .rev()
        .find(|&k| bytes.ends_with(&what[..k]))
        .unwrap_or(0)
}

/// Whether `line` has these words one after another.
pub fn has_words(line: &str, words: &[&str]) -> bool {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    tokens.windows(words.len()).any(|w| w == words)
}

/// Whether any line of the screen has these words one after another.
pub fn any_line(screen: &str, words: &[&str]) -> bool {
    screen.lines().any(|l| has_words(l, words))
}

/// The delivery count shown for the message on `subject` in the messages pane (the
/// number just before the subject).
pub fn delivery_of(screen: &str, subject: &str) -> Option<u64> {
    screen.lines().find_map(|line| {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let at = tokens.iter().position(|t| *t == subject)?;
        tokens.get(at.checked_sub(1)?)?.parse().ok()
    })
}

/// The messages-pane line of the message on `subject`.
pub fn row_of(screen: &str, subject: &str) -> Option<String> {
    screen
        .lines()
        .find(|l| l.split_whitespace().any(|t| t == subject))
        .map(str::to_string)
}

#[test]
fn a_frame_cut_across_reads_is_shown_whole_or_not_at_all() {
    let mut parser = vt100::Parser::new(
        std::num::NonZeroU16::new(2).unwrap(),
        std::num::NonZeroU16::new(20).unwrap(),
        0,
    );
    let mut held = Vec::new();
    let reads: [&[u8]; 4] = [
        b"old\x1b[?20",
        b"26h\x1b[Hnew",
        b" frame\x1b[?202",
        b"6l after",
    ];
    let mut seen = Vec::new();
    for read in reads {
        held.extend_from_slice(read);
        feed_whole_frames(&mut held, &mut parser);
        seen.push(parser.screen().contents());
    }
    assert_eq!(seen, ["old", "old", "old", "new frame after"]);
}
