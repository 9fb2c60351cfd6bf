//! Every key the console answers, in one table: the key, where it applies (a pane, the
//! filter, an overlay), the command it runs, and the texts the hint bar and the help
//! overlay show for it. README's key table is checked against it by a test. Key handling,
//! the hint bar and the help overlay read the table in effect ([`KeyMap`]): this one with
//! the configuration file's rebindings on top.

use ratatui::crossterm::event::KeyCode;

use super::app::Pane;

/// What a key asks for. Each place that takes keys acts on the commands bound there.
/// The configuration file names commands in kebab-case (`purge-stream`): [`Command::name`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Command {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Down,
    Up,
    PageDown,
    PageUp,
    First,
    Last,
    Details,
    Diagnose,
    Filter,
    ApplyFilter,
    ClearFilter,
    Publish,
    Browse,
    Attach,
    AttachByTopic,
    DeleteConsumer,
    Pull,
    BatchSize,
    Ack,
    Nak,
    NakLater,
    Term,
    InProgress,
    ToggleMode,
    FailEvery,
    Detach,
    PrevSubscription,
    NextSubscription,
    OpenMessage,
    NextPage,
    PrevPage,
    Jump,
    Close,
    Yes,
    No,
    NextField,
    PrevField,
    Submit,
    Template,
    FilterEvents,
    OpenEvent,
    DeadLetters,
    Mark,
    Retry,
    MoveTo,
    Discard,
    Export,
    CreateCapture,
    PurgeStream,
    DeleteStream,
    PauseConsumer,
    ResumeConsumer,
    ResetConsumer,
    DeleteMessage,
    Erase,
    FilterSubject,
    Since,
    LastOfSubject,
    CopyBody,
    SaveBody,
    Subjects,
    SortSubjects,
    BrowseSubject,
    CreateStream,
    EditStream,
    CreateConsumer,
    EditConsumer,
    CopyConsumer,
    NextChoice,
    PrevChoice,
    Outstanding,
    // Issue 15: context switching and the nats CLI equivalent.
    SwitchContext,
    CopyNatsCommand,
    // Issue 16: key-value buckets.
    Buckets,
    OpenBucket,
    FilterKeys,
    OpenKey,
    PutKey,
    DeleteKey,
    PurgeKey,
    RevertKey,
    CreateBucket,
    DeleteBucket,
    NewKey,
    NewLine,
    // Issue 16: the subject tail.
    Tail,
    TailPause,
    TailAnswer,
    TailRequest,
    // Issue 16: object stores.
    ObjectStores,
    OpenStore,
    FilterObjects,
    SaveObject,
    PutObject,
    DeleteObject,
    RefreshObjects,
}

impl Command {
    /// The command's name in the configuration file: its serde name, kebab-case.
    pub fn name(self) -> String {
        let mut out = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    /// Every command, in the table's order (each has at least one default binding).
    pub fn all() -> Vec<Command> {
        let mut all: Vec<Command> = Vec::new();
        for b in BINDINGS.iter() {
            if !all.contains(&b.command) {
                all.push(b.command);
            }
        }
        all
    }

    /// What the command does, in README's words (its "does" column).
    pub fn describe(self) -> &'static str {
        use Command::*;
        match self {
            Quit => "quit (the terminal is restored, also on an error or a panic)",
            Help => "help: every key",
            NextPane => "next pane",
            PrevPane => "previous pane",
            Down => "down one (the selection, or scroll)",
            Up => "up one (the selection, or scroll)",
            PageDown => "down ten",
            PageUp => "up ten",
            First => "first",
            Last => "last",
            Details => "details of the selected stream or consumer",
            Diagnose => "why? the consumer's diagnosis, atop its details",
            Filter => "filter the list by name",
            ApplyFilter => "keep the filter",
            ClearFilter => "clear the filter",
            Publish => "publish",
            Browse => "browse the stream without consuming",
            Attach => "attach a pull subscription (manual)",
            AttachByTopic => "attach by topic and queue",
            DeleteConsumer => "delete the consumer (asks first)",
            Pull => "pull the next batch",
            BatchSize => "set the batch size",
            Ack => "ack the selected message",
            Nak => "nak it",
            NakLater => "nak, redeliver after a delay you type",
            Term => "term, with an optional reason",
            InProgress => "in progress: restart the ack-wait clock",
            ToggleMode => "manual / auto (auto acks as messages arrive)",
            FailEvery => "auto: fail every Nth message",
            Detach => "detach (the consumer stays; held messages nak'd)",
            PrevSubscription => "previous attached subscription",
            NextSubscription => "next attached subscription",
            OpenMessage => "open the message",
            NextPage => "next page",
            PrevPage => "previous page",
            Jump => "jump to a sequence",
            Close => "close (back to what was under it)",
            Yes => "yes, go ahead",
            No => "no, leave things as they are",
            NextField => "next field",
            PrevField => "previous field",
            Submit => "confirm: check the input and go",
            Template => "next body template",
            FilterEvents => "filter the events by kind, stream or consumer",
            OpenEvent => "open the message the event names, with its timeline",
            DeadLetters => "dead letters (on a consumer: its own)",
            Mark => "mark / unmark the selected one",
            // Commands on dead letters, streams, consumers and messages.
            other => other.describe_operation(),
        }
    }

    /// The "does" column of the commands that act on dead letters, streams, consumers and
    /// messages (the rest are in `describe`).
    fn describe_operation(self) -> &'static str {
        use Command::*;
        match self {
            Retry => "retry: publish again to its subject, then delete the original (asks)",
            MoveTo => "move to a dead-letter subject you type (asks)",
            Discard => "discard: delete the original (asks)",
            Export => "export to a JSON Lines file (asks for the path)",
            CreateCapture => "create the capture stream (shows its limits, asks)",
            DeleteMessage => "delete the message from its stream (asks: y delete, e erase)",
            Erase => "erase: delete it and overwrite its bytes on the server",
            FilterSubject => "filter by subject (wildcards allowed)",
            Since => "start from a time: 10m (ago) or an RFC 3339 timestamp",
            LastOfSubject => "the last message (of the filtered subject)",
            CopyBody => "copy the body to the clipboard (OSC 52, works over SSH)",
            SaveBody => "save the body to a file (asks for the path)",
            Subjects => "the stream's subjects, with message counts",
            SortSubjects => "sort by count / by name",
            BrowseSubject => "browse only that subject",
            PurgeStream => {
                "purge: everything, a subject, keep the newest N, or below a sequence (shows how many, asks)"
            }
            DeleteStream => "delete the stream: type its name to confirm",
            PauseConsumer => {
                "pause the consumer until a time or for a duration (asks; nats-server 2.11+)"
            }
            ResumeConsumer => "resume a paused consumer (asks; nats-server 2.11+)",
            ResetConsumer => {
                "reset: deliver again from a sequence or a time (asks; nats-server 2.14+)"
            }
            CreateStream => "create a stream: a form, previewed, asks",
            EditStream => "edit the stream's config: the same form, shows the diff, asks",
            CreateConsumer => "create a consumer on the stream: a form, previewed, asks",
            EditConsumer => "edit the consumer's config: the same form, shows the diff, asks",
            CopyConsumer => "copy the consumer's config into the create form, under a new name",
            NextChoice => "next option of a choice (in a text field: as typed)",
            PrevChoice => "previous option of a choice (in a text field: as typed)",
            Outstanding => {
                "the consumer's outstanding messages (between ack floor and last delivered), by page"
            }
            SwitchContext => {
                "switch to another natscli context or a configured server: reconnects (attached subscriptions detached first)"
            }
            CopyNatsCommand => "copy the equivalent `nats` command (OSC 52)",
            Buckets => "key-value buckets: keys, values, bytes, history, TTL, replicas, storage",
            OpenBucket => "the bucket's keys, live (new and changed keys appear as they happen)",
            FilterKeys => "filter the keys by pattern (wildcards * >, or text they contain)",
            OpenKey => "the key: its value (JSON, text or hex) and every revision kept",
            PutKey => {
                "put a new value: a form (several lines), asks; refused if anyone changed the key since"
            }
            NewKey => "create a key: a form (name, value), asks; refused if it exists",
            NewLine => "a line break in the value (Enter submits the form)",
            DeleteKey => "delete the key (a delete marker; history kept; asks)",
            PurgeKey => "purge the key (every revision gone; asks)",
            RevertKey => "revert: put the chosen revision's value back (asks)",
            CreateBucket => "create a bucket: its name, then its settings shown (asks)",
            DeleteBucket => "delete the bucket and every key: type its name to confirm",
            Tail => "tail a subject or wildcard on plain NATS (takes nothing from streams)",
            TailPause => "pause or resume; what arrives meanwhile is held (bounded, drops counted)",
            TailAnswer => "answer the message's reply subject (publishes: refused read-only)",
            TailRequest => "send a request (subject, then body): the answer or the timeout",
            ObjectStores => {
                "object stores: objects, bytes, replicas, storage, sealed, description, modified"
            }
            OpenStore => "the store's objects: name, size, chunks, modified, digest, description",
            FilterObjects => "filter the objects by name (text they contain, or * >)",
            SaveObject => "save the object to a file: progress shown, digest checked",
            PutObject => "put a file as an object (asks; replacing one says so); progress shown",
            DeleteObject => "delete the object (asks with its name and size)",
            RefreshObjects => "read the objects again",
            other => unreachable!("{other:?} is described in describe"),
        }
    }
}

impl Command {
    /// Whether running the command changes something on the server (publishes, settles,
    /// creates, deletes, moves): what `--read-only` refuses. Every command is named, no
    /// wildcard, so a new one cannot be added without deciding.
    pub fn changes_server(self) -> bool {
        use Command::*;
        match self {
            Publish | Attach | AttachByTopic | DeleteConsumer | Pull | Ack | Nak | NakLater
            | Term | InProgress | ToggleMode | FailEvery | Retry | MoveTo | Discard
            | CreateCapture | PurgeStream | DeleteStream | PauseConsumer | ResumeConsumer
            | ResetConsumer | DeleteMessage | Erase | CreateStream | EditStream
            | CreateConsumer | EditConsumer | CopyConsumer => true,
            PutKey | DeleteKey | PurgeKey | RevertKey | CreateBucket | DeleteBucket | NewKey => {
                true
            }
            // An answer or a request publishes on plain NATS: it changes no stream, but it
            // is sent to the server, so it is refused with the rest.
            TailAnswer | TailRequest => true,
            PutObject | DeleteObject => true,
            // Yes and Submit only follow a command above (refused first); Detach gives
            // back what an attach took, and nothing is attached in read-only mode.
            Quit | Help | NextPane | PrevPane | Down | Up | PageDown | PageUp | First | Last
            | Details | Diagnose | Filter | ApplyFilter | ClearFilter | Browse | BatchSize
            | Detach | PrevSubscription | NextSubscription | OpenMessage | NextPage | PrevPage
            | Jump | Close | Yes | No | NextField | PrevField | Submit | Template
            | FilterEvents | OpenEvent | DeadLetters | Mark | Export | FilterSubject | Since
            | LastOfSubject | CopyBody | SaveBody | Subjects | SortSubjects | BrowseSubject
            | NextChoice | PrevChoice | Outstanding => false,
            // A switch detaches (held messages nak'd, as Detach) and reconnects; a copy
            // only writes to the terminal.
            SwitchContext | CopyNatsCommand => false,
            // Looking at buckets and keys changes nothing.
            Buckets | OpenBucket | FilterKeys | OpenKey => false,
            // Typing in the key form; what it sends is asked for by a command above.
            NewLine => false,
            // A core subscription takes nothing from any stream.
            Tail | TailPause => false,
            // Saving an object writes a local file; the server is only read.
            ObjectStores | OpenStore | FilterObjects | SaveObject | RefreshObjects => false,
        }
    }
}

/// The overlays, as places keys apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Help,
    Details,
    Message,
    Browse,
    Publish,
    AttachForm,
    Prompt,
    ConfirmDelete,
    ConfirmCreate,
    DeadLetters,
    ConfirmAction,
    Subjects,
    ConfirmMessageDelete,
    ConfigForm,
    Outstanding,
    Contexts,
    Buckets,
    Keys,
    Key,
    Tail,
    ObjectStores,
    Objects,
    KeyForm,
}

impl Layer {
    pub const ALL: [Layer; 23] = [
        Layer::Help,
        Layer::Details,
        Layer::Message,
        Layer::Browse,
        Layer::Publish,
        Layer::AttachForm,
        Layer::Prompt,
        Layer::ConfirmDelete,
        Layer::ConfirmCreate,
        Layer::DeadLetters,
        Layer::ConfirmAction,
        Layer::Subjects,
        Layer::ConfirmMessageDelete,
        Layer::ConfigForm,
        Layer::Outstanding,
        Layer::Contexts,
        Layer::Buckets,
        Layer::Keys,
        Layer::Key,
        Layer::Tail,
        Layer::ObjectStores,
        Layer::Objects,
        Layer::KeyForm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layer::Help => "help",
            Layer::Details => "details",
            Layer::Message => "message",
            Layer::Browse => "browse",
            Layer::Publish => "publish form",
            Layer::AttachForm => "attach form",
            Layer::Prompt => "prompt",
            Layer::ConfirmDelete => "delete confirmation",
            Layer::ConfirmCreate => "create confirmation",
            Layer::DeadLetters => "dead letters",
            Layer::ConfirmAction => "action confirmation",
            Layer::Subjects => "subjects",
            Layer::ConfirmMessageDelete => "message delete confirmation",
            Layer::ConfigForm => "config form",
            Layer::Outstanding => "outstanding",
            Layer::Contexts => "contexts",
            Layer::Buckets => "buckets",
            Layer::Keys => "keys",
            Layer::Key => "key",
            Layer::Tail => "tail",
            Layer::ObjectStores => "object stores",
            Layer::Objects => "objects",
            Layer::KeyForm => "key form",
        }
    }
}

/// Where the console takes keys now: the focused pane, a filter being typed, or the
/// overlay on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Pane(Pane),
    Filter,
    Layer(Layer),
}

impl Place {
    pub fn name(self) -> &'static str {
        match self {
            Place::Pane(Pane::Streams) => "streams",
            Place::Pane(Pane::Consumers) => "consumers",
            Place::Pane(Pane::Messages) => "messages",
            Place::Pane(Pane::Events) => "events",
            Place::Filter => "filter",
            Place::Layer(layer) => layer.name(),
        }
    }

    /// The name the configuration file gives it (`[keys.publish-form]`).
    pub fn config_name(self) -> String {
        self.name().replace(' ', "-")
    }

    /// Every place, for checks over the whole table.
    pub fn all() -> Vec<Place> {
        let mut all: Vec<Place> = ALL_PANES.iter().map(|p| Place::Pane(*p)).collect();
        all.push(Place::Filter);
        all.extend(Layer::ALL.iter().map(|l| Place::Layer(*l)));
        all
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere, even while typing.
    Anywhere,
    Panes(&'static [Pane]),
    Filter,
    Layers(&'static [Layer]),
}

impl Scope {
    pub fn covers(self, place: Place) -> bool {
        match (self, place) {
            (Scope::Anywhere, _) => true,
            (Scope::Panes(panes), Place::Pane(p)) => panes.contains(&p),
            (Scope::Filter, Place::Filter) => true,
            (Scope::Layers(layers), Place::Layer(l)) => layers.contains(&l),
            _ => false,
        }
    }
}

/// A key: its code, and whether Control is held. A binding without Control answers the
/// code whatever the modifiers (Shift gives capitals; a stray Alt changes nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub fn name(self) -> String {
        let base = match self.code {
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(' ') => "Space".into(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Delete => "Delete".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Insert => "Insert".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

/// A hint on the one-line bar: shown wherever the binding applies, ordered by rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub rank: u8,
    pub label: &'static str,
    pub text: &'static str,
}

/// A line of the help overlay; one line may speak for the bindings after it (`a / n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpLine {
    pub label: &'static str,
    pub text: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub keys: &'static [Key],
    pub scope: Scope,
    pub command: Command,
    pub hint: Option<Hint>,
    pub help: Option<HelpLine>,
}

mod bindings;
mod parts;
mod stores;
pub use bindings::BINDINGS;
use parts::ALL_PANES;

mod keymap;
mod names;
pub use keymap::{KeyMap, KeyMapError, Rebind, ShownHelp, ShownHint};
pub use names::KEY_SYNTAX;

#[cfg(test)]
mod rebind_tests;
#[cfg(test)]
mod tests;
