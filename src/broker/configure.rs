//! Changing a stream's or a consumer's config: `STREAM.UPDATE`, and `CONSUMER.CREATE`
//! with the action the operator meant (create refuses an existing consumer, update a
//! missing one), so an edit never creates and a create never overwrites.

use async_nats::jetstream::{consumer, stream};
use serde::Serialize;

use super::Broker;
use super::api::Api;
use super::error::ApiError;

/// What a consumer request may do on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumerAction {
    /// Make a new consumer; refused when one of that name exists.
    Create,
    /// Change an existing consumer; refused when it does not exist.
    Update,
}

impl ConsumerAction {
    fn wire(self) -> &'static str {
        match self {
            ConsumerAction::Create => "create",
            ConsumerAction::Update => "update",
        }
    }
}

#[derive(Serialize)]
struct ConsumerRequest<'a> {
    stream_name: &'a str,
    config: &'a consumer::Config,
    action: &'static str,
}

impl Api {
    /// `$JS.API.STREAM.UPDATE.<name>` with the whole new config.
    pub(crate) async fn update_stream(
        &self,
        config: &stream::Config,
    ) -> Result<stream::Info, ApiError> {
        self.request(format!("STREAM.UPDATE.{}", config.name), config)
            .await
    }

    /// `$JS.API.CONSUMER.CREATE.<stream>.<name>` with `action`.
    pub(crate) async fn put_consumer(
        &self,
        stream: &str,
        config: &consumer::Config,
        action: ConsumerAction,
    ) -> Result<consumer::Info, ApiError> {
        let name = config
            .durable_name
            .as_deref()
            .or(config.name.as_deref())
            .unwrap_or_default();
        self.request(
            format!("CONSUMER.CREATE.{stream}.{name}"),
            &ConsumerRequest {
                stream_name: stream,
                config,
                action: action.wire(),
            },
        )
        .await
    }
}

impl Broker {
    /// Replaces a stream's config (the server refuses what it cannot change, in words).
    pub async fn update_stream(&self, config: &stream::Config) -> Result<stream::Info, ApiError> {
        let conn = self.connection().ok_or(ApiError::NotConnected)?;
        // Its subjects may change: the first-use cache learns them again.
        conn.streams.forget(&config.name);
        conn.api.update_stream(config).await
    }

    /// Creates a durable consumer, or updates an existing one, as `action` says.
    pub async fn put_consumer(
        &self,
        stream: &str,
        config: &consumer::Config,
        action: ConsumerAction,
    ) -> Result<consumer::Info, ApiError> {
        self.api()?.put_consumer(stream, config, action).await
    }
}
