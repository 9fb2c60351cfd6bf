//! Reading a stream a page at a time, at the cost of the page: one batched direct get
//! (`$JS.API.DIRECT.GET.<stream>` with `batch`, nats-server 2.11+, streams with
//! `allow_direct`), else one `STREAM.MSG.GET` with `next_by_subj` per stored message.
//! Deleted sequences cost nothing either way, and nothing is read past the window's end,
//! so browsing adds nothing to the server's API error count.
//!
//! A batched direct get answers on an inbox: the messages, each with `Nats-Sequence`,
//! `Nats-Subject` and `Nats-Time-Stamp` headers added, then a `204 EOB` status message
//! whose `Nats-Num-Pending` says how many match after the last one sent (ADR-31). When
//! nothing matches from the start sequence on, the answer is a lone `404`. Direct gets do
//! not go through the JetStream API's accounting: they add nothing to `api.total` either.

use std::time::{Duration, SystemTime};

use futures::StreamExt;
use serde::Serialize;

use super::error::ApiError;
use super::message::Headers;
use super::metrics::Counters;
use super::permissions::Denials;
use super::{Broker, StoredMessage};

/// How long a batch may take from the request to its end-of-batch status.
const DIRECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Bytes a batch may carry before the server ends it early (at least one message comes
/// either way); a page of large messages takes a few batches instead of one huge one.
const BATCH_MAX_BYTES: usize = 1 << 20;

/// Messages asked in one batch at most (a long read takes several).
const MAX_BATCH: usize = 1024;

/// Headers the server adds to a direct get's answer: not the message's own.
const ADDED_HEADERS: [&str; 6] = [
    "Nats-Stream",
    "Nats-Subject",
    "Nats-Sequence",
    "Nats-Time-Stamp",
    "Nats-Num-Pending",
    "Nats-Last-Sequence",
];

/// What one batched direct get brought back.
struct Batch {
    messages: Vec<StoredMessage>,
    /// Matching messages stored after the last one sent (0: the stream's end).
    pending: u64,
}

#[derive(Serialize)]
struct BatchRequest<'a> {
    seq: u64,
    batch: usize,
    max_bytes: usize,
    next_by_subj: &'a str,
}

impl Broker {
    /// Up to `max` stored messages on `subject` (all when None) from `from`, never past
    /// `last`, in order. With `direct` (the stream allows direct get) on a server that
    /// batches it, in one request (a few when the messages are large); otherwise one
    /// `next_by_subj` read per message, which needs `last` to be a stored message that
    /// matches (else the read past it is an API error the server counts).
    pub async fn read_window(
        &self,
        stream: &str,
        subject: Option<&str>,
        from: u64,
        last: u64,
        max: usize,
        direct: bool,
    ) -> Result<Vec<StoredMessage>, ApiError> {
        let pattern = subject.unwrap_or(super::messages::EVERY_SUBJECT);
        let batched = direct
            && self
                .server_version()
                .is_ok_and(|v| v.supports_batched_direct_get());
        let mut read: Vec<StoredMessage> = Vec::new();
        let mut at = from;
        while read.len() < max && at <= last {
            if batched {
                let batch = self
                    .direct_batch(stream, pattern, at, (max - read.len()).min(MAX_BATCH))
                    .await?;
                let ended = batch.pending == 0 || batch.messages.is_empty();
                for m in batch.messages {
                    if m.sequence > last {
                        return Ok(read);
                    }
                    at = m.sequence + 1;
                    read.push(m);
                }
                if ended {
                    break;
                }
            } else {
                let Some(m) = self.get_next_message(stream, at, pattern).await? else {
                    break;
                };
                if m.sequence > last {
                    break;
                }
                at = m.sequence + 1;
                read.push(m);
            }
        }
        read.truncate(max);
        Ok(read)
    }

    /// The sequence of the last message stored on `subject` (`last_by_subj`, one
    /// request), or None when there is none. Given the stream's only subject, this is
    /// where reading one message at a time must stop: the stream's last sequence may be
    /// a deleted one (a WorkQueue acked out of order). `>` does not do: the server reads
    /// the stream's last sequence for it, and errs when that one is deleted.
    pub async fn last_stored(&self, stream: &str, subject: &str) -> Result<Option<u64>, ApiError> {
        match self.api()?.last_message_on(stream, subject).await {
            Ok(m) => Ok(Some(m.sequence)),
            Err(e) if e.kind() == super::error::ApiErrorKind::MessageNotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One batched direct get: up to `batch` messages on `pattern` from `seq`.
    async fn direct_batch(
        &self,
        stream: &str,
        pattern: &str,
        seq: u64,
        batch: usize,
    ) -> Result<Batch, ApiError> {
        let api = self.api()?;
        let client = self.client().ok_or(ApiError::NotConnected)?;
        let subject = api.subject(&format!("DIRECT.GET.{stream}"));
        let denials: &Denials = api.denials();
        if denials.publish_denied(&subject) {
            return Err(ApiError::PermissionDenied { subject });
        }
        let refused = Denials::publish_refused(denials.watch(), &subject);
        let body = serde_json::to_vec(&BatchRequest {
            seq,
            batch,
            max_bytes: BATCH_MAX_BYTES,
            next_by_subj: pattern,
        })
        .map_err(|e| failed(&subject, e.to_string()))?;
        let inbox = client.new_inbox();
        let mut answers = client
            .subscribe(inbox.clone())
            .await
            .map_err(|e| failed(&subject, e.to_string()))?;
        Counters::incr(&self.shared.counters.api_requests);
        client
            .publish_with_reply(subject.clone(), inbox, body.into())
            .await
            .map_err(|e| failed(&subject, e.to_string()))?;
        let read = read_batch(&mut answers, stream, &subject);
        tokio::select! {
            read = tokio::time::timeout(DIRECT_TIMEOUT, read) => {
                read.map_err(|_| ApiError::Timeout { what: subject.clone() })?
            }
            () = refused => Err(ApiError::PermissionDenied { subject: subject.clone() }),
        }
    }
}

/// The subject whose last message is the stream's last stored one. `>` is exact while
/// the stream's last sequence is stored (nothing deleted); otherwise the server reads
/// that deleted sequence for `>` and errs, so the stream's only subject is asked instead.
/// With several subjects (or a subject transform) there is none to ask: `>`, and the
/// caller stops at the stream's last sequence.
pub fn last_stored_subject(info: &async_nats::jetstream::stream::Info) -> &str {
    let every = super::messages::EVERY_SUBJECT;
    if info.state.deleted_count.unwrap_or(0) == 0 || info.config.subject_transform.is_some() {
        return every;
    }
    match info.config.subjects.as_slice() {
        [one] => one,
        _ => every,
    }
}

/// The answers to one batched direct get, up to its end-of-batch status.
async fn read_batch(
    answers: &mut async_nats::Subscriber,
    stream: &str,
    subject: &str,
) -> Result<Batch, ApiError> {
    let mut messages = Vec::new();
    while let Some(answer) = answers.next().await {
        let pending = match answer.status.map(|s| s.as_u16()) {
            None => {
                messages.push(stored(stream, subject, answer)?);
                continue;
            }
            Some(204) => header_u64(&answer, "Nats-Num-Pending").unwrap_or(0),
            // Nothing matches from the start sequence on.
            Some(404) => 0,
            Some(503) => {
                let why = "no stream answered direct get (is allow_direct set?)";
                return Err(failed(subject, why.into()));
            }
            Some(code) => {
                let said = answer.description.unwrap_or_default();
                return Err(failed(subject, format!("status {code} {said}")));
            }
        };
        return Ok(Batch { messages, pending });
    }
    let why = "the answer ended before its end-of-batch status";
    Err(failed(subject, why.into()))
}

fn failed(subject: &str, reason: String) -> ApiError {
    ApiError::Request {
        what: subject.to_string(),
        reason,
    }
}

fn header_u64(message: &async_nats::Message, key: &str) -> Option<u64> {
    message
        .headers
        .as_ref()?
        .get_last(key)
        .and_then(|v| v.as_str().parse().ok())
}

/// A message of a direct get's answer, its own headers without those the server added.
fn stored(
    stream: &str,
    subject: &str,
    answer: async_nats::Message,
) -> Result<StoredMessage, ApiError> {
    let missing = |what: &str| failed(subject, format!("answer without a valid {what} header"));
    let map = answer
        .headers
        .as_ref()
        .ok_or_else(|| missing("Nats-Sequence"))?;
    let sequence = header_u64(&answer, "Nats-Sequence").ok_or_else(|| missing("Nats-Sequence"))?;
    let on = map
        .get_last("Nats-Subject")
        .ok_or_else(|| missing("Nats-Subject"))?
        .to_string();
    let time = map
        .get_last("Nats-Time-Stamp")
        .and_then(|t| {
            time::OffsetDateTime::parse(t.as_str(), &time::format_description::well_known::Rfc3339)
                .ok()
        })
        .map(SystemTime::from)
        .ok_or_else(|| missing("Nats-Time-Stamp"))?;
    let mut headers = Headers::new();
    for (key, value) in Headers::from_nats(map).iter() {
        if !ADDED_HEADERS.iter().any(|a| a.eq_ignore_ascii_case(key)) {
            headers.append(key, value);
        }
    }
    Ok(StoredMessage {
        stream: stream.to_string(),
        subject: on,
        sequence,
        headers,
        body: answer.payload,
        time,
    })
}
