//! The overlays that ask before a stream or consumer is changed: the purge chooser, the
//! typed-name confirmation of a stream delete, and the one-line questions of pause
//! ("until when?") and reset ("from which sequence or time?"). They take keys as the
//! prompt does (Enter, Tab, Esc; the rest is typed), so they share its bindings.

use std::time::{Duration, SystemTime};

use ratatui::crossterm::event::{Event as TermEvent, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::Next;
use crate::broker::{PurgeScope, ResetTarget};
use crate::console::app::{App, Effect, OpPlan, OpRequest};
use crate::console::keys::Command;

/// The purge chooser's options, in order.
pub const PURGE_CHOICES: [&str; 4] = [
    "everything",
    "one subject (wildcards * and > allowed)",
    "keep the newest N",
    "below sequence N (up to, not including)",
];

#[derive(Debug, Clone)]
pub enum OperateForm {
    /// `P` on a stream: what to purge.
    Purge {
        stream: String,
        /// Index into `PURGE_CHOICES`.
        choice: usize,
        /// One input per choice (the first has none to type).
        inputs: Box<[Input; 4]>,
        error: Option<String>,
    },
    /// `d` on a stream: type its name.
    DeleteStream {
        stream: String,
        /// What goes with it, in words (messages, bytes, consumers).
        goes: String,
        input: Input,
        error: Option<String>,
    },
    /// `P` on a consumer: until when.
    PauseUntil {
        stream: String,
        consumer: String,
        input: Input,
        error: Option<String>,
    },
    /// `R` on a consumer: from where.
    ResetTo {
        stream: String,
        consumer: String,
        input: Input,
        error: Option<String>,
    },
}

impl OperateForm {
    pub fn purge(stream: &str) -> Self {
        OperateForm::Purge {
            stream: stream.to_string(),
            choice: 0,
            inputs: Default::default(),
            error: None,
        }
    }

    /// The input keys go to now, if any.
    pub fn input_mut(&mut self) -> Option<&mut Input> {
        match self {
            OperateForm::Purge { choice, inputs, .. } => {
                (*choice > 0).then(|| &mut inputs[*choice])
            }
            OperateForm::DeleteStream { input, .. }
            | OperateForm::PauseUntil { input, .. }
            | OperateForm::ResetTo { input, .. } => Some(input),
        }
    }

    fn error_mut(&mut self) -> &mut Option<String> {
        match self {
            OperateForm::Purge { error, .. }
            | OperateForm::DeleteStream { error, .. }
            | OperateForm::PauseUntil { error, .. }
            | OperateForm::ResetTo { error, .. } => error,
        }
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        key: KeyEvent,
        effects: &mut Vec<Effect>,
    ) -> Next {
        match command {
            Some(Command::Close) => {
                app.say("cancelled: nothing sent to the server");
                return Next::Close;
            }
            Some(Command::NextField | Command::PrevField) => {
                if let OperateForm::Purge { choice, .. } = self {
                    let step = if command == Some(Command::NextField) {
                        1
                    } else {
                        3
                    };
                    *choice = (*choice + step) % PURGE_CHOICES.len();
                }
            }
            Some(Command::Submit) => match self.submit(app, effects) {
                Ok(()) => return Next::Close,
                Err(e) => *self.error_mut() = Some(e),
            },
            _ => {
                if let Some(input) = self.input_mut() {
                    input.handle_event(&TermEvent::Key(key));
                }
                *self.error_mut() = None;
            }
        }
        Next::Stay
    }

    /// A paste into the field being typed in.
    pub fn paste(&mut self, text: &str) {
        use super::publish::{insert_limited, one_line};
        let result = match self.input_mut() {
            Some(input) => insert_limited(input, &one_line(text, " "), "the answer"),
            None => Ok(()),
        };
        *self.error_mut() = result.err();
    }

    /// Acts on Enter; Err keeps the overlay open with the message (nothing sent).
    fn submit(&self, app: &mut App, effects: &mut Vec<Effect>) -> Result<(), String> {
        match self {
            OperateForm::Purge {
                stream,
                choice,
                inputs,
                ..
            } => {
                let scope = purge_scope(*choice, inputs[*choice].value().trim())?;
                app.say(format!("counting what the purge of {stream} would take…"));
                effects.push(Effect::Operate(OpRequest::PreviewPurge {
                    stream: stream.clone(),
                    scope,
                }));
            }
            OperateForm::DeleteStream {
                stream,
                goes,
                input,
                ..
            } => {
                let typed = input.value();
                if typed != stream {
                    return Err(format!(
                        "{typed:?} is not the stream's name: nothing deleted (type {stream} exactly, or Esc)"
                    ));
                }
                app.detach_stream(stream, effects);
                app.say(format!("deleting stream {stream}…"));
                effects.push(Effect::Operate(OpRequest::DeleteStream {
                    stream: stream.clone(),
                    goes: goes.clone(),
                }));
            }
            OperateForm::PauseUntil {
                stream,
                consumer,
                input,
                ..
            } => {
                let until = parse_until(input.value().trim(), app.now)?;
                app.open(super::Overlay::Confirm(super::Confirm::Operate(Box::new(
                    OpPlan::Pause {
                        stream: stream.clone(),
                        consumer: consumer.clone(),
                        until,
                    },
                ))));
            }
            OperateForm::ResetTo {
                stream,
                consumer,
                input,
                ..
            } => {
                let target = parse_reset_target(input.value().trim(), app.now)?;
                app.say(format!(
                    "reading where {consumer} of {stream} would start again…"
                ));
                effects.push(Effect::Operate(OpRequest::PreviewReset {
                    stream: stream.clone(),
                    consumer: consumer.clone(),
                    target,
                }));
            }
        }
        Ok(())
    }
}

/// The purge the chooser's `choice` and its typed `text` ask for.
pub fn purge_scope(choice: usize, text: &str) -> Result<PurgeScope, String> {
    let number = |what: &str| -> Result<u64, String> {
        text.parse::<u64>()
            .map_err(|_| format!("{what}: a whole number, e.g. 100"))
    };
    match choice {
        0 => Ok(PurgeScope::All),
        1 => {
            check_filter(text)?;
            Ok(PurgeScope::Subject(text.to_string()))
        }
        2 => Ok(PurgeScope::KeepNewest(number("how many to keep")?)),
        _ => match number("the sequence")? {
            0 => Err("sequences start at 1".to_string()),
            n => Ok(PurgeScope::BelowSequence(n)),
        },
    }
}

/// A subject filter: dot-separated tokens, `*` a whole token, `>` only the last one.
fn check_filter(filter: &str) -> Result<(), String> {
    if filter.is_empty() {
        return Err("type a subject, e.g. orders.billing or orders.*.eu".into());
    }
    if let Some(c) = filter.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "a subject has no spaces or control characters ({c:?})"
        ));
    }
    let tokens: Vec<&str> = filter.split('.').collect();
    for (i, token) in tokens.iter().enumerate() {
        match *token {
            "" => {
                return Err(format!(
                    "{filter:?} has an empty token (two dots, or a dot at an end)"
                ));
            }
            ">" if i + 1 != tokens.len() => return Err("> may only be the last token".into()),
            t if t.len() > 1 && (t.contains('*') || t.contains('>')) => {
                return Err(format!("{t:?}: * and > stand alone as a whole token"));
            }
            _ => {}
        }
    }
    Ok(())
}

fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(SystemTime::from)
}

/// `HH:MM` or `HH:MM:SS`, today in UTC.
fn parse_clock(text: &str, now: SystemTime) -> Option<SystemTime> {
    let mut parts = text.split(':').map(|p| p.parse::<u8>().ok());
    let (Some(Some(h)), Some(Some(m)), s, None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let s = match s {
        Some(Some(s)) => s,
        Some(None) => return None,
        None => 0,
    };
    let clock = time::Time::from_hms(h, m, s).ok()?;
    let today = time::OffsetDateTime::from(now).date();
    Some(SystemTime::from(today.with_time(clock).assume_utc()))
}

/// Until when a pause lasts: a duration from now (`10m`, `1h30m`), an RFC 3339 time, or
/// `HH:MM` today in UTC. It must be in the future.
pub fn parse_until(text: &str, now: SystemTime) -> Result<SystemTime, String> {
    if text.is_empty() {
        return Err("until when? e.g. 10m, 14:30 (UTC today) or 2026-11-27T14:30:00Z".into());
    }
    let until = if let Ok(d) = humantime::parse_duration(text) {
        now + d
    } else if let Some(t) = parse_rfc3339(text).or_else(|| parse_clock(text, now)) {
        t
    } else {
        return Err(format!(
            "{text:?} is not a duration (10m), a time of day in UTC (14:30) or an RFC 3339 time"
        ));
    };
    if until <= now {
        return Err(format!(
            "{} has passed: give a later time or a duration",
            crate::console::app::clock_text(until)
        ));
    }
    Ok(until)
}

/// Where a reset starts again: a stream sequence (`120`), a time (RFC 3339, `HH:MM` today
/// UTC), or a duration back from now (`10m`: what arrived in the last ten minutes). Empty:
/// back to the ack floor (everything unacknowledged).
pub fn parse_reset_target(text: &str, now: SystemTime) -> Result<ResetTarget, String> {
    if text.is_empty() {
        return Ok(ResetTarget::AckFloor);
    }
    if let Ok(n) = text.parse::<u64>() {
        return match n {
            0 => Err("sequences start at 1".into()),
            n => Ok(ResetTarget::Sequence(n)),
        };
    }
    if let Some(t) = parse_rfc3339(text).or_else(|| parse_clock(text, now)) {
        return Ok(ResetTarget::Time(t));
    }
    if let Ok(d) = humantime::parse_duration(text) {
        return Ok(ResetTarget::Time(
            now.checked_sub(d).unwrap_or(SystemTime::UNIX_EPOCH),
        ));
    }
    Err(format!(
        "{text:?} is not a sequence (120), a time (14:30 UTC today, RFC 3339) or a duration back (10m)"
    ))
}

/// How far off `then` is from `now`, for a confirmation (`in 10m`).
pub fn from_now(now: SystemTime, then: SystemTime) -> String {
    let d = then.duration_since(now).unwrap_or_default();
    let d = Duration::from_secs(d.as_secs());
    format!("in {}", humantime::format_duration(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-27T12:00:00Z.
    fn noon() -> SystemTime {
        parse_rfc3339("2026-11-27T12:00:00Z").unwrap()
    }

    #[test]
    fn pause_until_takes_a_duration_a_clock_time_or_rfc3339() {
        let now = noon();
        assert_eq!(parse_until("10m", now), Ok(now + Duration::from_secs(600)));
        assert_eq!(
            parse_until("1h 30m", now),
            Ok(now + Duration::from_secs(5400))
        );
        assert_eq!(
            parse_until("14:32", now),
            Ok(parse_rfc3339("2026-11-27T14:32:00Z").unwrap())
        );
        assert_eq!(
            parse_until("14:32:10", now),
            Ok(parse_rfc3339("2026-11-27T14:32:10Z").unwrap())
        );
        assert_eq!(
            parse_until("2026-11-28T09:00:00+01:00", now),
            Ok(parse_rfc3339("2026-11-28T08:00:00Z").unwrap())
        );
        let past = parse_until("11:00", now).unwrap_err();
        assert!(past.contains("2026-11-27T11:00:00Z has passed"), "{past}");
        assert!(
            parse_until("soon", now)
                .unwrap_err()
                .contains("not a duration")
        );
        assert!(parse_until("25:00", now).is_err());
        assert!(parse_until("", now).unwrap_err().contains("until when"));
        assert_eq!(from_now(now, now + Duration::from_secs(600)), "in 10m");
    }

    #[test]
    fn reset_takes_a_sequence_a_time_or_a_duration_back() {
        let now = noon();
        assert_eq!(parse_reset_target("", now), Ok(ResetTarget::AckFloor));
        assert_eq!(
            parse_reset_target("120", now),
            Ok(ResetTarget::Sequence(120))
        );
        assert!(parse_reset_target("0", now).is_err());
        assert_eq!(
            parse_reset_target("11:30", now),
            Ok(ResetTarget::Time(
                parse_rfc3339("2026-11-27T11:30:00Z").unwrap()
            ))
        );
        assert_eq!(
            parse_reset_target("10m", now),
            Ok(ResetTarget::Time(now - Duration::from_secs(600)))
        );
        assert!(
            parse_reset_target("-3", now)
                .unwrap_err()
                .contains("not a sequence")
        );
    }

    #[test]
    fn purge_choices_check_what_is_typed() {
        assert_eq!(purge_scope(0, "ignored"), Ok(PurgeScope::All));
        assert_eq!(
            purge_scope(1, "orders.*.billing"),
            Ok(PurgeScope::Subject("orders.*.billing".into()))
        );
        assert_eq!(
            purge_scope(1, "orders.>"),
            Ok(PurgeScope::Subject("orders.>".into()))
        );
        for bad in [
            "",
            "orders billing",
            "orders..x",
            "orders.>.x",
            "orders.bil*",
        ] {
            assert!(purge_scope(1, bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(purge_scope(2, "100"), Ok(PurgeScope::KeepNewest(100)));
        assert!(purge_scope(2, "-1").unwrap_err().contains("whole number"));
        assert_eq!(purge_scope(3, "42"), Ok(PurgeScope::BelowSequence(42)));
        assert!(purge_scope(3, "0").is_err());
    }
}
