//! Owning the terminal: raw mode, the alternate screen and bracketed paste on the way in,
//! and restored on the way out, whether by quit, error, panic or termination signal.

use std::io::{Stdout, stdout};
use std::mem::ManuallyDrop;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{execute, queue};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct TerminalGuard {
    /// Never dropped: ratatui's drop shows the cursor and, when that fails because the
    /// terminal has closed (SIGHUP), reports it with `eprintln!`, which panics on the dead
    /// stderr. `restore` shows the cursor, errors ignored; the buffers go with the process.
    pub terminal: ManuallyDrop<Term>,
}

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), DisableBracketedPaste, LeaveAlternateScreen, Show);
}

impl TerminalGuard {
    pub fn enter() -> std::io::Result<Self> {
        enable_raw_mode()?;
        // Bracketed paste: a paste arrives as one piece, not as keys to run one by one.
        if let Err(e) = execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste) {
            restore();
            return Err(e);
        }
        install_panic_hook();
        let terminal = Terminal::new(CrosstermBackend::new(stdout())).inspect_err(|_| restore())?;
        Ok(Self {
            terminal: ManuallyDrop::new(terminal),
        })
    }

    /// Draws one frame as a synchronized update (DEC mode 2026): a terminal that knows it
    /// shows the frame whole, never half old and half new however its bytes arrive (a
    /// frame leaves in pieces of the stdout buffer); other terminals ignore it.
    pub fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame)) -> std::io::Result<()> {
        queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)?;
        let drawn = self.terminal.draw(render).map(|_| ());
        // Ended even when the draw failed, or the terminal would hold its screen.
        let ended = execute!(self.terminal.backend_mut(), EndSynchronizedUpdate);
        drawn.and(ended)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// A panic restores the terminal first, so its message is readable, and is logged.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!(panic = %info, "console panicked");
        previous(info);
    }));
}
