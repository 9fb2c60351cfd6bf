//! Operating streams and consumers from the panes: `P` (purge) and `d` (delete) on a
//! stream, `P` (pause), `U` (resume) and `R` (reset) on a consumer. Each asks what and how
//! far, previews it in words (how many messages go, what is delivered again), asks yes or
//! no, and reports what the server holds afterwards, as the effect read it back.

use std::time::SystemTime;

use super::actions::Effect;
use super::{App, Overlay};
use crate::broker::{Feature, PurgeEstimate, PurgeScope, ResetTarget, ServerVersion};
use crate::console::error::ActionError;
use crate::console::keys::Command;
use crate::console::overlays::Confirm;
use crate::console::overlays::operate::OperateForm;
use crate::console::ui::{fmt_bytes, fmt_count};

/// Work asked of the effects: a preview to read, or a confirmed change to make and check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpRequest {
    /// Count what a purge would take (stream state; per-subject counts for a subject).
    PreviewPurge {
        stream: String,
        scope: PurgeScope,
    },
    Purge {
        stream: String,
        scope: PurgeScope,
    },
    /// Delete the stream, then check that STREAM.INFO answers not found. `goes` says
    /// what went with it (messages, bytes, consumers), for the report.
    DeleteStream {
        stream: String,
        goes: String,
    },
    Pause {
        stream: String,
        consumer: String,
        until: SystemTime,
    },
    Resume {
        stream: String,
        consumer: String,
    },
    /// Resolve where a reset starts (a time to a sequence) and what it delivers again.
    PreviewReset {
        stream: String,
        consumer: String,
        target: ResetTarget,
    },
    /// `target` is the ack floor or a sequence (a time was resolved by the preview);
    /// `from_time` is that time, for the report.
    Reset {
        stream: String,
        consumer: String,
        target: ResetTarget,
        from_time: Option<SystemTime>,
    },
}

impl OpRequest {
    /// Whether this changes the server (the previews only read): what a read-only
    /// console must refuse.
    pub fn changes_server(&self) -> bool {
        !matches!(
            self,
            OpRequest::PreviewPurge { .. } | OpRequest::PreviewReset { .. }
        )
    }
}

/// What a confirmation shows, and what yes sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpPlan {
    Purge {
        stream: String,
        scope: PurgeScope,
        estimate: PurgeEstimate,
        /// Messages the stream holds now.
        holds: u64,
    },
    Pause {
        stream: String,
        consumer: String,
        until: SystemTime,
    },
    Resume {
        stream: String,
        consumer: String,
        paused_until: Option<SystemTime>,
    },
    Reset {
        stream: String,
        consumer: String,
        target: ResetTarget,
        /// The stream sequence delivery starts from.
        sequence: u64,
        from_time: Option<SystemTime>,
        /// Messages of the stream at or after `sequence`: what may be delivered again.
        again: PurgeEstimate,
        /// The consumer's filter, when it has one (only those subjects are delivered).
        filter: Option<String>,
        ack_floor: u64,
        ack_pending: u64,
    },
}

impl OpPlan {
    /// The status line when the operator says no.
    pub fn cancelled(&self) -> String {
        match self {
            OpPlan::Purge { stream, .. } => format!("cancelled: nothing purged from {stream}"),
            OpPlan::Pause { consumer, .. } => format!("cancelled: {consumer} not paused"),
            OpPlan::Resume { consumer, .. } => format!("cancelled: {consumer} stays paused"),
            OpPlan::Reset { consumer, .. } => format!("cancelled: {consumer} not reset"),
        }
    }
}

/// What comes back from the effects.
#[derive(Debug)]
pub enum Operated {
    /// A preview: open its confirmation.
    Preview(Result<OpPlan, ActionError>),
    /// The change, and what the server said when asked afterwards.
    Done(Result<String, ActionError>),
}

impl App {
    /// The five keys of this file.
    pub(crate) fn operate(&mut self, command: Command) {
        match command {
            Command::PurgeStream => self.ask_purge(),
            Command::DeleteStream => self.ask_delete_stream(),
            Command::PauseConsumer => self.ask_pause(),
            Command::ResumeConsumer => self.ask_resume(),
            Command::ResetConsumer => self.ask_reset(),
            _ => {}
        }
    }

    fn ask_purge(&mut self) {
        let Some(s) = self.selected_stream.as_deref().and_then(|s| self.stream(s)) else {
            return self.complain("select a stream to purge");
        };
        let name = s.name().to_string();
        if s.info.state.messages == 0 {
            return self.say(format!("{name} holds no messages: nothing to purge"));
        }
        self.open(Overlay::Operate(Box::new(OperateForm::purge(&name))));
    }

    fn ask_delete_stream(&mut self) {
        let Some(s) = self.selected_stream.as_deref().and_then(|s| self.stream(s)) else {
            return self.complain("select a stream to delete");
        };
        let state = &s.info.state;
        let consumers = state.consumer_count;
        let goes = format!(
            "{} messages ({}) and {} consumer{}",
            fmt_count(state.messages),
            fmt_bytes(state.bytes),
            consumers,
            if consumers == 1 { "" } else { "s" }
        );
        self.open(Overlay::Operate(Box::new(OperateForm::DeleteStream {
            stream: s.name().to_string(),
            goes,
            input: Default::default(),
            error: None,
        })));
    }

    /// The selected stream and consumer, or a complaint.
    fn selected_pair(&mut self, what: &str) -> Option<(String, String)> {
        let pair = self
            .selected_stream
            .clone()
            .zip(self.selected_consumer.clone())
            .filter(|(s, c)| self.consumer(s, c).is_some());
        if pair.is_none() {
            self.complain(format!("select a consumer to {what}"));
        }
        pair
    }

    /// False, with the refusal said, when the server is known to lack `feature`; nothing
    /// is asked or sent then. An unknown version leaves the broker to check.
    fn supports(&mut self, feature: Feature) -> bool {
        let version: Option<ServerVersion> = self
            .connection
            .version
            .as_deref()
            .and_then(|v| v.parse().ok());
        match version.map(|v| feature.check(&v)) {
            Some(Err(e)) => {
                self.complain(e.to_string());
                false
            }
            _ => true,
        }
    }

    fn ask_pause(&mut self) {
        let Some((stream, consumer)) = self.selected_pair("pause") else {
            return;
        };
        if self.supports(Feature::ConsumerPause) {
            self.open(Overlay::Operate(Box::new(OperateForm::PauseUntil {
                stream,
                consumer,
                input: Default::default(),
                error: None,
            })));
        }
    }

    fn ask_resume(&mut self) {
        let Some((stream, consumer)) = self.selected_pair("resume") else {
            return;
        };
        if !self.supports(Feature::ConsumerPause) {
            return;
        }
        // The last refresh may predate a pause made a moment ago, so a consumer shown
        // unpaused is still offered a resume (harmless); the confirmation says which.
        let paused_until = self
            .consumer(&stream, &consumer)
            .filter(|c| c.info.paused)
            .and_then(|c| c.info.config.pause_until)
            .map(SystemTime::from);
        self.open(Overlay::Confirm(Confirm::Operate(Box::new(
            OpPlan::Resume {
                stream,
                consumer,
                paused_until,
            },
        ))));
    }

    fn ask_reset(&mut self) {
        let Some((stream, consumer)) = self.selected_pair("reset") else {
            return;
        };
        if self.supports(Feature::ConsumerReset) {
            self.open(Overlay::Operate(Box::new(OperateForm::ResetTo {
                stream,
                consumer,
                input: Default::default(),
                error: None,
            })));
        }
    }

    /// Yes on a confirmation: send it.
    pub(crate) fn confirmed(&mut self, plan: &OpPlan, effects: &mut Vec<Effect>) {
        let (said, request) = match plan.clone() {
            OpPlan::Purge { stream, scope, .. } => (
                format!("purging {stream}{}…", scope.describe()),
                OpRequest::Purge { stream, scope },
            ),
            OpPlan::Pause {
                stream,
                consumer,
                until,
            } => (
                format!("pausing {consumer} of {stream}…"),
                OpRequest::Pause {
                    stream,
                    consumer,
                    until,
                },
            ),
            OpPlan::Resume {
                stream, consumer, ..
            } => (
                format!("resuming {consumer} of {stream}…"),
                OpRequest::Resume { stream, consumer },
            ),
            OpPlan::Reset {
                stream,
                consumer,
                target,
                from_time,
                ..
            } => (
                format!("resetting {consumer} of {stream}…"),
                OpRequest::Reset {
                    stream,
                    consumer,
                    target,
                    from_time,
                },
            ),
        };
        self.say(said);
        effects.push(Effect::Operate(request));
    }

    /// A preview opens its confirmation; an outcome is said as the server now has it.
    pub(crate) fn operated(&mut self, done: Operated) {
        match done {
            Operated::Preview(Ok(OpPlan::Purge {
                stream,
                scope,
                estimate,
                ..
            })) if estimate.exact && estimate.count == 0 => self.say(format!(
                "{stream}: no messages to purge{} (nothing sent)",
                scope.describe()
            )),
            Operated::Preview(Ok(plan)) => {
                self.status = None;
                self.open(Overlay::Confirm(Confirm::Operate(Box::new(plan))));
            }
            Operated::Done(Ok(text)) => self.say(text),
            Operated::Preview(Err(e)) | Operated::Done(Err(e)) => self.complain(e.to_string()),
        }
    }

    /// Detaches every subscription on `stream` (before it is deleted): their held
    /// messages are given back first.
    pub(crate) fn detach_stream(&mut self, stream: &str, effects: &mut Vec<Effect>) {
        let ids: Vec<u64> = self
            .attached
            .iter()
            .filter(|a| a.stream == stream)
            .map(|a| a.id)
            .collect();
        for id in ids {
            if let Some(i) = self.attached.iter().position(|a| a.id == id) {
                self.selected_attached = i;
                self.detach_current(effects);
            }
        }
    }
}

#[cfg(test)]
mod tests;
