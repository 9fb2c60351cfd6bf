//! Messages as things to act on (issue 13): delete or erase one (from the browser, the
//! open message, or a held delivery in the messages pane), the browser's filters, the
//! subjects view, and copying or saving a body. What the server answers comes back here.

use std::time::SystemTime;

use super::actions::{Effect, SaveFailure};
use super::{App, Overlay};
use crate::broker::{ApiErrorKind, BrowseWindow};
use crate::console::attached::RowState;
use crate::console::error::ActionError;
use crate::console::keys::Command;
use crate::console::overlays::browse::{Bound, BrowseFilter, BrowseRow};
use crate::console::overlays::prompt::{Prompt, PromptKind};
use crate::console::overlays::subjects::SubjectsState;
use crate::console::overlays::{Confirm, MessageView, Next};

/// Largest body put on the clipboard: terminals cap OSC 52 (xterm and tmux near 100 KB of
/// base64); larger ones are saved to a file instead.
pub const CLIPBOARD_MAX: usize = 74_000;

/// A message delete as confirmed: what it names, and who holds a delivery of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDelete {
    pub stream: String,
    pub sequence: u64,
    pub subject: String,
    /// The subscription holding a delivery of it unsettled, if any (`WORK/ops`).
    pub held_by: Option<String>,
}

impl MessageDelete {
    /// `y` (delete) or `e` (erase): sent, then read back.
    pub fn go(&self, app: &mut App, erase: bool, effects: &mut Vec<Effect>) {
        let verb = if erase { "erasing" } else { "deleting" };
        app.say(format!("{verb} {} seq {}…", self.stream, self.sequence));
        effects.push(Effect::DeleteMessage {
            stream: self.stream.clone(),
            sequence: self.sequence,
            erase,
        });
    }
}

impl App {
    /// The confirmation before deleting `stream` seq `sequence`.
    pub(crate) fn confirm_message_delete(
        &mut self,
        stream: &str,
        sequence: u64,
        subject: &str,
    ) -> Next {
        let held_by = self
            .attached
            .iter()
            .find(|a| {
                a.stream == stream
                    && a.rows.iter().any(|r| {
                        r.delivery.stream_sequence == sequence
                            && matches!(r.state, RowState::Held | RowState::Failed(_))
                    })
            })
            .map(|a| a.label());
        let delete = MessageDelete {
            stream: stream.to_string(),
            sequence,
            subject: subject.to_string(),
            held_by,
        };
        Next::Open(Overlay::Confirm(Confirm::DeleteMessage(Box::new(delete))))
    }

    /// `Delete` in the messages pane: the selected delivery's stream sequence.
    pub(crate) fn delete_selected_delivery(&mut self) {
        let Some((stream, sequence, subject)) = self.current().and_then(|a| {
            let r = a.selected_row()?;
            Some((
                r.delivery.stream.clone(),
                r.delivery.stream_sequence,
                r.subject.clone(),
            ))
        }) else {
            self.complain("select a message to delete (f pulls some)");
            return;
        };
        if let Next::Open(confirm) = self.confirm_message_delete(&stream, sequence, &subject) {
            self.open(confirm);
        }
    }

    /// `y`, `s` and `Delete` on the open message.
    pub(crate) fn on_open_message(
        &mut self,
        view: &MessageView,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        match command {
            Some(Command::CopyBody) => self.copy_body(view, effects),
            Some(Command::SaveBody) => {
                let path = default_save_path(view);
                let prompt = Prompt::new(PromptKind::SavePath, None).with_value(&path);
                return Next::Open(Overlay::Prompt(Box::new(prompt)));
            }
            // A tailed message came over plain NATS: no stream holds it.
            Some(Command::DeleteMessage) if view.stream.is_empty() => {
                self.complain("this message came over plain NATS: no stream holds it");
            }
            Some(Command::DeleteMessage) => {
                return self.confirm_message_delete(&view.stream, view.sequence, &view.subject);
            }
            _ => {}
        }
        Next::Stay
    }

    /// Puts the body on the clipboard (OSC 52, written by the terminal owner).
    pub(crate) fn copy_body(&mut self, view: &MessageView, effects: &mut Vec<Effect>) {
        let n = view.body.len();
        if n > CLIPBOARD_MAX {
            self.complain(format!(
                "{} seq {}: {n} bytes is more than a terminal clipboard takes ({CLIPBOARD_MAX}); s in the message saves it to a file",
                view.stream, view.sequence
            ));
            return;
        }
        effects.push(Effect::Clipboard(view.body.clone()));
        self.say(format!(
            "copied the body of {} seq {} ({n} bytes) to the clipboard (OSC 52: the terminal must allow it)",
            view.stream, view.sequence
        ));
    }

    /// `u` on a stream: its subjects, counted by the server.
    pub(crate) fn open_subjects(&mut self, effects: &mut Vec<Effect>) {
        let Some(stream) = self.selected_stream.clone() else {
            self.complain("select a stream first");
            return;
        };
        effects.push(Effect::ListSubjects {
            stream: stream.clone(),
        });
        self.open(Overlay::Subjects(Box::new(SubjectsState::new(&stream))));
    }

    /// The answers to the prompts this file opens; Err keeps the prompt open.
    pub(crate) fn answer_message_prompt(
        &mut self,
        kind: PromptKind,
        text: &str,
        effects: &mut Vec<Effect>,
    ) -> Result<(), String> {
        match kind {
            PromptKind::BrowseSubject => {
                if !text.is_empty() {
                    check_filter_subject(text)?;
                }
                let b = self.browser_mut().ok_or("the browser is closed")?;
                let mut filter = b.filter.clone();
                filter.subject = (!text.is_empty()).then(|| text.to_string());
                b.refilter(filter, false, effects);
            }
            PromptKind::BrowseSince => {
                let since = if text.is_empty() {
                    None
                } else {
                    Some((parse_since(text, self.now)?, text.to_string()))
                };
                let b = self.browser_mut().ok_or("the browser is closed")?;
                let mut filter = b.filter.clone();
                filter.since = since;
                b.refilter(filter, false, effects);
            }
            PromptKind::SubjectsFilter => {
                if let Some(Overlay::Subjects(s)) = self.overlays.last_mut() {
                    s.set_filter(text);
                }
            }
            PromptKind::SavePath => {
                if text.is_empty() {
                    return Err("a file path".into());
                }
                let Some(Overlay::Message { view, .. }) = self.overlays.last() else {
                    return Err("the message is closed".into());
                };
                effects.push(Effect::SaveBody {
                    path: text.to_string(),
                    body: view.body.clone(),
                    overwrite: false,
                });
                self.say(format!("saving to {text}…"));
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn on_message_deleted(
        &mut self,
        stream: &str,
        sequence: u64,
        erase: bool,
        result: Result<bool, ActionError>,
    ) {
        let done = if erase { "erased" } else { "deleted" };
        match result {
            Ok(true) => {}
            Ok(false) => {
                return self.complain(format!(
                    "{stream} seq {sequence}: the server said {done}, but it still reads back"
                ));
            }
            Err(e) if e.api_kind() == Some(ApiErrorKind::MessageNotFound) => {
                return self.complain(format!(
                    "{stream} seq {sequence} was not in the stream (deleted or aged out already)"
                ));
            }
            Err(e) => {
                return self.complain(format!("{stream} seq {sequence} not {done}: {e}"));
            }
        }
        let held = self.forget_deleted(stream, sequence);
        let mut text = format!("{stream} seq {sequence} {done} (checked: no longer in the stream)");
        if let Some(label) = held {
            text.push_str(&format!(
                "; its delivery held by {label} is taken off ack pending by the server (as a term: never redelivered)"
            ));
        }
        self.say(text);
    }

    /// Shows a deleted message as gone: a gap in the browser, the open message closed.
    /// Returns the subscription that held a delivery of it.
    fn forget_deleted(&mut self, stream: &str, sequence: u64) -> Option<String> {
        if let Some(Overlay::Message { view, .. }) = self.overlays.last()
            && view.stream == stream
            && view.sequence == sequence
        {
            self.overlays.pop();
        }
        if let Some(b) = self.browser_mut()
            && b.stream == stream
        {
            b.forget(sequence);
        }
        // The server settles a deleted message's unacked delivery as a term (it is
        // never redelivered): the row says so, and is no longer the operator's to settle.
        let mut held_by = None;
        for a in self.attached.iter_mut().filter(|a| a.stream == stream) {
            let label = a.label();
            for r in a.rows.iter_mut().filter(|r| {
                r.delivery.stream_sequence == sequence
                    && matches!(r.state, RowState::Held | RowState::Failed(_))
            }) {
                r.state = RowState::Termed;
                held_by = Some(label.clone());
            }
        }
        held_by
    }

    pub(crate) fn on_browse_located(
        &mut self,
        stream: &str,
        filter: &BrowseFilter,
        at_last: bool,
        result: Result<Option<(BrowseWindow, Vec<BrowseRow>)>, ActionError>,
        effects: &mut Vec<Effect>,
    ) {
        let Some(b) = self.browser_mut() else { return };
        if b.stream != stream || &b.filter != filter {
            return;
        }
        b.loading = false;
        b.history.clear();
        match result {
            Ok(Some((window, _))) if filter.is_empty() => {
                // `l` with no filter: the last page of the stream as it is now, its last
                // row selected (the page's arrival clamps the selection to it).
                b.first_seq = window.first;
                b.last_seq = window.last;
                b.bound = Bound::Stored(window.last);
                b.stored = window.count;
                b.direct = window.direct;
                b.load(b.last_page(), effects);
                b.selected = usize::MAX;
            }
            Ok(Some((window, rows))) => {
                b.from = rows.first().map_or(window.first, BrowseRow::sequence);
                b.window = Some(window);
                b.rows = rows;
                b.selected = if at_last {
                    b.rows.len().saturating_sub(1)
                } else {
                    0
                };
                b.error = None;
            }
            Ok(None) => {
                b.window = None;
                b.rows.clear();
                b.error = None;
                if filter.is_empty() {
                    self.say(format!("{stream} holds no messages now"));
                } else {
                    let what = filter.describe();
                    self.say(format!("{stream}: no message matches {what}"));
                }
            }
            Err(e) => b.error = Some(e.to_string()),
        }
    }

    pub(crate) fn on_browsed_window(
        &mut self,
        stream: &str,
        filter: &BrowseFilter,
        from: u64,
        result: Result<Vec<BrowseRow>, ActionError>,
    ) {
        let Some(b) = self.browser_mut() else { return };
        if b.stream != stream || &b.filter != filter || b.from != from {
            return;
        }
        b.loading = false;
        match result {
            Ok(rows) => {
                b.rows = rows;
                b.selected = b.selected.min(b.rows.len().saturating_sub(1));
                b.error = None;
            }
            Err(e) => b.error = Some(e.to_string()),
        }
    }

    pub(crate) fn on_subjects_listed(
        &mut self,
        stream: &str,
        result: Result<crate::console::overlays::subjects::SubjectCounts, ActionError>,
    ) {
        let Some(view) = self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Subjects(s) if s.stream == stream => Some(s),
            _ => None,
        }) else {
            return;
        };
        match result {
            Ok(subjects) => view.listed(subjects),
            Err(e) => {
                view.loading = false;
                view.error = Some(e.to_string());
            }
        }
    }

    pub(crate) fn on_saved(
        &mut self,
        path: String,
        body: bytes::Bytes,
        result: Result<(usize, String), SaveFailure>,
    ) {
        match result {
            Ok((n, full)) => self.say(format!(
                "saved {n} bytes to {full} (the server is unchanged)"
            )),
            Err(SaveFailure::Exists) => {
                self.say(format!("{path} exists: overwrite it? (y/n)"));
                self.open(Overlay::Confirm(Confirm::Overwrite { path, body }));
            }
            Err(SaveFailure::Io(e)) => self.complain(format!("not saved to {path}: {e}")),
        }
    }
}

/// `./ORDERS-42.json`: the extension from the content (JSON, text, or bytes).
pub fn default_save_path(view: &MessageView) -> String {
    let ext = if serde_json::from_slice::<serde_json::Value>(&view.body).is_ok() {
        "json"
    } else if std::str::from_utf8(&view.body).is_ok() {
        "txt"
    } else {
        "bin"
    };
    format!("./{}-{}.{ext}", view.stream, view.sequence)
}

/// A subject to filter by: NATS tokens, wildcards allowed (`*` a whole token, `>` last).
fn check_filter_subject(subject: &str) -> Result<(), String> {
    let tokens: Vec<&str> = subject.split('.').collect();
    for (i, t) in tokens.iter().enumerate() {
        if t.is_empty() {
            return Err(format!("{subject:?} has an empty token"));
        }
        if t.chars().any(char::is_whitespace) {
            return Err(format!("{subject:?} holds whitespace"));
        }
        if (t.contains('*') && *t != "*") || (t.contains('>') && *t != ">") {
            return Err(format!("a wildcard is a whole token: {t:?}"));
        }
        if *t == ">" && i + 1 != tokens.len() {
            return Err("> comes last".into());
        }
    }
    Ok(())
}

/// `10m` (that long ago) or an RFC 3339 time.
pub fn parse_since(text: &str, now: SystemTime) -> Result<SystemTime, String> {
    if let Ok(ago) = humantime::parse_duration(text) {
        return Ok(now.checked_sub(ago).unwrap_or(SystemTime::UNIX_EPOCH));
    }
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(SystemTime::from)
        .map_err(|_| {
            format!("{text:?}: a duration ago (10m, 2h) or an RFC 3339 time (2026-01-15T08:00:00Z)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn since_takes_a_duration_ago_or_a_timestamp() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(10_000);
        assert_eq!(
            parse_since("10m", now).unwrap(),
            now - Duration::from_secs(600)
        );
        assert_eq!(
            parse_since("1970-01-01T00:00:10Z", now).unwrap(),
            SystemTime::UNIX_EPOCH + Duration::from_secs(10)
        );
        assert!(
            parse_since("yesterday", now)
                .unwrap_err()
                .contains("RFC 3339")
        );
    }

    #[test]
    fn filter_subjects_allow_whole_token_wildcards_only() {
        assert!(check_filter_subject("orders.*.eu").is_ok());
        assert!(check_filter_subject("orders.>").is_ok());
        assert!(check_filter_subject("orders.a b").is_err());
        assert!(check_filter_subject("orders..x").is_err());
        assert!(check_filter_subject("orders.>.x").is_err());
        assert!(check_filter_subject("ord*").is_err());
    }
}
