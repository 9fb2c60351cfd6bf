//! Dead-letter effects: reading a message and its timeline, listing dead letters, and
//! the engine's bulk operations, each reported back as one action.

use std::path::Path;

use super::Reply;
use crate::broker::Broker;
use crate::console::app::{Action, DeadLetterOp, DeadLetterPlan};
use crate::console::error::ActionError;
use crate::deadletters::{
    self, AdvisoryEvent, CAPTURE_STREAM, CaptureConfig, Filter, Progress, TimelineEntry, bulk,
};

/// The capture stream's name when it exists (so timelines and lists include what
/// happened while jetdeck was closed); `None` when it does not, or cannot be asked.
pub(super) async fn capture(broker: &Broker) -> Option<&'static str> {
    match deadletters::capture_exists(broker, CAPTURE_STREAM).await {
        Ok(true) => Some(CAPTURE_STREAM),
        Ok(false) => None,
        Err(e) => {
            tracing::warn!(error = %e, "cannot tell whether the capture stream exists");
            None
        }
    }
}

/// Reads `stream` seq `sequence` by sequence (consuming nothing) and its timeline.
pub(super) async fn read_message(
    broker: Broker,
    reply: Reply,
    stream: String,
    sequence: u64,
    seen: Vec<TimelineEntry>,
) {
    let result = async {
        let message = broker
            .get_message(&stream, sequence)
            .await
            .map_err(ActionError::from)?;
        let capture = capture(&broker).await;
        let timeline = deadletters::timeline(&broker, &stream, sequence, capture, &seen).await?;
        Ok::<_, ActionError>(Box::new((message, timeline)))
    }
    .await;
    reply.send(Action::MessageRead {
        stream,
        sequence,
        result,
    });
}

/// Lists dead letters: the capture stream's when it exists, plus `seen`.
pub(super) async fn list(broker: Broker, reply: Reply, filter: Filter, seen: Vec<AdvisoryEvent>) {
    let capture = capture(&broker).await;
    let result = deadletters::list(&broker, &filter, capture, &seen)
        .await
        .map(|letters| (letters, capture.is_some()))
        .map_err(ActionError::from);
    reply.send(Action::DeadLettersListed { result });
}

/// Runs a confirmed operation over its letters in order, reporting progress after each
/// and the exact counts at the end (the engine stops at the first failure).
pub(super) async fn run(broker: Broker, reply: Reply, plan: DeadLetterPlan) {
    let DeadLetterPlan { op, letters } = plan;
    let word = op.done_word();
    let progress = |p: &Progress| reply.send(Action::DeadLetterProgress(p.clone()));
    let (summary, ok) = match &op {
        DeadLetterOp::Retry => {
            let report = bulk(&letters, |l| deadletters::retry(&broker, l, None), progress).await;
            (report.summary(word), report.ok())
        }
        DeadLetterOp::Move { to } => {
            let report = bulk(&letters, |l| deadletters::move_to(&broker, l, to), progress).await;
            (format!("{} to {to}", report.summary(word)), report.ok())
        }
        DeadLetterOp::Discard => {
            let report = bulk(&letters, |l| deadletters::discard(&broker, l), progress).await;
            (report.summary(word), report.ok())
        }
        DeadLetterOp::Export { path } => match deadletters::export(&letters, Path::new(path)) {
            Ok(written) => (
                format!("{} {word} to {}", letters.len(), written.display()),
                true,
            ),
            Err(e) => (format!("0 {word}: {e}"), false),
        },
    };
    reply.send(Action::DeadLettersDone { op, summary, ok });
}

/// Creates the capture stream with the default limits (the operator said yes).
pub(super) async fn create_capture(broker: Broker, reply: Reply) {
    let result = deadletters::ensure_capture(&broker, &CaptureConfig::default())
        .await
        .map(|status| status.created)
        .map_err(ActionError::from);
    reply.send(Action::CaptureCreated(result));
}
