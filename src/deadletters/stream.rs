//! A dead-letter stream for `move`: when no stream covers the subject the operator moves
//! dead letters to, jetdeck offers (never creates silently) a stream for it with these
//! defaults, shown in the offer: file storage, Limits retention (a dead letter stays until
//! someone decides), old messages discarded past 1 GiB or 30 days.

use std::time::Duration;

use async_nats::jetstream::stream;

use super::DeadLetterError;
use crate::broker::{ApiErrorKind, Broker};

/// The name offered, or with a suffix (`DEAD_LETTERS_2`...) when taken.
pub const DEAD_LETTER_STREAM: &str = "DEAD_LETTERS";
pub const DEFAULT_DEAD_LETTER_MAX_BYTES: i64 = 1024 * 1024 * 1024;
pub const DEFAULT_DEAD_LETTER_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
/// Names tried before giving up (`DEAD_LETTERS` to `DEAD_LETTERS_9`).
const NAMES_TRIED: usize = 9;

/// The config of the dead-letter stream `name` for `subject` (that subject only).
pub fn dead_letter_stream_config(name: &str, subject: &str) -> stream::Config {
    stream::Config {
        name: name.to_string(),
        subjects: vec![subject.to_string()],
        retention: stream::RetentionPolicy::Limits,
        storage: stream::StorageType::File,
        discard: stream::DiscardPolicy::Old,
        max_bytes: DEFAULT_DEAD_LETTER_MAX_BYTES,
        max_age: DEFAULT_DEAD_LETTER_MAX_AGE,
        description: Some("jetdeck: dead letters moved here".into()),
        ..Default::default()
    }
}

/// Retention, storage, replicas and limits, in words (what the offer shows).
pub fn describe_stream_config(config: &stream::Config) -> String {
    let limit = |n: i64, what: &str| (n > 0).then(|| format!("max {n} {what}"));
    // Sizes as an operator reads them: 1 GiB, not 1073741824 bytes.
    let size = |n: i64| {
        (n > 0).then(|| match n {
            n if n % (1 << 30) == 0 => format!("max {} GiB", n >> 30),
            n if n % (1 << 20) == 0 => format!("max {} MiB", n >> 20),
            n => format!("max {n} bytes"),
        })
    };
    let limits: Vec<String> = [
        limit(config.max_messages, "messages"),
        size(config.max_bytes),
        (!config.max_age.is_zero()).then(|| {
            let days = config.max_age.as_secs() / 86_400;
            if days > 0 && config.max_age.as_secs().is_multiple_of(86_400) {
                format!("max age {days} days")
            } else {
                format!("max age {}s", config.max_age.as_secs())
            }
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    let replicas = config.num_replicas.max(1);
    format!(
        "{:?} retention, {:?} storage, {replicas} replica{}, {}",
        config.retention,
        config.storage,
        if replicas > 1 { "s" } else { "" },
        if limits.is_empty() {
            "no limits".to_string()
        } else {
            limits.join(", ")
        }
    )
}

/// The first of `DEAD_LETTERS`, `DEAD_LETTERS_2`... that no stream has.
pub async fn free_dead_letter_stream_name(broker: &Broker) -> Result<String, DeadLetterError> {
    for n in 1..=NAMES_TRIED {
        let name = if n == 1 {
            DEAD_LETTER_STREAM.to_string()
        } else {
            format!("{DEAD_LETTER_STREAM}_{n}")
        };
        match broker.stream_info(&name).await {
            Ok(_) => continue,
            Err(e) if e.kind() == ApiErrorKind::StreamNotFound => return Ok(name),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(format!("{DEAD_LETTER_STREAM}_{}", NAMES_TRIED + 1))
}

/// Creates the dead-letter stream `name` for `subject` (the operator said yes), then
/// checks on the server that a stream now covers the subject.
pub async fn create_dead_letter_stream(
    broker: &Broker,
    name: &str,
    subject: &str,
) -> Result<(), DeadLetterError> {
    let failed = |source| DeadLetterError::CreateStream {
        stream: name.to_string(),
        source,
    };
    broker
        .create_stream(&dead_letter_stream_config(name, subject))
        .await
        .map_err(failed)?;
    match broker.stream_for_subject(subject).await.map_err(failed)? {
        Some(_) => {
            tracing::info!(stream = name, subject, "created a dead-letter stream");
            Ok(())
        }
        None => Err(DeadLetterError::NotCovered {
            stream: name.to_string(),
            subject: subject.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offer_shows_retention_and_limits() {
        let config = dead_letter_stream_config("DEAD_LETTERS", "dead.orders");
        assert_eq!(config.subjects, ["dead.orders"]);
        assert_eq!(
            describe_stream_config(&config),
            "Limits retention, File storage, 1 replica, max 1 GiB, max age 30 days"
        );
    }
}
