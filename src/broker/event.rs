//! What a handler receives: the topic, the message, its delivery metadata, and the means to
//! settle it (ack, nak, term, in-progress) once and only once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_nats::Subject;
use bytes::Bytes;

use super::error::SettleError;
use super::message::{Headers, Message};

/// Where and how often a message was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub stream: String,
    pub consumer: String,
    pub stream_sequence: u64,
    pub consumer_sequence: u64,
    /// 1 on first delivery, 2 on the first redelivery, ...
    pub delivered: u64,
    /// Messages left for this consumer after this one, as the server counted.
    pub pending: u64,
    /// When the stream stored the message.
    pub published: SystemTime,
}

/// What is said to the server about a delivered message: a settlement (ack, nak with an
/// optional delay, term with an optional reason), or "still working on it" (in progress,
/// which restarts the ack-wait clock and settles nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettleKind {
    Ack,
    Nak(Option<Duration>),
    Term(Option<String>),
    InProgress,
}

impl SettleKind {
    /// The word an operator knows it by.
    pub fn name(&self) -> &'static str {
        match self {
            SettleKind::Ack => "ack",
            SettleKind::Nak(_) => "nak",
            SettleKind::Term(_) => "term",
            SettleKind::InProgress => "in-progress",
        }
    }

    fn payload(&self) -> Bytes {
        match self {
            SettleKind::Ack => Bytes::from_static(b"+ACK"),
            SettleKind::Nak(None) => Bytes::from_static(b"-NAK"),
            SettleKind::Nak(Some(delay)) => {
                format!("-NAK {{\"delay\":{}}}", delay.as_nanos()).into()
            }
            SettleKind::Term(None) => Bytes::from_static(b"+TERM"),
            SettleKind::Term(Some(reason)) => format!("+TERM {reason}").into(),
            SettleKind::InProgress => Bytes::from_static(b"+WPI"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Taken,
    Settled(&'static str),
}

/// The shared settle state of one delivery: the worker and the handler both hold it, and
/// whoever settles first wins.
#[derive(Debug)]
pub(crate) struct Acker {
    client: async_nats::Client,
    reply: Option<Subject>,
    state: Mutex<State>,
}

impl Acker {
    pub(crate) fn new(client: async_nats::Client, reply: Option<Subject>) -> Arc<Self> {
        Arc::new(Self {
            client,
            reply,
            state: Mutex::new(State::Pending),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a plain enum: a panic elsewhere cannot leave it half-written.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves `from` -> Settled, or says why it cannot.
    fn claim(&self, from: State, kind: &SettleKind) -> Result<(), SettleError> {
        let mut state = self.lock();
        match *state {
            s if s == from => {
                *state = State::Settled(kind.name());
                Ok(())
            }
            State::Settled(how) => Err(SettleError::AlreadySettled(how)),
            State::Taken => Err(SettleError::Taken),
            State::Pending => Err(SettleError::AlreadySettled("not taken")),
        }
    }

    async fn send(&self, what: &'static str, payload: Bytes) -> Result<(), SettleError> {
        let reply = self.reply.clone().ok_or(SettleError::NoReply)?;
        self.client
            .publish(reply, payload)
            .await
            .map_err(|e| SettleError::Failed {
                what,
                reason: e.to_string(),
            })
    }

    /// A settlement proper; never `InProgress`, which settles nothing (see `progress`).
    async fn settle(&self, from: State, kind: SettleKind) -> Result<(), SettleError> {
        debug_assert!(
            kind != SettleKind::InProgress,
            "in progress is not a settlement"
        );
        self.claim(from, &kind)?;
        let sent = self.send(kind.name(), kind.payload()).await;
        if sent.is_err() {
            // Not settled after all: whoever held it may try again.
            *self.lock() = from;
        }
        sent
    }

    async fn progress(&self, allowed: State) -> Result<(), SettleError> {
        match *self.lock() {
            s if s == allowed => {}
            State::Settled(how) => return Err(SettleError::AlreadySettled(how)),
            State::Taken => return Err(SettleError::Taken),
            State::Pending => return Err(SettleError::AlreadySettled("not taken")),
        }
        let kind = SettleKind::InProgress;
        self.send(kind.name(), kind.payload()).await
    }

    fn take(&self) -> bool {
        let mut state = self.lock();
        if *state == State::Pending {
            *state = State::Taken;
            true
        } else {
            false
        }
    }

    /// The worker's settlement after the handler returned: only if nobody settled or took it.
    pub(crate) async fn settle_if_pending(&self, kind: SettleKind) -> Result<bool, SettleError> {
        match self.settle(State::Pending, kind).await {
            Ok(()) => Ok(true),
            Err(SettleError::AlreadySettled(_) | SettleError::Taken) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// One delivered message, as a handler sees it.
#[derive(Debug)]
pub struct Event {
    /// When the message reached this client (the server's ack-wait clock started then).
    received: SystemTime,
    // The client's own subject (shared bytes): no copy per message.
    topic: Subject,
    message: Message,
    delivery: Delivery,
    acker: Arc<Acker>,
}

impl Event {
    pub(crate) fn from_jetstream(
        message: async_nats::jetstream::Message,
    ) -> Result<(Self, Arc<Acker>), String> {
        let delivery = {
            let info = message.info().map_err(|e| e.to_string())?;
            Delivery {
                stream: info.stream.to_string(),
                consumer: info.consumer.to_string(),
                stream_sequence: info.stream_sequence,
                consumer_sequence: info.consumer_sequence,
                delivered: u64::try_from(info.delivered).unwrap_or(0),
                pending: info.pending,
                published: SystemTime::from(info.published),
            }
        };
        let async_nats::jetstream::Message {
            message: raw,
            context,
        } = message;
        let acker = Acker::new(context.client(), raw.reply.clone());
        let event = Event {
            received: SystemTime::now(),
            topic: raw.subject,
            message: Message {
                body: raw.payload,
                headers: raw
                    .headers
                    .as_ref()
                    .map(Headers::from_nats)
                    .unwrap_or_default(),
            },
            delivery,
            acker: acker.clone(),
        };
        Ok((event, acker))
    }

    /// The subject the message was published on.
    pub fn topic(&self) -> &str {
        self.topic.as_str()
    }

    pub fn message(&self) -> &Message {
        &self.message
    }

    pub fn delivery(&self) -> &Delivery {
        &self.delivery
    }

    /// When the message reached this client: the ack-wait clock runs from about then.
    pub fn received(&self) -> SystemTime {
        self.received
    }

    /// Acknowledges the message: processed, do not redeliver.
    pub async fn ack(&self) -> Result<(), SettleError> {
        self.acker.settle(State::Pending, SettleKind::Ack).await
    }

    /// Negative acknowledgement: redeliver, now or after `delay`.
    pub async fn nak(&self, delay: Option<Duration>) -> Result<(), SettleError> {
        self.acker
            .settle(State::Pending, SettleKind::Nak(delay))
            .await
    }

    /// Terminates the message: never redeliver it (the server raises MSG_TERMINATED).
    pub async fn term(&self, reason: Option<&str>) -> Result<(), SettleError> {
        self.acker
            .settle(State::Pending, SettleKind::Term(reason.map(str::to_string)))
            .await
    }

    /// Work in progress: resets the ack-wait clock. May be sent many times.
    pub async fn in_progress(&self) -> Result<(), SettleError> {
        self.acker.progress(State::Pending).await
    }

    /// Takes the settlement out of the event, to settle after the handler returns. The
    /// worker then leaves this message alone. `None` if it is already settled or taken.
    pub fn take_settlement(&self) -> Option<Settlement> {
        self.acker.take().then(|| Settlement {
            acker: self.acker.clone(),
        })
    }
}

/// The right to settle one message later, taken out of its [`Event`].
#[derive(Debug)]
pub struct Settlement {
    acker: Arc<Acker>,
}

impl Settlement {
    pub async fn ack(self) -> Result<(), SettleError> {
        self.acker.settle(State::Taken, SettleKind::Ack).await
    }

    pub async fn nak(self, delay: Option<Duration>) -> Result<(), SettleError> {
        self.acker
            .settle(State::Taken, SettleKind::Nak(delay))
            .await
    }

    pub async fn term(self, reason: Option<&str>) -> Result<(), SettleError> {
        self.acker
            .settle(State::Taken, SettleKind::Term(reason.map(str::to_string)))
            .await
    }

    pub async fn in_progress(&self) -> Result<(), SettleError> {
        self.acker.progress(State::Taken).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settle_payloads_follow_the_protocol() {
        assert_eq!(SettleKind::Ack.payload(), "+ACK");
        assert_eq!(SettleKind::Nak(None).payload(), "-NAK");
        assert_eq!(
            SettleKind::Nak(Some(Duration::from_secs(2))).payload(),
            "-NAK {\"delay\":2000000000}"
        );
        assert_eq!(SettleKind::Term(None).payload(), "+TERM");
        assert_eq!(
            SettleKind::Term(Some("bad data".into())).payload(),
            "+TERM bad data"
        );
    }
}
