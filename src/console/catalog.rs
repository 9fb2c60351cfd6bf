//! What the streams pane costs: the collector's list of stream names and its choice of
//! which stream infos to read each refresh. An account with a few hundred streams is read
//! whole, one request a refresh (the server pages infos 256 at a time). A larger one is
//! not: its names are listed (1,024 a page) when the account's stream count changes or
//! every `RELIST_EVERY`, and each refresh reads the infos of the rows around the
//! selection only, from the page of the server's listing they sit in (the server sorts
//! its listing by name, as the pane does), so scrolling costs what the screen shows and
//! not what the server holds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::stream;

use crate::broker::{ApiError, Broker};

/// Stream infos per page of `$JS.API.STREAM.LIST` (the server's limit).
pub const LIST_PAGE: usize = 256;
/// How often a large account's names are listed again when its count has not changed (a
/// stream deleted and another created in between).
pub const RELIST_EVERY: Duration = Duration::from_secs(30);
/// Most info requests one refresh makes for a large account's rows.
pub const MAX_INFO_REQUESTS: usize = 4;
/// How many rows either side of the selection the collector reads: more than any screen
/// shows, so the rows drawn are fresh wherever the selection sits.
pub const AROUND: usize = 64;

/// The stream names in the server's order, and when they were listed.
#[derive(Debug, Default)]
pub struct Catalog {
    names: Arc<[String]>,
    listed_at: Option<Instant>,
    /// Refreshes in turn, so rows a filter scatters beyond the budget are read in turn.
    turn: usize,
}

/// What one refresh read of the streams.
#[derive(Debug, Default)]
pub struct StreamsRead {
    pub names: Arc<[String]>,
    pub infos: Vec<stream::Info>,
    /// Every stream's info was read (an account small enough to read whole).
    pub complete: bool,
}

/// One request for infos: a page of the listing from an offset, or one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    Page(usize),
    One(String),
}

impl Catalog {
    /// Reads the streams for one refresh: all of them when the account has at most a
    /// page (`count` from account info; None when that was refused), else the names
    /// when due and the infos of `wanted` (the rows around the selection, selected first).
    pub async fn read(
        &mut self,
        broker: &Broker,
        count: Option<usize>,
        wanted: &[String],
        now: Instant,
    ) -> Result<StreamsRead, ApiError> {
        if count.is_none_or(|c| c <= LIST_PAGE) && self.names.len() <= LIST_PAGE {
            let infos = broker.list_streams().await?;
            self.names = infos.iter().map(|i| i.config.name.clone()).collect();
            self.listed_at = Some(now);
            return Ok(StreamsRead {
                names: self.names.clone(),
                infos,
                complete: true,
            });
        }
        if self.due(count, now) {
            self.names = broker.stream_names(None).await?.into();
            self.listed_at = Some(now);
        }
        self.turn += 1;
        // Nothing on screen yet (the first refresh): the first rows are what shows first.
        let first_rows: Vec<String>;
        let wanted = if wanted.is_empty() {
            first_rows = self.names.iter().take(AROUND).cloned().collect();
            &first_rows
        } else {
            wanted
        };
        let mut infos = Vec::new();
        for fetch in plan(&self.names, wanted, MAX_INFO_REQUESTS, self.turn) {
            match fetch {
                Fetch::Page(offset) => infos.extend(broker.stream_infos_page(offset).await?),
                Fetch::One(name) => match broker.stream_info(&name).await {
                    Ok(info) => infos.push(info),
                    // Deleted since the names were listed: the next listing drops it.
                    Err(e) if e.kind() == crate::broker::ApiErrorKind::StreamNotFound => {}
                    Err(e) => return Err(e),
                },
            }
        }
        Ok(StreamsRead {
            names: self.names.clone(),
            infos,
            complete: false,
        })
    }

    fn due(&self, count: Option<usize>, now: Instant) -> bool {
        match self.listed_at {
            None => true,
            Some(at) => {
                count.is_some_and(|c| c != self.names.len())
                    || now.duration_since(at) >= RELIST_EVERY
            }
        }
    }
}

/// The requests that read `wanted` (names in `names`, the server's sorted order): pages
/// of the listing where several wanted rows share one, single infos for strays, at most
/// `budget` requests; the first wanted name (the selection) always comes first. When
/// more are wanted than the budget covers, `turn` rotates which are read.
pub fn plan(names: &[String], wanted: &[String], budget: usize, turn: usize) -> Vec<Fetch> {
    let mut indices: Vec<usize> = wanted
        .iter()
        .filter_map(|w| names.binary_search(w).ok())
        .collect();
    let selected = indices.first().copied();
    indices.sort_unstable();
    indices.dedup();
    // Group into runs that one page (from the run's first index) covers.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in indices {
        match groups.last_mut() {
            Some(g) if i < g[0] + LIST_PAGE => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    // The selection's group first, then the others in turn.
    if let Some(s) = selected
        && let Some(at) = groups.iter().position(|g| g.contains(&s))
    {
        let g = groups.remove(at);
        let rest = groups.len().max(1);
        groups.rotate_left(turn % rest);
        groups.insert(0, g);
    }
    groups
        .into_iter()
        .take(budget)
        .map(|g| match g.as_slice() {
            [one] => Fetch::One(names[*one].clone()),
            _ => Fetch::Page(g[0]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("S{i:05}")).collect()
    }

    #[test]
    fn the_rows_around_the_selection_are_one_page() {
        let all = names(10_000);
        let wanted: Vec<String> = std::iter::once(all[5_000].clone())
            .chain(all[4_936..5_064].iter().cloned())
            .collect();
        assert_eq!(plan(&all, &wanted, 4, 0), [Fetch::Page(4_936)]);
    }

    #[test]
    fn scattered_rows_cost_at_most_the_budget_and_take_turns_after_the_selection() {
        let all = names(10_000);
        // A filter that leaves every thousandth stream: ten rows, ten pages apart.
        let wanted: Vec<String> = (0..10).map(|i| all[i * 1_000 + 7].clone()).collect();
        let first = plan(&all, &wanted, 4, 0);
        assert_eq!(first.len(), 4);
        assert_eq!(first[0], Fetch::One("S00007".into()));
        let second = plan(&all, &wanted, 4, 1);
        assert_eq!(second[0], Fetch::One("S00007".into()));
        assert_ne!(first[1..], second[1..]);
        // Every row is read within a few refreshes.
        let mut read = std::collections::HashSet::new();
        for turn in 0..9 {
            for f in plan(&all, &wanted, 4, turn) {
                read.insert(format!("{f:?}"));
            }
        }
        assert_eq!(read.len(), 10);
    }

    #[test]
    fn names_no_longer_listed_are_not_asked_for() {
        let all = names(300);
        let wanted = vec!["GONE".to_string(), all[10].clone()];
        assert_eq!(plan(&all, &wanted, 4, 0), [Fetch::One("S00010".into())]);
    }
}
