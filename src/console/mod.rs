//! The console: one task owns the terminal and `select!`s over key presses, results from
//! the collector and a clock; it draws only when something changed. Network work runs on
//! other tasks and comes back as `Action`s.

pub mod advisories;
pub mod app;
pub mod attached;
pub mod catalog;
pub mod clipboard;
pub mod collector;
pub mod demo;
pub mod effects;
pub mod error;
pub mod input;
pub mod keys;
pub mod model;
pub mod nats_cli;
pub mod overlays;
pub mod rates;
mod switch;
pub mod terminal;
pub mod ui;

#[cfg(test)]
mod fixtures;

use std::time::{Duration, SystemTime};

use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};
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
    /// The colours (`--theme`, or none under NO_COLOR).
    pub theme: ui::theme::Theme,
    /// Whether the console takes the mouse (`--no-mouse` leaves it to the terminal, so
    /// text can be selected).
    pub mouse: bool,
    /// The key bindings in effect (the configuration's on top of the default table).
    pub keys: std::sync::Arc<keys::KeyMap>,
    /// How many JetStream events the events pane keeps.
    pub events_kept: usize,
    /// The configuration file's `[servers]`, offered by `X` after the natscli contexts.
    pub servers: Vec<crate::config::ConfiguredServer>,
}

/// How the console ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The operator quit.
    Quit,
    /// A termination signal (its number) arrived; the terminal is restored and held
    /// messages are given back.
    Signal(i32),
}

/// Longest the way out waits to give held messages back: a dead server cannot hang it.
const DETACH_BOUND: Duration = Duration::from_secs(2);
/// How long a failed draw or read waits for the hang-up signal that usually comes with it.
const HANGUP_GRACE: Duration = Duration::from_millis(300);

/// Runs the console until the operator quits or `shutdown` (a termination signal) comes.
/// The broker need not be connected: the collector connects, and keeps trying while the
/// server is away.
pub async fn run(
    broker: Broker,
    options: ConsoleOptions,
    shutdown: impl Future<Output = i32>,
) -> Result<Exit, ConsoleError> {
    let mut guard =
        terminal::TerminalGuard::enter(options.mouse).map_err(ConsoleError::Terminal)?;
    let mut input = input::InputReader::spawn().map_err(ConsoleError::Terminal)?;
    let cancel = CancellationToken::new();
    let (actions_tx, mut actions) = mpsc::unbounded_channel();
    let (selected_tx, selected) = watch::channel(None);
    let (around_tx, around) = watch::channel(Vec::new());
    let collector = Collector {
        broker: broker.clone(),
        refresh: options.refresh,
        actions: actions_tx.clone(),
        selected,
        around,
        cancel: cancel.clone(),
    };
    let mut collector = tokio::spawn(collector.run());
    let mut app = App::new(options.session, SystemTime::now());
    app.refresh_every = options.refresh;
    app.theme = options.theme;
    app.keys = options.keys;
    app.events_kept = options.events_kept;
    app.servers = options.servers.into();
    let mut console = Console {
        app,
        runner: effects::EffectRunner::new(broker.clone(), actions_tx.clone(), selected_tx),
        broker: broker.clone(),
        cancel: cancel.clone(),
        actions: actions_tx,
        // The demo needs the connection; it starts once the collector has made it, on
        // its own task so the keys stay answered meanwhile.
        demo_pending: options.demo,
        demo_at_start: options.demo,
        start_options: broker.options().clone(),
        demo: None,
        around: around_tx,
        to_terminal: Vec::new(),
        switch_to: None,
    };
    let mut shutdown = std::pin::pin!(shutdown);
    let result = console
        .event_loop(
            &mut guard,
            &mut input,
            &mut actions,
            &mut collector,
            shutdown.as_mut(),
        )
        .await;
    // The terminal closing shows up as a failed draw or read just before its SIGHUP:
    // wait a moment for the signal, so the exit says what happened.
    let result = match result {
        Err(e @ (ConsoleError::Draw(_) | ConsoleError::Input(_))) => {
            match tokio::time::timeout(HANGUP_GRACE, shutdown.as_mut()).await {
                Ok(signal) => Ok(Exit::Signal(signal)),
                Err(_) => Err(e),
            }
        }
        other => other,
    };
    drop(guard);
    drop(input);
    // Quit or signal alike: held messages go back now, as `x` does, rather than after
    // their ack wait (bounded: a vanished server must not hold the exit).
    if let Ok(Exit::Signal(signal)) = &result {
        tracing::info!(signal, "termination signal: giving held messages back");
    }
    match tokio::time::timeout(DETACH_BOUND, console.runner.detach_all()).await {
        Ok(n) => tracing::info!(messages = n, "held messages nak'd on the way out"),
        Err(_) => tracing::warn!("giving held messages back timed out"),
    }
    console.finish(collector).await;
    result
}

/// The console's state between frames, and what it owns on the async side.
struct Console {
    app: App,
    runner: effects::EffectRunner,
    broker: Broker,
    cancel: CancellationToken,
    actions: mpsc::UnboundedSender<Action>,
    demo_pending: bool,
    /// `--demo`: started again when a switch comes back to where the console started.
    demo_at_start: bool,
    /// The connection options the console started with (`X` can come back to them).
    start_options: crate::broker::BrokerOptions,
    demo: Option<tokio::task::JoinHandle<Option<Vec<crate::broker::Subscription>>>>,
    /// The streams around the selection, for the collector to read.
    around: watch::Sender<Vec<String>>,
    /// Bytes for the terminal itself (OSC 52 clipboard sequences), written between frames.
    to_terminal: Vec<u8>,
    /// A context or server chosen with `X`, switched to after the batch (see switch.rs).
    switch_to: Option<app::SwitchTarget>,
}

impl Console {
    /// Draws, waits for the next thing to happen, applies it and whatever else is ready,
    /// and draws again: until a quit, a signal or a failure.
    async fn event_loop(
        &mut self,
        guard: &mut terminal::TerminalGuard,
        input: &mut input::InputReader,
        actions: &mut mpsc::UnboundedReceiver<Action>,
        collector: &mut tokio::task::JoinHandle<()>,
        mut shutdown: std::pin::Pin<&mut impl Future<Output = i32>>,
    ) -> Result<Exit, ConsoleError> {
        let mut clock = tokio::time::interval(Duration::from_secs(1));
        let mut dirty = true;
        loop {
            if dirty {
                let app = &self.app;
                let drawn = guard
                    .draw(|frame| ui::render(frame, app))
                    .map_err(ConsoleError::Draw)?;
                // Where the panes are, for the mouse: from the frame just drawn.
                self.app.pane_areas = ui::pane_areas(&self.app, drawn);
                dirty = false;
            }
            let first = tokio::select! {
                // A signal wins over whatever else is ready.
                biased;
                signal = &mut shutdown => return Ok(Exit::Signal(signal)),
                event = input.next() => match event {
                    Some(Ok(event)) => match from_terminal(event) {
                        Some(action) => action,
                        None => continue,
                    },
                    Some(Err(e)) => return Err(ConsoleError::Input(e)),
                    None => return Ok(Exit::Quit),
                },
                Some(action) = actions.recv() => action,
                _ = clock.tick() => Action::Tick(SystemTime::now()),
                // The collector runs until cancelled; ending early is a bug to report.
                ended = &mut *collector => {
                    return Err(ConsoleError::Collector(match ended {
                        Ok(()) => "stopped".to_string(),
                        Err(e) => e.to_string(),
                    }));
                }
            };
            // Whatever else has arrived is applied before the next draw: one frame for a
            // burst of keys, however long.
            let mut batch = vec![first];
            let mut input_failed = None;
            while let Some(event) = input.ready() {
                match event {
                    Ok(event) => batch.extend(from_terminal(event)),
                    Err(e) => {
                        input_failed = Some(e);
                        break;
                    }
                }
            }
            while let Ok(more) = actions.try_recv() {
                batch.push(more);
            }
            self.apply(batch);
            if let Some(target) = self.switch_to.take()
                && let Some(exit) = self
                    .switch_on_screen(target, guard, actions, collector, shutdown.as_mut())
                    .await?
            {
                return Ok(exit);
            }
            self.tell_collector_the_rows_around();
            self.write_to_terminal(guard);
            dirty = true;
            if let Some(e) = input_failed {
                return Err(ConsoleError::Input(e));
            }
            if self.app.quit {
                return Ok(Exit::Quit);
            }
        }
    }

    /// Shows "switching to …" while the new server is tried (up to a few seconds), then
    /// switches; a signal meanwhile still ends the console at once.
    async fn switch_on_screen(
        &mut self,
        target: app::SwitchTarget,
        guard: &mut terminal::TerminalGuard,
        actions: &mut mpsc::UnboundedReceiver<Action>,
        collector: &mut tokio::task::JoinHandle<()>,
        shutdown: std::pin::Pin<&mut impl Future<Output = i32>>,
    ) -> Result<Option<Exit>, ConsoleError> {
        let app = &self.app;
        guard
            .draw(|frame| ui::render(frame, app))
            .map_err(ConsoleError::Draw)?;
        tokio::select! {
            biased;
            signal = shutdown => Ok(Some(Exit::Signal(signal))),
            () = self.switch(target, actions, collector) => Ok(None),
        }
    }

    /// The collector reads the infos of the streams around the selection: tell it when
    /// they change.
    fn tell_collector_the_rows_around(&self) {
        let around = self.app.streams_around();
        self.around.send_if_modified(|wanted| {
            let changed = *wanted != around;
            if changed {
                *wanted = around;
            }
            changed
        });
    }

    /// Bytes for the terminal itself (OSC 52 clipboard sequences), between frames.
    fn write_to_terminal(&mut self, guard: &mut terminal::TerminalGuard) {
        if self.to_terminal.is_empty() {
            return;
        }
        use std::io::Write;
        let backend = guard.terminal.backend_mut();
        let bytes = std::mem::take(&mut self.to_terminal);
        if let Err(e) = backend.write_all(&bytes).and_then(|()| backend.flush()) {
            tracing::warn!(error = %e, "clipboard sequence not written");
        }
    }

    /// Applies a batch in order. A run of characters typed into a text field goes in as
    /// one paste: the field's own per-key insert walks the whole value, which made long
    /// bursts quadratic.
    fn apply(&mut self, batch: Vec<Action>) {
        let mut typed = Vec::new();
        for action in batch {
            if let Action::Key(key) = &action
                && let Some(c) = plain_char(key)
                && app::typing(&self.app)
            {
                typed.push((c, *key));
                continue;
            }
            self.flush_typed(&mut typed);
            self.apply_one(action);
        }
        self.flush_typed(&mut typed);
    }

    fn flush_typed(&mut self, typed: &mut Vec<(char, KeyEvent)>) {
        match typed.as_slice() {
            [] => {}
            [(_, key)] => self.apply_one(Action::Key(*key)),
            run => self.apply_one(Action::Paste(run.iter().map(|(c, _)| c).collect())),
        }
        typed.clear();
    }

    fn apply_one(&mut self, action: Action) {
        let connected = matches!(&action, Action::Connection(c) if c.state == crate::broker::ConnectionState::Connected);
        if matches!(action, Action::Connection(_)) {
            // The clock ticks once a second; a server that stays silent after connecting
            // is counted from the moment it connected, not from the last tick.
            self.app.now = SystemTime::now();
        }
        for effect in update(&mut self.app, action) {
            match effect {
                // The terminal owner writes it: the runner has no terminal.
                app::Effect::Clipboard(body) => {
                    self.to_terminal.extend(clipboard::osc52(&body));
                }
                app::Effect::Switch(target) => self.switch_to = Some(target),
                effect => self.runner.run(effect),
            }
        }
        if connected && self.demo_pending {
            self.demo_pending = false;
            let (broker, cancel) = (self.broker.clone(), self.cancel.clone());
            let report = self.actions.clone();
            self.demo = Some(tokio::spawn(async move {
                let started = demo::start(&broker, cancel).await;
                if let Err(e) = &started {
                    tracing::error!(error = %e, "demo set-up failed");
                    let _ = report.send(Action::Failed(e.to_string().into()));
                }
                // Held until the console closes: dropping them stops the workers.
                started.ok()
            }));
        }
    }

    /// Stops everything; quitting never waits on a slow or vanished server.
    async fn finish(self, collector: tokio::task::JoinHandle<()>) {
        // Automatic subscriptions stop; held messages (after a quit) wait out their ack
        // wait.
        drop(self.runner);
        self.cancel.cancel();
        // In-flight requests are dropped.
        collector.abort();
        if let Some(demo) = self.demo {
            demo.abort();
        }
        if let Err(e) = self.broker.disconnect().await {
            tracing::warn!(error = %e, "disconnect on exit");
        }
    }
}

/// The action for a terminal event; None for those the console does not use.
fn from_terminal(event: TermEvent) -> Option<Action> {
    match event {
        TermEvent::Key(key) => Some(Action::Key(key)),
        TermEvent::Paste(text) => Some(Action::Paste(text)),
        TermEvent::Resize(..) => Some(Action::Resize),
        // Clicks and the wheel; not moves and drags, which would redraw for nothing.
        TermEvent::Mouse(mouse)
            if matches!(
                mouse.kind,
                MouseEventKind::Down(_) | MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
            ) =>
        {
            Some(Action::Mouse(mouse, std::time::Instant::now()))
        }
        _ => None,
    }
}

/// The character a key press types into a field, if it is a plain one.
fn plain_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if key.kind == KeyEventKind::Press
                && (key.modifiers - KeyModifiers::SHIFT).is_empty() =>
        {
            Some(c)
        }
        _ => None,
    }
}
