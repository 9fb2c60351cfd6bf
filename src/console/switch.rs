//! Reconnecting without quitting (`X`), to another natscli context or a server of the
//! configuration file: what is attached is detached first on the old connection (held
//! messages nak'd, as `x` does), then the collector (and with it the advisories) starts on
//! the new one and the panes refill.

use std::time::{Duration, SystemTime};

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::app::{Action, SwitchTarget};
use super::collector::Collector;
use super::{Console, DETACH_BOUND, effects};
use crate::broker::Broker;

impl Console {
    /// Switches to `target`; on one that cannot be used (a context that cannot be read,
    /// a missing creds file), says why and stays.
    pub(super) async fn switch(
        &mut self,
        target: SwitchTarget,
        actions: &mut mpsc::UnboundedReceiver<Action>,
        collector: &mut tokio::task::JoinHandle<()>,
    ) {
        let (what, settings) = match &target {
            SwitchTarget::Context(name) => (
                format!("context {name}"),
                crate::connect::context_settings(name),
            ),
            SwitchTarget::Server(server) => {
                (format!("server {}", server.name), Ok(server.settings()))
            }
        };
        let settings = match settings {
            Ok(settings) => settings,
            Err(e) => return self.app.complain(format!("cannot switch to {what}: {e}")),
        };
        let options = match settings.broker_options().await {
            Ok(options) => options,
            Err(e) => return self.app.complain(format!("cannot switch to {what}: {e}")),
        };
        let given_back = match tokio::time::timeout(DETACH_BOUND, self.runner.detach_all()).await {
            Ok(n) => n,
            Err(_) => {
                tracing::warn!("giving held messages back timed out before a switch");
                0
            }
        };
        self.restart_on(options, actions, collector);
        let mut session = self.app.session.clone();
        // Shown masked: the URL of a configured server may hold a password.
        session.servers = settings.display_servers();
        session.embedded = None;
        session.context = match &target {
            SwitchTarget::Context(name) => Some(name.clone()),
            SwitchTarget::Server(_) => None,
        };
        tracing::info!(to = %what, servers = %session.servers, given_back, "switched");
        let servers = session.servers.clone();
        self.app = self.app.for_another_server(session, SystemTime::now());
        if let SwitchTarget::Server(server) = &target {
            self.app.on_server = Some(server.name.clone());
        }
        self.app.say(format!(
            "now on {what} ({servers}); {given_back} held message(s) nak'd on the previous one"
        ));
    }

    /// Stops the old connection's work and starts the same on a new connection made with
    /// `options`.
    fn restart_on(
        &mut self,
        options: crate::broker::BrokerOptions,
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
        let old = std::mem::replace(
            &mut self.broker,
            Broker::new(options.drain_timeout(Duration::from_secs(2))),
        );
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
