//! A stream's subjects with their message counts (`nats stream subjects`): sorted by
//! count or by name, filtered, and Enter browses one. A stream may hold millions of
//! subjects: every one is counted, both orders are sorted once off the UI task
//! (`SubjectCounts::new`, in the effect that lists them), filtering happens once per
//! change (not per frame), and drawing builds only the rows on screen.

use super::browse::{BrowseFilter, BrowseState};
use super::prompt::{Prompt, PromptKind};
use super::{Next, Overlay};
use crate::broker::subject_matches;
use crate::console::app::{App, Effect};
use crate::console::keys::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectOrder {
    /// Most messages first (ties by name).
    Count,
    Name,
}

/// Every subject of a stream with its count, in name order, and the count order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectCounts {
    pub by_name: Vec<(String, u64)>,
    /// Indexes into `by_name`, most messages first (ties by name).
    pub by_count: Vec<usize>,
}

impl SubjectCounts {
    /// Sorts both ways: a million subjects take a moment, so this runs off the UI task.
    pub fn new(subjects: std::collections::BTreeMap<String, u64>) -> Self {
        let by_name: Vec<(String, u64)> = subjects.into_iter().collect();
        let mut by_count: Vec<usize> = (0..by_name.len()).collect();
        // Stable: equal counts stay in name order.
        by_count.sort_by(|&a, &b| by_name[b].1.cmp(&by_name[a].1));
        Self { by_name, by_count }
    }
}

#[derive(Debug, Clone)]
pub struct SubjectsState {
    pub stream: String,
    /// Every subject and its count, in name order.
    pub all: Vec<(String, u64)>,
    /// Indexes into `all`, most messages first.
    pub by_count: Vec<usize>,
    /// Indexes into `all` that pass the filter, in the current order.
    pub shown: Vec<usize>,
    pub order: SubjectOrder,
    pub filter: String,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
}

impl SubjectsState {
    pub fn new(stream: &str) -> Self {
        Self {
            stream: stream.to_string(),
            all: Vec::new(),
            by_count: Vec::new(),
            shown: Vec::new(),
            order: SubjectOrder::Count,
            filter: String::new(),
            selected: 0,
            loading: true,
            error: None,
        }
    }

    /// The server's answer: every subject with its count.
    pub fn listed(&mut self, counts: SubjectCounts) {
        self.all = counts.by_name;
        self.by_count = counts.by_count;
        self.loading = false;
        self.error = None;
        self.refilter();
    }

    /// Messages on all subjects (the counts' sum).
    pub fn total(&self) -> u64 {
        self.all.iter().map(|(_, n)| n).sum()
    }

    pub fn selected_subject(&self) -> Option<&str> {
        let i = *self.shown.get(self.selected)?;
        Some(self.all[i].0.as_str())
    }

    /// Text finds subjects containing it; a pattern with `*` or `>` matches as NATS does.
    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.refilter();
    }

    fn refilter(&mut self) {
        let f = self.filter.as_str();
        let wild = f.contains('*') || f.contains('>');
        let needle = f.to_lowercase();
        let order: Box<dyn Iterator<Item = usize>> = match self.order {
            SubjectOrder::Count => Box::new(self.by_count.iter().copied()),
            SubjectOrder::Name => Box::new(0..self.all.len()),
        };
        self.shown = order
            .filter(|&i| {
                let s = &self.all[i].0;
                f.is_empty()
                    || if wild {
                        subject_matches(f, s)
                    } else {
                        s.to_lowercase().contains(&needle)
                    }
            })
            .collect();
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        let last = self.shown.len().saturating_sub(1);
        match command {
            // Esc clears the filter first, then closes.
            Some(Command::Close) if !self.filter.is_empty() => self.set_filter(""),
            Some(Command::Close) => return Next::Close,
            _ if super::move_cursor(&mut self.selected, last, command) => {}
            Some(Command::SortSubjects) => {
                let keep = self.selected_subject().map(str::to_string);
                self.order = match self.order {
                    SubjectOrder::Count => SubjectOrder::Name,
                    SubjectOrder::Name => SubjectOrder::Count,
                };
                self.refilter();
                // The selection stays on the subject it was on.
                if let Some(keep) = keep
                    && let Some(i) = self.shown.iter().position(|&i| self.all[i].0 == keep)
                {
                    self.selected = i;
                }
            }
            Some(Command::FilterSubject) => {
                let prompt = Prompt::new(PromptKind::SubjectsFilter, None).with_value(&self.filter);
                return Next::Open(Overlay::Prompt(Box::new(prompt)));
            }
            Some(Command::BrowseSubject) => return self.browse(app, effects),
            _ => {}
        }
        Next::Stay
    }

    /// Enter: the browser on the selected subject only.
    fn browse(&self, app: &mut App, effects: &mut Vec<Effect>) -> Next {
        let Some(subject) = self.selected_subject() else {
            return Next::Stay;
        };
        let Some(s) = app.stream(&self.stream) else {
            app.complain(format!("stream {} is gone", self.stream));
            return Next::Stay;
        };
        let mut state = BrowseState::new(
            &self.stream,
            s.info.state.first_sequence,
            s.info.state.last_sequence,
        );
        state.refilter(BrowseFilter::subject(subject), false, effects);
        Next::Open(Overlay::Browse(Box::new(state)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> SubjectsState {
        let mut s = SubjectsState::new("S");
        s.listed(SubjectCounts::new(
            [("a.x", 3), ("b.y", 10), ("a.z", 3), ("c", 1)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ));
        s
    }

    #[test]
    fn sorted_by_count_then_name_and_filtered_by_text_or_pattern() {
        let mut s = state();
        let names = |s: &SubjectsState| {
            s.shown
                .iter()
                .map(|&i| s.all[i].0.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&s), ["b.y", "a.x", "a.z", "c"]);
        assert_eq!(s.total(), 17);
        s.order = SubjectOrder::Name;
        s.refilter();
        assert_eq!(names(&s), ["a.x", "a.z", "b.y", "c"]);
        s.set_filter("a.");
        assert_eq!(names(&s), ["a.x", "a.z"]);
        s.set_filter("*.y");
        assert_eq!(names(&s), ["b.y"]);
        s.set_filter(">");
        assert_eq!(names(&s).len(), 4);
    }
}
