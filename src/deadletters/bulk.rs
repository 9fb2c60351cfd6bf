//! Running one operation over many dead letters: in order, one at a time, progress after
//! each, stopping at the first failure. The report's counts are exact: every letter is
//! done, the one that failed, or untouched.

use std::future::Future;

use super::{DeadLetter, DeadLetterError, Target};

/// Where a bulk run is: `finished` of `total`, and the letter just finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub finished: usize,
    pub total: usize,
    pub last: Target,
}

/// What a bulk run did.
#[derive(Debug)]
pub struct BulkReport<T> {
    /// What each done letter's operation returned, in order.
    pub done: Vec<T>,
    /// The letter that failed, and why (the run stopped there).
    pub failed: Option<(Target, DeadLetterError)>,
    /// Letters not attempted because the run stopped.
    pub untouched: Vec<Target>,
}

impl<T> BulkReport<T> {
    pub fn ok(&self) -> bool {
        self.failed.is_none()
    }

    /// One line: `3 done, failed at ORDERS seq 9 (...), 6 untouched`.
    pub fn summary(&self, verb: &str) -> String {
        match &self.failed {
            None => format!("{} {verb}", self.done.len()),
            Some((target, e)) => format!(
                "{} {verb}, failed at {target}: {e}; {} untouched",
                self.done.len(),
                self.untouched.len()
            ),
        }
    }
}

/// Runs `op` on each of `letters` in order, calling `progress` after each success.
pub async fn bulk<'a, T, F, Fut>(
    letters: &'a [DeadLetter],
    mut op: F,
    mut progress: impl FnMut(&Progress),
) -> BulkReport<T>
where
    F: FnMut(&'a DeadLetter) -> Fut,
    Fut: Future<Output = Result<T, DeadLetterError>>,
{
    let mut report = BulkReport {
        done: Vec::with_capacity(letters.len()),
        failed: None,
        untouched: Vec::new(),
    };
    for (index, letter) in letters.iter().enumerate() {
        match op(letter).await {
            Ok(value) => {
                report.done.push(value);
                progress(&Progress {
                    finished: index + 1,
                    total: letters.len(),
                    last: letter.target(),
                });
            }
            Err(e) => {
                tracing::warn!(target = %letter.target(), error = %e, "bulk run stopped");
                report.failed = Some((letter.target(), e));
                report.untouched = letters[index + 1..]
                    .iter()
                    .map(DeadLetter::target)
                    .collect();
                break;
            }
        }
    }
    report
}
