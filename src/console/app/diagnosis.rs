//! The consumers' diagnosis, kept by the app: per refresh, the facts of every consumer
//! shown (from the stream info and consumer info the snapshot already has: no request),
//! a history per consumer for "since when" and rates, and the findings.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;

use crate::broker::ServerVersion;
use crate::console::model::{ConsumersView, StreamView};
use crate::deadletters::AdvisoryEvent;
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
    /// Consumers whose counts were asked for (once: a failure is not retried).
    asked: HashSet<Key>,
    /// Consumers whose filter may match nothing, not yet checked (not selected): their
    /// column says `filter?` rather than a healthy word it cannot vouch for.
    unchecked: HashSet<Key>,
}

impl Diagnoses {
    /// Diagnoses every consumer of `consumers` against its stream in `streams`; forgets
    /// the consumers of that stream no longer listed. `seen` are the message advisories
    /// jetdeck saw (it watches them all while connected): they say how many messages ran
    /// out of deliveries and how many naks came, per consumer. Returns the facts of the
    /// `selected` consumer when its per-subject counts are wanted and not yet asked for.
    pub fn refresh(
        &mut self,
        streams: &[StreamView],
        consumers: &ConsumersView,
        selected: Option<&str>,
        (version, seen): (Option<ServerVersion>, &[AdvisoryEvent]),
        now: SystemTime,
    ) -> Option<ConsumerFacts> {
        let stream = consumers.stream.as_deref()?;
        let stream_info = streams.iter().find(|s| s.info.config.name == stream)?;
        let mut wanted = None;
        let listed = |k: &Key| k.0 != stream || consumers.rows.iter().any(|c| c.name() == k.1);
        self.histories.retain(|k, _| listed(k));
        self.findings.retain(|k, _| listed(k));
        self.stored_subjects.retain(|k, _| listed(k));
        self.asked.retain(|k| listed(k));
        self.unchecked.clear();
        let counts = diagnosis::advisory_counts(seen, now);
        for row in &consumers.rows {
            let key = (stream.to_string(), row.name().to_string());
            let mut facts =
                ConsumerFacts::from_info(&stream_info.info, &row.info, version.clone(), now);
            counts
                .get(&key)
                .copied()
                .unwrap_or_default()
                .apply(&mut facts);
            if facts.filter_may_match_nothing() {
                facts.stored_subjects = self.stored_subjects.get(&key).cloned();
                if selected == Some(row.name()) && self.asked.insert(key.clone()) {
                    wanted = Some(facts.clone());
                }
            } else {
                self.stored_subjects.remove(&key);
                self.asked.remove(&key);
            }
            if facts.filter_may_match_nothing() && facts.stored_subjects.is_none() {
                self.unchecked.insert(key.clone());
            }
            let history = self.histories.entry(key.clone()).or_default();
            let found = diagnosis::diagnose(&facts, history, now);
            history.push(facts.sample());
            self.findings.insert(key, found);
        }
        wanted
    }

    /// Keeps the per-subject counts read for a consumer.
    pub fn stored(&mut self, stream: &str, consumer: &str, subjects: BTreeMap<String, u64>) {
        self.stored_subjects
            .insert((stream.to_string(), consumer.to_string()), subjects);
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
        let key = (stream.to_string(), consumer.to_string());
        if word == "healthy" && self.unchecked.contains(&key) {
            return Some(("filter?", severity));
        }
        Some((word, severity))
    }
}

impl super::App {
    /// A page of outstanding messages came back: into the view that asked, if open.
    pub(super) fn outstanding_read(
        &mut self,
        stream: &str,
        consumer: &str,
        from: Option<u64>,
        result: Result<crate::diagnosis::OutstandingPage, crate::console::error::ActionError>,
    ) {
        use crate::console::overlays::Overlay;
        let view = self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Outstanding(v) if v.stream == stream && v.consumer == consumer => {
                Some(v.as_mut())
            }
            _ => None,
        });
        match view {
            Some(view) => view.read_done(from, result.map_err(|e| e.to_string())),
            None => tracing::debug!(stream, consumer, "outstanding page for a closed view"),
        }
    }

    /// What jetdeck knows of `consumer`'s messages per stream sequence, for its
    /// outstanding messages: held by an attached subscription here, naked (advisories
    /// seen, naks sent), out of deliveries.
    pub fn known_of(
        &self,
        stream: &str,
        consumer: &str,
    ) -> BTreeMap<u64, Vec<crate::diagnosis::Known>> {
        use crate::console::attached::RowState;
        let held: Vec<u64> = self
            .attached
            .iter()
            .filter(|a| a.stream == stream && a.consumer == consumer)
            .flat_map(|a| a.rows.iter())
            .filter(|r| {
                matches!(
                    r.state,
                    RowState::Held | RowState::Failed(_) | RowState::Settling(_)
                )
            })
            .map(|r| r.delivery.stream_sequence)
            .collect();
        let seen = self.seen_advisories();
        let of = |kind: crate::deadletters::AdvisoryKind| -> Vec<u64> {
            seen.iter()
                .filter(|e| e.stream == stream && e.consumer == consumer && e.kind == kind)
                .map(|e| e.stream_seq)
                .collect()
        };
        let mut naked = of(crate::deadletters::AdvisoryKind::Naked);
        naked.extend(self.held_log.naks_sent(stream, consumer));
        let out = of(crate::deadletters::AdvisoryKind::MaxDeliveries);
        crate::console::overlays::outstanding::known_from(&held, &naked, &out)
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

    #[test]
    fn a_selected_consumer_whose_filter_matches_nothing_asks_once_for_the_subjects() {
        use crate::console::app::Effect;
        let mut typo = fixtures::consumer(
            "ORDERS",
            "invoice-mailer",
            "orders.bilingg",
            0,
            0,
            0,
            ConsumerAlert::None,
        );
        typo.info.delivered.stream_sequence = 0;
        let mut view = fixtures::orders_consumers();
        view.rows.push(typo);
        let mut app = app_with(view.clone());
        app.selected_consumer = Some("invoice-mailer".into());
        let snapshot = || fixtures::snapshot(fixtures::streams(), view.clone());
        let marker = |app: &App| {
            app.diagnoses
                .marker("ORDERS", "invoice-mailer")
                .map(|(w, _)| w)
        };
        assert_eq!(
            marker(&app),
            Some("filter?"),
            "not checked before it is selected"
        );
        let effects = update(&mut app, Action::Snapshot(Box::new(snapshot())));
        let asked: Vec<_> = effects
            .iter()
            .filter(|e| matches!(e, Effect::StoredSubjects(w) if w.0.consumer == "invoice-mailer"))
            .collect();
        assert_eq!(asked.len(), 1, "{effects:?}");
        // Asked once, not on every refresh.
        let effects = update(&mut app, Action::Snapshot(Box::new(snapshot())));
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, Effect::StoredSubjects(_)))
        );
        update(
            &mut app,
            Action::StoredSubjects {
                stream: "ORDERS".into(),
                consumer: "invoice-mailer".into(),
                result: Ok(Some([("orders.billing".to_string(), 5)].into())),
            },
        );
        assert_eq!(marker(&app), Some("no match"));
        let findings = app.diagnoses.findings("ORDERS", "invoice-mailer").unwrap();
        assert!(
            findings[0].sentence.contains("orders.billing"),
            "{findings:?}"
        );
    }

    /// The advisories the events pane holds feed the diagnosis: a MAX_DELIVERIES for a
    /// consumer makes its column say `dead letters`.
    #[test]
    fn advisories_seen_mark_a_consumer_with_dead_letters() {
        use crate::console::model::AdvisoryKind;
        let mut app = app_with(fixtures::orders_consumers());
        let marker = |app: &App| {
            app.diagnoses
                .marker("ORDERS", "order-processor")
                .map(|(w, _)| w)
        };
        assert_eq!(marker(&app), Some("healthy"));
        update(
            &mut app,
            Action::Advisory(fixtures::advisory(
                AdvisoryKind::MaxDeliveries,
                "ORDERS",
                Some("order-processor"),
                "seq 12, 3 deliveries",
                5,
            )),
        );
        update(
            &mut app,
            Action::Snapshot(Box::new(fixtures::snapshot(
                fixtures::streams(),
                fixtures::orders_consumers(),
            ))),
        );
        assert_eq!(marker(&app), Some("dead letters"));
        let findings = app.diagnoses.findings("ORDERS", "order-processor").unwrap();
        assert!(
            findings[0].sentence.starts_with("1 messages ran out"),
            "{findings:?}"
        );
    }
}
