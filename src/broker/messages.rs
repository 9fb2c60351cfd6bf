//! Reading a stream through a filter, as `nats stream view --subject --since` does: the
//! window of sequences a subject (wildcards allowed) and a start time select, and the
//! messages in it, in order, without a consumer.
//!
//! Every read stays inside the window, so browsing adds no API errors to the server's
//! count: `STREAM.MSG.GET` answers "no message found" (an error the server counts) past
//! the last match, so the last match is found first and never read past.

use std::time::SystemTime;

use serde::Serialize;

use super::api::{Api, MessageGetAnswer, decode_stored};
use super::error::ApiError;
use super::{Broker, StoredMessage};

/// Where a filtered read of a stream starts and ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowseWindow {
    /// The first message that matches (at or after the start time, when there is one).
    pub first: u64,
    /// The last message that matches.
    pub last: u64,
    /// Messages that match, when known (a start time leaves it unknown).
    pub count: Option<u64>,
    /// The stream allows direct get: a page can be read in one batched request.
    pub direct: bool,
}

/// The subject every message matches, for reads by time alone.
pub(super) const EVERY_SUBJECT: &str = ">";

impl Api {
    /// The last message on `subject` (wildcards allowed): `STREAM.MSG.GET` with
    /// `last_by_subj`. An error when none matches: callers check the counts first.
    pub(super) async fn last_message_on(
        &self,
        stream: &str,
        subject: &str,
    ) -> Result<StoredMessage, ApiError> {
        #[derive(Serialize)]
        struct Last<'a> {
            last_by_subj: &'a str,
        }
        let answer: MessageGetAnswer = self
            .request(
                format!("STREAM.MSG.GET.{stream}"),
                &Last {
                    last_by_subj: subject,
                },
            )
            .await?;
        decode_stored(stream, answer.message)
    }

    /// The first message on `subject` stored at or after `since` (`start_time` with
    /// `next_by_subj`; nats-server 2.11 and newer).
    async fn first_message_at(
        &self,
        stream: &str,
        since: SystemTime,
        subject: &str,
    ) -> Result<StoredMessage, ApiError> {
        #[derive(Serialize)]
        struct Since<'a> {
            start_time: String,
            next_by_subj: &'a str,
        }
        let start_time = time::OffsetDateTime::from(since)
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| ApiError::Request {
                what: format!("STREAM.MSG.GET.{stream}"),
                reason: format!("start time not expressible in RFC 3339: {e}"),
            })?;
        let answer: MessageGetAnswer = self
            .request(
                format!("STREAM.MSG.GET.{stream}"),
                &Since {
                    start_time,
                    next_by_subj: subject,
                },
            )
            .await?;
        decode_stored(stream, answer.message)
    }
}

impl Broker {
    /// The window `subject` and `since` select in `stream`, or None when nothing matches
    /// (said without reading a message that is not there).
    pub async fn browse_window(
        &self,
        stream: &str,
        subject: Option<&str>,
        since: Option<SystemTime>,
    ) -> Result<Option<BrowseWindow>, ApiError> {
        let api = self.api()?;
        let info = api.stream_info(stream).await?;
        let count = match subject {
            Some(s) => api.stream_subjects(stream, s).await?.values().sum(),
            None => info.state.messages,
        };
        if count == 0 {
            return Ok(None);
        }
        let pattern = subject.unwrap_or_else(|| super::last_stored_subject(&info));
        let last = api.last_message_on(stream, pattern).await?;
        let direct = info.config.allow_direct;
        let Some(since) = since else {
            // The stream's first sequence is a stored message: only a subject asks.
            let first = match subject {
                None => info.state.first_sequence,
                Some(_) => match self
                    .get_next_message(stream, info.state.first_sequence, pattern)
                    .await?
                {
                    Some(first) => first.sequence,
                    None => return Ok(None),
                },
            };
            return Ok(Some(BrowseWindow {
                first,
                last: last.sequence,
                count: Some(count),
                direct,
            }));
        };
        if last.time < since {
            return Ok(None);
        }
        let first = if self.server_version().is_ok_and(|v| v.at_least(2, 11, 0)) {
            api.first_message_at(stream, since, pattern).await?.sequence
        } else {
            self.first_since_by_search(stream, pattern, since, &info.state, last.sequence)
                .await?
        };
        Ok(Some(BrowseWindow {
            first,
            last: last.sequence,
            count: None,
            direct,
        }))
    }

    /// The last message on `subject` (wildcards allowed), or None when the stream holds
    /// none: the counts are asked first, so an empty subject costs no API error.
    pub async fn last_message_on(
        &self,
        stream: &str,
        subject: &str,
    ) -> Result<Option<StoredMessage>, ApiError> {
        let api = self.api()?;
        if api.stream_subjects(stream, subject).await?.is_empty() {
            return Ok(None);
        }
        api.last_message_on(stream, subject).await.map(Some)
    }

    /// Servers before 2.11 cannot read by time: a binary search over the sequences,
    /// each probe the first message at or after it (so deleted ones cost nothing, and
    /// nothing is read past `last`, a message known to be at or after `since`).
    async fn first_since_by_search(
        &self,
        stream: &str,
        pattern: &str,
        since: SystemTime,
        state: &async_nats::jetstream::stream::State,
        last: u64,
    ) -> Result<u64, ApiError> {
        let (mut lo, mut hi) = (state.first_sequence.max(1), last);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get_next_message(stream, mid, pattern).await? {
                Some(m) if m.time >= since => hi = mid,
                Some(m) => lo = m.sequence + 1,
                None => lo = mid + 1,
            }
        }
        let first = self.get_next_message(stream, lo, pattern).await?;
        Ok(first.map_or(last, |m| m.sequence.min(last)))
    }
}
