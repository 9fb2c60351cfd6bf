//! Publishing for people: an operator who types a subject by hand must not create a
//! stream by accident (a typo such as `bd` would make a persistent WorkQueue stream
//! `BD`). These calls never create anything; the caller finds out first whether a
//! stream listens, and asks the operator before `ensure_stream` makes one.

use async_nats::jetstream::stream;

use super::error::{ApiError, ApiErrorKind, PublishError};
use super::metrics::Counters;
use super::naming::{stream_name_for_topic, subject_matches, validate_topic};
use super::publish::send_publish;
use super::streams::config_for;
use super::{Broker, Message, PubAck};

impl Broker {
    /// Publishes to whichever stream listens on `topic`, creating none: with no stream
    /// there the error is `PublishError::NoStream`. Waits for the PubAck.
    pub async fn publish_no_create(
        &self,
        topic: &str,
        message: Message,
    ) -> Result<PubAck, PublishError> {
        validate_topic(topic)?;
        let conn = self.connection().ok_or(PublishError::NotConnected)?;
        let ack = send_publish(&conn, topic, &message).await?;
        Counters::incr(&self.shared.counters.published);
        Ok(ack)
    }

    /// The stream that listens on `subject`, if any. When this user may not list streams
    /// by subject, the stream this broker would use for it is asked for by name instead.
    pub async fn stream_for_subject(&self, subject: &str) -> Result<Option<String>, ApiError> {
        match self.stream_names(Some(subject)).await {
            Ok(names) => Ok(names.into_iter().next()),
            Err(e) if e.kind() == ApiErrorKind::PermissionDenied => {
                let name = stream_name_for_topic(subject);
                match self.stream_info(&name).await {
                    Ok(info) => Ok(info
                        .config
                        .subjects
                        .iter()
                        .any(|s| subject_matches(s, subject))
                        .then_some(name)),
                    Err(e) if e.kind() == ApiErrorKind::StreamNotFound => Ok(None),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The stream `ensure_stream(topic)` would create: for showing before it is made.
    pub fn new_stream_config(&self, topic: &str) -> stream::Config {
        config_for(
            self.options().stream_config.as_ref(),
            &stream_name_for_topic(topic),
            topic,
        )
    }
}
