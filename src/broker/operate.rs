//! Operations that change a stream or a consumer: purge, pause until a time, resume, and
//! reset to a sequence. Features a server may lack (pause: 2.11, reset: 2.14) are asked of
//! `ServerVersion` first, so an older server gets a clear refusal and no request at all.

use std::time::SystemTime;

use async_nats::jetstream::consumer;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::Broker;
use super::api::Api;
use super::error::{ApiError, codes};
use super::version::ServerVersion;

/// What a purge removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurgeScope {
    /// Every message.
    All,
    /// Messages on subjects matching this filter (wildcards allowed).
    Subject(String),
    /// All but the newest N messages.
    KeepNewest(u64),
    /// Messages below this sequence (the server's `seq`: up to, not including, it).
    BelowSequence(u64),
}

impl PurgeScope {
    /// How the scope reads after "purge N messages of STREAM".
    pub fn describe(&self) -> String {
        match self {
            PurgeScope::All => String::new(),
            PurgeScope::Subject(s) => format!(" on {s}"),
            PurgeScope::KeepNewest(n) => format!(" keeping the newest {n}"),
            PurgeScope::BelowSequence(n) => format!(" below sequence {n}"),
        }
    }
}

/// How many messages a purge will remove, from the stream's state (and per-subject counts
/// for a subject). `exact` is false where the state only bounds it (gaps in the sequence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeEstimate {
    pub count: u64,
    pub exact: bool,
}

impl PurgeEstimate {
    /// `412` or `about 412`.
    pub fn words(&self, fmt: impl Fn(u64) -> String) -> String {
        if self.exact {
            fmt(self.count)
        } else {
            format!("about {}", fmt(self.count))
        }
    }
}

/// The numbers of a stream's state an estimate needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamCounts {
    pub messages: u64,
    pub first_sequence: u64,
    pub last_sequence: u64,
}

/// The count `scope` will purge from a stream in `state`; `on_subject` is the sum of the
/// per-subject counts matching a subject scope (`Broker::stream_subjects`).
pub fn purge_estimate(
    state: StreamCounts,
    scope: &PurgeScope,
    on_subject: Option<u64>,
) -> PurgeEstimate {
    let exact = |count| PurgeEstimate { count, exact: true };
    match scope {
        PurgeScope::All => exact(state.messages),
        PurgeScope::Subject(_) => exact(on_subject.unwrap_or(0)),
        PurgeScope::KeepNewest(n) => exact(state.messages.saturating_sub(*n)),
        PurgeScope::BelowSequence(seq) => {
            if state.messages == 0 || *seq <= state.first_sequence {
                exact(0)
            } else if *seq > state.last_sequence {
                exact(state.messages)
            } else {
                let span = seq - state.first_sequence;
                // Without gaps every sequence in the span holds a message; with gaps the
                // state does not say where they are, so the span only bounds the count.
                let no_gaps = state.last_sequence - state.first_sequence + 1 == state.messages;
                PurgeEstimate {
                    count: span.min(state.messages),
                    exact: no_gaps,
                }
            }
        }
    }
}

/// A server feature gated by version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    ConsumerPause,
    ConsumerReset,
}

impl Feature {
    fn name(self) -> &'static str {
        match self {
            Feature::ConsumerPause => "pausing a consumer",
            Feature::ConsumerReset => "resetting a consumer",
        }
    }

    fn needed(self) -> &'static str {
        match self {
            Feature::ConsumerPause => "2.11",
            Feature::ConsumerReset => "2.14",
        }
    }

    fn supported_by(self, version: &ServerVersion) -> bool {
        match self {
            Feature::ConsumerPause => version.supports_consumer_pause(),
            Feature::ConsumerReset => version.supports_consumer_reset(),
        }
    }

    /// Ok when `version` has this feature, else the refusal to show (nothing was sent).
    pub fn check(self, version: &ServerVersion) -> Result<(), OperateError> {
        if self.supported_by(version) {
            Ok(())
        } else {
            Err(OperateError::Unsupported {
                what: self.name(),
                server: version.to_string(),
                needed: self.needed(),
            })
        }
    }
}

/// Why an operation did not happen.
#[derive(Debug, Clone, Error)]
pub enum OperateError {
    #[error(
        "{what} needs nats-server {needed} or newer; this server is {server}, so nothing was sent"
    )]
    Unsupported {
        what: &'static str,
        server: String,
        needed: &'static str,
    },
    #[error("the server's version is not known ({0}), so nothing was sent")]
    UnknownVersion(String),
    #[error("no message of {stream} is at or after {time}, so there is nothing to reset to")]
    NothingAfter { stream: String, time: String },
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// Where a reset moves a consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetTarget {
    /// Back to its ack floor: everything unacknowledged is delivered again.
    AckFloor,
    /// Deliver from this stream sequence on.
    Sequence(u64),
    /// Deliver from the first message at or after this time (resolved to a sequence here:
    /// the server's reset takes only a sequence).
    Time(SystemTime),
}

/// What a reset did, as the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetOutcome {
    /// The stream sequence delivery starts from now.
    pub sequence: u64,
    /// For a time target: the message the time resolved to.
    pub resolved_from: Option<(SystemTime, u64)>,
}

#[derive(Serialize)]
struct Purge<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keep: Option<u64>,
}

#[derive(Deserialize)]
struct Purged {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    purged: u64,
}

#[derive(Serialize)]
struct Pause {
    #[serde(skip_serializing_if = "Option::is_none")]
    pause_until: Option<String>,
}

#[derive(Deserialize)]
struct Paused {
    #[serde(default)]
    paused: bool,
}

#[derive(Serialize)]
struct Reset {
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
}

#[derive(Deserialize)]
struct ResetAnswer {
    #[serde(default)]
    reset_seq: u64,
}

fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Api {
    async fn purge(&self, stream: &str, scope: &PurgeScope) -> Result<u64, ApiError> {
        let body = Purge {
            filter: match scope {
                PurgeScope::Subject(s) => Some(s),
                _ => None,
            },
            seq: match scope {
                PurgeScope::BelowSequence(n) => Some(*n),
                _ => None,
            },
            keep: match scope {
                PurgeScope::KeepNewest(n) => Some(*n),
                _ => None,
            },
        };
        let answer: Purged = self
            .request(format!("STREAM.PURGE.{stream}"), &body)
            .await?;
        if answer.success {
            Ok(answer.purged)
        } else {
            Err(ApiError::Request {
                what: format!("purge stream {stream}"),
                reason: "the server did not confirm the purge".to_string(),
            })
        }
    }

    /// Pauses until `until`, or resumes with `None`; returns whether the server now says
    /// paused.
    async fn pause(
        &self,
        stream: &str,
        consumer: &str,
        until: Option<SystemTime>,
    ) -> Result<bool, ApiError> {
        let body = Pause {
            pause_until: until.map(rfc3339),
        };
        let answer: Paused = self
            .request(format!("CONSUMER.PAUSE.{stream}.{consumer}"), &body)
            .await?;
        Ok(answer.paused)
    }

    async fn reset(&self, stream: &str, consumer: &str, seq: Option<u64>) -> Result<u64, ApiError> {
        let answer: ResetAnswer = self
            .request(
                format!("CONSUMER.RESET.{stream}.{consumer}"),
                &Reset { seq },
            )
            .await?;
        Ok(answer.reset_seq)
    }

    /// The first message stored at or after `at` (`STREAM.MSG.GET` with `start_time`).
    async fn message_at(&self, stream: &str, at: SystemTime) -> Result<Option<u64>, ApiError> {
        #[derive(Serialize)]
        struct ByTime {
            start_time: String,
        }
        #[derive(Deserialize)]
        struct Seq {
            seq: u64,
        }
        #[derive(Deserialize)]
        struct Got {
            message: Seq,
        }
        let asked = self
            .request::<Got, _>(
                format!("STREAM.MSG.GET.{stream}"),
                &ByTime {
                    start_time: rfc3339(at),
                },
            )
            .await;
        match asked {
            Ok(got) => Ok(Some(got.message.seq)),
            Err(e) if e.err_code() == Some(codes::NO_MESSAGE_FOUND) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Broker {
    /// The connected server's version, from its INFO.
    pub fn server_version(&self) -> Result<ServerVersion, OperateError> {
        let info = self.server_info().ok_or(ApiError::NotConnected)?;
        ServerVersion::of(&info).map_err(|e| OperateError::UnknownVersion(e.to_string()))
    }

    /// Purges `stream` as `scope` says; returns how many messages the server purged.
    pub async fn purge_stream(&self, stream: &str, scope: &PurgeScope) -> Result<u64, ApiError> {
        self.api()?.purge(stream, scope).await
    }

    /// Pauses a consumer until `until` (2.11+); returns its info read back afterwards.
    pub async fn pause_consumer(
        &self,
        stream: &str,
        consumer: &str,
        until: SystemTime,
    ) -> Result<consumer::Info, OperateError> {
        Feature::ConsumerPause.check(&self.server_version()?)?;
        let api = self.api()?;
        api.pause(stream, consumer, Some(until)).await?;
        Ok(api.consumer_info(stream, consumer).await?)
    }

    /// Resumes a paused consumer (2.11+); returns its info read back afterwards.
    pub async fn resume_consumer(
        &self,
        stream: &str,
        consumer: &str,
    ) -> Result<consumer::Info, OperateError> {
        Feature::ConsumerPause.check(&self.server_version()?)?;
        let api = self.api()?;
        api.pause(stream, consumer, None).await?;
        Ok(api.consumer_info(stream, consumer).await?)
    }

    /// The sequence of the first message stored at or after `at`, or None.
    pub async fn sequence_at(&self, stream: &str, at: SystemTime) -> Result<Option<u64>, ApiError> {
        self.api()?.message_at(stream, at).await
    }

    /// Resets a consumer (2.14+) so delivery starts again from `target`.
    pub async fn reset_consumer(
        &self,
        stream: &str,
        consumer: &str,
        target: ResetTarget,
    ) -> Result<ResetOutcome, OperateError> {
        Feature::ConsumerReset.check(&self.server_version()?)?;
        let api = self.api()?;
        let (seq, resolved_from) = match target {
            ResetTarget::AckFloor => (None, None),
            ResetTarget::Sequence(n) => (Some(n), None),
            ResetTarget::Time(at) => {
                let n = api.message_at(stream, at).await?.ok_or_else(|| {
                    OperateError::NothingAfter {
                        stream: stream.to_string(),
                        time: rfc3339(at),
                    }
                })?;
                (Some(n), Some((at, n)))
            }
        };
        let sequence = api.reset(stream, consumer, seq).await?;
        Ok(ResetOutcome {
            sequence,
            resolved_from,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(messages: u64, first: u64, last: u64) -> StreamCounts {
        StreamCounts {
            messages,
            first_sequence: first,
            last_sequence: last,
        }
    }

    #[test]
    fn estimates_are_exact_where_the_state_says_so() {
        let s = state(2000, 1, 2000);
        let est = |scope, sub| purge_estimate(s, &scope, sub);
        assert_eq!(
            est(PurgeScope::All, None),
            PurgeEstimate {
                count: 2000,
                exact: true
            }
        );
        assert_eq!(
            est(PurgeScope::Subject("orders.billing".into()), Some(412)),
            PurgeEstimate {
                count: 412,
                exact: true
            }
        );
        assert_eq!(est(PurgeScope::KeepNewest(1500), None).count, 500);
        assert_eq!(est(PurgeScope::KeepNewest(5000), None).count, 0);
        // Below 101 without gaps: sequences 1..=100.
        assert_eq!(
            est(PurgeScope::BelowSequence(101), None),
            PurgeEstimate {
                count: 100,
                exact: true
            }
        );
        assert_eq!(est(PurgeScope::BelowSequence(1), None).count, 0);
        assert_eq!(est(PurgeScope::BelowSequence(9999), None).count, 2000);
    }

    #[test]
    fn a_stream_with_gaps_only_bounds_a_sequence_purge() {
        // 1..=100 with 10 deleted somewhere: the state cannot say where.
        let s = state(90, 1, 100);
        let e = purge_estimate(s, &PurgeScope::BelowSequence(51), None);
        assert_eq!(
            e,
            PurgeEstimate {
                count: 50,
                exact: false
            }
        );
        assert_eq!(e.words(|n| n.to_string()), "about 50");
        // Past the end, or before the start, it is exact again.
        assert!(purge_estimate(s, &PurgeScope::BelowSequence(101), None).exact);
        assert!(purge_estimate(state(0, 0, 0), &PurgeScope::BelowSequence(5), None).exact);
    }

    #[test]
    fn refusals_name_both_versions() {
        let old = ServerVersion::new(2, 10, 26);
        let e = Feature::ConsumerPause.check(&old).unwrap_err().to_string();
        assert_eq!(
            e,
            "pausing a consumer needs nats-server 2.11 or newer; this server is 2.10.26, so nothing was sent"
        );
        let e = Feature::ConsumerReset
            .check(&ServerVersion::new(2, 12, 1))
            .unwrap_err()
            .to_string();
        assert!(e.contains("2.14") && e.contains("2.12.1"), "{e}");
        assert!(
            Feature::ConsumerReset
                .check(&ServerVersion::new(2, 14, 0))
                .is_ok()
        );
    }
}
