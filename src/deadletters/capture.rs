//! The capture stream: advisories recorded by the server while no jetdeck runs, so dead
//! letters and timelines survive a restart. Made only when the caller asks (the console
//! offers it; `jetdeck dead-letters capture`), read by sequence with no consumer left
//! behind.

use std::time::Duration;

use async_nats::jetstream::stream;

use super::DeadLetterError;
use super::advisory::{AdvisoryEvent, AdvisoryKind, DEAD_LETTER_SUBJECTS, parse_advisory};
use super::list::Filter;
use crate::broker::{ApiErrorKind, Broker};

/// The capture stream's default name.
pub const CAPTURE_STREAM: &str = "JETDECK_ADVISORIES";
/// 64 MiB: an advisory is about 400 bytes, so some 160,000 of them.
pub const DEFAULT_CAPTURE_MAX_BYTES: i64 = 64 * 1024 * 1024;
/// Seven days: long enough to find last week's dead letters, short enough to forget.
pub const DEFAULT_CAPTURE_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// What the capture stream is: its name and bounds (oldest advisories go first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureConfig {
    pub name: String,
    pub max_bytes: i64,
    pub max_age: Duration,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        Self {
            name: CAPTURE_STREAM.to_string(),
            max_bytes: DEFAULT_CAPTURE_MAX_BYTES,
            max_age: DEFAULT_CAPTURE_MAX_AGE,
        }
    }
}

/// What `ensure_capture` found or made.
#[derive(Debug, Clone)]
pub struct CaptureStatus {
    /// True when this call created the stream.
    pub created: bool,
    pub config: stream::Config,
}

/// The stream config `ensure_capture` creates: file storage, Limits retention, old
/// advisories discarded at the bounds.
pub fn capture_stream_config(config: &CaptureConfig) -> stream::Config {
    stream::Config {
        name: config.name.clone(),
        subjects: DEAD_LETTER_SUBJECTS.iter().map(|s| s.to_string()).collect(),
        retention: stream::RetentionPolicy::Limits,
        storage: stream::StorageType::File,
        discard: stream::DiscardPolicy::Old,
        max_bytes: config.max_bytes,
        max_age: config.max_age,
        description: Some("jetdeck: dead-letter advisories (max deliveries, terms, naks)".into()),
        ..Default::default()
    }
}

/// Creates the capture stream, or checks that the one there records the three
/// advisories. Call it only when the operator asked.
pub async fn ensure_capture(
    broker: &Broker,
    config: &CaptureConfig,
) -> Result<CaptureStatus, DeadLetterError> {
    let failed = |source| DeadLetterError::Capture {
        stream: config.name.clone(),
        source,
    };
    match broker.stream_info(&config.name).await {
        Ok(info) => {
            if let Some(missing) = DEAD_LETTER_SUBJECTS
                .iter()
                .find(|s| !info.config.subjects.iter().any(|have| have == *s))
            {
                return Err(DeadLetterError::NotACapture {
                    stream: config.name.clone(),
                    missing: missing.to_string(),
                });
            }
            Ok(CaptureStatus {
                created: false,
                config: info.config,
            })
        }
        Err(e) if e.kind() == ApiErrorKind::StreamNotFound => {
            let info = broker
                .create_stream(&capture_stream_config(config))
                .await
                .map_err(failed)?;
            tracing::info!(stream = %config.name, "created the dead-letter capture stream");
            Ok(CaptureStatus {
                created: true,
                config: info.config,
            })
        }
        Err(e) => Err(failed(e)),
    }
}

/// Whether the capture stream `name` exists: among the streams listening on the
/// dead-letter advisories (asking for its info instead would count an API error on the
/// server each time it is not there).
pub async fn capture_exists(broker: &Broker, name: &str) -> Result<bool, DeadLetterError> {
    match broker.stream_names(Some(DEAD_LETTER_SUBJECTS[0])).await {
        Ok(names) => Ok(names.iter().any(|n| n == name)),
        Err(source) => Err(DeadLetterError::Capture {
            stream: name.to_string(),
            source,
        }),
    }
}

/// Every recorded advisory of `kinds` matching `filter`, oldest first. Reads by
/// sequence (`next_by_subj`, the subject narrowed to the kind, stream and consumer), so
/// no consumer is made and no other advisory is fetched; a stream that does not exist
/// reads as empty.
pub async fn read_capture(
    broker: &Broker,
    name: &str,
    filter: &Filter,
    kinds: &[AdvisoryKind],
) -> Result<Vec<AdvisoryEvent>, DeadLetterError> {
    let mut events = Vec::new();
    for kind in kinds {
        events.extend(read_kind(broker, name, filter, *kind).await?);
    }
    events.sort_by_key(|e| e.time);
    Ok(events)
}

async fn read_kind(
    broker: &Broker,
    name: &str,
    filter: &Filter,
    kind: AdvisoryKind,
) -> Result<Vec<AdvisoryEvent>, DeadLetterError> {
    let failed = |source| DeadLetterError::Capture {
        stream: name.to_string(),
        source,
    };
    // Advisory subjects end in `<KIND>.<stream>.<consumer>`; names hold no dots.
    let subject = format!(
        "$JS.EVENT.ADVISORY.CONSUMER.{}.{}.{}",
        kind.subject_token(),
        filter.stream.as_deref().unwrap_or("*"),
        filter.consumer.as_deref().unwrap_or("*")
    );
    // The last match first, so no read goes past it (an API error the server counts).
    let last = match broker.last_message_on(name, &subject).await {
        Ok(Some(last)) => last.sequence,
        Ok(None) => return Ok(Vec::new()),
        Err(e) if e.kind() == ApiErrorKind::StreamNotFound => return Ok(Vec::new()),
        Err(e) => return Err(failed(e)),
    };
    let messages = broker
        .read_window(name, Some(&subject), 1, last, usize::MAX, false)
        .await
        .map_err(failed)?;
    let mut events = Vec::new();
    for message in messages {
        match parse_advisory(&message.body, message.time) {
            Some(event) if filter.matches(&event.stream, &event.consumer) => events.push(event),
            Some(_) => {}
            None => tracing::debug!(stream = name, seq = message.sequence, "not an advisory"),
        }
    }
    Ok(events)
}
