//! Export: dead letters as JSON Lines, one object per message, bodies that are not UTF-8
//! in base64 (and a field saying which), so the file carries every byte.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::{Cause, DeadLetter, DeadLetterError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyEncoding {
    Utf8,
    Base64,
}

/// One line of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRecord {
    pub stream: String,
    pub sequence: u64,
    /// `None` when the original was no longer in the stream (then no body either).
    pub subject: Option<String>,
    /// Header name -> its values in order.
    pub headers: BTreeMap<String, Vec<String>>,
    pub body: Option<String>,
    pub body_encoding: Option<BodyEncoding>,
    /// When the stream stored the original (RFC 3339).
    pub time: Option<String>,
    pub consumer: String,
    pub deliveries: u64,
    /// `max_deliveries` or `terminated`.
    pub cause: String,
    pub reason: Option<String>,
    /// When the advisory was raised (RFC 3339).
    pub dead_since: String,
    pub in_stream: bool,
}

fn rfc3339(time: std::time::SystemTime) -> String {
    time::OffsetDateTime::from(time)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl ExportRecord {
    pub fn from_letter(letter: &DeadLetter) -> Self {
        let original = letter.original.as_ref();
        let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in original.iter().flat_map(|m| m.headers.iter()) {
            headers
                .entry(k.to_string())
                .or_default()
                .push(v.to_string());
        }
        let (body, body_encoding) = match original.map(|m| &m.body) {
            None => (None, None),
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => (Some(text.to_string()), Some(BodyEncoding::Utf8)),
                Err(_) => (
                    Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
                    Some(BodyEncoding::Base64),
                ),
            },
        };
        Self {
            stream: letter.stream.clone(),
            sequence: letter.sequence,
            subject: original.map(|m| m.subject.clone()),
            headers,
            body,
            body_encoding,
            time: original.map(|m| rfc3339(m.time)),
            consumer: letter.consumer.clone(),
            deliveries: letter.deliveries,
            cause: match letter.cause {
                Cause::MaxDeliveries => "max_deliveries",
                Cause::Terminated { .. } => "terminated",
            }
            .to_string(),
            reason: letter.cause.reason().map(str::to_string),
            dead_since: rfc3339(letter.time),
            in_stream: letter.in_stream(),
        }
    }

    /// The body's bytes, decoded.
    pub fn body_bytes(&self) -> Option<Vec<u8>> {
        match (self.body.as_ref(), self.body_encoding) {
            (Some(text), Some(BodyEncoding::Utf8)) => Some(text.as_bytes().to_vec()),
            (Some(b64), Some(BodyEncoding::Base64)) => {
                base64::engine::general_purpose::STANDARD.decode(b64).ok()
            }
            _ => None,
        }
    }
}

/// Writes `letters` to `path` as JSON Lines (created or replaced) and returns the path
/// written, made absolute so it can be shown as is.
pub fn export(letters: &[DeadLetter], path: &Path) -> Result<PathBuf, DeadLetterError> {
    let failed = |e: &dyn std::fmt::Display| DeadLetterError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = std::fs::File::create(path).map_err(|e| failed(&e))?;
    let mut out = std::io::BufWriter::new(file);
    for letter in letters {
        let line =
            serde_json::to_string(&ExportRecord::from_letter(letter)).map_err(|e| failed(&e))?;
        writeln!(out, "{line}").map_err(|e| failed(&e))?;
    }
    out.into_inner()
        .map_err(|e| failed(&e.error().to_string()))?
        .sync_all()
        .map_err(|e| failed(&e))?;
    std::path::absolute(path).map_err(|e| failed(&e))
}
