//! The `nats` CLI command that does what a jetdeck preview is about to do, so operators
//! learn the CLI and can script it. One pure function per operation; the flags are
//! natscli's own (cli/stream_command.go, cli/consumer_command.go, cli/pub_command.go).
//! Where natscli has no equivalent, the caveat says so, and jetdeck's own headless command
//! is given when there is one.

use std::time::SystemTime;

mod stores;
pub use stores::*;

use crate::broker::{PurgeScope, ResetTarget};
use crate::console::app::DeadLetterOp;

/// A command line, and what to know before running it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equivalent {
    pub command: String,
    /// Where the command differs from what jetdeck does.
    pub caveat: Option<&'static str>,
}

impl Equivalent {
    fn exact(words: Vec<String>) -> Self {
        Self {
            command: words.join(" "),
            caveat: None,
        }
    }

    fn with_caveat(words: Vec<String>, caveat: &'static str) -> Self {
        Self {
            command: words.join(" "),
            caveat: Some(caveat),
        }
    }
}

/// Quotes `arg` for a POSIX shell when it needs it (wildcards `*` and `>`, spaces,
/// quotes, `$`...); plain names and subjects stay as typed.
pub fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/=@,+%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

fn words(fixed: &[&str]) -> Vec<String> {
    fixed.iter().map(|w| w.to_string()).collect()
}

/// `p` in the publish form: to JetStream (jetdeck waits for each PubAck).
pub fn publish<'a>(
    subject: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: &str,
    count: u32,
) -> Equivalent {
    let mut w = words(&["nats", "pub", "--jetstream"]);
    w.push(quote(subject));
    w.push(quote(body));
    for (key, value) in headers {
        w.push("-H".to_string());
        w.push(quote(&format!("{key}:{value}")));
    }
    if count > 1 {
        w.push(format!("--count={count}"));
    }
    if body.contains("{n}") || body.contains("{uuid}") {
        return Equivalent::with_caveat(
            w,
            "natscli's body templates differ: {{.Count}} and {{ ID }} for jetdeck's {n} and {uuid}",
        );
    }
    Equivalent::exact(w)
}

pub fn delete_consumer(stream: &str, consumer: &str) -> Equivalent {
    let mut w = words(&["nats", "consumer", "rm"]);
    w.extend([quote(stream), quote(consumer), "-f".to_string()]);
    Equivalent::exact(w)
}

pub fn delete_stream(stream: &str) -> Equivalent {
    let mut w = words(&["nats", "stream", "rm"]);
    w.extend([quote(stream), "-f".to_string()]);
    Equivalent::exact(w)
}

pub fn purge(stream: &str, scope: &PurgeScope) -> Equivalent {
    let mut w = words(&["nats", "stream", "purge"]);
    w.push(quote(stream));
    match scope {
        PurgeScope::All => {}
        PurgeScope::Subject(subject) => w.extend(["--subject".to_string(), quote(subject)]),
        PurgeScope::KeepNewest(n) => w.push(format!("--keep={n}")),
        PurgeScope::BelowSequence(n) => w.push(format!("--seq={n}")),
    }
    w.push("-f".to_string());
    Equivalent::exact(w)
}

/// natscli reads the time as `YYYY-MM-DD HH:MM:SS` in UTC (Go's time.DateTime), or a
/// duration from now.
pub fn pause(stream: &str, consumer: &str, until: SystemTime) -> Equivalent {
    let mut w = words(&["nats", "consumer", "pause"]);
    w.extend([quote(stream), quote(consumer), quote(&date_time(until))]);
    w.push("-f".to_string());
    Equivalent::exact(w)
}

fn date_time(at: SystemTime) -> String {
    let t = time::OffsetDateTime::from(at);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub fn resume(stream: &str, consumer: &str) -> Equivalent {
    let mut w = words(&["nats", "consumer", "resume"]);
    w.extend([quote(stream), quote(consumer), "-f".to_string()]);
    Equivalent::exact(w)
}

/// `sequence` is where the preview resolved the target to (a time becomes a sequence:
/// natscli's reset takes only `--sequence`).
pub fn reset(stream: &str, consumer: &str, target: &ResetTarget, sequence: u64) -> Equivalent {
    let mut w = words(&["nats", "consumer", "reset"]);
    w.extend([quote(stream), quote(consumer)]);
    match target {
        ResetTarget::AckFloor => {}
        ResetTarget::Sequence(_) | ResetTarget::Time(_) => w.push(format!("--sequence={sequence}")),
    }
    w.push("-f".to_string());
    match target {
        ResetTarget::Time(_) => Equivalent::with_caveat(
            w,
            "natscli resets to a sequence only: the time's first message, as resolved now",
        ),
        _ => Equivalent::exact(w),
    }
}

/// `erase`: overwrite the bytes too. natscli's `rmm` always erases.
pub fn delete_message(stream: &str, sequence: u64, erase: bool) -> Equivalent {
    let mut w = words(&["nats", "stream", "rmm"]);
    w.extend([quote(stream), sequence.to_string(), "-f".to_string()]);
    if erase {
        Equivalent::exact(w)
    } else {
        Equivalent::with_caveat(w, "natscli's rmm always erases (overwrites the bytes)")
    }
}

/// Create (`nats stream add`) or edit (`nats stream edit`) from the config as JSON.
pub fn stream_config(stream: &str, create: bool) -> Equivalent {
    let verb = if create { "add" } else { "edit" };
    let mut w = words(&["nats", "stream", verb]);
    w.push(quote(stream));
    w.extend(["--config".to_string(), quote(&format!("{stream}.json"))]);
    if !create {
        w.push("-f".to_string());
    }
    Equivalent::with_caveat(
        w,
        "the file holds the config as JSON (`nats stream info --json`)",
    )
}

/// Create (`nats consumer add`) or edit (`nats consumer edit`) from the config as JSON.
pub fn consumer_config(stream: &str, consumer: &str, create: bool) -> Equivalent {
    let verb = if create { "add" } else { "edit" };
    let mut w = words(&["nats", "consumer", verb]);
    w.extend([quote(stream), quote(consumer)]);
    w.extend(["--config".to_string(), quote(&format!("{consumer}.json"))]);
    if !create {
        w.push("-f".to_string());
    }
    Equivalent::with_caveat(
        w,
        "the file holds the config as JSON (`nats consumer info --json`)",
    )
}

pub fn stream_info(stream: &str) -> Equivalent {
    let mut w = words(&["nats", "stream", "info"]);
    w.push(quote(stream));
    Equivalent::exact(w)
}

pub fn consumer_info(stream: &str, consumer: &str) -> Equivalent {
    let mut w = words(&["nats", "consumer", "info"]);
    w.extend([quote(stream), quote(consumer)]);
    Equivalent::exact(w)
}

/// Dead-letter operations have no natscli command; jetdeck's headless one does the same.
pub fn dead_letters(op: &DeadLetterOp, stream: &str, sequences: &[u64]) -> Equivalent {
    let mut w = words(&["jetdeck", "dead-letters"]);
    let (verb, extra) = match op {
        DeadLetterOp::Retry => ("retry", None),
        DeadLetterOp::Move { to } => ("move", Some(("--to", to.as_str()))),
        DeadLetterOp::Discard => ("discard", None),
        DeadLetterOp::Export { path } => ("export", Some(("--output", path.as_str()))),
    };
    w.push(verb.to_string());
    w.extend(["--stream".to_string(), quote(stream)]);
    w.extend(sequences.iter().map(|s| format!("--seq={s}")));
    if let Some((flag, value)) = extra {
        w.extend([flag.to_string(), quote(value)]);
    }
    if !matches!(op, DeadLetterOp::Export { .. }) {
        w.push("--yes".to_string());
    }
    Equivalent::with_caveat(w, "no nats command does this; jetdeck's headless one does")
}

#[cfg(test)]
#[path = "nats_cli_tests.rs"]
mod tests;
