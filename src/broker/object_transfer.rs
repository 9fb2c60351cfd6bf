//! Object transfers the console shows as they go: saving an object to a file and putting a
//! file, each reporting bytes done to a callback (the console draws a progress line from
//! it), plus creating a store and putting bytes (the demo and tests). `objects.rs` has the
//! listing and the plain calls.

use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_nats::jetstream::object_store::{self, ObjectMetadata, ObjectStore};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, ReadBuf};

use super::{Broker, ObjectError, ObjectSummary};

/// The stream underneath each object store is `OBJ_<name>`.
const STREAM_PREFIX: &str = "OBJ_";

/// The object store a stream holds (`OBJ_<store>`), if it is one.
pub fn store_of_stream(stream: &str) -> Option<&str> {
    stream.strip_prefix(STREAM_PREFIX).filter(|s| !s.is_empty())
}

fn summary(info: &object_store::ObjectInfo) -> ObjectSummary {
    ObjectSummary {
        name: info.name.clone(),
        size: info.size,
        chunks: info.chunks,
        modified: info.modified.map(std::time::SystemTime::from),
        digest: info.digest.clone(),
        description: info.description.clone(),
    }
}

fn failed(store: &str, name: &str, reason: impl ToString) -> ObjectError {
    ObjectError::Object {
        store: store.to_string(),
        name: name.to_string(),
        reason: reason.to_string(),
    }
}

fn file_failed(path: &Path, e: std::io::Error) -> ObjectError {
    ObjectError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Bytes read at a time while saving (the object arrives in chunks of 128 KiB).
const SAVE_BUFFER: usize = 64 * 1024;

impl Broker {
    /// Creates object store `name` (file storage, one replica).
    pub async fn create_object_store(
        &self,
        name: &str,
        description: Option<&str>,
    ) -> Result<(), ObjectError> {
        let config = object_store::Config {
            bucket: name.to_string(),
            description: description.map(str::to_string),
            ..Default::default()
        };
        self.transfer_js()?
            .create_object_store(config)
            .await
            .map_err(|e| ObjectError::Store {
                store: name.to_string(),
                reason: e.to_string(),
            })?;
        Ok(())
    }

    /// Puts `bytes` into `store` as `name`, with an optional description.
    pub async fn put_object_bytes(
        &self,
        store: &str,
        name: &str,
        bytes: &[u8],
        description: Option<&str>,
    ) -> Result<ObjectSummary, ObjectError> {
        let bucket = self.transfer_store(store).await?;
        let meta = ObjectMetadata {
            name: name.to_string(),
            description: description.map(str::to_string),
            ..Default::default()
        };
        let mut reader = bytes;
        let info = bucket
            .put(meta, &mut reader)
            .await
            .map_err(|e| failed(store, name, e))?;
        Ok(summary(&info))
    }

    /// What the server holds of object `name` now (a deleted one is an error).
    pub async fn object_info(&self, store: &str, name: &str) -> Result<ObjectSummary, ObjectError> {
        self.object_call(store, async {
            let bucket = self.transfer_store(store).await?;
            let info = bucket
                .info(name)
                .await
                .map_err(|e| failed(store, name, e))?;
            if info.deleted {
                return Err(failed(store, name, "deleted"));
            }
            Ok(summary(&info))
        })
        .await
    }

    /// Saves object `name` to `path`, calling `progress` with the bytes written so far.
    /// An existing file is only written over with `overwrite`. The reader checks the
    /// SHA-256 digest at the end of the object; a mismatch (or a short object) is an
    /// error, and the partial file is removed.
    pub async fn save_object_with_progress(
        &self,
        store: &str,
        name: &str,
        path: &Path,
        overwrite: bool,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<ObjectSummary, ObjectError> {
        self.object_call(store, async {
            let bucket = self.transfer_store(store).await?;
            let mut object = bucket.get(name).await.map_err(|e| failed(store, name, e))?;
            let held = summary(object.info());
            // Written beside the target and moved over it only when whole and checked:
            // a failure, a quit or a signal mid-save (the temporary file goes when
            // dropped) leaves the target as it was.
            if !overwrite && path.exists() {
                let exists = std::io::Error::from(std::io::ErrorKind::AlreadyExists);
                return Err(file_failed(path, exists));
            }
            let dir = match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir,
                _ => Path::new("."),
            };
            let temp = tempfile::Builder::new()
                .prefix(".jetdeck-save-")
                .suffix(".part")
                .tempfile_in(dir)
                .map_err(|e| file_failed(path, e))?;
            let reopened = temp.reopen().map_err(|e| file_failed(path, e))?;
            let mut file = tokio::fs::File::from_std(reopened);
            let total = held.size as u64;
            let copied = copy(&mut object, &mut file, |done| progress(done, total)).await;
            match copied {
                Ok(n) if n == total => file.sync_all().await.map_err(|e| file_failed(path, e))?,
                Ok(n) => {
                    let short = format!("saved {n} bytes, the object has {total}");
                    return Err(failed(store, name, short));
                }
                Err(e) => return Err(failed(store, name, format!("{e}: nothing saved"))),
            }
            drop(file);
            let persisted = if overwrite {
                temp.persist(path)
            } else {
                // Never over a file that appeared meanwhile, unasked.
                temp.persist_noclobber(path)
            };
            persisted.map_err(|e| file_failed(path, e.error))?;
            Ok(held)
        })
        .await
    }

    /// Puts the file at `path` into `store` as `name` (replacing an object of that name),
    /// calling `progress` with the bytes sent so far, then reads its info back from the
    /// server: what is returned is what the server holds.
    pub async fn put_object_with_progress(
        &self,
        store: &str,
        name: &str,
        path: &Path,
        progress: impl FnMut(u64) + Send + Unpin,
    ) -> Result<ObjectSummary, ObjectError> {
        self.object_call(store, async {
            let bucket = self.transfer_store(store).await?;
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| file_failed(path, e))?;
            let mut counted = Counted {
                inner: file,
                done: 0,
                progress,
            };
            let meta = ObjectMetadata {
                name: name.to_string(),
                ..Default::default()
            };
            let put = bucket
                .put(meta, &mut counted)
                .await
                .map_err(|e| failed(store, name, e))?;
            let stored = bucket
                .info(name)
                .await
                .map_err(|e| failed(store, name, e))?;
            if stored.digest != put.digest || stored.size != put.size {
                return Err(failed(
                    store,
                    name,
                    "the server holds something else than was put",
                ));
            }
            Ok(summary(&stored))
        })
        .await
    }

    async fn transfer_store(&self, store: &str) -> Result<ObjectStore, ObjectError> {
        self.transfer_js()?
            .get_object_store(store)
            .await
            .map_err(|e| ObjectError::Store {
                store: store.to_string(),
                reason: e.to_string(),
            })
    }

    fn transfer_js(&self) -> Result<async_nats::jetstream::Context, ObjectError> {
        self.open_connection()
            .map(|c| c.js.clone())
            .ok_or(ObjectError::NotConnected)
    }
}

/// Copies `from` into `to`, telling `progress` the bytes written so far after each write.
async fn copy(
    from: &mut (impl AsyncRead + Unpin),
    to: &mut tokio::fs::File,
    mut progress: impl FnMut(u64),
) -> std::io::Result<u64> {
    let mut buffer = vec![0u8; SAVE_BUFFER];
    let mut done = 0u64;
    loop {
        let n = from.read(&mut buffer).await?;
        if n == 0 {
            to.flush().await?;
            return Ok(done);
        }
        to.write_all(&buffer[..n]).await?;
        done += n as u64;
        progress(done);
    }
}

/// A reader that counts what passes through it, for the put's progress.
struct Counted<R, F> {
    inner: R,
    done: u64,
    progress: F,
}

impl<R: AsyncRead + Unpin, F: FnMut(u64) + Unpin> AsyncRead for Counted<R, F> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        let read = buf.filled().len() - before;
        if read > 0 {
            this.done += read as u64;
            (this.progress)(this.done);
        }
        polled
    }
}
