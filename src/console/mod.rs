//! The console: one task owns the terminal and `select!`s over key presses, results from
//! the collector and a clock; it draws only when something changed. Network work runs on
//! other tasks and comes back as `Action`s.

pub mod advisories;
pub mod app;
pub mod attached;
pub mod browse;
pub mod collector;
pub mod demo;
pub mod effects;
pub mod model;
pub mod publish;
pub mod rates;
pub mod terminal;
pub mod ui;

#[cfg(test)]
mod fixtures;

use std::time::{Duration, SystemTime};

use futures::StreamExt;
use ratatui::crossterm::event::{Event as TermEvent, EventStream};
use thiserror::Error;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::broker::Broker;
use app::{Action, App, update};
use collector::Collector;
use model::SessionInfo;

#[derive(Debug, Error)]
pub enum ConsoleError {
    #[error(
        "the console needs an interactive terminal ({0}); for a headless check run `jetdeck validate`"
    )]
    Terminal(std::io::Error),
    #[error("terminal input failed: {0}")]
    Input(std::io::Error),
    #[error("drawing failed: {0}")]
    Draw(std::io::Error),
    #[error(transparent)]
    Demo(#[from] demo::DemoError),
    #[error("the refresh task ended unexpectedly ({0}); see the log")]
    Collector(String),
}

pub struct ConsoleOptions {
    pub session: SessionInfo,
    pub refresh: Duration,
    pub demo: bool,
}

/// Runs the console until the operator quits. The broker need not be connected: the
/// collector connects, and keeps trying while the server is away.
pub async fn run(broker: Broker, options: ConsoleOptions) -> Result<(), ConsoleError> {
    let mut guard = terminal::TerminalGuard::enter().map_err(ConsoleError::Terminal)?;
    let cancel = CancellationToken::new();
    let (actions_tx, mut actions) = mpsc::unbounded_channel();
    let (selected_tx, selected) = watch::channel(None);
    let collector = Collector {
        broker: broker.clone(),
        refresh: options.refresh,
        actions: actions_tx.clone(),
        selected,
        cancel: cancel.clone(),
    };
    let mut collector = tokio::spawn(collector.run());

    // The demo needs the connection; it starts once the collector has made it, on its
    // own task so the keys stay answered meanwhile.
    let mut demo_pending = options.demo;
    let mut demo = None;

    let runner = effects::EffectRunner::new(broker.clone(), actions_tx.clone(), selected_tx);
    let mut app = App::new(options.session, SystemTime::now());
    app.refresh_every = options.refresh;
    let mut input = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    let mut dirty = true;
    let result = loop {
        if dirty {
            if let Err(e) = guard.terminal.draw(|frame| ui::render(frame, &app)) {
                break Err(ConsoleError::Draw(e));
            }
            dirty = false;
        }
        let action = tokio::select! {
            event = input.next() => match event {
                Some(Ok(TermEvent::Key(key))) => Action::Key(key),
                Some(Ok(TermEvent::Resize(..))) => Action::Resize,
                Some(Ok(_)) => continue,
                Some(Err(e)) => break Err(ConsoleError::Input(e)),
                None => break Ok(()),
            },
            Some(action) = actions.recv() => action,
            _ = clock.tick() => Action::Tick(SystemTime::now()),
            // The collector runs until cancelled; ending early is a bug to report, not hide.
            ended = &mut collector => {
                break Err(ConsoleError::Collector(match ended {
                    Ok(()) => "stopped".to_string(),
                    Err(e) => e.to_string(),
                }));
            }
        };
        // Whatever else has arrived is applied before the next draw: one frame for a burst.
        let mut batch = vec![action];
        while let Ok(more) = actions.try_recv() {
            batch.push(more);
        }
        for action in batch {
            let connected = matches!(&action, Action::Connection(c) if c.state == crate::broker::ConnectionState::Connected);
            for effect in update(&mut app, action) {
                runner.run(effect);
            }
            if connected && demo_pending {
                demo_pending = false;
                let (broker, cancel, report) = (broker.clone(), cancel.clone(), actions_tx.clone());
                demo = Some(tokio::spawn(async move {
                    let started = demo::start(&broker, cancel).await;
                    if let Err(e) = &started {
                        tracing::error!(error = %e, "demo set-up failed");
                        let _ = report.send(Action::Failed(e.to_string()));
                    }
                    // Held until the console closes: dropping them stops the workers.
                    started.ok()
                }));
            }
        }
        dirty = true;
        if app.quit {
            break Ok(());
        }
    };
    drop(guard);
    // Automatic subscriptions stop, held messages wait out their ack wait.
    drop(runner);
    cancel.cancel();
    // Quitting never waits on a slow or vanished server: in-flight requests are dropped.
    collector.abort();
    if let Some(demo) = demo {
        demo.abort();
    }
    if let Err(e) = broker.disconnect().await {
        tracing::warn!(error = %e, "disconnect on exit");
    }
    result
}
