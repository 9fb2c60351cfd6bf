//! The findings: each rule a pure function of the facts, the earlier samples and the time.

use std::time::{Duration, SystemTime};

use super::facts::{ConsumerFacts, History};
use super::similar::closest;
use super::{
    ASSUMED_FETCH_WAIT, BACKLOG_LARGE, BACKLOG_STILL, EXPIRING_SHARE, FETCH_WAITS_IDLE, Finding,
    Kind, REDELIVERY_SHARE, REDELIVERY_WINDOW, Severity,
};
use crate::broker::subject_matches;

/// One rule: a finding, or none.
type Rule = fn(&ConsumerFacts, &History, SystemTime) -> Option<Finding>;

/// Every finding for one consumer, worst first; a single healthy line (with its rates)
/// when nothing is wrong.
pub fn diagnose(facts: &ConsumerFacts, history: &History, now: SystemTime) -> Vec<Finding> {
    let rules: [Rule; 11] = [
        no_leader,
        stalled,
        paused,
        no_subscriber,
        no_worker,
        backlog_stuck,
        no_match,
        dead_letters,
        redelivering,
        expiring,
        lagging,
    ];
    let mut findings: Vec<Finding> = rules
        .iter()
        .filter_map(|rule| rule(facts, history, now))
        .collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    if findings.is_empty() {
        findings.push(healthy(facts, history, now));
    }
    findings
}

fn finding(kind: Kind, severity: Severity, sentence: String, action: &str) -> Option<Finding> {
    Some(Finding {
        kind,
        severity,
        sentence,
        action: Some(action.to_string()),
    })
}

/// "3m 12s": whole seconds, two largest units.
pub(crate) fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        3600..86400 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86400, (s % 86400) / 3600),
    }
}

/// "2026-11-27 11:32:05 UTC (3m 12s ago)" or "... (in 3m 12s)".
pub(crate) fn when(t: SystemTime, now: SystemTime) -> String {
    let stamp = time::OffsetDateTime::from(t);
    let clock = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        stamp.year(),
        u8::from(stamp.month()),
        stamp.day(),
        stamp.hour(),
        stamp.minute(),
        stamp.second()
    );
    match now.duration_since(t) {
        Ok(ago) => format!("{clock} ({} ago)", span(ago)),
        Err(ahead) => format!("{clock} (in {})", span(ahead.duration())),
    }
}

fn since(t: Option<SystemTime>, now: SystemTime) -> Option<Duration> {
    t.map(|t| now.duration_since(t).unwrap_or_default())
}

fn no_leader(f: &ConsumerFacts, _: &History, _: SystemTime) -> Option<Finding> {
    let leader = f.leader.as_deref()?;
    if !leader.is_empty() {
        return None;
    }
    finding(
        Kind::NoLeader,
        Severity::Problem,
        format!(
            "The consumer has no leader in its cluster ({} replicas known): nothing is delivered or acknowledged until one is elected.",
            f.replicas.len()
        ),
        "Check that a majority of the consumer's peers are up and reachable (`nats server report jetstream`); a leader is elected once they are.",
    )
}

fn stalled(f: &ConsumerFacts, history: &History, now: SystemTime) -> Option<Finding> {
    if !f.at_max_ack_pending() {
        return None;
    }
    // Our own samples say how long it has been at the limit; the server says when it
    // last delivered (a redelivery counts too).
    let last = f
        .last_delivery
        .map(|t| format!("last delivery {}", when(t, now)))
        .unwrap_or_else(|| "never delivered".to_string());
    let since = match history.stalled_since() {
        Some(t) => format!("at the limit since at least {}; {last}", when(t, now)),
        None => last,
    };
    finding(
        Kind::Stalled,
        Severity::Problem,
        format!(
            "{} messages are delivered and unacknowledged, the consumer's max ack pending ({}): the server delivers nothing new until some are settled ({since}; {} pending behind them).",
            f.num_ack_pending, f.max_ack_pending, f.num_pending
        ),
        "Settle the outstanding messages (ack, nak or term them; a worker that holds them may be wedged) or raise max ack pending. Messages nak'd with a delay also hold slots until redelivered.",
    )
}

fn paused(f: &ConsumerFacts, _: &History, now: SystemTime) -> Option<Finding> {
    let until = f.paused_until?;
    if f.server_version
        .as_ref()
        .is_some_and(|v| !v.supports_consumer_pause())
    {
        return None;
    }
    finding(
        Kind::Paused,
        Severity::Warning,
        format!(
            "The consumer is paused until {}: nothing is delivered before then ({} pending).",
            when(until, now),
            f.num_pending
        ),
        "Resume it (`nats consumer resume`) if the pause was not meant to last.",
    )
}

fn no_subscriber(f: &ConsumerFacts, _: &History, _: SystemTime) -> Option<Finding> {
    if !f.push || f.push_bound {
        return None;
    }
    let severity = if f.num_pending > 0 {
        Severity::Problem
    } else {
        Severity::Warning
    };
    finding(
        Kind::NoSubscriber,
        severity,
        format!(
            "Push consumer with nobody subscribed to its deliver subject: {} messages pending are not delivered.",
            f.num_pending
        ),
        "Start the subscriber (for a queue group, subscribe with the consumer's deliver group), or delete the consumer if nothing uses it.",
    )
}

fn no_worker(f: &ConsumerFacts, _: &History, now: SystemTime) -> Option<Finding> {
    if f.push || f.num_pending == 0 || f.num_waiting > 0 || f.at_max_ack_pending() {
        return None;
    }
    if f.paused_until.is_some_and(|t| t > now) {
        return None;
    }
    let limit = ASSUMED_FETCH_WAIT * FETCH_WAITS_IDLE;
    let quiet = since(f.last_delivery.or(Some(f.created)), now)?;
    if quiet < limit {
        return None;
    }
    let last = f
        .last_delivery
        .map(|t| format!("last delivery {}", when(t, now)))
        .unwrap_or_else(|| format!("never delivered, created {}", when(f.created, now)));
    finding(
        Kind::NoWorker,
        Severity::Problem,
        format!(
            "{} messages pending, no pull request waiting, and no delivery for {} ({last}): no worker is pulling (or it is wedged).",
            f.num_pending,
            span(quiet)
        ),
        "Start a worker on this consumer, or look at why the one there stopped pulling (its logs; a handler that never returns).",
    )
}

fn backlog_stuck(f: &ConsumerFacts, history: &History, now: SystemTime) -> Option<Finding> {
    if f.num_pending < BACKLOG_LARGE || f.at_max_ack_pending() {
        return None;
    }
    // The server's last ack time moves with any ack, also one above a floor held by a
    // failing message; our oldest sample showing the same floor sees that case too.
    let by_server = since(f.last_ack, now).unwrap_or_default();
    let by_samples = history
        .samples
        .first()
        .filter(|first| first.ack_floor_stream_seq == f.ack_floor_stream_seq)
        .map(|first| now.duration_since(first.at).unwrap_or_default())
        .unwrap_or_default();
    let still = by_server.max(by_samples);
    if still < BACKLOG_STILL {
        return None;
    }
    finding(
        Kind::BacklogStuck,
        Severity::Problem,
        format!(
            "{} messages pending and the ack floor has stayed at stream seq {} for {}: the backlog is not being worked off.",
            f.num_pending,
            f.ack_floor_stream_seq,
            span(still)
        ),
        "Look at the first unacknowledged message (outstanding messages) and the workers' logs: one message failing over and over holds the floor.",
    )
}

fn no_match(f: &ConsumerFacts, _: &History, _: SystemTime) -> Option<Finding> {
    let stored = f.stored_subjects.as_ref()?;
    if f.filter_subjects.is_empty() || stored.is_empty() {
        return None;
    }
    let matched = stored
        .keys()
        .any(|s| f.filter_subjects.iter().any(|flt| subject_matches(flt, s)));
    if matched {
        return None;
    }
    let near: Vec<String> = f
        .filter_subjects
        .iter()
        .flat_map(|flt| closest(flt, stored.keys().map(String::as_str), 3))
        .map(|s| format!("`{s}` ({} msgs)", stored.get(&s).copied().unwrap_or(0)))
        .collect();
    let near = if near.is_empty() {
        String::new()
    } else {
        format!(" The closest subjects it holds: {}.", near.join(", "))
    };
    finding(
        Kind::NoMatch,
        Severity::Warning,
        format!(
            "The filter {} matches none of the {} subjects stream {} holds ({} messages).{near}",
            f.filter_subjects
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
            stored.len(),
            f.stream,
            f.stream_messages
        ),
        "Check the filter for a typo; change it (`e` on the consumer in jetdeck, or `nats consumer edit`) or make a new consumer with the right one.",
    )
}

fn dead_letters(f: &ConsumerFacts, _: &History, _: SystemTime) -> Option<Finding> {
    let hit = f.max_deliveries_hit.filter(|n| *n > 0)?;
    finding(
        Kind::DeadLetters,
        Severity::Warning,
        format!(
            "{hit} messages ran out of deliveries (max deliver {}): the server will not deliver them again.",
            f.max_deliver
        ),
        &format!(
            "See them with `jetdeck dead-letters list --stream {} --consumer {}`; retry, move or discard them from there.",
            f.stream, f.consumer
        ),
    )
}

/// Deliveries and redeliveries since the oldest sample in the window: every delivery
/// advances the consumer sequence; only new messages advance the stream sequence.
fn redelivery_counts(f: &ConsumerFacts, history: &History, now: SystemTime) -> Option<(u64, u64)> {
    let window_start = now.checked_sub(REDELIVERY_WINDOW).unwrap_or(now);
    let first = history.oldest_since(window_start)?;
    let deliveries = f
        .delivered_consumer_seq
        .saturating_sub(first.delivered_consumer_seq);
    let new = f
        .delivered_stream_seq
        .saturating_sub(first.delivered_stream_seq)
        .min(deliveries);
    (deliveries > 0).then_some((deliveries, deliveries - new))
}

fn redelivering(f: &ConsumerFacts, history: &History, now: SystemTime) -> Option<Finding> {
    let what = match redelivery_counts(f, history, now) {
        Some((deliveries, redeliveries))
            if redeliveries > 0 && redeliveries as f64 / deliveries as f64 >= REDELIVERY_SHARE =>
        {
            format!(
                "{redeliveries} of the last {deliveries} deliveries ({:.0}%) were redeliveries",
                100.0 * redeliveries as f64 / deliveries as f64
            )
        }
        Some(_) => return None,
        None if f.num_redelivered > 0 => format!(
            "{} of the {} unacknowledged messages have been delivered more than once",
            f.num_redelivered, f.num_ack_pending
        ),
        None => return None,
    };
    let wait = span(f.ack_wait);
    let (why, action) = match f.naks_recent {
        Some(0) => (
            format!(
                "no nak advisories came, so the ack wait ({wait}) expired before the handlers acked"
            ),
            "Have slow handlers send in-progress (+WPI) while they work, or raise the ack wait.",
        ),
        Some(n) => (
            format!("{n} naks came: handlers are failing these messages"),
            "Look at why the handlers fail (their logs); messages that can never succeed should be termed.",
        ),
        None => (
            format!("when handlers do not nak, the ack wait ({wait}) expired before they acked"),
            "If handlers are slow, have them send in-progress (+WPI) or raise the ack wait; if they fail, see their logs.",
        ),
    };
    finding(
        Kind::Redelivering,
        Severity::Warning,
        format!("{what}: {why}."),
        action,
    )
}

fn expiring(f: &ConsumerFacts, _: &History, now: SystemTime) -> Option<Finding> {
    let threshold = f.inactive_threshold?;
    if f.durable || f.num_waiting > 0 || f.push_bound {
        return None;
    }
    let last = [Some(f.created), f.last_delivery, f.last_ack]
        .into_iter()
        .flatten()
        .max()?;
    let idle = since(Some(last), now)?;
    if idle.as_secs_f64() < threshold.as_secs_f64() * EXPIRING_SHARE {
        return None;
    }
    finding(
        Kind::Expiring,
        Severity::Warning,
        format!(
            "Ephemeral consumer idle for {} of its {} inactive threshold: the server deletes it after {} more without interest.",
            span(idle),
            span(threshold),
            span(threshold.saturating_sub(idle))
        ),
        "Pull from it (or subscribe) if it is still meant to be used, or make it durable.",
    )
}

fn lagging(f: &ConsumerFacts, _: &History, _: SystemTime) -> Option<Finding> {
    let behind: Vec<String> = f
        .replicas
        .iter()
        .filter(|r| r.offline || !r.current)
        .map(|r| match (r.offline, r.lag) {
            (true, _) => format!("{} offline", r.name),
            (false, Some(lag)) => format!("{} {lag} behind", r.name),
            (false, None) => format!("{} not current", r.name),
        })
        .collect();
    if behind.is_empty() || f.leader.as_deref().is_none_or(str::is_empty) {
        return None;
    }
    finding(
        Kind::Lagging,
        Severity::Warning,
        format!(
            "Replicas of the consumer are behind its leader {}: {}.",
            f.leader.as_deref().unwrap_or_default(),
            behind.join(", ")
        ),
        "Check those servers (`nats server report jetstream`); a replica that stays behind cannot take over.",
    )
}

fn healthy(f: &ConsumerFacts, history: &History, _now: SystemTime) -> Finding {
    let rates = history
        .samples
        .first()
        .and_then(|first| {
            let dt = f.taken_at.duration_since(first.at).ok()?.as_secs_f64();
            (dt > 0.0).then(|| {
                let delivered = f
                    .delivered_consumer_seq
                    .saturating_sub(first.delivered_consumer_seq);
                let acked = f
                    .ack_floor_consumer_seq
                    .saturating_sub(first.ack_floor_consumer_seq);
                format!(
                    "; {:.1} delivered/s, {:.1} acked/s over {}",
                    delivered as f64 / dt,
                    acked as f64 / dt,
                    span(Duration::from_secs_f64(dt))
                )
            })
        })
        .unwrap_or_default();
    let limit = if f.max_ack_pending > 0 {
        format!(" of {}", f.max_ack_pending)
    } else {
        String::new()
    };
    Finding {
        kind: Kind::Healthy,
        severity: Severity::Info,
        sentence: format!(
            "Healthy: {} pending, {} unacknowledged{limit}{rates}.",
            f.num_pending, f.num_ack_pending
        ),
        action: None,
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
