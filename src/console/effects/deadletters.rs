//! Dead-letter effects: reading a message and its timeline, listing dead letters, and
//! the engine's bulk operations, each reported back as one action.

use std::path::Path;

use super::Reply;
use crate::broker::Broker;
use crate::console::app::{Action, AfterCreate, DeadLetterOp, DeadLetterPlan, Effect, StreamOffer};
use crate::console::error::ActionError;
use crate::deadletters::{
    self, AdvisoryEvent, CAPTURE_STREAM, CaptureConfig, DeadLetter, DeadLetterError, Filter,
    Progress, Target, TimelineEntry, bulk,
};

/// The capture stream's name when it exists (so timelines and lists include what
/// happened while jetdeck was closed); `None` when it does not, or cannot be asked.
pub(super) async fn capture(broker: &Broker) -> Option<&'static str> {
    match deadletters::capture_exists(broker, CAPTURE_STREAM).await {
        Ok(true) => Some(CAPTURE_STREAM),
        Ok(false) => None,
        Err(e) => {
            tracing::warn!(error = %e, "cannot tell whether the capture stream exists");
            None
        }
    }
}

/// Reads `stream` seq `sequence` by sequence (consuming nothing) and its timeline.
pub(super) async fn read_message(
    broker: Broker,
    reply: Reply,
    stream: String,
    sequence: u64,
    seen: Vec<TimelineEntry>,
) {
    let result = async {
        let message = broker
            .get_message(&stream, sequence)
            .await
            .map_err(ActionError::from)?;
        let capture = capture(&broker).await;
        let timeline = deadletters::timeline(&broker, &stream, sequence, capture, &seen).await?;
        Ok::<_, ActionError>(Box::new((message, timeline)))
    }
    .await;
    reply.send(Action::MessageRead {
        stream,
        sequence,
        result,
    });
}

/// Lists dead letters: the capture stream's when it exists, plus `seen`.
pub(super) async fn list(broker: Broker, reply: Reply, filter: Filter, seen: Vec<AdvisoryEvent>) {
    let capture = capture(&broker).await;
    let result = deadletters::list(&broker, &filter, capture, &seen)
        .await
        .map(|letters| (letters, capture.is_some()))
        .map_err(ActionError::from);
    reply.send(Action::DeadLettersListed { result });
}

/// Runs a confirmed operation over its letters in order, reporting progress after each
/// and the exact counts at the end (the engine stops at the first failure). A letter the
/// stream removed is retried or moved from the copy jetdeck kept. A move to a subject no
/// stream covers ends with an offer to create a dead-letter stream for the rest.
pub(super) async fn run(broker: Broker, reply: Reply, plan: DeadLetterPlan) {
    let DeadLetterPlan { op, letters, kept } = plan.clone();
    let word = op.done_word();
    let progress = |p: &Progress| reply.send(Action::DeadLetterProgress(p.clone()));
    let held = |l: &DeadLetter| {
        kept.iter()
            .find(|m| m.stream == l.stream && m.sequence == l.sequence)
    };
    let copy = |l: &DeadLetter, to: Option<String>| {
        let broker = broker.clone();
        let held = held(l).cloned();
        let l = l.clone();
        async move {
            match held {
                Some(held) => deadletters::retry_held(&broker, &l, &held, to.as_deref()).await,
                None => match to {
                    Some(to) => deadletters::move_to(&broker, &l, &to).await,
                    None => deadletters::retry(&broker, &l, None).await,
                },
            }
        }
    };
    let mut copied = Vec::new();
    let mut offer = None;
    let (summary, ok) = match &op {
        DeadLetterOp::Retry => {
            let report = bulk(&letters, |l| copy(l, None), progress).await;
            copied = report.done.iter().map(|d| d.original.clone()).collect();
            (report.summary(word), report.ok())
        }
        DeadLetterOp::Move { to } => {
            let report = bulk(&letters, |l| copy(l, Some(to.clone())), progress).await;
            copied = report.done.iter().map(|d| d.original.clone()).collect();
            if let Some((_, DeadLetterError::NoStreamFor { .. })) = &report.failed {
                offer = Some(rest_of(&plan, &report));
            }
            let into = report
                .done
                .last()
                .map(|d| format!(" (stored in stream {})", d.copy_stream))
                .unwrap_or_default();
            (
                format!("{} to {to}{into}", report.summary(word)),
                report.ok(),
            )
        }
        DeadLetterOp::Discard => {
            let report = bulk(&letters, |l| deadletters::discard(&broker, l), progress).await;
            (report.summary(word), report.ok())
        }
        DeadLetterOp::Export { path } => match deadletters::export(&letters, Path::new(path)) {
            Ok(written) => (
                format!("{} {word} to {}", letters.len(), written.display()),
                true,
            ),
            Err(e) => (format!("0 {word}: {e}"), false),
        },
    };
    reply.send(Action::DeadLettersDone {
        op,
        summary,
        ok,
        copied,
    });
    if let Some(rest) = offer {
        offer_stream(&broker, &reply, rest).await;
    }
}

/// The letters of `plan` a stopped run left: the one that failed and those untouched.
fn rest_of<T>(plan: &DeadLetterPlan, report: &deadletters::BulkReport<T>) -> DeadLetterPlan {
    let left: Vec<Target> = report
        .failed
        .iter()
        .map(|(t, _)| t.clone())
        .chain(report.untouched.iter().cloned())
        .collect();
    let letters: Vec<DeadLetter> = plan
        .letters
        .iter()
        .filter(|l| left.contains(&l.target()))
        .cloned()
        .collect();
    DeadLetterPlan {
        op: plan.op.clone(),
        kept: plan
            .kept
            .iter()
            .filter(|m| {
                letters
                    .iter()
                    .any(|l| l.stream == m.stream && l.sequence == m.sequence)
            })
            .cloned()
            .collect(),
        letters,
    }
}

/// Offers (never creates) a dead-letter stream for the move's subject: a free name, its
/// subjects and limits shown; yes creates it and runs the move of `rest` again.
async fn offer_stream(broker: &Broker, reply: &Reply, rest: DeadLetterPlan) {
    let DeadLetterOp::Move { to } = &rest.op else {
        return;
    };
    let to = to.clone();
    match deadletters::free_dead_letter_stream_name(broker).await {
        Ok(name) => {
            let config = deadletters::dead_letter_stream_config(&name, &to);
            let name_for_then = name.clone();
            let offer = StreamOffer {
                subject: to,
                stream: name,
                subjects: config.subjects.clone(),
                config: deadletters::describe_stream_config(&config),
                then: AfterCreate::DeadLetters {
                    stream: name_for_then,
                    plan: Box::new(rest),
                },
            };
            reply.send(Action::NeedsStream(Box::new(offer)));
        }
        Err(e) => reply.send(Action::Failed(ActionError::from(e))),
    }
}

/// Creates the dead-letter stream the operator accepted, checks it covers the subject,
/// then runs the move again for the letters left.
pub(super) async fn create_stream_then_move(
    broker: Broker,
    reply: Reply,
    stream: String,
    plan: DeadLetterPlan,
) {
    let DeadLetterOp::Move { to } = &plan.op else {
        return;
    };
    match deadletters::create_dead_letter_stream(&broker, &stream, to).await {
        Ok(()) => {
            tracing::info!(%stream, subject = %to, "dead-letter stream created");
            reply.send(Action::Run(Effect::DeadLetters(Box::new(plan))));
        }
        Err(e) => reply.send(Action::Failed(ActionError::from(e))),
    }
}

/// Creates the capture stream with the default limits (the operator said yes).
pub(super) async fn create_capture(broker: Broker, reply: Reply) {
    let result = deadletters::ensure_capture(&broker, &CaptureConfig::default())
        .await
        .map(|status| status.created)
        .map_err(ActionError::from);
    reply.send(Action::CaptureCreated(result));
}
