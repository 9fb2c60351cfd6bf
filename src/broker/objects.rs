//! Object stores (the `OBJ_<name>` streams underneath): the stores, their objects, and
//! saving, putting and deleting one, each checked against the server afterwards.

use std::path::Path;
use std::time::SystemTime;

use async_nats::jetstream::object_store::{self, ObjectMetadata, ObjectStore};
use futures::{StreamExt, TryStreamExt};
use thiserror::Error;
use tokio::io::AsyncWriteExt;

use super::Broker;

/// What an object-store call met, in words an operator can act on.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ObjectError {
    #[error("{}", super::error::NOT_CONNECTED)]
    NotConnected,
    #[error("object store {store}: {reason}")]
    Store { store: String, reason: String },
    #[error("object {name} in {store}: {reason}")]
    Object {
        store: String,
        name: String,
        reason: String,
    },
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    /// The server refused a request of the call (the client alone would report a
    /// timeout: a refused request gets no answer).
    #[error(
        "object store {store}: permission denied: this user may not use {subject} (the server refused the request)"
    )]
    Denied { store: String, subject: String },
}

/// One object as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSummary {
    pub name: String,
    pub size: usize,
    pub chunks: usize,
    pub modified: Option<SystemTime>,
    /// `SHA-256=<base64url>`, as the server keeps it.
    pub digest: Option<String>,
    pub description: Option<String>,
}

impl ObjectSummary {
    fn from_info(info: &object_store::ObjectInfo) -> Self {
        Self {
            name: info.name.clone(),
            size: info.size,
            chunks: info.chunks,
            modified: info.modified.map(SystemTime::from),
            digest: info.digest.clone(),
            description: info.description.clone(),
        }
    }
}

/// The stream underneath each object store is `OBJ_<name>`.
const STREAM_PREFIX: &str = "OBJ_";

impl Broker {
    /// The object stores on the server, by name.
    pub async fn object_stores(&self) -> Result<Vec<String>, ObjectError> {
        let js = self.js()?;
        let failed = |e: String| ObjectError::Store {
            store: "*".into(),
            reason: e,
        };
        let names: Vec<String> = js
            .stream_names()
            .try_collect()
            .await
            .map_err(|e| failed(e.to_string()))?;
        let mut stores: Vec<String> = names
            .iter()
            .filter_map(|n| n.strip_prefix(STREAM_PREFIX).map(str::to_string))
            .collect();
        stores.sort();
        Ok(stores)
    }

    /// The objects of `store` (deleted ones left out), by name.
    pub async fn objects(&self, store: &str) -> Result<Vec<ObjectSummary>, ObjectError> {
        self.object_call(store, async {
            let bucket = self.object_store(store).await?;
            let failed = |e: String| ObjectError::Store {
                store: store.to_string(),
                reason: e,
            };
            let mut list = bucket.list().await.map_err(|e| failed(e.to_string()))?;
            let mut out = Vec::new();
            while let Some(info) = list.next().await {
                let info = info.map_err(|e| failed(e.to_string()))?;
                if !info.deleted {
                    out.push(ObjectSummary::from_info(&info));
                }
            }
            out.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(out)
        })
        .await
    }

    /// Saves object `name` to `path`. The reader checks the SHA-256 digest at the end of
    /// the object (a mismatch is an error, and the partial file is removed); the size
    /// written is checked against the object's.
    pub async fn save_object(
        &self,
        store: &str,
        name: &str,
        path: &Path,
    ) -> Result<ObjectSummary, ObjectError> {
        self.object_call(store, async {
            let bucket = self.object_store(store).await?;
            let failed = |e: String| object_failed(store, name, e);
            let mut object = bucket.get(name).await.map_err(|e| failed(e.to_string()))?;
            let summary = ObjectSummary::from_info(object.info());
            let file_failed = |e: std::io::Error| ObjectError::File {
                path: path.display().to_string(),
                reason: e.to_string(),
            };
            let mut file = tokio::fs::File::create(path).await.map_err(file_failed)?;
            let copied = tokio::io::copy(&mut object, &mut file).await;
            let written = match copied {
                Ok(n) => n,
                Err(e) => {
                    drop(file);
                    let _ = tokio::fs::remove_file(path).await;
                    return Err(failed(format!("read failed, nothing saved: {e}")));
                }
            };
            file.flush().await.map_err(file_failed)?;
            if written as usize != summary.size {
                return Err(failed(format!(
                    "saved {written} bytes, the object has {}",
                    summary.size
                )));
            }
            Ok(summary)
        })
        .await
    }

    /// Puts the file at `path` into `store` as `name`, then reads its info back from the
    /// server: what is returned is what the server holds.
    pub async fn put_object(
        &self,
        store: &str,
        name: &str,
        path: &Path,
    ) -> Result<ObjectSummary, ObjectError> {
        self.object_call(store, async {
            let bucket = self.object_store(store).await?;
            let failed = |e: String| object_failed(store, name, e);
            let mut file = tokio::fs::File::open(path)
                .await
                .map_err(|e| ObjectError::File {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
            let meta = ObjectMetadata {
                name: name.to_string(),
                ..Default::default()
            };
            let put = bucket
                .put(meta, &mut file)
                .await
                .map_err(|e| failed(e.to_string()))?;
            let stored = bucket.info(name).await.map_err(|e| failed(e.to_string()))?;
            if stored.digest != put.digest || stored.size != put.size {
                return Err(failed(
                    "the server holds something else than was put".into(),
                ));
            }
            Ok(ObjectSummary::from_info(&stored))
        })
        .await
    }

    /// Deletes object `name`, then checks the server no longer lists it.
    pub async fn delete_object(&self, store: &str, name: &str) -> Result<(), ObjectError> {
        self.object_call(store, async {
            let bucket = self.object_store(store).await?;
            let failed = |e: String| object_failed(store, name, e);
            bucket
                .delete(name)
                .await
                .map_err(|e| failed(e.to_string()))?;
            match bucket.info(name).await {
                Ok(info) if !info.deleted => Err(failed("still there after the delete".into())),
                _ => Ok(()),
            }
        })
        .await
    }

    /// Runs `call` on `store`. A request the server refuses gets no answer, so the call
    /// would fail only at its timeout, as a timeout: it ends as soon as the server
    /// reports the refusal of one of its own requests (see `StoreMarks`), with the refusal
    /// as the error. Cut short there, it stops where it would have failed anyway (the
    /// client's flows stop at their first failed request; a save's temporary file goes).
    pub(super) async fn object_call<T>(
        &self,
        store: &str,
        call: impl std::future::Future<Output = Result<T, ObjectError>>,
    ) -> Result<T, ObjectError> {
        let marks = store_marks(store);
        let refused = super::permissions::Denials::refused(self.denials().watch(), &marks);
        tokio::select! {
            result = self.object_call_to_end(store, call) => result,
            subject = refused => Err(ObjectError::Denied { store: store.to_string(), subject }),
        }
    }

    /// Runs `call` to its end; when it failed and the server refused one of its requests
    /// meanwhile, the refusal is the error.
    async fn object_call_to_end<T>(
        &self,
        store: &str,
        call: impl std::future::Future<Output = Result<T, ObjectError>>,
    ) -> Result<T, ObjectError> {
        let since = std::time::Instant::now();
        call.await.map_err(
            |e| match self.denials().refused_since(since, &store_marks(store)) {
                Some(subject) => ObjectError::Denied {
                    store: store.to_string(),
                    subject,
                },
                None => e,
            },
        )
    }

    async fn object_store(&self, store: &str) -> Result<ObjectStore, ObjectError> {
        self.js()?
            .get_object_store(store)
            .await
            .map_err(|e| ObjectError::Store {
                store: store.to_string(),
                reason: e.to_string(),
            })
    }

    fn js(&self) -> Result<async_nats::jetstream::Context, ObjectError> {
        self.open_connection()
            .map(|c| c.js.clone())
            .ok_or(ObjectError::NotConnected)
    }
}

/// The requests of a call on `store`: its stream, and its subjects.
fn store_marks(store: &str) -> super::StoreMarks {
    super::StoreMarks::new(format!("{STREAM_PREFIX}{store}"), format!("$O.{store}."))
}

fn object_failed(store: &str, name: &str, reason: String) -> ObjectError {
    ObjectError::Object {
        store: store.to_string(),
        name: name.to_string(),
        reason,
    }
}
