//! Dead-letter effects: reading a message and its timeline, listing dead letters, and
//! the engine's bulk operations, each reported back as one action.

use super::Reply;
use crate::broker::Broker;
use crate::console::app::Action;
use crate::console::error::ActionError;
use crate::deadletters::{self, CAPTURE_STREAM, TimelineEntry};

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
