//! Messages as things to act on: delete (or erase) one and read it back, filtered
//! browsing, a stream's subjects, and saving a body to a file.

use std::io::Write;

use super::Reply;
use crate::broker::{ApiErrorKind, Broker};
use crate::console::app::{Action, SaveFailure};
use crate::console::error::ActionError;
use crate::console::overlays::browse::{BrowseFilter, BrowseRow, PAGE};
use crate::console::overlays::subjects::SubjectCounts;

/// Deletes (or erases) the message, then reads its sequence back: the operator is told
/// what the server now holds, not what was asked.
pub(crate) async fn delete(
    broker: Broker,
    reply: Reply,
    stream: String,
    sequence: u64,
    erase: bool,
) {
    let result = match broker.delete_message(&stream, sequence, erase).await {
        Ok(()) => match broker.get_message(&stream, sequence).await {
            Err(e) if e.kind() == ApiErrorKind::MessageNotFound => Ok(true),
            Ok(_) => Ok(false),
            Err(e) => Err(ActionError::Other(format!(
                "sent, but reading it back failed: {e}"
            ))),
        },
        Err(e) => Err(e.into()),
    };
    tracing::info!(%stream, sequence, erase, ok = result.is_ok(), "message delete");
    reply.send(Action::MessageDeleted {
        stream,
        sequence,
        erase,
        result,
    });
}

/// Finds the window the filter selects and reads its first page (or, `at_last`, the
/// page that starts at its last message).
pub(crate) async fn locate(
    broker: Broker,
    reply: Reply,
    stream: String,
    filter: BrowseFilter,
    at_last: bool,
) {
    let result = async {
        let subject = filter.subject.as_deref();
        let since = filter.since.as_ref().map(|(t, _)| *t);
        let Some(window) = broker.browse_window(&stream, subject, since).await? else {
            return Ok(None);
        };
        if filter.is_empty() {
            // The unfiltered browser reads by sequence itself; it wanted the bounds.
            return Ok(Some((window, Vec::new())));
        }
        let from = if at_last { window.last } else { window.first };
        let rows = read(
            &broker,
            &stream,
            subject,
            (from, window.last, window.direct),
        )
        .await?;
        Ok(Some((window, rows)))
    }
    .await
    .map_err(|e: crate::broker::ApiError| ActionError::from(e));
    reply.send(Action::BrowseLocated {
        stream,
        filter,
        at_last,
        result,
    });
}

/// A page of a filtered browse: `window` is its start, its end (the last match, stored),
/// and whether the stream allows direct get.
pub(crate) async fn page(
    broker: Broker,
    reply: Reply,
    stream: String,
    filter: BrowseFilter,
    window: (u64, u64, bool),
) {
    let from = window.0;
    let result = read(&broker, &stream, filter.subject.as_deref(), window)
        .await
        .map_err(ActionError::from);
    reply.send(Action::BrowsedWindow {
        stream,
        filter,
        from,
        result,
    });
}

/// The matches of a filtered page: the sequences between them hold other subjects, so
/// they are no gaps to show.
async fn read(
    broker: &Broker,
    stream: &str,
    subject: Option<&str>,
    (from, last, direct): (u64, u64, bool),
) -> Result<Vec<BrowseRow>, crate::broker::ApiError> {
    let read = broker
        .read_window(stream, subject, from, last, PAGE as usize, direct)
        .await?;
    Ok(read.into_iter().map(BrowseRow::Stored).collect())
}

/// Every subject with its count, sorted both ways here (not on the UI task).
pub(crate) async fn subjects(broker: Broker, reply: Reply, stream: String) {
    let result = match broker.stream_subjects(&stream, ">").await {
        Ok(subjects) => tokio::task::spawn_blocking(move || SubjectCounts::new(subjects))
            .await
            .map_err(|e| ActionError::Other(format!("sorting the subjects failed: {e}"))),
        Err(e) => Err(e.into()),
    };
    reply.send(Action::SubjectsListed { stream, result });
}

/// Writes the body to `path`; an existing file only with `overwrite`.
pub(crate) async fn save(reply: Reply, path: String, body: bytes::Bytes, overwrite: bool) {
    let (p, b) = (path.clone(), body.clone());
    let result = tokio::task::spawn_blocking(move || write_file(&p, &b, overwrite))
        .await
        .unwrap_or_else(|e| Err(SaveFailure::Io(e.to_string())));
    reply.send(Action::Saved { path, body, result });
}

/// The write itself: bytes written and the full path.
pub(crate) fn write_file(
    path: &str,
    body: &[u8],
    overwrite: bool,
) -> Result<(usize, String), SaveFailure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        // Never over a file that is there: the operator is asked first.
        options.create_new(true);
    }
    let io = |e: std::io::Error| SaveFailure::Io(e.to_string());
    let mut file = match options.open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(SaveFailure::Exists);
        }
        other => other.map_err(io)?,
    };
    file.write_all(body).map_err(io)?;
    file.sync_all().map_err(io)?;
    let full = std::path::absolute(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.to_string());
    Ok((body.len(), full))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_writes_exactly_the_bytes_and_never_over_a_file_unasked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        let path = path.to_str().unwrap();
        let body = [0u8, 159, 146, 150, 255, b'\n', 0];
        let (n, full) = write_file(path, &body, false).unwrap();
        assert_eq!(n, body.len());
        assert!(full.ends_with("m.bin"));
        assert_eq!(std::fs::read(path).unwrap(), body);
        assert_eq!(write_file(path, b"other", false), Err(SaveFailure::Exists));
        assert_eq!(std::fs::read(path).unwrap(), body, "left as it was");
        write_file(path, b"new", true).unwrap();
        assert_eq!(std::fs::read(path).unwrap(), b"new");
    }
}
