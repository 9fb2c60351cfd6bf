//! The consumers' diagnosis, kept by the app: per refresh, the facts of every consumer
//! shown (from the stream info and consumer info the snapshot already has: no request),
//! a history per consumer for "since when" and rates, and the findings.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use crate::broker::ServerVersion;
use crate::console::model::{ConsumersView, StreamView};
use crate::diagnosis::{self, ConsumerFacts, Finding, History};

/// (stream, consumer).
type Key = (String, String);

#[derive(Debug, Default)]
pub struct Diagnoses {
    histories: HashMap<Key, History>,
    findings: HashMap<Key, Vec<Finding>>,
    /// Per-subject counts read for a consumer whose filter may match nothing (the one
    /// extra request, made for the selected consumer only and kept until it delivers).
    stored_subjects: HashMap<Key, BTreeMap<String, u64>>,
}

impl Diagnoses {
    /// Diagnoses every consumer of `consumers` against its stream in `streams`; forgets
    /// the consumers of that stream no longer listed.
    pub fn refresh(
        &mut self,
        streams: &[StreamView],
        consumers: &ConsumersView,
        version: Option<ServerVersion>,
        now: SystemTime,
    ) {
        let Some(stream) = consumers.stream.as_deref() else {
            return;
        };
        let Some(stream_info) = streams.iter().find(|s| s.info.config.name == stream) else {
            return;
        };
        let listed = |k: &Key| k.0 != stream || consumers.rows.iter().any(|c| c.name() == k.1);
        self.histories.retain(|k, _| listed(k));
        self.findings.retain(|k, _| listed(k));
        self.stored_subjects.retain(|k, _| listed(k));
        for row in &consumers.rows {
            let key = (stream.to_string(), row.name().to_string());
            let mut facts =
                ConsumerFacts::from_info(&stream_info.info, &row.info, version.clone(), now);
            if facts.filter_may_match_nothing() {
                facts.stored_subjects = self.stored_subjects.get(&key).cloned();
            } else {
                self.stored_subjects.remove(&key);
            }
            let history = self.histories.entry(key.clone()).or_default();
            let found = diagnosis::diagnose(&facts, history, now);
            history.push(facts.sample());
            self.findings.insert(key, found);
        }
    }

    /// The findings of a consumer, when diagnosed.
    pub fn findings(&self, stream: &str, consumer: &str) -> Option<&[Finding]> {
        self.findings
            .get(&(stream.to_string(), consumer.to_string()))
            .map(Vec::as_slice)
    }

    /// The word for the consumers column, with its severity.
    pub fn marker(
        &self,
        stream: &str,
        consumer: &str,
    ) -> Option<(&'static str, diagnosis::Severity)> {
        let findings = self.findings(stream, consumer)?;
        let word = diagnosis::marker(findings)?;
        let severity = findings.iter().map(|f| f.severity).max()?;
        Some((word, severity))
    }
}

#[cfg(test)]
mod tests {
    use crate::console::app::{Action, App, update};
    use crate::console::fixtures;
    use crate::console::model::{ConsumerAlert, ConsumersView};

    /// ORDERS with `worker` at its max ack pending (2 of 2) and `order-processor` idle.
    fn stalled_orders() -> ConsumersView {
        let mut stalled = fixtures::consumer(
            "ORDERS",
            "worker",
            "orders.created",
            5,
            2,
            0,
            ConsumerAlert::None,
        );
        stalled.info.config.max_ack_pending = 2;
        let mut view = fixtures::orders_consumers();
        view.rows.push(stalled);
        view
    }

    pub fn app_with(consumers: ConsumersView) -> App {
        let mut app = App::new(
            fixtures::session("nats://127.0.0.1:4222", false),
            fixtures::now(),
        );
        update(&mut app, Action::Connection(fixtures::connected()));
        update(
            &mut app,
            Action::Snapshot(Box::new(fixtures::snapshot(fixtures::streams(), consumers))),
        );
        app
    }

    #[test]
    fn a_snapshot_marks_the_consumer_at_max_ack_pending_stalled() {
        let app = app_with(stalled_orders());
        let marker = |c: &str| app.diagnoses.marker("ORDERS", c).map(|(w, _)| w);
        assert_eq!(marker("worker"), Some("stalled"));
        assert_eq!(marker("order-processor"), Some("healthy"));
        let findings = app.diagnoses.findings("ORDERS", "worker").unwrap();
        assert!(findings[0].sentence.contains("2"), "{findings:?}");
    }

    #[test]
    fn a_consumer_no_longer_listed_is_forgotten() {
        let mut app = app_with(stalled_orders());
        update(&mut app, Action::Consumers(fixtures::orders_consumers()));
        assert_eq!(app.diagnoses.marker("ORDERS", "worker"), None);
        assert!(app.diagnoses.marker("ORDERS", "flaky-billing").is_some());
    }
}
