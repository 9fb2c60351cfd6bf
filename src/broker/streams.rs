//! Streams created on first use, and remembered so that a publish asks the server nothing
//! once its stream is known to cover the topic.

use std::collections::HashMap;
use std::sync::Mutex;

use async_nats::jetstream::stream;

use super::api::Api;
use super::error::{ApiErrorKind, StreamError};
use super::naming::{stream_name_for_topic, stream_subjects_for_topic, subject_matches};

/// What `ensure` found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamStatus {
    pub name: String,
    pub subjects: Vec<String>,
    /// True when this call created the stream.
    pub created: bool,
}

pub(crate) struct StreamRegistry {
    template: Option<stream::Config>,
    /// Stream name -> its subjects, for streams seen on the server.
    known: Mutex<HashMap<String, Vec<String>>>,
    /// Serialises the slow path, so concurrent first publishes make one stream.
    creating: tokio::sync::Mutex<()>,
}

fn covers(subjects: &[String], topic: &str) -> bool {
    subjects.iter().any(|s| subject_matches(s, topic))
}

impl StreamRegistry {
    pub(crate) fn new(template: Option<stream::Config>) -> Self {
        Self {
            template,
            known: Mutex::new(HashMap::new()),
            creating: tokio::sync::Mutex::new(()),
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<String>>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stream for `topic` if it is known to cover it, without a server call.
    pub(crate) fn cached(&self, topic: &str) -> Option<String> {
        let name = stream_name_for_topic(topic);
        let known = self.known();
        known
            .get(&name)
            .filter(|subjects| covers(subjects, topic))
            .map(|_| name)
    }

    /// Forgets a stream (it was deleted, or a publish found no one listening).
    pub(crate) fn forget(&self, stream: &str) {
        self.known().remove(stream);
    }

    /// Makes sure the stream for `topic` exists and covers it, creating it if missing.
    pub(crate) async fn ensure(&self, api: &Api, topic: &str) -> Result<StreamStatus, StreamError> {
        let name = stream_name_for_topic(topic);
        if let Some(subjects) = self.known().get(&name).filter(|s| covers(s, topic)) {
            return Ok(StreamStatus {
                name,
                subjects: subjects.clone(),
                created: false,
            });
        }
        let _one_at_a_time = self.creating.lock().await;
        let api_err = |source| StreamError::Api {
            stream: name.clone(),
            source,
        };
        let (subjects, created) = match api.stream_info(&name).await {
            Ok(info) => (info.config.subjects, false),
            Err(e) if e.kind() == ApiErrorKind::StreamNotFound => {
                match api.create_stream(&self.config_for(&name, topic)).await {
                    Ok(info) => {
                        tracing::info!(stream = %name, subjects = ?info.config.subjects, "created stream");
                        (info.config.subjects, true)
                    }
                    Err(e) if e.kind() == ApiErrorKind::SubjectOverlap => {
                        let owner = api
                            .stream_names(Some(topic))
                            .await
                            .ok()
                            .and_then(|names| names.into_iter().next())
                            .unwrap_or_else(|| "another stream".to_string());
                        return Err(StreamError::SubjectsOwned {
                            stream: name,
                            topic: topic.to_string(),
                            subjects: stream_subjects_for_topic(topic),
                            owner,
                        });
                    }
                    Err(e) => return Err(api_err(e)),
                }
            }
            Err(e) => return Err(api_err(e)),
        };
        self.known().insert(name.clone(), subjects.clone());
        if !covers(&subjects, topic) {
            return Err(StreamError::NotCovering {
                stream: name,
                subjects,
                topic: topic.to_string(),
            });
        }
        Ok(StreamStatus {
            name,
            subjects,
            created,
        })
    }

    fn config_for(&self, name: &str, topic: &str) -> stream::Config {
        config_for(self.template.as_ref(), name, topic)
    }
}

/// The config of a stream created on first use: the template (or WorkQueue retention and
/// file storage) with the broker's name and subjects for `topic`.
pub(crate) fn config_for(
    template: Option<&stream::Config>,
    name: &str,
    topic: &str,
) -> stream::Config {
    let base = template.cloned().unwrap_or_else(|| stream::Config {
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        ..Default::default()
    });
    stream::Config {
        name: name.to_string(),
        subjects: stream_subjects_for_topic(topic),
        ..base
    }
}
