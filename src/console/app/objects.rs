//! Object stores in the app (issue 16): the effects that reach the server and the results
//! that come back. The views' state and keys are in `overlays/objects.rs`.

use std::sync::atomic::{AtomicU64, Ordering};

use super::Effect;
use super::{App, Overlay};
use crate::broker::ObjectSummary;
use crate::console::overlays::objects::{ObjectAsk, ObjectsState, StoresState};

/// What the object views ask of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectEffect {
    /// List the store's objects (deleted ones left out).
    List { store: String },
    /// Save an object to a file (an existing one only with `overwrite`), reporting
    /// progress as transfer `transfer`.
    Save {
        store: String,
        name: String,
        path: String,
        overwrite: bool,
        transfer: u64,
    },
    /// Put a file as object `name`, replacing one of that name, then read it back.
    Put {
        store: String,
        name: String,
        path: std::path::PathBuf,
        transfer: u64,
    },
    /// Delete an object, then check a fresh listing no longer has it.
    Delete { store: String, name: String },
}

impl ObjectEffect {
    /// What `--read-only` refuses: every variant named, so a new one must decide.
    pub fn changes_server(&self) -> bool {
        match self {
            // A save only reads the server; the file it writes is local.
            ObjectEffect::List { .. } | ObjectEffect::Save { .. } => false,
            ObjectEffect::Put { .. } | ObjectEffect::Delete { .. } => true,
        }
    }
}

/// What comes back from the object effects.
#[derive(Debug, Clone)]
pub enum ObjectAction {
    Listed {
        store: String,
        result: Result<Vec<ObjectSummary>, String>,
    },
    /// Bytes done of a save or put (sent a few times a second at most).
    Progress {
        store: String,
        transfer: u64,
        done: u64,
        total: u64,
    },
    /// The file to save to exists: the operator is asked before it is written over.
    SaveExists {
        store: String,
        name: String,
        path: String,
    },
    /// A save, put or delete done (and checked) in words, or why not; `reread`: the
    /// objects are read again.
    Finished {
        store: String,
        transfer: Option<u64>,
        result: Result<String, String>,
        reread: bool,
    },
}

/// A new transfer id: a progress report is told from an earlier transfer's by it.
pub fn next_transfer() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl App {
    /// `O`: the object stores, from the stream infos the refresh reads.
    pub(crate) fn open_object_stores(&mut self) {
        self.open(Overlay::ObjectStores(Box::default()));
    }

    /// The open objects view of `store`, if any (under a prompt too).
    fn objects_view(&mut self, store: &str) -> Option<&mut ObjectsState> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Objects(v) if v.store == store => Some(&mut **v),
            _ => None,
        })
    }

    fn stores_view(&mut self) -> Option<&mut StoresState> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::ObjectStores(v) => Some(&mut **v),
            _ => None,
        })
    }

    pub(crate) fn on_objects(&mut self, action: ObjectAction, effects: &mut Vec<Effect>) {
        match action {
            ObjectAction::Listed { store, result } => {
                if let (Ok(list), Some(stores)) = (&result, self.stores_view()) {
                    stores.counted.insert(store.clone(), list.len());
                }
                if let Some(view) = self.objects_view(&store) {
                    view.listed(result);
                }
            }
            ObjectAction::Progress {
                store,
                transfer,
                done,
                total,
            } => {
                let view = self.objects_view(&store);
                if let Some(t) = view.and_then(|v| v.transfer.as_mut())
                    && t.id == transfer
                {
                    (t.done, t.total) = (done, total);
                }
            }
            ObjectAction::SaveExists { store, name, path } => {
                if let Some(view) = self.objects_view(&store) {
                    view.transfer = None;
                    view.asking = Some(ObjectAsk::Overwrite {
                        name,
                        path: path.clone(),
                    });
                }
                self.say(format!("{path} exists: overwrite it? (y/n)"));
            }
            ObjectAction::Finished {
                store,
                transfer,
                result,
                reread,
            } => {
                if let Some(view) = self.objects_view(&store)
                    && view.transfer.as_ref().map(|t| t.id) == transfer
                {
                    view.transfer = None;
                }
                match result {
                    Ok(said) => self.say(said),
                    Err(refused) => self.complain(refused),
                }
                if reread && self.objects_view(&store).is_some() {
                    effects.push(Effect::Objects(ObjectEffect::List { store }));
                }
            }
        }
    }
}
