//! Progress while a bench case runs: a bar (indicatif) when stderr is a terminal, and one
//! plain line per case otherwise, so a CI log or a file gets no carriage-return redraws.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One case's progress.
pub(super) struct Progress<'a> {
    out: &'a mut dyn Write,
    /// The bar, only when drawn on a terminal.
    bar: Option<ProgressBar>,
    total: usize,
}

impl<'a> Progress<'a> {
    /// A bar on stderr when stderr is a terminal; otherwise one line to `out` (which
    /// `jetdeck bench` points at stderr) saying what runs.
    pub(super) fn new(out: &'a mut dyn Write, label: &str, total: usize) -> Self {
        Self::with_terminal(out, label, total, std::io::stderr().is_terminal())
    }

    fn with_terminal(out: &'a mut dyn Write, label: &str, total: usize, terminal: bool) -> Self {
        if !terminal {
            let _ = writeln!(out, "{label} ({total})");
            let _ = out.flush();
            return Self {
                out,
                bar: None,
                total,
            };
        }
        let bar = ProgressBar::with_draw_target(
            Some(total as u64),
            ProgressDrawTarget::stderr_with_hz(10),
        );
        // The template is a constant: failing to parse it is a bug.
        let style = ProgressStyle::with_template("{msg:<28} [{bar:20}] {percent:>3}%")
            .expect("a valid progress template")
            .progress_chars("#>-");
        bar.set_style(style);
        bar.set_message(label.to_string());
        Self {
            out,
            bar: Some(bar),
            total,
        }
    }

    pub(super) fn set(&mut self, done: usize) {
        let Some(bar) = &self.bar else { return };
        bar.set_position(done as u64);
        if done >= self.total {
            bar.finish();
            // Flushes what the bar drew before the next line is written under it.
            let _ = self.out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_a_terminal_one_line_per_case_and_no_carriage_return() {
        let mut out = Vec::new();
        {
            let mut progress = Progress::with_terminal(&mut out, "publish raw", 1000, false);
            for done in (0..=1000).step_by(7) {
                progress.set(done);
            }
            progress.set(1000);
        }
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text, "publish raw (1000)\n");
        assert!(!text.contains('\r'));
    }
}
