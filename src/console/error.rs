//! Why an operator's action did not do what was asked: the broker's typed errors, carried
//! to where they are drawn, plus what only the console knows (a settle that could not be
//! sent because the connection is down). The UI tells "not found" from "timeout" from
//! "permission denied" by `api_kind`, never by reading the text.

use thiserror::Error;

use crate::broker::{ApiError, ApiErrorKind, PublishError, SettleError, SubscribeError};

#[derive(Debug, Clone, Error)]
pub enum ActionError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error(transparent)]
    Subscribe(#[from] SubscribeError),
    #[error(transparent)]
    Settle(#[from] SettleError),
    /// One message of a multi-message publish failed; those before it were stored.
    #[error("message {n} of {count}: {source}")]
    PublishedPart {
        n: u32,
        count: u32,
        source: PublishError,
    },
    /// Nothing was sent: a publish now would only sit in the client's buffer.
    #[error("not sent: the connection to the server is down (the message stays held here)")]
    Disconnected,
    /// Sent, but the connection went before the bytes left: it may not have arrived.
    #[error("sent, but the connection dropped before it reached the server")]
    Unconfirmed,
    #[error("this message is no longer held (detached, or settled already)")]
    NotHeld,
    /// A dead-letter operation or read failed (the text says whether the original stays).
    #[error(transparent)]
    DeadLetters(std::sync::Arc<crate::deadletters::DeadLetterError>),
    /// Anything else, in words (a demo that could not start, say).
    #[error("{0}")]
    Other(String),
}

impl ActionError {
    /// The JetStream API failure behind this error, if it is one.
    pub fn api_kind(&self) -> Option<ApiErrorKind> {
        match self {
            ActionError::Api(e) => Some(e.kind()),
            ActionError::Subscribe(SubscribeError::Consumer { source, .. }) => Some(source.kind()),
            _ => None,
        }
    }
}

impl From<crate::deadletters::DeadLetterError> for ActionError {
    fn from(e: crate::deadletters::DeadLetterError) -> Self {
        ActionError::DeadLetters(std::sync::Arc::new(e))
    }
}

impl From<&str> for ActionError {
    fn from(text: &str) -> Self {
        ActionError::Other(text.to_string())
    }
}

impl From<String> for ActionError {
    fn from(text: String) -> Self {
        ActionError::Other(text)
    }
}
