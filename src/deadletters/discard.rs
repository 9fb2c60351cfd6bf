//! Discard: delete the original from its stream, after which it is gone for good.

use super::list::read_original;
use super::{DeadLetter, DeadLetterError};
use crate::broker::Broker;

/// Deletes the original of `letter`. One already gone is `Gone`, so a caller never
/// reports a delete it did not make.
pub async fn discard(broker: &Broker, letter: &DeadLetter) -> Result<(), DeadLetterError> {
    let (stream, sequence) = (letter.stream.clone(), letter.sequence);
    match broker.delete_message(&stream, sequence, false).await {
        Ok(()) => {
            tracing::info!(%stream, sequence, "dead letter discarded");
            Ok(())
        }
        Err(source) => match read_original(broker, &stream, sequence).await {
            // The server's word for "no such message" varies by version; reading by
            // sequence is what tells.
            Ok(None) => Err(DeadLetterError::Gone { stream, sequence }),
            _ => Err(DeadLetterError::Delete {
                stream,
                sequence,
                source,
            }),
        },
    }
}
