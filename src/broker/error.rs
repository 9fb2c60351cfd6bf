//! Typed errors, one enum per operation, mapped from the server's JetStream error codes.

use std::time::Duration;

use async_nats::jetstream::context::{RequestError, RequestErrorKind};
use thiserror::Error;

use super::naming::{QueueNameError, TopicError};

/// Text of every "not connected" error, so callers and tests can rely on it.
pub const NOT_CONNECTED: &str =
    "not connected to the server (the connection is not made yet, or was closed)";

/// Server error codes this crate tells apart (the `err_code` of a JetStream API error).
pub mod codes {
    pub const CONSUMER_NOT_FOUND: u64 = 10014;
    pub const NO_MESSAGE_FOUND: u64 = 10037;
    pub const STREAM_NOT_FOUND: u64 = 10059;
    pub const STREAM_SUBJECT_OVERLAP: u64 = 10065;
    pub const CONSUMER_FILTER_NOT_SUBSET: u64 = 10093;
    pub const WORKQUEUE_FILTER_NOT_UNIQUE: u64 = 10099;
    pub const WORKQUEUE_MULTIPLE_UNFILTERED: u64 = 10100;
    pub const WORKQUEUE_NOT_DELIVER_ALL: u64 = 10101;
    pub const JETSTREAM_NOT_ENABLED_FOR_ACCOUNT: u64 = 10039;
    pub const JETSTREAM_NOT_ENABLED: u64 = 10076;
}

/// What kind of failure a JetStream API call met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    NotConnected,
    StreamNotFound,
    ConsumerNotFound,
    MessageNotFound,
    /// One of the WorkQueue consumer rules (10099, 10100, 10101).
    WorkQueueRule,
    SubjectOverlap,
    FilterNotSubset,
    NoJetStream,
    /// The server refused the request: this user may not publish to its subject.
    PermissionDenied,
    Timeout,
    Other,
}

/// A JetStream API call that failed: the server's answer (its code and text), or the
/// request itself.
#[derive(Debug, Clone, Error)]
pub enum ApiError {
    #[error("{NOT_CONNECTED}")]
    NotConnected,
    #[error("{description} (JetStream error {err_code}, status {status})")]
    Server {
        status: u16,
        err_code: u64,
        description: String,
    },
    #[error(
        "JetStream is not available: nothing answered on the JetStream API (is the server started with -js, and JetStream enabled for this account?)"
    )]
    NoJetStream,
    #[error("the JetStream API did not answer in time ({what})")]
    Timeout { what: String },
    #[error("permission denied: this user may not use {subject} (the server refused the request)")]
    PermissionDenied { subject: String },
    #[error("JetStream API request failed ({what}): {reason}")]
    Request { what: String, reason: String },
}

impl ApiError {
    pub fn kind(&self) -> ApiErrorKind {
        match self {
            ApiError::NotConnected => ApiErrorKind::NotConnected,
            ApiError::NoJetStream => ApiErrorKind::NoJetStream,
            ApiError::Timeout { .. } => ApiErrorKind::Timeout,
            ApiError::PermissionDenied { .. } => ApiErrorKind::PermissionDenied,
            ApiError::Request { .. } => ApiErrorKind::Other,
            ApiError::Server { err_code, .. } => match *err_code {
                codes::STREAM_NOT_FOUND => ApiErrorKind::StreamNotFound,
                codes::CONSUMER_NOT_FOUND => ApiErrorKind::ConsumerNotFound,
                codes::NO_MESSAGE_FOUND => ApiErrorKind::MessageNotFound,
                codes::STREAM_SUBJECT_OVERLAP => ApiErrorKind::SubjectOverlap,
                codes::CONSUMER_FILTER_NOT_SUBSET => ApiErrorKind::FilterNotSubset,
                codes::WORKQUEUE_FILTER_NOT_UNIQUE
                | codes::WORKQUEUE_MULTIPLE_UNFILTERED
                | codes::WORKQUEUE_NOT_DELIVER_ALL => ApiErrorKind::WorkQueueRule,
                codes::JETSTREAM_NOT_ENABLED | codes::JETSTREAM_NOT_ENABLED_FOR_ACCOUNT => {
                    ApiErrorKind::NoJetStream
                }
                _ => ApiErrorKind::Other,
            },
        }
    }

    /// The server's JetStream error code, when the server answered.
    pub fn err_code(&self) -> Option<u64> {
        match self {
            ApiError::Server { err_code, .. } => Some(*err_code),
            _ => None,
        }
    }

    pub(crate) fn from_request(what: &str, err: RequestError) -> Self {
        match err.kind() {
            RequestErrorKind::NoResponders => ApiError::NoJetStream,
            RequestErrorKind::TimedOut => ApiError::Timeout {
                what: what.to_string(),
            },
            _ => ApiError::Request {
                what: what.to_string(),
                reason: err.to_string(),
            },
        }
    }
}

/// Why `connect` failed.
#[derive(Debug, Clone, Error)]
pub enum ConnectError {
    #[error("no server address given; pass one such as nats://127.0.0.1:4222")]
    NoAddress,
    #[error("server address {address:?} is not valid: {reason}")]
    InvalidAddress { address: String, reason: String },
    #[error(
        "authorization violation: the server refused the credentials (check user/password, token, creds or nkey)"
    )]
    Authorization,
    #[error(
        "TLS with {servers} failed: {reason}; when the server's certificate is not trusted pass --tlsca with the CA that signed it, and --tlscert/--tlskey when it asks for a client certificate"
    )]
    Tls { servers: String, reason: String },
    #[error(
        "the server at {servers} does not speak TLS on that port: use nats:// for a plain server, or the port where it serves TLS"
    )]
    NotTls { servers: String },
    #[error(
        "could not connect to {servers}: {reason}; check the URL and that nats-server runs there (or try --embedded)"
    )]
    Unreachable { servers: String, reason: String },
}

/// Why an auto-created or reused stream cannot hold a topic.
#[derive(Debug, Clone, Error)]
pub enum StreamError {
    #[error(
        "stream {stream} exists but its subjects [{subjects}] do not cover topic {topic}; add the subject to the stream or publish under another first token",
        subjects = .subjects.join(", ")
    )]
    NotCovering {
        stream: String,
        subjects: Vec<String>,
        topic: String,
    },
    #[error(
        "cannot create stream {stream} for topic {topic}: subjects [{subjects}] overlap stream {owner}, which already holds them",
        subjects = .subjects.join(", ")
    )]
    SubjectsOwned {
        stream: String,
        topic: String,
        subjects: Vec<String>,
        owner: String,
    },
    #[error("stream {stream}: {source}")]
    Api {
        stream: String,
        #[source]
        source: ApiError,
    },
}

impl StreamError {
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            StreamError::Api { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Why `publish` failed.
#[derive(Debug, Clone, Error)]
pub enum PublishError {
    #[error("{NOT_CONNECTED}")]
    NotConnected,
    #[error(transparent)]
    InvalidTopic(#[from] TopicError),
    #[error(transparent)]
    Stream(#[from] StreamError),
    #[error("bad header: {0}")]
    InvalidHeader(String),
    #[error("message of {size} bytes is over the server's max payload of {max} bytes")]
    TooLarge { size: usize, max: usize },
    #[error("no PubAck from JetStream for {topic} in time; the message may or may not be stored")]
    TimedOut { topic: String },
    #[error("no stream listens on {topic} (was it deleted?)")]
    NoStream { topic: String },
    #[error("permission denied: this user may not publish to {topic} (the server refused it)")]
    PermissionDenied { topic: String },
    #[error("JetStream refused the message on {topic}: {reason}")]
    Rejected { topic: String, reason: String },
    #[error("publish to {topic} failed: {reason}")]
    Failed { topic: String, reason: String },
}

/// Why `subscribe` failed.
#[derive(Debug, Clone, Error)]
pub enum SubscribeError {
    #[error("{NOT_CONNECTED}")]
    NotConnected,
    #[error(transparent)]
    InvalidQueueName(#[from] QueueNameError),
    #[error(transparent)]
    InvalidTopic(#[from] TopicError),
    #[error(transparent)]
    Stream(#[from] StreamError),
    #[error("{}", consumer_refusal(.queue, .stream, .source))]
    Consumer {
        queue: String,
        stream: String,
        #[source]
        source: ApiError,
    },
    #[error(
        "durable consumer {queue} on stream {stream} already exists with filter [{filters}], not topic {topic}; use another queue name or delete the consumer",
        filters = .filters.join(", ")
    )]
    FilterMismatch {
        queue: String,
        stream: String,
        topic: String,
        filters: Vec<String>,
    },
    #[error(
        "durable consumer {queue} on stream {stream} cannot be used: {reason}; use another queue name or delete the consumer"
    )]
    UnsuitableConsumer {
        queue: String,
        stream: String,
        reason: String,
    },
    #[error("pull from {stream}/{consumer} failed: {reason}")]
    Pull {
        stream: String,
        consumer: String,
        reason: String,
    },
}

fn consumer_refusal(queue: &str, stream: &str, source: &ApiError) -> String {
    let hint = match source.kind() {
        ApiErrorKind::WorkQueueRule => {
            "; a WorkQueue stream lets only one consumer take each subject: reuse that consumer's queue name or subscribe to a different topic"
        }
        _ => "",
    };
    format!("cannot create durable consumer {queue} on stream {stream}: {source}{hint}")
}

impl SubscribeError {
    /// The server's refusal, when there was one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            SubscribeError::Consumer { source, .. } => Some(source),
            SubscribeError::Stream(e) => e.api(),
            _ => None,
        }
    }
}

/// Why settling a message (ack, nak, term, in-progress) failed.
#[derive(Debug, Clone, Error)]
pub enum SettleError {
    #[error("message already settled ({0}); a message is settled only once")]
    AlreadySettled(&'static str),
    #[error("message settlement was taken out of the event; settle it through the Settlement")]
    Taken,
    #[error("message has no reply subject, so it cannot be acknowledged")]
    NoReply,
    #[error("could not send {what}: {reason}")]
    Failed { what: &'static str, reason: String },
}

/// Why `disconnect` did not finish cleanly (the connection is closed all the same).
#[derive(Debug, Clone, Error)]
pub enum DisconnectError {
    #[error(
        "workers still busy after {0:?}; they stop when their handlers return, and their messages are redelivered after the ack wait"
    )]
    WorkersTimedOut(Duration),
    #[error("connection did not finish draining within {0:?}")]
    DrainTimedOut(Duration),
}
