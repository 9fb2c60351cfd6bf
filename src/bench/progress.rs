//! The progress bar `jetdeck bench` draws on stderr while a case runs.

use std::io::Write;

/// Progress on stderr, at most a hundred updates a case.
pub(super) struct Progress<'a> {
    out: &'a mut dyn Write,
    label: String,
    total: usize,
    shown: usize,
}

impl<'a> Progress<'a> {
    pub(super) fn new(out: &'a mut dyn Write, label: &str, total: usize) -> Self {
        Self {
            out,
            label: label.to_string(),
            total,
            shown: usize::MAX,
        }
    }

    pub(super) fn set(&mut self, done: usize) {
        let percent = done * 100 / self.total.max(1);
        if percent != self.shown {
            self.shown = percent;
            let bar = "#".repeat(percent / 5);
            let _ = write!(self.out, "\r{:<28} [{bar:<20}] {percent:>3}%", self.label);
            if done >= self.total {
                let _ = writeln!(self.out);
            }
            let _ = self.out.flush();
        }
    }
}
