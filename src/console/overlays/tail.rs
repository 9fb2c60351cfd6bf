//! `T`: the subject tail. Messages on a subject or wildcard over plain NATS (a core
//! subscription, so nothing is taken from any stream), newest at the bottom, with the rate;
//! Space pauses the view while what arrives is held (bounded: beyond it, counted as
//! dropped); Enter opens a message; `r` answers its reply subject; `R` sends a request.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{MessageView, Next, Prompt};
use crate::broker::{TailBatch, TailedMessage};
use crate::console::app::{App, Effect, PromptKind};
use crate::console::keys::Command;

/// Messages the view keeps (the oldest go first).
pub const TAIL_ROWS: usize = 1_000;
/// Messages held while paused; beyond them what arrives is counted as dropped.
pub const TAIL_HELD: usize = 10_000;
/// The window the rate is measured over.
const RATE_WINDOW: Duration = Duration::from_secs(1);
/// How long a request sent from the tail waits for its answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct TailState {
    pub subject: String,
    pub rows: VecDeque<TailedMessage>,
    /// What arrived while paused, in order, shown on resume.
    pub held: VecDeque<TailedMessage>,
    pub paused: bool,
    /// Messages seen (shown, held or dropped).
    pub seen: u64,
    /// Messages dropped: by the subscription's task when the console was behind, and
    /// here when the held buffer was full.
    pub dropped: u64,
    /// Index into `rows` of the selected message; None follows the newest.
    pub selected: Option<usize>,
    /// Messages a second over the last second.
    pub rate: f64,
    arrivals: VecDeque<(Instant, usize)>,
}

impl TailState {
    pub fn new(subject: &str) -> Self {
        Self {
            subject: subject.to_string(),
            rows: VecDeque::new(),
            held: VecDeque::new(),
            paused: false,
            seen: 0,
            dropped: 0,
            selected: None,
            rate: 0.0,
            arrivals: VecDeque::new(),
        }
    }

    /// Takes a batch from the subscription, at `now` (for the rate).
    pub fn on_batch(&mut self, batch: TailBatch, now: Instant) {
        let n = batch.messages.len();
        self.seen += n as u64 + batch.dropped;
        self.dropped += batch.dropped;
        self.arrivals.push_back((now, n + batch.dropped as usize));
        while self
            .arrivals
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > RATE_WINDOW)
        {
            self.arrivals.pop_front();
        }
        let in_window: usize = self.arrivals.iter().map(|(_, n)| n).sum();
        self.rate = in_window as f64 / RATE_WINDOW.as_secs_f64();
        for message in batch.messages {
            if self.paused {
                if self.held.len() >= TAIL_HELD {
                    self.dropped += 1;
                } else {
                    self.held.push_back(message);
                }
            } else {
                self.show(message);
            }
        }
    }

    fn show(&mut self, message: TailedMessage) {
        if self.rows.len() >= TAIL_ROWS {
            self.rows.pop_front();
            self.selected = self.selected.map(|s| s.saturating_sub(1));
        }
        self.rows.push_back(message);
    }

    /// Pauses, or resumes showing what was held meanwhile.
    pub fn toggle_pause(&mut self) {
        self.paused = !self.paused;
        if !self.paused {
            while let Some(message) = self.held.pop_front() {
                self.show(message);
            }
        }
    }

    /// The selected message (the newest when following).
    pub fn current(&self) -> Option<&TailedMessage> {
        match self.selected {
            Some(i) => self.rows.get(i),
            None => self.rows.back(),
        }
    }

    fn select(&mut self, by: isize) {
        let last = self.rows.len().saturating_sub(1);
        let at = self.selected.unwrap_or(last) as isize + by;
        let at = at.clamp(0, last as isize) as usize;
        self.selected = (at < last).then_some(at);
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        match command {
            Some(Command::Close) => {
                effects.push(Effect::StopTail);
                return Next::Close;
            }
            Some(Command::TailPause) => self.toggle_pause(),
            Some(Command::Down) => self.select(1),
            Some(Command::Up) => self.select(-1),
            Some(Command::PageDown) => self.select(10),
            Some(Command::PageUp) => self.select(-10),
            Some(Command::Last) => self.selected = None,
            Some(Command::First) => self.selected = (!self.rows.is_empty()).then_some(0),
            Some(Command::OpenMessage) => match self.current() {
                Some(m) => {
                    return Next::Open(super::Overlay::Message {
                        view: Box::new(MessageView::tailed(m)),
                        scroll: 0,
                    });
                }
                None => app.complain("nothing has arrived yet"),
            },
            Some(Command::TailAnswer) => match self.current().and_then(|m| m.reply.clone()) {
                Some(reply) => {
                    let prompt = Prompt::new(PromptKind::TailAnswer, None).with_value("");
                    app.tail_reply = Some(reply);
                    return Next::Open(super::Overlay::Prompt(Box::new(prompt)));
                }
                None => app.complain("this message has no reply subject: no one awaits an answer"),
            },
            Some(Command::TailRequest) => {
                let prompt = Prompt::new(PromptKind::TailRequest, None);
                return Next::Open(super::Overlay::Prompt(Box::new(prompt)));
            }
            _ => {}
        }
        Next::Stay
    }
}

/// A body on one line: UTF-8 with control characters as spaces, or its size when binary,
/// cut to `width` characters.
pub fn preview(body: &[u8], width: usize) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => {
            let mut line: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(width + 1)
                .collect();
            if line.chars().count() > width {
                line = line.chars().take(width.saturating_sub(1)).collect();
                line.push('…');
            }
            line
        }
        Err(_) => format!("<{} bytes, binary>", body.len()),
    }
}

/// The answer to the tail's prompts: `r` (a body for the reply subject) and `R` (a
/// subject, then the body after a space).
pub fn answer_prompt(
    app: &mut App,
    kind: PromptKind,
    text: &str,
    effects: &mut Vec<Effect>,
) -> Result<(), String> {
    match kind {
        PromptKind::TailAnswer => {
            let reply = app
                .tail_reply
                .take()
                .ok_or("the message to answer is gone")?;
            effects.push(Effect::TailAnswer {
                reply,
                body: text.to_string(),
            });
        }
        _ => {
            let (subject, body) = text.split_once(' ').unwrap_or((text, ""));
            crate::broker::validate_send_subject(subject).map_err(|e| e.to_string())?;
            effects.push(Effect::TailRequest {
                subject: subject.to_string(),
                body: body.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::time::SystemTime;

    fn batch(from: usize, n: usize, dropped: u64) -> TailBatch {
        TailBatch {
            messages: (from..from + n)
                .map(|i| TailedMessage {
                    subject: format!("s.{i}"),
                    reply: None,
                    headers: Default::default(),
                    payload: Bytes::from_static(b"x"),
                    received: SystemTime::UNIX_EPOCH,
                })
                .collect(),
            dropped,
        }
    }

    #[test]
    fn pause_holds_what_arrives_and_resume_shows_it_in_order() {
        let now = Instant::now();
        let mut t = TailState::new(">");
        t.on_batch(batch(0, 3, 0), now);
        t.toggle_pause();
        t.on_batch(batch(3, 4, 0), now);
        assert_eq!(t.rows.len(), 3, "paused: nothing new shows");
        assert_eq!(t.held.len(), 4);
        t.toggle_pause();
        let subjects: Vec<_> = t.rows.iter().map(|m| m.subject.clone()).collect();
        assert_eq!(
            subjects,
            (0..7).map(|i| format!("s.{i}")).collect::<Vec<_>>()
        );
        assert!(t.held.is_empty());
    }

    #[test]
    fn memory_is_bounded_and_drops_are_counted() {
        let now = Instant::now();
        let mut t = TailState::new(">");
        t.on_batch(batch(0, TAIL_ROWS + 10, 5), now);
        assert_eq!(t.rows.len(), TAIL_ROWS);
        assert_eq!(t.rows[0].subject, "s.10", "the oldest go first");
        assert_eq!(t.dropped, 5);
        t.toggle_pause();
        t.on_batch(batch(0, TAIL_HELD + 3, 0), now);
        assert_eq!(t.held.len(), TAIL_HELD);
        assert_eq!(t.dropped, 8, "beyond the held buffer: counted");
        assert_eq!(t.seen, (TAIL_ROWS + 10 + 5 + TAIL_HELD + 3) as u64);
    }

    #[test]
    fn the_rate_counts_the_last_second() {
        let start = Instant::now();
        let mut t = TailState::new(">");
        t.on_batch(batch(0, 100, 0), start);
        t.on_batch(batch(0, 100, 50), start + Duration::from_millis(500));
        assert_eq!(t.rate, 250.0);
        t.on_batch(batch(0, 10, 0), start + Duration::from_millis(1_600));
        assert_eq!(t.rate, 10.0);
    }
}
