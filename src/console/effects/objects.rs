//! Object-store effects (issue 16): listing a store, and saving, putting and deleting an
//! object, each on a task of its own so the console stays responsive during a transfer of
//! any size. Progress is reported a few times a second at most (and once at the end): a
//! report per chunk would redraw the screen hundreds of times for nothing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::Reply;
use crate::broker::Broker;
use crate::console::app::{Action, ObjectAction, ObjectEffect};

/// The least time between two progress reports of one transfer.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

pub(crate) fn run(broker: Broker, reply: Reply, effect: ObjectEffect) {
    match effect {
        ObjectEffect::List { store } => {
            tokio::spawn(list(broker, reply, store));
        }
        ObjectEffect::Save {
            store,
            name,
            path,
            overwrite,
            transfer,
        } => {
            let save = Save {
                store,
                name,
                path,
                overwrite,
                transfer,
            };
            tokio::spawn(save.run(broker, reply));
        }
        ObjectEffect::Put {
            store,
            name,
            path,
            transfer,
        } => {
            tokio::spawn(put(broker, reply, store, name, path, transfer));
        }
        ObjectEffect::Delete { store, name } => {
            tokio::spawn(delete(broker, reply, store, name));
        }
    }
}

async fn list(broker: Broker, reply: Reply, store: String) {
    let result = broker.objects(&store).await.map_err(|e| e.to_string());
    reply.send(Action::Objects(ObjectAction::Listed { store, result }));
}

/// Reports a transfer's progress, no more often than `PROGRESS_EVERY`.
struct Progress {
    reply: Reply,
    store: String,
    transfer: u64,
    last: Option<Instant>,
}

impl Progress {
    fn new(reply: &Reply, store: &str, transfer: u64) -> Self {
        Self {
            reply: reply.clone(),
            store: store.to_string(),
            transfer,
            last: None,
        }
    }

    fn report(&mut self, done: u64, total: u64) {
        let due = self.last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
        if !due && done < total {
            return;
        }
        self.last = Some(Instant::now());
        self.reply.send(Action::Objects(ObjectAction::Progress {
            store: self.store.clone(),
            transfer: self.transfer,
            done,
            total,
        }));
    }
}

fn finished(
    store: &str,
    transfer: Option<u64>,
    result: Result<String, String>,
    reread: bool,
) -> Action {
    Action::Objects(ObjectAction::Finished {
        store: store.to_string(),
        transfer,
        result,
        reread,
    })
}

struct Save {
    store: String,
    name: String,
    path: String,
    overwrite: bool,
    transfer: u64,
}

impl Save {
    async fn run(self, broker: Broker, reply: Reply) {
        let path = PathBuf::from(&self.path);
        if !self.overwrite && tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return reply.send(Action::Objects(ObjectAction::SaveExists {
                store: self.store,
                name: self.name,
                path: self.path,
            }));
        }
        let mut progress = Progress::new(&reply, &self.store, self.transfer);
        let saved = broker
            .save_object_with_progress(&self.store, &self.name, &path, self.overwrite, |d, t| {
                progress.report(d, t)
            })
            .await;
        let result = match saved {
            Ok(held) => {
                let full = std::path::absolute(&path).unwrap_or(path);
                Ok(format!(
                    "saved {} ({}, digest checked) to {}",
                    self.name,
                    bytesize::ByteSize(held.size as u64),
                    full.display()
                ))
            }
            Err(e) => Err(format!("not saved: {e}")),
        };
        reply.send(finished(&self.store, Some(self.transfer), result, false));
    }
}

async fn put(
    broker: Broker,
    reply: Reply,
    store: String,
    name: String,
    path: PathBuf,
    transfer: u64,
) {
    let total = tokio::fs::metadata(&path).await.map_or(0, |m| m.len());
    let mut progress = Progress::new(&reply, &store, transfer);
    let put = broker
        .put_object_with_progress(&store, &name, &path, move |done| {
            progress.report(done, total)
        })
        .await;
    let result = match put {
        // The digest whole, last: it is what an operator compares with `sha256sum`.
        Ok(held) => Ok(format!(
            "put {name} into {store}; checked on the server: {} bytes, {}",
            held.size,
            held.digest.as_deref().unwrap_or("no digest")
        )),
        Err(e) => Err(format!("{}: put {name}: {e}", failed(&e))),
    };
    reply.send(finished(&store, Some(transfer), result, true));
}

async fn delete(broker: Broker, reply: Reply, store: String, name: String) {
    let result = match broker.delete_object(&store, &name).await {
        Err(e) => Err(format!("{}: delete {name}: {e}", failed(&e))),
        // A fresh listing is the check, and it is what the view shows next.
        Ok(()) => match broker.objects(&store).await {
            Ok(list) => {
                let still = list.iter().any(|o| o.name == name);
                reply.send(Action::Objects(ObjectAction::Listed {
                    store: store.clone(),
                    result: Ok(list),
                }));
                if still {
                    Err(format!("{name}: deleted, but the server still lists it"))
                } else {
                    Ok(format!(
                        "done: deleted {name} from {store}; the server no longer lists it"
                    ))
                }
            }
            Err(e) => Err(format!("{name}: deleted, but not checked: {e}")),
        },
    };
    reply.send(finished(&store, None, result, false));
}

/// "refused" only when the server said no (a permission); a local file or no connection
/// is said as such; otherwise "not confirmed" (no answer, or not what was meant).
fn failed(e: &crate::broker::ObjectError) -> &'static str {
    use crate::broker::ObjectError;
    match e {
        ObjectError::Denied { .. } => "refused",
        ObjectError::File { .. } => "failed",
        ObjectError::NotConnected => "not sent",
        ObjectError::Store { .. } | ObjectError::Object { .. } => "not confirmed",
    }
}
