//! Permission violations the server reported on this connection.
//!
//! A user who may not publish to a JetStream API subject gets no answer to the request:
//! the server drops it and sends `-ERR 'Permissions Violation for Publish to "SUBJ"'` on
//! the connection instead. Without this record such a request looks like a timeout, and
//! the operator is told the server is slow when the account is in fact restricted. The
//! client event callback records each violation; a request races its answer against the
//! violation for its subject, so a denial is reported as soon as the server says so.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

/// How long a recorded denial stands without asking the server again: permissions can
/// change (a configuration reload), so a denied request is retried after this.
pub const DENIAL_KEPT: Duration = Duration::from_secs(30);

/// The text the server sends before the subject, for publish and subscribe violations.
const PUBLISH_VIOLATION: &str = "Permissions Violation for Publish to ";
const SUBSCRIBE_VIOLATION: &str = "Permissions Violation for Subscription to ";

/// What the server refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Denied {
    Publish,
    Subscribe,
}

/// The subject of a permission violation in a server error's text, if it is one.
pub fn parse_violation(text: &str) -> Option<(Denied, String)> {
    let (kind, rest) = if let Some(i) = text.find(PUBLISH_VIOLATION) {
        (Denied::Publish, &text[i + PUBLISH_VIOLATION.len()..])
    } else if let Some(i) = text.find(SUBSCRIBE_VIOLATION) {
        (Denied::Subscribe, &text[i + SUBSCRIBE_VIOLATION.len()..])
    } else {
        return None;
    };
    // The server quotes the subject (`%q`); older servers did not.
    let subject = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split_whitespace().next()?,
    };
    (!subject.is_empty()).then(|| (kind, subject.to_string()))
}

/// The requests of an operation on a key-value bucket or an object store: its own
/// subjects (`$KV.<bucket>.`, `$O.<store>.`) and the JetStream API calls those operations
/// make on its stream, the stream name a whole token. A refusal of anything else (the
/// refresh listing the stream's consumers, another stream whose name begins alike) is not
/// theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreMarks {
    stream: String,
    subjects: String,
}

/// The API calls a store operation makes on its stream.
const STORE_API: [&str; 8] = [
    "STREAM.INFO",
    "STREAM.CREATE",
    "STREAM.UPDATE",
    "STREAM.DELETE",
    "STREAM.PURGE",
    "STREAM.MSG.GET",
    "DIRECT.GET",
    "CONSUMER.CREATE",
];

impl StoreMarks {
    /// `stream` (`KV_x`, `OBJ_x`) and the prefix of its subjects (`$KV.x.`, `$O.x.`).
    pub fn new(stream: String, subjects: String) -> Self {
        Self { stream, subjects }
    }

    /// Whether `subject` (a refused one) is a request of the operation.
    pub fn names(&self, subject: &str) -> bool {
        if subject.starts_with(&self.subjects) {
            return true;
        }
        let Some(call) = subject.strip_prefix("$JS.API.") else {
            return false;
        };
        STORE_API.iter().any(|api| {
            call.strip_prefix(api)
                .and_then(|rest| rest.strip_prefix('.'))
                .and_then(|rest| rest.strip_prefix(self.stream.as_str()))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
    }
}

/// The violations seen on one broker's connections, newest time per subject.
#[derive(Debug)]
pub struct Denials {
    seen: Mutex<HashMap<(Denied, String), Instant>>,
    news: broadcast::Sender<(Denied, String)>,
}

impl Default for Denials {
    fn default() -> Self {
        Self {
            seen: Mutex::default(),
            news: broadcast::channel(64).0,
        }
    }
}

impl Denials {
    /// Records the violation in a server error's text; returns whether it was one.
    pub fn record(&self, server_error: &str) -> bool {
        let Some(found) = parse_violation(server_error) else {
            return false;
        };
        tracing::warn!(subject = %found.1, kind = ?found.0, "permission violation");
        self.lock().insert(found.clone(), Instant::now());
        let _ = self.news.send(found);
        true
    }

    /// Whether publishing to `subject` was refused within the last `DENIAL_KEPT`.
    pub fn publish_denied(&self, subject: &str) -> bool {
        self.lock()
            .get(&(Denied::Publish, subject.to_string()))
            .is_some_and(|at| at.elapsed() < DENIAL_KEPT)
    }

    /// A subject refused since `since` that `marks` names (a request of the operation).
    pub fn refused_since(&self, since: Instant, marks: &StoreMarks) -> Option<String> {
        self.lock()
            .iter()
            .filter(|(_, at)| **at >= since)
            .map(|((_, subject), _)| subject)
            .find(|subject| marks.names(subject))
            .cloned()
    }

    /// Every subject refused within the last `DENIAL_KEPT`, sorted.
    pub fn recent(&self) -> Vec<(Denied, String)> {
        let mut recent: Vec<_> = self
            .lock()
            .iter()
            .filter(|(_, at)| at.elapsed() < DENIAL_KEPT)
            .map(|(k, _)| k.clone())
            .collect();
        recent.sort();
        recent
    }

    /// A receiver of violations recorded from now on.
    pub fn watch(&self) -> broadcast::Receiver<(Denied, String)> {
        self.news.subscribe()
    }

    /// Resolves when a publish to `subject` is refused (after the call that made `news`).
    pub async fn publish_refused(mut news: broadcast::Receiver<(Denied, String)>, subject: &str) {
        loop {
            match news.recv().await {
                Ok((Denied::Publish, s)) if s == subject => return,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
            }
        }
    }

    /// Resolves with the subject when a refusal `marks` names is recorded (after the
    /// call that made `news`).
    pub async fn refused(
        mut news: broadcast::Receiver<(Denied, String)>,
        marks: &StoreMarks,
    ) -> String {
        loop {
            match news.recv().await {
                Ok((_, s)) if marks.names(&s) => return s,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
            }
        }
    }

    /// Resolves when a subscription to `subject` is refused (after the call that made
    /// `news`): the server says so on the side, and the subscription just stays silent.
    pub async fn subscription_refused(
        mut news: broadcast::Receiver<(Denied, String)>,
        subject: &str,
    ) {
        loop {
            match news.recv().await {
                Ok((Denied::Subscribe, s)) if s == subject => return,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Denied, String), Instant>> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_are_parsed_from_the_servers_words() {
        assert_eq!(
            parse_violation(r#"Permissions Violation for Publish to "$JS.API.INFO""#),
            Some((Denied::Publish, "$JS.API.INFO".to_string()))
        );
        assert_eq!(
            parse_violation(
                r#"'Permissions Violation for Subscription to "_INBOX.>" using queue "q"'"#
            ),
            Some((Denied::Subscribe, "_INBOX.>".to_string()))
        );
        assert_eq!(
            parse_violation("Permissions Violation for Publish to orders.x"),
            Some((Denied::Publish, "orders.x".to_string()))
        );
        assert_eq!(parse_violation("Authorization Violation"), None);
    }

    #[test]
    fn store_marks_name_the_stores_own_requests_only() {
        let marks = StoreMarks::new("KV_conf".into(), "$KV.conf.".into());
        for ours in [
            "$KV.conf.app.theme",
            "$JS.API.STREAM.INFO.KV_conf",
            "$JS.API.CONSUMER.CREATE.KV_conf",
            "$JS.API.CONSUMER.CREATE.KV_conf.c1.$KV.conf.>",
            "$JS.API.DIRECT.GET.KV_conf.$KV.conf.k",
        ] {
            assert!(marks.names(ours), "{ours}");
        }
        for theirs in [
            "$JS.API.STREAM.INFO.KV_config",
            "$JS.API.CONSUMER.LIST.KV_conf",
            "$JS.API.CONSUMER.NAMES.KV_conf",
            "$KV.config.k",
            "$JS.API.INFO",
        ] {
            assert!(!marks.names(theirs), "{theirs}");
        }
    }

    #[tokio::test]
    async fn a_recorded_denial_wakes_a_waiting_request_and_is_remembered() {
        let denials = Denials::default();
        let wait = Denials::publish_refused(denials.watch(), "$JS.API.INFO");
        assert!(!denials.record("Slow Consumer"));
        assert!(denials.record(r#"Permissions Violation for Publish to "$JS.API.INFO""#));
        tokio::time::timeout(Duration::from_secs(1), wait)
            .await
            .expect("the waiting request hears of the denial");
        assert!(denials.publish_denied("$JS.API.INFO"));
        assert!(!denials.publish_denied("$JS.API.STREAM.LIST"));
        assert_eq!(
            denials.recent(),
            vec![(Denied::Publish, "$JS.API.INFO".to_string())]
        );
    }
}
