//! Terminal input on a thread of its own, handed to the console loop through a channel,
//! so the loop can take everything that is ready at once and draw one frame for it.
//!
//! Why not crossterm's `EventStream`: crossterm's default (mio) source reads the terminal
//! edge-triggered, 1 KB at a time, and returns as soon as those bytes hold one event; the
//! rest of a burst stays unread in the kernel until a new byte makes a new edge. A paste
//! over about 1 KB then sat half-read until the next key press. Cargo.toml selects the
//! `use-dev-tty` source, which polls level-triggered and so always comes back for the
//! rest; its zero-timeout poll does not see events it has already parsed, so this reader
//! blocks in `read` (with a timeout, to notice when it should stop) rather than polling
//! with a zero timeout.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::crossterm::event::{self, Event};
use tokio::sync::mpsc;

/// How often the reader looks up from the terminal to see whether it should stop.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// Terminal events as they arrive. Dropping it stops the reader thread.
pub struct InputReader {
    events: mpsc::UnboundedReceiver<io::Result<Event>>,
    stop: Arc<AtomicBool>,
}

impl InputReader {
    pub fn spawn() -> io::Result<Self> {
        let (tx, events) = mpsc::unbounded_channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::Builder::new()
            .name("jetdeck-input".into())
            .spawn(move || read_loop(&tx, &stopping))?;
        Ok(Self { events, stop })
    }

    /// The next event; None once the reader has stopped.
    pub async fn next(&mut self) -> Option<io::Result<Event>> {
        self.events.recv().await
    }

    /// An event that has already arrived, without waiting.
    pub fn ready(&mut self) -> Option<io::Result<Event>> {
        self.events.try_recv().ok()
    }
}

impl Drop for InputReader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn read_loop(tx: &mpsc::UnboundedSender<io::Result<Event>>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) && !tx.is_closed() {
        let next = match event::poll(STOP_CHECK) {
            Ok(false) => continue,
            Ok(true) => event::read(),
            Err(e) => Err(e),
        };
        let failed = next.is_err();
        if tx.send(next).is_err() || failed {
            break;
        }
    }
}
