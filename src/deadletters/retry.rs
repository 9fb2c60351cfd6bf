//! Retry and move: publish a copy of the original (body and headers, plus headers saying
//! where it came from, and a `Nats-Msg-Id` derived from the original), and only after
//! the copy's PubAck delete the original. A run repeated after a crash between the two
//! steps publishes the same `Nats-Msg-Id` again: the server answers "duplicate" (within
//! the target stream's duplicate window, 2 minutes by default) and stores no second copy.

use std::time::UNIX_EPOCH;

use super::list::read_original;
use super::{Cause, DeadLetter, DeadLetterError, Target};
use crate::broker::{Broker, Headers, Message, PubAck, PublishError, StoredMessage};

pub const HEADER_STREAM: &str = "Jetdeck-Retry-Stream";
pub const HEADER_SEQUENCE: &str = "Jetdeck-Retry-Sequence";
pub const HEADER_SUBJECT: &str = "Jetdeck-Retry-Subject";
pub const HEADER_CONSUMER: &str = "Jetdeck-Retry-Consumer";
pub const HEADER_DELIVERIES: &str = "Jetdeck-Retry-Deliveries";
pub const HEADER_REASON: &str = "Jetdeck-Retry-Reason";
/// The original's own `Nats-Msg-Id`, which the copy cannot keep (the server would take
/// the copy for a duplicate of the original).
pub const HEADER_ORIGINAL_MSG_ID: &str = "Jetdeck-Retry-Original-Msg-Id";

/// What a retry or move did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Done {
    pub original: Target,
    /// Where the copy went.
    pub subject: String,
    pub copy_stream: String,
    pub copy_sequence: u64,
    /// The server had the copy already (an earlier run stored it before a crash).
    pub duplicate: bool,
}

impl Done {
    /// What the retry adds to the original's timeline: the copy, then the delete (the
    /// engine keeps no history; the caller merges these into `timeline`).
    pub fn timeline_entries(&self, at: std::time::SystemTime) -> Vec<super::TimelineEntry> {
        use super::{Step, TimelineEntry};
        vec![
            TimelineEntry {
                time: at,
                consumer: None,
                step: Step::RetriedAs {
                    stream: self.copy_stream.clone(),
                    sequence: self.copy_sequence,
                },
            },
            TimelineEntry {
                time: at,
                consumer: None,
                step: Step::Deleted,
            },
        ]
    }
}

/// The `Nats-Msg-Id` of a copy of `message`: stream, sequence and the time it was stored,
/// so a stream deleted and made again (sequences reused) gives new ids.
pub fn copy_msg_id(message: &StoredMessage) -> String {
    let nanos = message
        .time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("jetdeck-dl-{}-{}-{nanos}", message.stream, message.sequence)
}

/// Publishes the original again to its own subject (or `to`), then deletes it.
pub async fn retry(
    broker: &Broker,
    letter: &DeadLetter,
    to: Option<&str>,
) -> Result<Done, DeadLetterError> {
    copy_then_delete(broker, letter, to).await
}

/// Moves the original to the dead-letter subject `to` (a stream must listen there: none
/// is created, `NoStreamFor` says so), then deletes it.
pub async fn move_to(
    broker: &Broker,
    letter: &DeadLetter,
    to: &str,
) -> Result<Done, DeadLetterError> {
    copy_then_delete(broker, letter, Some(to)).await
}

/// Publishes again a message whose original the server already removed (a term on a
/// WorkQueue stream) from the copy the caller `held` (the console keeps the body of
/// messages it pulled). When the original is in fact still there, this is `retry`.
pub async fn retry_held(
    broker: &Broker,
    letter: &DeadLetter,
    held: &StoredMessage,
    to: Option<&str>,
) -> Result<Done, DeadLetterError> {
    if read_original(broker, &letter.stream, letter.sequence)
        .await?
        .is_some()
    {
        return copy_then_delete(broker, letter, to).await;
    }
    let (subject, ack) = publish_copy(broker, letter, held, to).await?;
    Ok(done(letter, subject, ack))
}

/// The one path of retry and move. The original is read again here, not taken from the
/// listing: what is published is what the stream holds now.
async fn copy_then_delete(
    broker: &Broker,
    letter: &DeadLetter,
    to: Option<&str>,
) -> Result<Done, DeadLetterError> {
    let (stream, sequence) = (letter.stream.clone(), letter.sequence);
    let original = read_original(broker, &stream, sequence)
        .await?
        .ok_or_else(|| DeadLetterError::Gone {
            stream: stream.clone(),
            sequence,
        })?;
    let (subject, ack) = publish_copy(broker, letter, &original, to).await?;
    if let Err(source) = broker.delete_message(&stream, sequence, false).await {
        // Deleted meanwhile by someone else: the copy is stored, so nothing is lost.
        if !matches!(read_original(broker, &stream, sequence).await, Ok(None)) {
            return Err(DeadLetterError::DeleteAfterCopy {
                stream,
                sequence,
                copy_stream: ack.stream,
                copy_sequence: ack.sequence,
                source,
            });
        }
    }
    Ok(done(letter, subject, ack))
}

/// Publishes the copy of `original` (to its subject or `to`) and waits for its PubAck.
async fn publish_copy(
    broker: &Broker,
    letter: &DeadLetter,
    original: &StoredMessage,
    to: Option<&str>,
) -> Result<(String, PubAck), DeadLetterError> {
    let (stream, sequence) = (letter.stream.clone(), letter.sequence);
    let context = Some((letter.consumer.as_str(), letter.deliveries, &letter.cause));
    let subject = to.unwrap_or(&original.subject).to_string();
    let copy = Message {
        body: original.body.clone(),
        headers: copy_headers(original, context),
    };
    match broker.publish_no_create(&subject, copy).await {
        Ok(ack) => {
            tracing::info!(%stream, sequence, %subject, copy = ack.sequence, duplicate = ack.duplicate, "dead letter copied");
            Ok((subject, ack))
        }
        Err(PublishError::NoStream { .. }) => Err(DeadLetterError::NoStreamFor {
            subject,
            stream,
            sequence,
        }),
        Err(source) => Err(DeadLetterError::Publish {
            stream,
            sequence,
            source: Box::new(source),
        }),
    }
}

fn done(letter: &DeadLetter, subject: String, ack: PubAck) -> Done {
    Done {
        original: letter.target(),
        subject,
        copy_stream: ack.stream,
        copy_sequence: ack.sequence,
        duplicate: ack.duplicate,
    }
}

/// The original's headers without those that would make the server refuse or drop the
/// copy (its `Nats-Msg-Id`, expectations, rollups) or misstate where it came from (an
/// earlier retry's), plus the retry headers and the copy's `Nats-Msg-Id`.
fn copy_headers(original: &StoredMessage, context: Option<(&str, u64, &Cause)>) -> Headers {
    let mut headers = Headers::new();
    for (key, value) in original.headers.iter() {
        let lower = key.to_ascii_lowercase();
        if lower == "nats-msg-id" {
            headers.append(HEADER_ORIGINAL_MSG_ID, value);
        } else if !(lower.starts_with("nats-expected")
            || lower == "nats-rollup"
            || lower.starts_with("jetdeck-retry-"))
        {
            headers.append(key, value);
        }
    }
    headers.append(HEADER_STREAM, original.stream.as_str());
    headers.append(HEADER_SEQUENCE, original.sequence.to_string());
    headers.append(HEADER_SUBJECT, original.subject.as_str());
    if let Some((consumer, deliveries, cause)) = context {
        headers.append(HEADER_CONSUMER, consumer);
        headers.append(HEADER_DELIVERIES, deliveries.to_string());
        headers.append(HEADER_REASON, cause.describe());
    }
    headers.append("Nats-Msg-Id", copy_msg_id(original));
    headers
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn copies_say_where_they_came_from_and_drop_what_the_server_would_refuse() {
        let mut headers = Headers::new();
        headers.append("type", "order");
        headers.append("Nats-Msg-Id", "abc");
        headers.append("Nats-Expected-Last-Sequence", "4");
        headers.append(HEADER_SEQUENCE, "1");
        let original = StoredMessage {
            stream: "ORDERS".into(),
            subject: "orders.new".into(),
            sequence: 7,
            headers,
            body: "x".into(),
            time: UNIX_EPOCH + Duration::from_secs(2),
        };
        let cause = Cause::Terminated {
            reason: Some("bad".into()),
        };
        let h = copy_headers(&original, Some(("billing", 3, &cause)));
        assert_eq!(h.get("type"), Some("order"));
        assert_eq!(h.get(HEADER_ORIGINAL_MSG_ID), Some("abc"));
        assert_eq!(
            h.get_all("Nats-Msg-Id").collect::<Vec<_>>(),
            ["jetdeck-dl-ORDERS-7-2000000000"]
        );
        assert_eq!(h.get("Nats-Expected-Last-Sequence"), None);
        assert_eq!(h.get_all(HEADER_SEQUENCE).collect::<Vec<_>>(), ["7"]);
        assert_eq!(h.get(HEADER_DELIVERIES), Some("3"));
        assert_eq!(h.get(HEADER_REASON), Some("terminated: bad"));
        assert_eq!(h.invalid(), None);
    }
}
