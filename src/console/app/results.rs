//! `update`: one function per kind of thing that happens; keys and pastes go to
//! `commands`, results from the server change the state and say how they went.

use super::actions::{Action, AttachedInfo, DeadLetterOp, Effect, Settle, StreamOffer};
use super::{App, Overlay, Pane, commands, time_of_day};
use crate::broker::StoredMessage;
use crate::broker::{ApiError, ApiErrorKind, PubAck};
use crate::console::attached::{MessageKey, MessageRow, RowState};
use crate::console::error::ActionError;
use crate::console::model::{Advisory, ConnectionView, ConsumersView, Snapshot};
use crate::console::overlays::browse::BrowsePage;
use crate::console::overlays::{Confirm, MessageView};
use crate::deadletters::TimelineEntry;

/// Applies one action; returns the effects to run.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut effects = Vec::new();
    match action {
        Action::Key(key) => commands::on_key(app, key, &mut effects),
        Action::Paste(text) => commands::on_paste(app, &text, &mut effects),
        Action::Mouse(event, at) => super::mouse::on_mouse(app, event, at, &mut effects),
        Action::Resize => {}
        Action::Tick(now) => app.now = now,
        Action::Connection(connection) => on_connection(app, connection),
        Action::Snapshot(snapshot) => on_snapshot(app, *snapshot, &mut effects),
        Action::Consumers(consumers) => on_consumers(app, consumers, &mut effects),
        Action::Advisory(advisory) => on_advisory(app, advisory),
        Action::RefreshFailed(error) => on_refresh_failed(app, error),
        Action::Published(result) => on_published(app, result),
        Action::Attached { id, result } => on_attached(app, id, result),
        Action::Pulled { id, result } => on_pulled(app, id, result),
        Action::Settled {
            id,
            key,
            how,
            result,
        } => on_settled(app, id, key, how, result),
        Action::AutoHandled { id, row } => {
            if let Some(a) = app.attached_mut(id) {
                a.add_auto(row);
            }
        }
        Action::Browsed {
            stream,
            from,
            result,
        } => on_browsed(app, &stream, from, result),
        Action::ConsumerDeleted {
            stream,
            consumer,
            result,
        } => on_consumer_deleted(app, &stream, &consumer, result),
        Action::StoredSubjects {
            stream,
            consumer,
            result,
        } => on_stored_subjects(app, &stream, &consumer, result, &mut effects),
        Action::Detached { id, held, naked } => app.detached(id, held, naked),
        Action::Run(effect) => effects.push(effect),
        Action::NeedsStream(offer) => on_needs_stream(app, offer),
        other @ (Action::MessageRead { .. }
        | Action::DeadLettersListed { .. }
        | Action::DeadLetterProgress(..)
        | Action::DeadLettersDone { .. }
        | Action::OutstandingRead { .. }
        | Action::CaptureCreated(..)
        | Action::Operated(..)
        | Action::MessageDeleted { .. }
        | Action::BrowseLocated { .. }
        | Action::BrowsedWindow { .. }
        | Action::SubjectsListed { .. }
        | Action::Saved { .. }
        | Action::Configured { .. }) => on_looked_up_or_changed(app, other, &mut effects),
        Action::Failed(e) => app.complain(e.to_string()),
        Action::Kv(kv) => app.on_kv(kv, &mut effects),
        Action::Objects(o) => app.on_objects(o, &mut effects),
        Action::TailStarted(result) => app.on_tail_started(result),
        Action::TailBatch(feed) => app.on_tail_batch(feed),
        Action::TailSent(Ok(text)) => app.say(text),
        Action::TailSent(Err(text)) => app.complain(text),
    }
    super::read_only::guard(app, &mut effects);
    effects
}

/// Results of what the operator looked up or changed: messages read, dead letters,
/// outstanding pages, operations on streams, consumers and messages, config forms.
fn on_looked_up_or_changed(app: &mut App, action: Action, effects: &mut Vec<Effect>) {
    match action {
        Action::MessageRead {
            stream,
            sequence,
            result,
        } => on_message_read(app, &stream, sequence, result),
        Action::DeadLettersListed { result } => on_dead_letters_listed(app, result),
        Action::DeadLetterProgress(p) => on_dead_letter_progress(app, &p),
        Action::DeadLettersDone {
            op,
            summary,
            ok,
            copied,
        } => {
            for t in &copied {
                app.held_log.forget(&t.stream, t.sequence);
            }
            on_dead_letters_done(app, &op, summary, ok, effects)
        }
        Action::OutstandingRead {
            stream,
            consumer,
            from,
            result,
        } => app.outstanding_read(&stream, &consumer, from, result),
        Action::CaptureCreated(result) => on_capture_created(app, result, effects),
        Action::Operated(done) => app.operated(done),
        Action::MessageDeleted {
            stream,
            sequence,
            erase,
            result,
        } => app.on_message_deleted(&stream, sequence, erase, result),
        Action::BrowseLocated {
            stream,
            filter,
            at_last,
            result,
        } => app.on_browse_located(&stream, &filter, at_last, result, effects),
        Action::BrowsedWindow {
            stream,
            filter,
            from,
            result,
        } => app.on_browsed_window(&stream, &filter, from, result),
        Action::SubjectsListed { stream, result } => app.on_subjects_listed(&stream, result),
        Action::Saved { path, body, result } => app.on_saved(path, body, result),
        Action::Configured { plan, result } => {
            super::configure::on_configured(app, &plan, result, effects)
        }
        other => unreachable!("update handles {other:?}"),
    }
}

fn on_consumers(app: &mut App, consumers: ConsumersView, effects: &mut Vec<Effect>) {
    app.consumers = consumers;
    app.diagnose_consumers(effects);
    app.fix_consumer_selection();
}

fn on_advisory(app: &mut App, advisory: Advisory) {
    app.events.push_front(advisory);
    app.events.truncate(app.events_kept);
    // Keep the operator's place when new events push the list down.
    if app.selected_event > 0 {
        app.selected_event = (app.selected_event + 1).min(app.events.len() - 1);
    }
}

fn on_stored_subjects(
    app: &mut App,
    stream: &str,
    consumer: &str,
    result: Result<Option<std::collections::BTreeMap<String, u64>>, ActionError>,
    effects: &mut Vec<Effect>,
) {
    match result {
        Ok(subjects) => {
            app.diagnoses
                .stored(stream, consumer, subjects.unwrap_or_default());
            app.diagnose_consumers(effects);
        }
        Err(e) => tracing::warn!(stream, consumer, error = %e, "stored subjects"),
    }
}

fn on_dead_letter_progress(app: &mut App, p: &crate::deadletters::Progress) {
    if let Some(view) = app.dead_letters_mut() {
        view.progress = Some((p.finished, p.total));
    }
    app.say(format!("[{}/{}] {}", p.finished, p.total, p.last));
}

fn on_connection(app: &mut App, connection: ConnectionView) {
    // Losing the server keeps the reason on screen until it is back.
    let reason = app.connection.last_error.take();
    let connected = connection.state == crate::broker::ConnectionState::Connected;
    if connected && app.connection.state != crate::broker::ConnectionState::Connected {
        app.connected_since = Some(app.now);
    }
    app.connection = connection;
    if !connected && app.connection.last_error.is_none() {
        app.connection.last_error = reason;
    }
}

fn on_snapshot(app: &mut App, snapshot: Snapshot, effects: &mut Vec<Effect>) {
    app.now = snapshot.taken;
    app.last_refresh = Some(snapshot.taken);
    app.last_requests = snapshot.requests;
    app.account = snapshot.account;
    app.take_streams(
        snapshot.stream_names,
        snapshot.streams,
        snapshot.streams_complete,
    );
    app.streams_listed = snapshot.streams_listed;
    app.denied = snapshot.denied;
    app.refresh_failure = None;
    app.metrics = snapshot.metrics;
    app.connection.last_error = None;
    if snapshot.consumers.stream.is_some() {
        app.consumers = snapshot.consumers;
    }
    app.diagnose_consumers(effects);
    app.fix_stream_selection(effects);
    app.fix_consumer_selection();
}

fn on_refresh_failed(app: &mut App, error: ApiError) {
    app.connection.last_error = Some(error.to_string());
    app.refresh_failure = Some(error.kind());
}

fn on_published(app: &mut App, result: Result<(PubAck, u32), ActionError>) {
    let (ack, count) = match result {
        Ok(published) => published,
        Err(e) => return app.complain(format!("publish failed: {e}")),
    };
    let dup = if ack.duplicate { " (duplicate)" } else { "" };
    let text = if count == 1 {
        format!(
            "published to {} at sequence {}{dup}",
            ack.stream, ack.sequence
        )
    } else {
        format!(
            "published {count} messages to {}, last at sequence {}{dup}",
            ack.stream, ack.sequence
        )
    };
    app.say(text);
}

fn on_attached(app: &mut App, id: u64, result: Result<AttachedInfo, ActionError>) {
    let info = match result {
        Ok(info) => info,
        Err(e) => {
            app.forget_attached(id);
            return app.complain(format!("cannot attach: {e}"));
        }
    };
    let batch = app.default_batch();
    let label = format!("{}/{}", info.stream, info.consumer);
    if let Some(a) = app.attached_mut(id) {
        a.stream = info.stream;
        a.consumer = info.consumer;
        a.filter = info.filter;
        a.ack_wait = info.ack_wait;
        a.batch_size = batch;
    }
    app.focus = Pane::Messages;
    app.say(format!(
        "attached to {label} (manual): f pulls, m switches to auto"
    ));
}

fn on_pulled(app: &mut App, id: u64, result: Result<Vec<MessageRow>, ActionError>) {
    let Some(a) = app.attached_mut(id) else {
        return;
    };
    a.pulling = false;
    match result {
        Ok(rows) if rows.is_empty() => {
            app.say("nothing to pull: no messages waiting for this consumer")
        }
        Ok(rows) => {
            let n = rows.len();
            let again = rows.iter().filter(|r| r.delivery.delivered > 1).count();
            a.add_pulled(rows);
            let redelivered = if again > 0 {
                format!(", {again} redelivered")
            } else {
                String::new()
            };
            app.say(format!(
                "pulled {n}{redelivered}: a ack, n nak, N nak later, t term, w in progress"
            ));
        }
        Err(e) => app.complain(format!("pull failed: {e}")),
    }
}

fn on_settled(
    app: &mut App,
    id: u64,
    key: MessageKey,
    how: Settle,
    result: Result<(), ActionError>,
) {
    let now = app.now;
    let Some(a) = app.attached_mut(id) else {
        return;
    };
    let ack_wait = a.ack_wait;
    let Some(row) = a.row_mut(key) else {
        return;
    };
    match result {
        Ok(()) => {
            row.state = match &how {
                Settle::Ack => RowState::Acked,
                Settle::Nak(delay) => RowState::Naked(*delay),
                Settle::Term(_) => RowState::Termed,
                Settle::InProgress => {
                    row.clock_start = now;
                    RowState::Held
                }
            };
            let seq = key.stream_sequence;
            app.say(format!("{} sent for sequence {seq}", how.name()));
            app.record_settle(id, key, &how);
        }
        Err(e) => {
            let by = time_of_day(row.clock_start + ack_wait);
            row.state = RowState::Failed(e.to_string());
            app.complain(format!(
                "{} failed: {e}; unless settled, the server redelivers it after its ack wait, at {by}",
                how.name()
            ));
        }
    }
}

fn on_browsed(app: &mut App, stream: &str, from: u64, result: Result<BrowsePage, ActionError>) {
    // The browser may sit under a message or a prompt opened from it.
    if let Some(b) = app.browser_mut()
        && b.stream == stream
        && b.from == from
    {
        b.loading = false;
        match result {
            Ok(page) => {
                b.rows = page.rows;
                if let Some(bound) = page.bound {
                    b.bound = crate::console::overlays::browse::Bound::Stored(bound);
                }
                b.selected = b.selected.min(b.rows.len().saturating_sub(1));
                b.error = None;
            }
            Err(e) => b.error = Some(e.to_string()),
        }
    }
}

fn on_consumer_deleted(
    app: &mut App,
    stream: &str,
    consumer: &str,
    result: Result<(), ActionError>,
) {
    let said = match result {
        Ok(()) => format!("deleted consumer {consumer} of {stream}"),
        // Gone already (deleted from elsewhere): what was asked is true; say so.
        Err(e) if e.api_kind() == Some(ApiErrorKind::ConsumerNotFound) => {
            format!("consumer {consumer} of {stream} was already gone (deleted elsewhere)")
        }
        Err(e) => return app.complain(format!("delete of {consumer} failed: {e}")),
    };
    app.consumers
        .rows
        .retain(|c| !(c.info.stream_name == stream && c.name() == consumer));
    app.fix_consumer_selection();
    app.say(said);
}

fn on_needs_stream(app: &mut App, offer: Box<StreamOffer>) {
    app.say(format!(
        "no stream listens on {}: create {}? (y/n)",
        offer.subject, offer.stream
    ));
    app.open(Overlay::Confirm(Confirm::CreateStream(offer)));
}

fn on_message_read(
    app: &mut App,
    stream: &str,
    sequence: u64,
    result: Result<Box<(StoredMessage, Vec<TimelineEntry>)>, ActionError>,
) {
    match result {
        Ok(read) => {
            let (message, timeline) = *read;
            app.say(format!(
                "{stream} seq {sequence}: read by sequence, nothing consumed"
            ));
            let view = MessageView::stored(&message).with_timeline(&timeline);
            app.open(Overlay::Message {
                view: Box::new(view),
                scroll: 0,
            });
        }
        Err(e) if e.api_kind() == Some(ApiErrorKind::MessageNotFound) => app.complain(format!(
            "{stream} seq {sequence} is no longer in the stream (acked on a work queue, deleted, or aged out)"
        )),
        Err(e) => app.complain(format!("reading {stream} seq {sequence} failed: {e}")),
    }
}

fn on_dead_letters_listed(
    app: &mut App,
    result: Result<(Vec<crate::deadletters::DeadLetter>, bool), ActionError>,
) {
    let Some(view) = app.dead_letters_mut() else {
        return;
    };
    match result {
        Ok((letters, capture)) => view.listed(letters, capture),
        Err(e) => {
            view.loading = false;
            view.error = Some(e.to_string());
        }
    }
}

/// A bulk run ended: its exact counts in the status line, and the list read again.
fn on_dead_letters_done(
    app: &mut App,
    op: &DeadLetterOp,
    summary: String,
    ok: bool,
    effects: &mut Vec<Effect>,
) {
    tracing::info!(op = op.verb(), %summary, ok, "dead-letter operation ended");
    if ok {
        app.say(summary);
    } else {
        app.complain(summary);
    }
    let seen = app.seen_advisories();
    if let Some(v) = app.dead_letters_mut() {
        v.progress = None;
        v.marked.clear();
        v.load(seen, effects);
    }
}

fn on_capture_created(app: &mut App, result: Result<bool, ActionError>, effects: &mut Vec<Effect>) {
    let name = crate::deadletters::CAPTURE_STREAM;
    match result {
        Ok(true) => app.say(format!(
            "created capture stream {name}: dead letters are recorded from now on, also while jetdeck is closed"
        )),
        Ok(false) => app.say(format!("capture stream {name} was there already")),
        Err(e) => return app.complain(format!("creating capture stream {name} failed: {e}")),
    }
    let seen = app.seen_advisories();
    if let Some(v) = app.dead_letters_mut() {
        v.load(seen, effects);
    }
}
