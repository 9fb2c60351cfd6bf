//! The binding table itself: data, one row a command and where it applies, with its hint
//! and help text. Key handling, the hint bar, the help overlay and README's key table
//! (checked by a test) all come from here.

use ratatui::crossterm::event::KeyCode;

pub(super) use super::parts::*;
use super::{Binding, Command, Layer, Scope};
use crate::console::app::Pane;

use Command as C;

/// The bindings of the streams, consumers and messages, in the help overlay's order.
const BASE: &[Binding] = &[
    with(
        bind(&[code(KeyCode::Tab)], PANES, C::NextPane),
        hint(2, "Tab", "pane"),
        help("Tab / Shift-Tab", "next / previous pane"),
    ),
    bind(&[code(KeyCode::BackTab)], PANES, C::PrevPane),
    with(
        bind(DOWN, PANES, C::Down),
        None,
        help("↑ ↓  or  j k", "move the selection"),
    ),
    bind(UP, PANES, C::Up),
    with(
        bind(&[code(KeyCode::PageUp)], PANES, C::PageUp),
        None,
        help("PgUp PgDn", "move by ten"),
    ),
    bind(&[code(KeyCode::PageDown)], PANES, C::PageDown),
    with(
        bind(FIRST, PANES, C::First),
        None,
        help("g / G  (Home / End)", "first / last"),
    ),
    bind(LAST, PANES, C::Last),
    with(
        bind(ENTER, Scope::Panes(LISTS), C::Details),
        hint(3, "Enter", "details"),
        help("Enter", "details of the selected stream or consumer"),
    ),
    with(
        bind(&[ch('i')], Scope::Panes(&[Pane::Consumers]), C::Diagnose),
        hint(4, "i", "why?"),
        help(
            "i  on a consumer",
            "why? its diagnosis: findings and what to do",
        ),
    ),
    with(
        bind(&[ch('/')], Scope::Panes(LISTS), C::Filter),
        hint(7, "/", "filter"),
        help("/", "filter the focused list by name"),
    ),
    with(
        bind(&[ch('/')], Scope::Panes(&[Pane::Events]), C::FilterEvents),
        hint(7, "/", "filter"),
        help(
            "/  in events",
            "filter the events by kind, stream or consumer",
        ),
    ),
    with(
        bind(ENTER, Scope::Panes(&[Pane::Events]), C::OpenEvent),
        hint(3, "Enter", "open message"),
        help(
            "Enter  on an event",
            "open the message it names (nak, term, max deliveries)",
        ),
    ),
    with(
        bind(&[ch('D')], PANES, C::DeadLetters),
        None,
        help("D", "dead letters (on a consumer: its own)"),
    ),
    bind(DOWN, LETTERS, C::Down),
    bind(UP, LETTERS, C::Up),
    bind(FIRST, LETTERS, C::First),
    bind(LAST, LETTERS, C::Last),
    with(
        bind(ENTER, LETTERS, C::OpenMessage),
        hint(0, "Enter", "open"),
        None,
    ),
    with(
        bind(&[ch(' ')], LETTERS, C::Mark),
        hint(1, "Space", "mark"),
        help(
            "Space r m x e  in dead letters",
            "mark; retry, move, discard, export (each asks first)",
        ),
    ),
    with(
        bind(&[ch('r')], LETTERS, C::Retry),
        hint(2, "r", "retry"),
        None,
    ),
    with(
        bind(&[ch('m')], LETTERS, C::MoveTo),
        hint(3, "m", "move"),
        None,
    ),
    with(
        bind(&[ch('x'), ch('d')], LETTERS, C::Discard),
        hint(4, "x", "discard"),
        None,
    ),
    with(
        bind(&[ch('e')], LETTERS, C::Export),
        hint(5, "e", "export"),
        None,
    ),
    with(
        bind(&[ch('c')], LETTERS, C::CreateCapture),
        hint(6, "c", "capture"),
        help("c  in dead letters", "create the capture stream (asks)"),
    ),
    with(bind(ESC, LETTERS, C::Close), hint(7, "Esc", "close"), None),
    with(
        bind(&[ch('y')], Scope::Layers(&[Layer::ConfirmAction]), C::Yes),
        hint(0, "y", "go ahead"),
        None,
    ),
    with(
        bind(
            &[ch('n'), code(KeyCode::Esc)],
            Scope::Layers(&[Layer::ConfirmAction]),
            C::No,
        ),
        hint(1, "n", "cancel"),
        None,
    ),
    with(
        bind(ESC, PANES, C::ClearFilter),
        None,
        help("Esc", "clear the filter, close an overlay"),
    ),
    with(
        bind(
            &[ch('p')],
            Scope::Panes(&[Pane::Streams, Pane::Events]),
            C::Publish,
        ),
        hint(5, "p", "publish"),
        help(
            "p",
            "publish (form: subject, headers, body, count; Ctrl-T template)",
        ),
    ),
    bind(
        &[ch('p')],
        Scope::Panes(&[Pane::Consumers, Pane::Messages]),
        C::Publish,
    ),
    with(
        bind(&[ch('b')], Scope::Panes(&[Pane::Streams]), C::Browse),
        hint(4, "b", "browse"),
        help(
            "b  on a stream",
            "browse its messages by sequence, consuming nothing",
        ),
    ),
    with(
        bind(&[ch('s')], Scope::Panes(&[Pane::Consumers]), C::Attach),
        hint(4, "s", "attach"),
        help("s  on a consumer", "attach a pull subscription (manual)"),
    ),
    with(
        bind(
            &[ch('S')],
            Scope::Panes(&[Pane::Consumers]),
            C::AttachByTopic,
        ),
        hint(6, "S", "attach by topic"),
        help("S", "attach by topic and queue"),
    ),
    bind(
        &[ch('S')],
        Scope::Panes(&[Pane::Streams, Pane::Messages, Pane::Events]),
        C::AttachByTopic,
    ),
    with(
        bind(
            &[ch('d')],
            Scope::Panes(&[Pane::Consumers]),
            C::DeleteConsumer,
        ),
        hint(5, "d", "delete"),
        help("d  on a consumer", "delete it (asks first)"),
    ),
    with(
        bind(&[ch('P')], Scope::Panes(&[Pane::Streams]), C::PurgeStream),
        None,
        help(
            "P / d  on a stream",
            "purge (how many, asks) / delete (type its name)",
        ),
    ),
    bind(&[ch('d')], Scope::Panes(&[Pane::Streams]), C::DeleteStream),
    with(
        bind(
            &[ch('P')],
            Scope::Panes(&[Pane::Consumers]),
            C::PauseConsumer,
        ),
        None,
        help(
            "P U R  on a consumer",
            "pause / resume (2.11+), reset to a sequence or time (2.14+)",
        ),
    ),
    bind(
        &[ch('U')],
        Scope::Panes(&[Pane::Consumers]),
        C::ResumeConsumer,
    ),
    bind(
        &[ch('R')],
        Scope::Panes(&[Pane::Consumers]),
        C::ResetConsumer,
    ),
    with(
        bind(&[ch('f')], MESSAGES, C::Pull),
        hint(3, "f", "pull"),
        help("f  in messages", "pull the next batch (B sets its size)"),
    ),
    bind(&[ch('B')], MESSAGES, C::BatchSize),
    with(
        bind(&[ch('a')], MESSAGES, C::Ack),
        hint(4, "a", "ack"),
        help("a / n", "ack / nak the selected message"),
    ),
    with(
        bind(&[ch('n')], MESSAGES, C::Nak),
        hint(5, "n", "nak"),
        None,
    ),
    with(
        bind(&[ch('N')], MESSAGES, C::NakLater),
        hint(6, "N", "nak later"),
        help("N", "nak, redeliver after a delay you type"),
    ),
    with(
        bind(&[ch('t')], MESSAGES, C::Term),
        hint(7, "t", "term"),
        help("t", "term, with an optional reason"),
    ),
    with(
        bind(&[ch('w')], MESSAGES, C::InProgress),
        hint(8, "w", "progress"),
        help("w", "in progress: restart the ack-wait clock"),
    ),
    with(
        bind(&[ch('m')], MESSAGES, C::ToggleMode),
        hint(9, "m", "mode"),
        help("m", "manual / auto (auto acks as messages arrive)"),
    ),
    with(
        bind(&[ch('F')], MESSAGES, C::FailEvery),
        None,
        help("F", "auto: fail every Nth message"),
    ),
    with(
        bind(&[ch('x')], MESSAGES, C::Detach),
        hint(10, "x", "detach"),
        help("x", "detach (the consumer stays; held messages nak'd)"),
    ),
    with(
        bind(&[ch('[')], MESSAGES, C::PrevSubscription),
        None,
        help("[ / ]", "previous / next attached subscription"),
    ),
    bind(&[ch(']')], MESSAGES, C::NextSubscription),
    with(
        bind(ENTER, MESSAGES, C::OpenMessage),
        None,
        help("Enter  in messages", "open the message"),
    ),
    with(
        bind(
            &[ch('n'), code(KeyCode::PageDown), code(KeyCode::Right)],
            BROWSE,
            C::NextPage,
        ),
        hint(0, "n/p", "page"),
        help(
            "n p : g G  in browse",
            "page, jump to a sequence, first / last",
        ),
    ),
    bind(
        &[ch('p'), code(KeyCode::PageUp), code(KeyCode::Left)],
        BROWSE,
        C::PrevPage,
    ),
    with(
        bind(&[ch(':')], BROWSE, C::Jump),
        hint(1, ":", "jump"),
        None,
    ),
    bind(FIRST, BROWSE, C::First),
    bind(LAST, BROWSE, C::Last),
    bind(DOWN, BROWSE, C::Down),
    bind(UP, BROWSE, C::Up),
    with(
        bind(ENTER, BROWSE, C::OpenMessage),
        hint(2, "Enter", "open"),
        None,
    ),
    with(bind(ESC, BROWSE, C::Close), hint(3, "Esc", "close"), None),
    // Messages: delete, browse filters, copy and save (issue 13).
    with(
        bind(&[code(KeyCode::Delete)], MESSAGE_PLACES, C::DeleteMessage),
        hint(4, "Del", "delete"),
        help(
            "Del  on a message",
            "delete it (browse, message, messages; asks: y delete, e erase)",
        ),
    ),
    with(
        bind(&[code(KeyCode::Delete)], MESSAGES, C::DeleteMessage),
        None,
        None,
    ),
    with(
        bind(&[ch('/')], BROWSE, C::FilterSubject),
        hint(5, "/", "subject"),
        help(
            "/ T l  in browse",
            "filter by subject; from a time (10m, RFC 3339); last message",
        ),
    ),
    with(
        bind(&[ch('T')], BROWSE, C::Since),
        hint(6, "T", "since"),
        None,
    ),
    with(
        bind(&[ch('l')], BROWSE, C::LastOfSubject),
        hint(7, "l", "last"),
        None,
    ),
    with(
        bind(
            &[ch('y')],
            Scope::Layers(&[Layer::Browse, Layer::Message]),
            C::CopyBody,
        ),
        hint(8, "y", "copy"),
        help(
            "y / s  on a message",
            "copy the body (OSC 52; browse too) / save it to a file",
        ),
    ),
    with(
        bind(&[ch('s')], Scope::Layers(&[Layer::Message]), C::SaveBody),
        hint(9, "s", "save"),
        None,
    ),
    with(
        bind(&[ch('u')], Scope::Panes(&[Pane::Streams]), C::Subjects),
        None,
        help(
            "u  on a stream",
            "its subjects with counts: s sort, / filter, Enter browse",
        ),
    ),
    bind(DOWN, SUBJECTS, C::Down),
    bind(UP, SUBJECTS, C::Up),
    bind(FIRST, SUBJECTS, C::First),
    bind(LAST, SUBJECTS, C::Last),
    with(
        bind(ENTER, SUBJECTS, C::BrowseSubject),
        hint(0, "Enter", "browse"),
        None,
    ),
    with(
        bind(&[ch('s')], SUBJECTS, C::SortSubjects),
        hint(1, "s", "sort"),
        None,
    ),
    with(
        bind(&[ch('/')], SUBJECTS, C::FilterSubject),
        hint(2, "/", "filter"),
        None,
    ),
    with(bind(ESC, SUBJECTS, C::Close), hint(3, "Esc", "close"), None),
    with(
        bind(&[ch('y')], MESSAGE_DELETE, C::Yes),
        hint(0, "y", "delete"),
        None,
    ),
    with(
        bind(&[ch('e')], MESSAGE_DELETE, C::Erase),
        hint(1, "e", "erase"),
        None,
    ),
    with(
        bind(&[ch('n'), code(KeyCode::Esc)], MESSAGE_DELETE, C::No),
        hint(2, "n", "keep"),
        None,
    ),
    with(
        bind(&[ch('o')], Scope::Layers(&[Layer::Details]), C::Outstanding),
        hint(3, "o", "outstanding"),
        help(
            "o  in a consumer's details",
            "its outstanding messages (n p page)",
        ),
    ),
    with(
        bind(&[ch('n')], OUTSTANDING, C::NextPage),
        hint(0, "n/p", "page"),
        None,
    ),
    bind(&[ch('p')], OUTSTANDING, C::PrevPage),
    bind(DOWN, OUTSTANDING, C::Down),
    bind(UP, OUTSTANDING, C::Up),
    bind(&[ch('g')], OUTSTANDING, C::First),
    bind(&[ch('G')], OUTSTANDING, C::Last),
    with(
        bind(ENTER, OUTSTANDING, C::OpenMessage),
        hint(1, "Enter", "open"),
        None,
    ),
    with(
        bind(ESC, OUTSTANDING, C::Close),
        hint(2, "Esc", "close"),
        None,
    ),
    with(
        bind(&[ch('y')], Scope::Layers(&[Layer::ConfirmDelete]), C::Yes),
        hint(0, "y", "delete"),
        help("y / n", "confirm / refuse a delete"),
    ),
    with(
        bind(
            &[ch('n'), code(KeyCode::Esc)],
            Scope::Layers(&[Layer::ConfirmDelete]),
            C::No,
        ),
        hint(1, "n", "keep"),
        None,
    ),
    with(
        bind(&[ch('y')], Scope::Layers(&[Layer::ConfirmCreate]), C::Yes),
        hint(0, "y", "create"),
        None,
    ),
    with(
        bind(
            &[ch('n'), code(KeyCode::Esc)],
            Scope::Layers(&[Layer::ConfirmCreate]),
            C::No,
        ),
        hint(1, "n", "cancel"),
        None,
    ),
    with(
        bind(DOWN, SCROLLED, C::Down),
        hint(0, "↑↓", "scroll"),
        help("↑ ↓ in details", "scroll"),
    ),
    bind(UP, SCROLLED, C::Up),
    bind(&[code(KeyCode::PageDown)], SCROLLED, C::PageDown),
    bind(&[code(KeyCode::PageUp)], SCROLLED, C::PageUp),
    bind(FIRST, SCROLLED, C::First),
    with(
        bind(
            &[code(KeyCode::Esc), code(KeyCode::Enter)],
            SCROLLED,
            C::Close,
        ),
        hint(1, "Esc", "close"),
        None,
    ),
    bind(
        &[ch('?')],
        Scope::Layers(&[Layer::Help, Layer::Details]),
        C::Close,
    ),
    with(
        bind(&[ch('?')], PANES, C::Help),
        hint(1, "?", "help"),
        help("?", "this help"),
    ),
    with(
        bind(&[ch('q')], PANES, C::Quit),
        hint(0, "q", "quit"),
        help("q", "quit"),
    ),
    with(
        bind(&[ch('q')], SCROLLED, C::Quit),
        hint(2, "q", "quit"),
        None,
    ),
    bind(
        &[ch('q')],
        Scope::Layers(&[Layer::Browse, Layer::ConfirmDelete, Layer::DeadLetters]),
        C::Quit,
    ),
    with(
        bind(&[ctrl('c')], Scope::Anywhere, C::Quit),
        None,
        help("Ctrl-C", "quit, from anywhere"),
    ),
    with(
        bind(ENTER, Scope::Filter, C::ApplyFilter),
        hint(0, "Enter", "apply"),
        None,
    ),
    with(
        bind(ESC, Scope::Filter, C::ClearFilter),
        hint(1, "Esc", "clear"),
        None,
    ),
    with(
        bind(ENTER, FORMS, C::Submit),
        hint(0, "Enter", "confirm"),
        None,
    ),
    with(
        bind(
            &[code(KeyCode::Tab), code(KeyCode::Down)],
            FORMS,
            C::NextField,
        ),
        hint(1, "Tab", "next field"),
        None,
    ),
    bind(
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        FORMS,
        C::PrevField,
    ),
    with(bind(ESC, FORMS, C::Close), hint(2, "Esc", "cancel"), None),
    bind(&[ctrl('t')], Scope::Layers(&[Layer::Publish]), C::Template),
    with(
        bind(&[ch('c')], Scope::Panes(&[Pane::Streams]), C::CreateStream),
        None,
        help(
            "c e  on streams",
            "create a stream, edit its config (a form; diff, asks)",
        ),
    ),
    with(
        bind(&[ch('e')], Scope::Panes(&[Pane::Streams]), C::EditStream),
        None,
        None,
    ),
    with(
        bind(
            &[ch('c')],
            Scope::Panes(&[Pane::Consumers]),
            C::CreateConsumer,
        ),
        None,
        help(
            "c e C  on consumers",
            "create, edit, copy a consumer (a form; diff, asks)",
        ),
    ),
    with(
        bind(
            &[ch('e')],
            Scope::Panes(&[Pane::Consumers]),
            C::EditConsumer,
        ),
        None,
        None,
    ),
    with(
        bind(
            &[ch('C')],
            Scope::Panes(&[Pane::Consumers]),
            C::CopyConsumer,
        ),
        None,
        None,
    ),
    with(
        bind(&[code(KeyCode::Right), ch(' ')], CONFIG, C::NextChoice),
        hint(3, "←→", "choose"),
        None,
    ),
    bind(&[code(KeyCode::Left)], CONFIG, C::PrevChoice),
    // Issue 15: switch context; copy the equivalent nats command.
    with(
        bind(&[ch('X')], PANES, C::SwitchContext),
        None,
        help("X", "switch to a natscli context or configured server"),
    ),
    bind(DOWN, CONTEXTS, C::Down),
    bind(UP, CONTEXTS, C::Up),
    with(
        bind(ENTER, CONTEXTS, C::Submit),
        hint(0, "Enter", "switch"),
        None,
    ),
    with(bind(ESC, CONTEXTS, C::Close), hint(1, "Esc", "close"), None),
    with(
        bind(&[ch('Y')], NATS_COMMAND, C::CopyNatsCommand),
        hint(9, "Y", "copy nats cmd"),
        help(
            "Y  in a preview or details",
            "copy the equivalent `nats` command (OSC 52)",
        ),
    ),
];

/// Every binding, in the help overlay's order: the base table, then key-value buckets and
/// the subject tail (`stores.rs`).
pub static BINDINGS: std::sync::LazyLock<Vec<Binding>> =
    std::sync::LazyLock::new(|| [BASE, super::stores::STORES].concat());
