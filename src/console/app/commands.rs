//! Keys: each is looked up in the key table for where keys go now (the filter, the
//! overlay on top, the focused pane), and the command found is acted on. Pastes go whole
//! into the field being typed in.

use ratatui::crossterm::event::{Event as TermEvent, KeyEvent, KeyEventKind};
use tui_input::backend::crossterm::EventHandler;

use super::actions::Effect;
use super::{App, Overlay, Pane, messages};
use crate::broker::validate_topic;
use crate::console::keys::{Command, Place};
use crate::console::overlays::browse::BrowseState;
use crate::console::overlays::deadletters::DeadLettersState;
use crate::console::overlays::publish::PublishForm;
use crate::console::overlays::{self, Confirm, MessageView, Next};

pub(super) fn on_key(app: &mut App, key: KeyEvent, effects: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    let place = app.place();
    let command = app.keys.lookup(place, &key);
    on_command(app, place, command, key, effects);
}

/// Runs `command` (the one `key` is bound to at `place`, or one the mouse asks for).
pub(super) fn on_command(
    app: &mut App,
    place: Place,
    command: Option<Command>,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    // Quit means quit wherever it is bound (Ctrl-C anywhere, q where nothing is typed).
    if command == Some(Command::Quit) {
        app.quit = true;
        return;
    }
    if let Some(c) = command
        && super::read_only::refuse(app, c, effects)
    {
        return;
    }
    match place {
        Place::Filter => on_filter_key(app, command, key, effects),
        Place::Layer(_) => on_overlay_key(app, command, key, effects),
        Place::Pane(_) => {
            if let Some(command) = command {
                on_pane_command(app, command, effects);
            }
        }
    }
}

/// The overlay on top takes the key, and says whether it stays, closes, or opens another.
fn on_overlay_key(
    app: &mut App,
    command: Option<Command>,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    let Some(mut top) = app.overlays.pop() else {
        return;
    };
    match overlays::on_key(&mut top, app, command, key, effects) {
        Next::Stay => app.overlays.push(top),
        Next::Close => {}
        Next::Open(next) => {
            app.overlays.push(top);
            app.overlays.push(next);
        }
    }
}

fn on_filter_key(
    app: &mut App,
    command: Option<Command>,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    let Some(filter) = app.focused_filter() else {
        return;
    };
    match command {
        Some(Command::ApplyFilter) => filter.editing = false,
        Some(Command::ClearFilter) => {
            filter.editing = false;
            filter.input.reset();
        }
        _ => {
            filter.input.handle_event(&TermEvent::Key(key));
        }
    }
    app.fix_stream_selection(effects);
    app.fix_consumer_selection();
}

fn on_pane_command(app: &mut App, command: Command, effects: &mut Vec<Effect>) {
    match command {
        Command::Help => app.open(Overlay::Help { scroll: 0 }),
        Command::NextPane => app.focus = app.focus.step(!app.attached.is_empty(), true),
        Command::PrevPane => app.focus = app.focus.step(!app.attached.is_empty(), false),
        Command::Down => app.move_selection(1, effects),
        Command::Up => app.move_selection(-1, effects),
        Command::PageDown => app.move_selection(10, effects),
        Command::PageUp => app.move_selection(-10, effects),
        Command::First => app.move_selection(isize::MIN / 2, effects),
        Command::Last => app.move_selection(isize::MAX / 2, effects),
        Command::Details => open_detail(app),
        Command::Diagnose => {
            // The diagnosis is the first section of the consumer's details.
            app.focus = Pane::Consumers;
            open_detail(app);
        }
        Command::Filter | Command::FilterEvents => {
            if let Some(filter) = app.focused_filter() {
                filter.editing = true;
            }
        }
        Command::ClearFilter => {
            if let Some(filter) = app.focused_filter() {
                filter.input.reset();
            }
            app.fix_stream_selection(effects);
            app.fix_consumer_selection();
        }
        Command::Publish => open_publish(app),
        Command::AttachByTopic => app.open(Overlay::AttachForm(Box::default())),
        Command::Attach => app.attach_selected(effects),
        Command::DeleteConsumer => confirm_delete(app),
        Command::Browse => open_browser(app, effects),
        Command::OpenMessage => open_message(app),
        Command::OpenEvent => open_event(app, effects),
        Command::DeadLetters => open_dead_letters(app, effects),
        Command::PurgeStream
        | Command::DeleteStream
        | Command::PauseConsumer
        | Command::ResumeConsumer
        | Command::ResetConsumer => app.operate(command),
        Command::Subjects => app.open_subjects(effects),
        Command::Buckets => app.open_buckets(),
        Command::ObjectStores => app.open_object_stores(),
        Command::Tail => app.open(Overlay::Prompt(Box::new(overlays::Prompt::new(
            super::PromptKind::TailSubject,
            None,
        )))),
        Command::SwitchContext => {
            let state = overlays::contexts::ContextsState::read(app);
            app.open(Overlay::Contexts(Box::new(state)));
        }
        Command::DeleteMessage => app.delete_selected_delivery(),
        Command::CreateStream
        | Command::EditStream
        | Command::CreateConsumer
        | Command::EditConsumer
        | Command::CopyConsumer => super::configure::open_form(app, command),
        _ if app.focus == Pane::Messages => messages::on_command(app, command, effects),
        _ => {}
    }
}

/// The publish form, starting from the selected stream's first subject when it is a
/// concrete one.
fn open_publish(app: &mut App) {
    let subject = app
        .selected_stream
        .as_deref()
        .and_then(|s| app.stream(s))
        .and_then(|s| {
            s.info
                .config
                .subjects
                .iter()
                .find(|x| validate_topic(x).is_ok())
        })
        .cloned()
        .unwrap_or_default();
    app.open(Overlay::Publish(Box::new(PublishForm::with_subject(
        &subject,
    ))));
}

fn confirm_delete(app: &mut App) {
    let Some(stream) = app.selected_stream.clone() else {
        return;
    };
    let Some(c) = app
        .selected_consumer
        .as_deref()
        .and_then(|name| app.consumer(&stream, name))
    else {
        app.complain("select a consumer to delete");
        return;
    };
    let confirm = Confirm::DeleteConsumer {
        stream,
        consumer: c.name().to_string(),
        ack_pending: c.info.num_ack_pending as u64,
        pending: c.info.num_pending,
    };
    app.open(Overlay::Confirm(confirm));
}

fn open_browser(app: &mut App, effects: &mut Vec<Effect>) {
    let Some(s) = app.selected_stream.as_deref().and_then(|s| app.stream(s)) else {
        return;
    };
    let mut state = BrowseState::of(&s.info);
    if state.is_empty() {
        app.say(format!("{} holds no messages to browse", s.name()));
        return;
    }
    state.load(state.from, effects);
    app.open(Overlay::Browse(Box::new(state)));
}

fn open_detail(app: &mut App) {
    let detail = match app.focus {
        Pane::Streams => app
            .selected_stream
            .clone()
            .map(|stream| Overlay::StreamDetail { stream, scroll: 0 }),
        Pane::Consumers => match (&app.selected_stream, &app.selected_consumer) {
            (Some(stream), Some(consumer)) => Some(Overlay::ConsumerDetail {
                stream: stream.clone(),
                consumer: consumer.clone(),
                scroll: 0,
            }),
            _ => None,
        },
        Pane::Messages | Pane::Events => None,
    };
    if let Some(detail) = detail {
        app.open(detail);
    }
}

/// The selected message of the subscription shown, whole.
fn open_message(app: &mut App) {
    let Some(view) = app
        .current()
        .and_then(|a| Some(MessageView::delivered(a, a.selected_row()?)))
    else {
        return;
    };
    app.open(Overlay::Message {
        view: Box::new(view),
        scroll: 0,
    });
}

/// Enter on an event naming a message: read it by sequence (consuming nothing), with
/// what jetdeck itself saw of it for the timeline.
fn open_event(app: &mut App, effects: &mut Vec<Effect>) {
    let Some(advisory) = app.selected_advisory() else {
        return;
    };
    let Some((stream, sequence)) = advisory.message() else {
        let kind = advisory.kind.label().to_string();
        app.complain(format!("{kind} names no message to open"));
        return;
    };
    let stream = stream.to_string();
    let seen = app.seen_of(&stream, sequence);
    app.say(format!("reading {stream} seq {sequence}…"));
    effects.push(Effect::ReadMessage {
        stream,
        sequence,
        seen,
    });
}

/// `D`: every dead letter, or on a consumer its own.
fn open_dead_letters(app: &mut App, effects: &mut Vec<Effect>) {
    let mut filter = crate::deadletters::Filter::default();
    if app.focus == Pane::Consumers
        && let (Some(stream), Some(consumer)) = (&app.selected_stream, &app.selected_consumer)
    {
        filter.stream = Some(stream.clone());
        filter.consumer = Some(consumer.clone());
    }
    let mut view = DeadLettersState::new(filter);
    view.load(app.seen_advisories(), effects);
    app.open(Overlay::DeadLetters(Box::new(view)));
}

/// Whether keys go into a text field now: a filter being typed, a form or a prompt.
pub fn typing(app: &App) -> bool {
    app.editing_filter()
        || matches!(
            app.overlay(),
            Some(
                Overlay::Publish(_)
                    | Overlay::AttachForm(_)
                    | Overlay::Prompt(_)
                    | Overlay::Operate(_)
            )
        )
        || matches!(app.overlay(), Some(Overlay::ConfigForm(f)) if f.typing())
        || matches!(app.overlay(), Some(Overlay::KeyForm(f)) if f.asking.is_none())
}

/// A paste goes whole into the field being typed in, on one line; anywhere else it is
/// dropped, so that pasted letters never run as commands.
pub(super) fn on_paste(app: &mut App, text: &str, effects: &mut Vec<Effect>) {
    use crate::console::overlays::publish::{insert_limited, one_line};
    if app.editing_filter() {
        if let Some(filter) = app.focused_filter()
            && let Err(e) = insert_limited(&mut filter.input, &one_line(text, " "), "the filter")
        {
            app.complain(e);
        }
        app.fix_stream_selection(effects);
        app.fix_consumer_selection();
        return;
    }
    let max_payload = app.connection.max_payload;
    let taken = app
        .overlays
        .last_mut()
        .is_some_and(|overlay| overlays::paste(overlay, text, max_payload));
    if !taken {
        tracing::debug!(bytes = text.len(), "paste with no text field open, dropped");
    }
}
