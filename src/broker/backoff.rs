//! Exponential backoff for failed pulls: 1 s, 2 s, 4 s ... capped at 30 s, reset after a
//! success.

use std::time::Duration;

pub const BACKOFF_START: Duration = Duration::from_secs(1);
pub const BACKOFF_MAX: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            next: BACKOFF_START,
        }
    }
}

impl Backoff {
    /// The delay to wait after this failure; the one after will be twice as long.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(BACKOFF_MAX);
        delay
    }

    /// Waits the next delay, or returns early (false) when `cancel` fires.
    pub async fn wait(&mut self, cancel: &tokio_util::sync::CancellationToken) -> bool {
        let delay = self.next_delay();
        tokio::select! {
            _ = cancel.cancelled() => false,
            _ = tokio::time::sleep(delay) => true,
        }
    }

    pub fn reset(&mut self) {
        self.next = BACKOFF_START;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_util::sync::CancellationToken;

    const fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[tokio::test(start_paused = true)]
    async fn schedule_doubles_to_thirty_and_resets() {
        let cancel = CancellationToken::new();
        let mut backoff = Backoff::default();
        let mut waited = Vec::new();
        for _ in 0..7 {
            let start = tokio::time::Instant::now();
            assert!(backoff.wait(&cancel).await);
            waited.push(start.elapsed());
        }
        assert_eq!(
            waited,
            [
                secs(1),
                secs(2),
                secs(4),
                secs(8),
                secs(16),
                secs(30),
                secs(30)
            ]
        );
        backoff.reset();
        let start = tokio::time::Instant::now();
        assert!(backoff.wait(&cancel).await);
        assert_eq!(start.elapsed(), secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_cuts_the_wait_short() {
        let cancel = CancellationToken::new();
        let mut backoff = Backoff::default();
        for _ in 0..5 {
            backoff.next_delay();
        }
        let start = tokio::time::Instant::now();
        let canceller = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            canceller.cancel();
        });
        assert!(!backoff.wait(&cancel).await);
        assert_eq!(start.elapsed(), Duration::from_millis(50));
    }
}
