//! The parts the key table is written with: keys, places (scopes), hints and help
//! lines, and the key lists several rows share.

use ratatui::crossterm::event::KeyCode;

use super::{Binding, Command, HelpLine, Hint, Key, Layer, Scope};
use crate::console::app::Pane;

pub(super) const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

pub(super) const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

pub(super) const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

pub(super) const fn hint(rank: u8, label: &'static str, text: &'static str) -> Option<Hint> {
    Some(Hint { rank, label, text })
}

pub(super) const fn help(label: &'static str, text: &'static str) -> Option<HelpLine> {
    Some(HelpLine { label, text })
}

pub(super) const fn bind(keys: &'static [Key], scope: Scope, command: Command) -> Binding {
    Binding {
        keys,
        scope,
        command,
        hint: None,
        help: None,
    }
}

pub(super) const fn with(mut b: Binding, hint: Option<Hint>, help: Option<HelpLine>) -> Binding {
    b.hint = hint;
    b.help = help;
    b
}

pub(super) const ALL_PANES: &[Pane] =
    &[Pane::Streams, Pane::Consumers, Pane::Messages, Pane::Events];
pub(super) const LISTS: &[Pane] = &[Pane::Streams, Pane::Consumers];
pub(super) const MESSAGES: Scope = Scope::Panes(&[Pane::Messages]);
pub(super) const PANES: Scope = Scope::Panes(ALL_PANES);
pub(super) const LETTERS: Scope = Scope::Layers(&[Layer::DeadLetters]);
pub(super) const SCROLLED: Scope = Scope::Layers(&[Layer::Help, Layer::Details, Layer::Message]);
pub(super) const BROWSE: Scope = Scope::Layers(&[Layer::Browse]);
pub(super) const FORMS: Scope = Scope::Layers(&[
    Layer::Publish,
    Layer::AttachForm,
    Layer::Prompt,
    Layer::ConfigForm,
    Layer::KeyForm,
]);
pub(super) const CONFIG: Scope = Scope::Layers(&[Layer::ConfigForm]);
pub(super) const OUTSTANDING: Scope = Scope::Layers(&[Layer::Outstanding]);
pub(super) const SUBJECTS: Scope = Scope::Layers(&[Layer::Subjects]);
pub(super) const MESSAGE_PLACES: Scope = Scope::Layers(&[Layer::Browse, Layer::Message]);
pub(super) const MESSAGE_DELETE: Scope = Scope::Layers(&[Layer::ConfirmMessageDelete]);
pub(super) const CONTEXTS: Scope = Scope::Layers(&[Layer::Contexts]);
pub(super) const KEY: Scope = Scope::Layers(&[Layer::Key]);
pub(super) const BUCKETS: Scope = Scope::Layers(&[Layer::Buckets]);
pub(super) const KV: Scope = Scope::Layers(&[Layer::Buckets, Layer::Keys, Layer::Key]);
pub(super) const TAIL: Scope = Scope::Layers(&[Layer::Tail]);
/// Where a preview or details show the equivalent `nats` command.
pub(super) const NATS_COMMAND: Scope = Scope::Layers(&[
    Layer::Details,
    Layer::ConfirmAction,
    Layer::ConfirmDelete,
    Layer::ConfirmMessageDelete,
    Layer::Buckets,
    Layer::Keys,
    Layer::Key,
    Layer::Tail,
    Layer::ObjectStores,
    Layer::Objects,
]);
pub(super) const DOWN: &[Key] = &[code(KeyCode::Down), ch('j')];
pub(super) const UP: &[Key] = &[code(KeyCode::Up), ch('k')];
pub(super) const FIRST: &[Key] = &[ch('g'), code(KeyCode::Home)];
pub(super) const LAST: &[Key] = &[ch('G'), code(KeyCode::End)];
pub(super) const ENTER: &[Key] = &[code(KeyCode::Enter)];
pub(super) const ESC: &[Key] = &[code(KeyCode::Esc)];
