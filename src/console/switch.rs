//! Reconnecting without quitting (`X`), to another natscli context, a server of the
//! configuration file, or back where the console started. The new connection is made
//! first: a server that cannot be reached leaves the console where it was. Then what is
//! attached is detached on the old connection (held messages nak'd, as `x` does), the
//! collector (and with it the advisories) starts on the new one and the panes refill.

use std::time::{Duration, SystemTime};

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::app::{Action, SwitchTarget};
use super::collector::Collector;
use super::{Console, DETACH_BOUND, effects};
use crate::broker::{Broker, BrokerOptions};
use crate::console::model::SessionInfo;

/// How long a switch waits for the new server before staying where it is.
const REACH_BOUND: Duration = Duration::from_secs(5);

impl Console {
    /// Switches to `target` once its server answers; on one that cannot be used (a
    /// context that cannot be read, a missing creds file, a server that does not answer)
    /// says why and stays on the connection it has.
    pub(super) async fn switch(
        &mut self,
        target: SwitchTarget,
        actions: &mut mpsc::UnboundedReceiver<Action>,
        collector: &mut tokio::task::JoinHandle<()>,
    ) {
        let (what, options, session) = match self.destination(&target).await {
            Ok(found) => found,
            Err(why) => return self.app.complain(why),
        };
        let next = Broker::new(options.drain_timeout(Duration::from_secs(2)));
        match tokio::time::timeout(REACH_BOUND, next.connect()).await {
            Ok(Ok(())) => {}
            // Said first, before the reason: the reason can be long.
            Ok(Err(e)) => {
                return self
                    .app
                    .complain(format!("stayed here, {what} not reached: {e}"));
            }
            Err(_) => {
                return self.app.complain(format!(
                    "stayed here, {what} not reached: no answer within {}s",
                    REACH_BOUND.as_secs()
                ));
            }
        }
        let given_back = match tokio::time::timeout(DETACH_BOUND, self.runner.detach_all()).await {
            Ok(n) => format!("{n} held message(s) nak'd on the previous one"),
            Err(_) => {
                tracing::warn!("giving held messages back timed out before a switch");
                "the naks of held messages not confirmed (they return after their ack wait)"
                    .to_string()
            }
        };
        self.restart_on(next, actions, collector);
        tracing::info!(to = %what, servers = %session.servers, given_back, "switched");
        let servers = session.servers.clone();
        self.app = self.app.for_another_server(session, SystemTime::now());
        match &target {
            SwitchTarget::Server(server) => self.app.on_server = Some(server.name.clone()),
            SwitchTarget::Start => {
                self.app.on_start = true;
                self.demo_pending = self.demo_at_start;
            }
            SwitchTarget::Context(_) => {}
        }
        let now_on = match &target {
            SwitchTarget::Start => "now back where jetdeck started".to_string(),
            _ => format!("now on {what}"),
        };
        self.app.say(format!("{now_on} ({servers}); {given_back}"));
    }

    /// What `target` is called, its connection options and the session the header shows.
    async fn destination(
        &self,
        target: &SwitchTarget,
    ) -> Result<(String, BrokerOptions, SessionInfo), String> {
        let mut session = self.app.session.clone();
        session.embedded = None;
        let (what, settings) = match target {
            SwitchTarget::Start => {
                let what = "where jetdeck started".to_string();
                return Ok((what, self.start_options.clone(), self.app.started.clone()));
            }
            SwitchTarget::Context(name) => {
                session.context = Some(name.clone());
                (
                    format!("context {name}"),
                    crate::connect::context_settings(name),
                )
            }
            SwitchTarget::Server(server) => {
                session.context = None;
                (format!("server {}", server.name), Ok(server.settings()))
            }
        };
        let settings = settings.map_err(|e| format!("cannot switch to {what}: {e}"))?;
        let options = settings
            .broker_options()
            .await
            .map_err(|e| format!("cannot switch to {what}: {e}"))?;
        // Shown masked: the URL of a configured server may hold a password.
        session.servers = settings.display_servers();
        Ok((what, options, session))
    }

    /// Stops the old connection's work and starts the same on `next` (connected).
    fn restart_on(
        &mut self,
        next: Broker,
        actions: &mut mpsc::UnboundedReceiver<Action>,
        collector: &mut tokio::task::JoinHandle<()>,
    ) {
        // The old connection's work stops: collector, advisories, demo, automatic
        // subscriptions (the runner), then the connection itself.
        self.cancel.cancel();
        collector.abort();
        if let Some(demo) = self.demo.take() {
            demo.abort();
        }
        self.demo_pending = false;
        let old = std::mem::replace(&mut self.broker, next);
        tokio::spawn(async move {
            if let Err(e) = old.disconnect().await {
                tracing::warn!(error = %e, "disconnect of the previous connection");
            }
        });
        // What the old tasks send describes the old server: they keep the old channel,
        // which is dropped here, so nothing of theirs (an advisory for the naks just
        // sent, a refresh in flight) can land on the new screen, however late it comes.
        let (actions_tx, fresh) = mpsc::unbounded_channel();
        *actions = fresh;
        self.actions = actions_tx;
        self.cancel = CancellationToken::new();
        let (selected_tx, selected) = watch::channel(None);
        let (around_tx, around) = watch::channel(Vec::new());
        self.around = around_tx;
        let refresh = self.app.refresh_every;
        self.runner =
            effects::EffectRunner::new(self.broker.clone(), self.actions.clone(), selected_tx);
        *collector = tokio::spawn(
            Collector {
                broker: self.broker.clone(),
                refresh,
                actions: self.actions.clone(),
                selected,
                around,
                cancel: self.cancel.clone(),
            }
            .run(),
        );
    }
}
