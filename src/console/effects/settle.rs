//! Saying what happened to a held message, honestly: nothing is sent while the
//! connection is down (a publish would only sit in the client's buffer and may be lost
//! with it), and "sent" means the bytes left for the server.

use std::time::Duration;

use super::Reply;
use super::subscriptions::{Mode, Records, lock};
use crate::broker::{Broker, ConnectionState, Event};
use crate::console::app::{Action, Settle};
use crate::console::attached::MessageKey;
use crate::console::error::ActionError;

/// How long a settlement may take to leave for the server before it is reported unsent.
const SEND_CONFIRM: Duration = Duration::from_secs(2);

/// Waits until what was published has left for the server.
async fn confirm_sent(broker: &Broker) -> Result<(), ActionError> {
    let client = broker.client().ok_or(ActionError::Unconfirmed)?;
    match tokio::time::timeout(SEND_CONFIRM, client.flush()).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(ActionError::Unconfirmed),
    }
}

fn connected(broker: &Broker) -> bool {
    broker.connection_state() == ConnectionState::Connected
}

/// Naks messages nobody will settle, so they return at once; returns how many naks
/// reached the server (0 when disconnected: those return after their ack wait).
pub(crate) async fn give_back(broker: &Broker, events: Vec<Event>) -> usize {
    if events.is_empty() || !connected(broker) {
        return 0;
    }
    let mut sent = 0;
    for event in events {
        match event.nak(None).await {
            Ok(()) => sent += 1,
            Err(e) => tracing::warn!(error = %e, "nak of a message nobody holds failed"),
        }
    }
    if confirm_sent(broker).await.is_err() {
        0
    } else {
        sent
    }
}

pub(crate) async fn settle(
    broker: Broker,
    reply: Reply,
    records: Records,
    id: u64,
    key: MessageKey,
    how: Settle,
) {
    let result = settle_held(&broker, &records, id, key, &how).await;
    reply.send(Action::Settled {
        id,
        key,
        how,
        result,
    });
}

async fn settle_held(
    broker: &Broker,
    records: &Records,
    id: u64,
    key: MessageKey,
    how: &Settle,
) -> Result<(), ActionError> {
    if !connected(broker) {
        return Err(ActionError::Disconnected);
    }
    let event = lock(records)
        .get_mut(&id)
        .and_then(|r| r.held.remove(&key))
        .ok_or(ActionError::NotHeld)?;
    let sent = match how {
        Settle::Ack => event.ack().await,
        Settle::Nak(delay) => event.nak(*delay).await,
        Settle::Term(reason) => event.term(reason.as_deref()).await,
        Settle::InProgress => event.in_progress().await,
    };
    let result = match &sent {
        Ok(()) => confirm_sent(broker).await,
        Err(e) => Err(e.clone().into()),
    };
    // Still held after an in-progress, or when it could not be sent (the event is
    // unsettled: try again) -- unless the subscription went meanwhile: then it goes back
    // to the server. A settlement sent but unconfirmed cannot be sent twice; if it was
    // lost, the server redelivers the message after its ack wait.
    if matches!(how, Settle::InProgress) || sent.is_err() {
        let detached = {
            let mut records = lock(records);
            let record = records.entry(id).or_default();
            if matches!(record.mode, Mode::Detached) {
                Some(event)
            } else {
                record.held.insert(key, event);
                None
            }
        };
        if let Some(event) = detached {
            give_back(broker, vec![event]).await;
        }
    }
    result
}
