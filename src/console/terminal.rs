//! Owning the terminal: raw mode, the alternate screen, bracketed paste and (unless
//! `--no-mouse`) mouse capture on the way in, and restored on the way out, whether by
//! quit, error, panic or termination signal.

use std::io::{Stdout, stdout};
use std::mem::ManuallyDrop;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
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
    // Mouse capture off whether or not it was on: a terminal left reporting the mouse
    // fills the shell with escape sequences at every move.
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    );
}

impl TerminalGuard {
    pub fn enter(mouse: bool) -> std::io::Result<Self> {
        enable_raw_mode()?;
        // Bracketed paste: a paste arrives as one piece, not as keys to run one by one.
        let mut entered = execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste);
        if mouse && entered.is_ok() {
            entered = execute!(stdout(), EnableMouseCapture);
        }
        if let Err(e) = entered {
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
    /// Returns the area drawn (the mouse needs where the panes went).
    pub fn draw(
        &mut self,
        render: impl FnOnce(&mut ratatui::Frame),
    ) -> std::io::Result<ratatui::layout::Rect> {
        queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)?;
        let drawn = self.terminal.draw(render).map(|frame| frame.area);
        // Ended even when the draw failed, or the terminal would hold its screen.
        let ended = execute!(self.terminal.backend_mut(), EndSynchronizedUpdate);
        ended.and(drawn)
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
