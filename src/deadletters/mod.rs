//! Dead letters: messages that ran out of deliveries or were terminated, found from
//! JetStream advisories (seen live by the caller, or recorded by a capture stream), read
//! back by sequence, and put back into flow (retry, move), discarded or exported.
//!
//! The rule every change here keeps: a message is never in neither place. A retry or move
//! deletes the original only after the copy's PubAck; a bulk run stops at the first
//! failure and reports exactly what was done, what failed and what was left untouched.
//! The console and `jetdeck dead-letters` both call this module.

mod advisory;
mod bulk;
mod capture;
mod discard;
mod export;
pub mod headless;
mod list;
mod retry;
mod stream;
mod timeline;

use std::time::SystemTime;

use crate::broker::{ApiError, PublishError, StoredMessage};

pub use advisory::{
    AdvisoryEvent, AdvisoryKind, DEAD_LETTER_SUBJECTS, RawAdvisory, parse_advisory,
};
pub use bulk::{BulkReport, Progress, bulk};
pub use capture::{
    CAPTURE_STREAM, CaptureConfig, CaptureStatus, DEFAULT_CAPTURE_MAX_AGE,
    DEFAULT_CAPTURE_MAX_BYTES, capture_exists, capture_stream_config, ensure_capture, read_capture,
};
pub use discard::discard;
pub use export::{BodyEncoding, ExportRecord, export};
pub use list::{Filter, dead_letters_from, list};
pub use retry::{
    Done, HEADER_CONSUMER, HEADER_DELIVERIES, HEADER_ORIGINAL_MSG_ID, HEADER_REASON,
    HEADER_SEQUENCE, HEADER_STREAM, HEADER_SUBJECT, copy_msg_id, move_to, retry, retry_held,
};
pub use stream::{
    DEAD_LETTER_STREAM, DEFAULT_DEAD_LETTER_MAX_AGE, DEFAULT_DEAD_LETTER_MAX_BYTES,
    create_dead_letter_stream, dead_letter_stream_config, describe_stream_config,
    free_dead_letter_stream_name,
};
pub use timeline::{Step, TimelineEntry, timeline};

/// Why a message became a dead letter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// Its consumer's max deliveries were reached; the message stays in the stream.
    MaxDeliveries,
    /// A handler terminated it (with the reason it gave, if any). On a WorkQueue stream
    /// the server removes the message.
    Terminated { reason: Option<String> },
}

impl Cause {
    /// What an operator reads: `max deliveries` or `terminated: <reason>`.
    pub fn describe(&self) -> String {
        match self {
            Cause::MaxDeliveries => "max deliveries".to_string(),
            Cause::Terminated { reason: None } => "terminated".to_string(),
            Cause::Terminated { reason: Some(r) } => format!("terminated: {r}"),
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Cause::Terminated { reason } => reason.as_deref(),
            Cause::MaxDeliveries => None,
        }
    }
}

/// One dead letter: what the advisory said, and the original as the stream holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub stream: String,
    pub sequence: u64,
    pub consumer: String,
    pub deliveries: u64,
    pub cause: Cause,
    /// When the advisory was raised.
    pub time: SystemTime,
    /// The original, read by sequence; `None` when it is no longer in the stream (a term
    /// on a WorkQueue stream, a retry or discard done, limits, someone else's delete).
    pub original: Option<StoredMessage>,
}

impl DeadLetter {
    /// Whether the original is still in its stream.
    pub fn in_stream(&self) -> bool {
        self.original.is_some()
    }

    /// Its subject, when the original is still there to say it.
    pub fn subject(&self) -> Option<&str> {
        self.original.as_ref().map(|m| m.subject.as_str())
    }
}

/// Why a dead-letter operation failed. Each says whether the original is still there.
#[derive(Debug, thiserror::Error)]
pub enum DeadLetterError {
    #[error("{stream} seq {sequence} is no longer in the stream; nothing was done")]
    Gone { stream: String, sequence: u64 },
    #[error("reading {stream} seq {sequence} failed (nothing was done): {source}")]
    Read {
        stream: String,
        sequence: u64,
        #[source]
        source: ApiError,
    },
    #[error(
        "no stream listens on {subject}; the original {stream} seq {sequence} is untouched (create a stream for {subject} first)"
    )]
    NoStreamFor {
        subject: String,
        stream: String,
        sequence: u64,
    },
    #[error(
        "publishing the copy of {stream} seq {sequence} failed; the original is untouched: {source}"
    )]
    Publish {
        stream: String,
        sequence: u64,
        #[source]
        source: Box<PublishError>,
    },
    #[error(
        "the copy of {stream} seq {sequence} is stored ({copy_stream} seq {copy_sequence}) but deleting the original failed, so it is in both places: {source}"
    )]
    DeleteAfterCopy {
        stream: String,
        sequence: u64,
        copy_stream: String,
        copy_sequence: u64,
        #[source]
        source: ApiError,
    },
    #[error("deleting {stream} seq {sequence} failed: {source}")]
    Delete {
        stream: String,
        sequence: u64,
        #[source]
        source: ApiError,
    },
    #[error("capture stream {stream}: {source}")]
    Capture {
        stream: String,
        #[source]
        source: ApiError,
    },
    #[error(
        "stream {stream} exists but does not record {missing}; it is not a capture stream jetdeck made"
    )]
    NotACapture { stream: String, missing: String },
    #[error("creating stream {stream} failed (nothing was moved): {source}")]
    CreateStream {
        stream: String,
        #[source]
        source: ApiError,
    },
    #[error(
        "stream {stream} was created but the server says no stream covers {subject}; nothing was moved"
    )]
    NotCovered { stream: String, subject: String },
    #[error("listing dead letters failed: {0}")]
    Api(#[from] ApiError),
    #[error("writing {path} failed: {reason}")]
    Write { path: String, reason: String },
}

/// Which stream message an operation is about (what a caller marks).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Target {
    pub stream: String,
    pub sequence: u64,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} seq {}", self.stream, self.sequence)
    }
}

impl DeadLetter {
    pub fn target(&self) -> Target {
        Target {
            stream: self.stream.clone(),
            sequence: self.sequence,
        }
    }
}
