//! The bindings of key-value buckets and the subject tail: the end of the key table
//! (`bindings.rs` has the rest and the helpers).

use ratatui::crossterm::event::KeyCode;

use super::bindings::*;
use super::{Binding, Command as C, Layer, Scope};

pub(super) const STORES: &[Binding] = &[
    // Issue 16: key-value buckets and their keys.
    with(
        bind(&[ch('K')], PANES, C::Buckets),
        None,
        help(
            "K",
            "key-value buckets: Enter a bucket's keys (live), / filter",
        ),
    ),
    bind(DOWN, KV, C::Down),
    bind(UP, KV, C::Up),
    bind(&[code(KeyCode::PageDown)], KV, C::PageDown),
    bind(&[code(KeyCode::PageUp)], KV, C::PageUp),
    bind(FIRST, KV, C::First),
    bind(LAST, KV, C::Last),
    with(
        bind(ENTER, Scope::Layers(&[Layer::Buckets]), C::OpenBucket),
        hint(0, "Enter", "keys"),
        None,
    ),
    with(
        bind(ENTER, Scope::Layers(&[Layer::Keys]), C::OpenKey),
        hint(0, "Enter", "value, history"),
        None,
    ),
    with(
        bind(&[ch('/')], Scope::Layers(&[Layer::Keys]), C::FilterKeys),
        hint(1, "/", "filter"),
        None,
    ),
    with(bind(ESC, KV, C::Close), hint(3, "Esc", "close"), None),
    with(bind(&[ch('p')], KEY, C::PutKey), hint(4, "p", "put"), None),
    with(
        bind(&[ch('p')], Scope::Layers(&[Layer::Keys]), C::NewKey),
        hint(2, "p", "new key"),
        None,
    ),
    with(
        bind(&[ctrl('j')], Scope::Layers(&[Layer::KeyForm]), C::NewLine),
        hint(3, "Ctrl-J", "new line"),
        None,
    ),
    with(
        bind(&[ch('c')], BUCKETS, C::CreateBucket),
        hint(4, "c", "create"),
        None,
    ),
    with(
        bind(&[ch('d')], BUCKETS, C::DeleteBucket),
        hint(5, "d", "delete"),
        None,
    ),
    with(
        bind(&[ch('d')], KEY, C::DeleteKey),
        hint(5, "d", "delete"),
        None,
    ),
    with(
        bind(&[ch('P')], KEY, C::PurgeKey),
        hint(6, "P", "purge"),
        None,
    ),
    with(
        bind(&[ch('r')], KEY, C::RevertKey),
        hint(7, "r", "revert"),
        None,
    ),
    // Issue 16: the subject tail (plain NATS, never JetStream).
    with(
        bind(&[ch('T')], PANES, C::Tail),
        None,
        help(
            "T",
            "tail a subject or wildcard on plain NATS (takes nothing from streams)",
        ),
    ),
    with(
        bind(&[ch(' ')], TAIL, C::TailPause),
        hint(0, "Space", "pause/resume"),
        help(
            "Space  in the tail",
            "pause; what arrives meanwhile is held (bounded)",
        ),
    ),
    with(
        bind(ENTER, TAIL, C::OpenMessage),
        hint(1, "Enter", "open"),
        None,
    ),
    with(
        bind(&[ch('r')], TAIL, C::TailAnswer),
        hint(2, "r", "answer"),
        help("r  in the tail", "answer the message's reply subject"),
    ),
    with(
        bind(&[ch('R')], TAIL, C::TailRequest),
        hint(3, "R", "request"),
        help(
            "R  in the tail",
            "send a request (subject, then body); the answer or the timeout",
        ),
    ),
    bind(DOWN, TAIL, C::Down),
    bind(UP, TAIL, C::Up),
    bind(&[code(KeyCode::PageDown)], TAIL, C::PageDown),
    bind(&[code(KeyCode::PageUp)], TAIL, C::PageUp),
    bind(&[code(KeyCode::Home), ch('g')], TAIL, C::First),
    with(
        bind(&[code(KeyCode::End), ch('G')], TAIL, C::Last),
        hint(4, "G", "follow"),
        None,
    ),
    with(bind(ESC, TAIL, C::Close), hint(5, "Esc", "close"), None),
    // Issue 16: object stores and their objects.
    with(
        bind(&[ch('O')], PANES, C::ObjectStores),
        None,
        help("O", "object stores and their objects: save, put, delete"),
    ),
    bind(DOWN, OBJECTS, C::Down),
    bind(UP, OBJECTS, C::Up),
    bind(FIRST, OBJECTS, C::First),
    bind(LAST, OBJECTS, C::Last),
    with(
        bind(ENTER, Scope::Layers(&[Layer::ObjectStores]), C::OpenStore),
        hint(0, "Enter", "objects"),
        None,
    ),
    with(
        bind(&[ch('s')], OBJECT_LIST, C::SaveObject),
        hint(0, "s", "save"),
        None,
    ),
    with(
        bind(&[ch('u')], OBJECT_LIST, C::PutObject),
        hint(1, "u", "put a file"),
        None,
    ),
    with(
        bind(&[ch('d')], OBJECT_LIST, C::DeleteObject),
        hint(2, "d", "delete"),
        None,
    ),
    with(
        bind(&[ch('/')], OBJECT_LIST, C::FilterObjects),
        hint(3, "/", "filter"),
        None,
    ),
    with(
        bind(&[ch('R')], OBJECT_LIST, C::RefreshObjects),
        hint(4, "R", "reread"),
        None,
    ),
    with(bind(ESC, OBJECTS, C::Close), hint(5, "Esc", "close"), None),
];

const OBJECTS: Scope = Scope::Layers(&[Layer::ObjectStores, Layer::Objects]);
const OBJECT_LIST: Scope = Scope::Layers(&[Layer::Objects]);
