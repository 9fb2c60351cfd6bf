//! Stream and consumer operations: the previews (what a purge takes, where a reset starts)
//! and the changes, each followed by a read of what the server now holds, said as it is.

use std::time::SystemTime;

use async_nats::jetstream::consumer;

use super::Reply;
use crate::broker::{
    ApiErrorKind, Broker, Feature, OperateError, PurgeScope, ResetTarget, StreamCounts,
    purge_estimate,
};
use crate::console::app::{Action, OpPlan, OpRequest, Operated, clock_text, time_of_day};
use crate::console::error::ActionError;
use crate::console::ui::fmt_count;

pub(crate) async fn run(broker: Broker, reply: Reply, request: OpRequest) {
    let done = match request {
        OpRequest::PreviewPurge { stream, scope } => {
            Operated::Preview(preview_purge(&broker, stream, scope).await)
        }
        OpRequest::PreviewReset {
            stream,
            consumer,
            target,
        } => Operated::Preview(preview_reset(&broker, stream, consumer, target).await),
        OpRequest::Purge { stream, scope } => Operated::Done(purge(&broker, &stream, &scope).await),
        OpRequest::DeleteStream { stream, goes } => {
            Operated::Done(delete_stream(&broker, &stream, &goes).await)
        }
        OpRequest::Pause {
            stream,
            consumer,
            until,
        } => Operated::Done(
            broker
                .pause_consumer(&stream, &consumer, until)
                .await
                .map_err(operate_error)
                .and_then(|info| paused_text(&stream, &info, SystemTime::now())),
        ),
        OpRequest::Resume { stream, consumer } => Operated::Done(
            broker
                .resume_consumer(&stream, &consumer)
                .await
                .map_err(operate_error)
                .and_then(|info| resumed_text(&stream, &info)),
        ),
        OpRequest::Reset {
            stream,
            consumer,
            target,
            from_time,
        } => Operated::Done(reset(&broker, &stream, &consumer, target, from_time).await),
    };
    reply.send(Action::Operated(done));
}

/// The broker's refusal as the console carries it: the server's own error stays typed.
fn operate_error(e: OperateError) -> ActionError {
    match e {
        OperateError::Api(api) => ActionError::Api(api),
        other => ActionError::Other(other.to_string()),
    }
}

fn counts(state: &async_nats::jetstream::stream::State) -> StreamCounts {
    StreamCounts {
        messages: state.messages,
        first_sequence: state.first_sequence,
        last_sequence: state.last_sequence,
    }
}

async fn preview_purge(
    broker: &Broker,
    stream: String,
    scope: PurgeScope,
) -> Result<OpPlan, ActionError> {
    let info = broker.stream_info(&stream).await?;
    let on_subject = match &scope {
        PurgeScope::Subject(filter) => Some(
            broker
                .stream_subjects(&stream, filter)
                .await?
                .values()
                .sum(),
        ),
        _ => None,
    };
    let estimate = purge_estimate(counts(&info.state), &scope, on_subject);
    Ok(OpPlan::Purge {
        stream,
        scope,
        estimate,
        holds: info.state.messages,
    })
}

/// Purges, then reads the stream back: what went (by the count before and after), what
/// the server said it purged, and what remains.
async fn purge(broker: &Broker, stream: &str, scope: &PurgeScope) -> Result<String, ActionError> {
    let before = broker.stream_info(stream).await?.state.messages;
    let purged = broker.purge_stream(stream, scope).await?;
    let scope = scope.describe();
    Ok(match broker.stream_info(stream).await {
        Ok(after) => {
            let remain = after.state.messages;
            format!(
                "purged {} messages of {stream}{scope} (server reports {}; {} remain)",
                fmt_count(before.saturating_sub(remain)),
                fmt_count(purged),
                fmt_count(remain)
            )
        }
        Err(e) => format!(
            "the server reports {} messages purged from {stream}{scope}, but reading the stream back failed: {e}",
            fmt_count(purged)
        ),
    })
}

async fn delete_stream(broker: &Broker, stream: &str, goes: &str) -> Result<String, ActionError> {
    broker.delete_stream(stream).await?;
    match broker.stream_info(stream).await {
        Err(e) if e.kind() == ApiErrorKind::StreamNotFound => Ok(format!(
            "deleted stream {stream} with {goes} (STREAM.INFO now answers not found)"
        )),
        Ok(_) => Err(ActionError::Other(format!(
            "the server accepted the delete, but stream {stream} still answers STREAM.INFO"
        ))),
        Err(e) => Err(ActionError::Other(format!(
            "the server accepted the delete of {stream}; checking it is gone failed: {e}"
        ))),
    }
}

/// A time for the status line: the clock when within a day, else the full time.
fn when(t: SystemTime, now: SystemTime) -> String {
    let near = t
        .duration_since(now)
        .or_else(|_| now.duration_since(t))
        .is_ok_and(|d| d.as_secs() < 86_400);
    if near { time_of_day(t) } else { clock_text(t) }
}

pub(crate) fn paused_text(
    stream: &str,
    info: &consumer::Info,
    now: SystemTime,
) -> Result<String, ActionError> {
    match info.config.pause_until.map(SystemTime::from) {
        Some(until) if info.paused => Ok(format!(
            "paused {} of {stream} until {} (checked on the server)",
            info.name,
            when(until, now)
        )),
        _ => Err(ActionError::Other(format!(
            "asked to pause {} of {stream}, but the server says it is not paused",
            info.name
        ))),
    }
}

pub(crate) fn resumed_text(stream: &str, info: &consumer::Info) -> Result<String, ActionError> {
    if info.paused {
        Err(ActionError::Other(format!(
            "asked to resume {} of {stream}, but the server says it is still paused",
            info.name
        )))
    } else {
        Ok(format!(
            "resumed {} of {stream}: delivering again (checked on the server: not paused)",
            info.name
        ))
    }
}

/// Where a reset would start and what it delivers again; a time becomes the sequence of
/// the first message at or after it (the server's reset takes a sequence).
async fn preview_reset(
    broker: &Broker,
    stream: String,
    consumer: String,
    target: ResetTarget,
) -> Result<OpPlan, ActionError> {
    Feature::ConsumerReset
        .check(&broker.server_version().map_err(operate_error)?)
        .map_err(operate_error)?;
    let info = broker.consumer_info(&stream, &consumer).await?;
    let state = broker.stream_info(&stream).await?.state;
    let ack_floor = info.ack_floor.stream_sequence;
    let (target, sequence, from_time) = match target {
        ResetTarget::AckFloor => (ResetTarget::AckFloor, ack_floor + 1, None),
        ResetTarget::Sequence(n) => (target, n, None),
        ResetTarget::Time(at) => {
            let n = broker.sequence_at(&stream, at).await?.ok_or_else(|| {
                ActionError::Other(format!(
                    "no message of {stream} is at or after {}: nothing to reset to",
                    clock_text(at)
                ))
            })?;
            (ResetTarget::Sequence(n), n, Some(at))
        }
    };
    let below = purge_estimate(counts(&state), &PurgeScope::BelowSequence(sequence), None);
    let filters = crate::broker::consumer_filters(&info.config);
    let again = crate::broker::PurgeEstimate {
        count: state.messages.saturating_sub(below.count),
        exact: below.exact && filters.is_empty(),
    };
    Ok(OpPlan::Reset {
        stream,
        consumer,
        target,
        sequence,
        from_time,
        again,
        filter: (!filters.is_empty()).then(|| filters.join(", ")),
        ack_floor,
        ack_pending: info.num_ack_pending as u64,
    })
}

async fn reset(
    broker: &Broker,
    stream: &str,
    consumer: &str,
    target: ResetTarget,
    from_time: Option<SystemTime>,
) -> Result<String, ActionError> {
    let outcome = broker
        .reset_consumer(stream, consumer, target)
        .await
        .map_err(operate_error)?;
    let info = broker.consumer_info(stream, consumer).await?;
    let from = from_time
        .map(|t| format!(", the first message at or after {}", clock_text(t)))
        .unwrap_or_default();
    Ok(format!(
        "reset {consumer} of {stream} to stream sequence {}{from}: delivered now {}, ack floor {}, {} pending (checked on the server)",
        outcome.sequence,
        info.delivered.stream_sequence,
        info.ack_floor.stream_sequence,
        fmt_count(info.num_pending)
    ))
}
