//! The streams the console knows: every name (sorted, as the server lists them) and the
//! infos read so far. In an account too large to read whole each refresh, rows away from
//! the selection keep the info last read (drawn as older than the refresh) or have none
//! yet; the filter and the selection still cover every name.

use std::sync::Arc;

use super::{App, Effect};
use crate::console::catalog::AROUND;
use crate::console::model::StreamView;

/// Infos kept for rows not read this refresh; beyond this the oldest read are dropped
/// (their rows show names only until the selection comes near them again).
pub const KEPT_INFOS: usize = 2_048;

/// One row of the streams pane: its name, and its info when one has been read.
#[derive(Debug, Clone, Copy)]
pub struct StreamRow<'a> {
    pub name: &'a str,
    pub view: Option<&'a StreamView>,
}

impl App {
    /// Takes in a refresh's streams: all of them (`complete`), or those it read around
    /// the selection, merged with what earlier refreshes read.
    pub(super) fn take_streams(
        &mut self,
        names: Arc<[String]>,
        fresh: Vec<StreamView>,
        complete: bool,
    ) {
        self.streams_complete = complete;
        if complete {
            self.streams = fresh;
            self.streams.sort_by(|a, b| a.name().cmp(b.name()));
        } else {
            let mut kept: std::collections::BTreeMap<String, StreamView> =
                std::mem::take(&mut self.streams)
                    .into_iter()
                    .filter(|v| names.binary_search_by(|n| n.as_str().cmp(v.name())).is_ok())
                    .map(|v| (v.name().to_string(), v))
                    .collect();
            for view in fresh {
                kept.insert(view.name().to_string(), view);
            }
            if kept.len() > KEPT_INFOS {
                let mut reads: Vec<_> = kept.values().map(|v| v.read_at).collect();
                reads.sort_unstable();
                let cut = reads[kept.len() - KEPT_INFOS];
                kept.retain(|_, v| v.read_at >= cut);
            }
            self.streams = kept.into_values().collect();
        }
        self.stream_names = names;
    }

    /// Names of the streams that pass the filter, in order.
    pub fn visible_stream_names(&self) -> Vec<&str> {
        self.stream_names
            .iter()
            .map(String::as_str)
            .filter(|n| self.stream_filter.matches(n))
            .collect()
    }

    /// Streams that pass the filter, in order, each with its info when read.
    pub fn visible_streams(&self) -> Vec<StreamRow<'_>> {
        self.visible_stream_names()
            .into_iter()
            .map(|name| StreamRow {
                name,
                view: self.stream(name),
            })
            .collect()
    }

    pub fn stream_index(&self) -> Option<usize> {
        let name = self.selected_stream.as_deref()?;
        self.visible_stream_names().iter().position(|s| *s == name)
    }

    pub fn stream(&self, name: &str) -> Option<&StreamView> {
        self.streams
            .binary_search_by(|v| v.name().cmp(name))
            .ok()
            .map(|i| &self.streams[i])
    }

    /// The streams whose infos the collector should read: those within `AROUND` rows of
    /// the selection (more than a screen shows), as the pane lists them.
    pub fn streams_around(&self) -> Vec<String> {
        let names = self.visible_stream_names();
        let at = self
            .selected_stream
            .as_deref()
            .and_then(|s| names.iter().position(|n| *n == s))
            .unwrap_or(0);
        let from = at.saturating_sub(AROUND);
        names[from..names.len().min(at + AROUND)]
            .iter()
            .map(|n| n.to_string())
            .collect()
    }

    /// Keeps the stream selection on a visible stream, and says when it moved.
    pub(crate) fn fix_stream_selection(&mut self, effects: &mut Vec<Effect>) {
        let before = self.selected_stream.clone();
        let visible = self.visible_stream_names();
        // jetdeck's own capture stream is not where an operator starts looking: it is
        // left for the first other stream to appear, unless the operator chose it.
        let own = |s: &&str| *s == crate::deadletters::CAPTURE_STREAM;
        let on_own = before.as_deref() == Some(crate::deadletters::CAPTURE_STREAM)
            && !self.stream_chosen
            && visible.iter().any(|s| !own(s));
        let keep = !on_own
            && before
                .as_deref()
                .is_some_and(|name| visible.contains(&name));
        if !keep {
            // Nor is a key-value bucket's or an object store's stream (K and O show
            // those): a message stream is chosen first when there is one.
            let store = |s: &&str| {
                crate::broker::store_of_stream(s).is_some()
                    || crate::broker::bucket_of_stream(s).is_some()
            };
            let first = (visible.iter().find(|s| !own(s) && !store(s)))
                .or(visible.iter().find(|s| !own(s)))
                .or(visible.first());
            self.selected_stream = first.map(|s| s.to_string());
        }
        if self.selected_stream != before {
            self.selected_consumer = None;
            effects.push(Effect::WatchStream(self.selected_stream.clone()));
        }
    }

    /// Moves the stream selection by `delta` rows (clamped).
    pub(super) fn move_stream_selection(&mut self, delta: isize, effects: &mut Vec<Effect>) {
        let names = self.visible_stream_names();
        if names.is_empty() {
            return;
        }
        let current = self.stream_index().unwrap_or(0) as isize;
        let i = (current + delta).clamp(0, names.len() as isize - 1) as usize;
        let name = names[i].to_string();
        self.stream_chosen = true;
        let before = self.selected_stream.replace(name);
        if before != self.selected_stream {
            self.selected_consumer = None;
            effects.push(Effect::WatchStream(self.selected_stream.clone()));
        }
    }
}
