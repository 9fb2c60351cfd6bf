//! "Why is this consumer stuck?": the numbers that answer it, collected as plain data
//! ([`ConsumerFacts`]), and [`diagnose`], a pure function from those numbers (and earlier
//! samples) to findings in plain words, each with what to do. The console and
//! `jetdeck doctor` both call this module; nothing here needs the console.
//!
//! Cost: [`ConsumerFacts::from_info`] needs only the consumer's and its stream's info,
//! which the console already polls; the one extra request is the stream's per-subject
//! counts ([`collect::stored_subjects`]), asked only when the filter may match nothing.

mod advisories;
mod collect;
pub mod doctor;
mod facts;
mod outstanding;
mod rules;
mod similar;

use std::time::Duration;

pub use advisories::{AdvisoryCounts, advisory_counts};
pub use collect::{collect, dead_letter_counts, stored_subjects};
pub use facts::{ConsumerFacts, History, Replica, Sample};
pub use outstanding::{
    Known, LIMITS_NOTE, OutstandingMessage, OutstandingPage, outstanding, outstanding_range,
};
pub use rules::diagnose;
pub use similar::{closest, edit_distance};

/// How many fetch waits without a delivery, with messages pending and no pull waiting,
/// before "nobody is pulling" is said (a worker pulls again at least every fetch wait).
pub const FETCH_WAITS_IDLE: u32 = 3;
/// The pull wait the broker's workers use unless told otherwise.
pub const ASSUMED_FETCH_WAIT: Duration = crate::broker::DEFAULT_FETCH_WAIT;
/// The window redeliveries are counted over.
pub const REDELIVERY_WINDOW: Duration = Duration::from_secs(60);
/// The share of deliveries that were redeliveries above which it is said (10%).
pub const REDELIVERY_SHARE: f64 = 0.10;
/// Pending at or above this is a backlog.
pub const BACKLOG_LARGE: u64 = 1000;
/// An ack floor that has not moved for this long, under a backlog, is "not moving".
pub const BACKLOG_STILL: Duration = Duration::from_secs(300);
/// An ephemeral consumer idle for this share of its inactive threshold is "expiring".
pub const EXPIRING_SHARE: f64 = 0.5;

/// How bad a finding is. `doctor` exits 1 when any is a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Problem,
}

impl Severity {
    pub fn word(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Problem => "problem",
        }
    }
}

/// What a finding is about; [`Kind::word`] is the short word of the consumers column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Stalled,
    NoWorker,
    Paused,
    NoMatch,
    DeadLetters,
    Redelivering,
    BacklogStuck,
    NoSubscriber,
    Expiring,
    NoLeader,
    Lagging,
    Healthy,
}

impl Kind {
    /// The word shown in a column (at most 13 characters).
    pub fn word(self) -> &'static str {
        match self {
            Kind::Stalled => "stalled",
            Kind::NoWorker => "no worker",
            Kind::Paused => "paused",
            Kind::NoMatch => "no match",
            Kind::DeadLetters => "dead letters",
            Kind::Redelivering => "redelivering",
            Kind::BacklogStuck => "backlog stuck",
            Kind::NoSubscriber => "no subscriber",
            Kind::Expiring => "expiring",
            Kind::NoLeader => "no leader",
            Kind::Lagging => "lagging",
            Kind::Healthy => "healthy",
        }
    }
}

/// One thing the diagnosis says: a sentence with the numbers behind it, and what to do.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub severity: Severity,
    pub sentence: String,
    /// What to do about it; `None` for the healthy line.
    pub action: Option<String>,
}

/// The word for a consumers column: the worst finding's (the first of equals).
pub fn marker(findings: &[Finding]) -> Option<&'static str> {
    let worst = findings.iter().map(|f| f.severity).max()?;
    findings
        .iter()
        .find(|f| f.severity == worst)
        .map(|f| f.kind.word())
}
