//! Applies a confirmed config form: create or update, then the config read back with an
//! INFO request, so the status line says what the server holds, not what was asked. An
//! edit first checks that the config is still the one the form was filled from: a change
//! made meanwhile by someone else is not overwritten blind.

use async_nats::jetstream::{consumer, stream};

use super::Reply;
use crate::broker::{Broker, ConsumerAction};
use crate::console::app::config_diff::diff;
use crate::console::app::{Action, ServerConfig};
use crate::console::error::ActionError;
use crate::console::overlays::config_preview::{ConfigPlan, consumer_name};

pub(crate) async fn apply(broker: Broker, reply: Reply, plan: ConfigPlan) {
    let result = match &plan {
        ConfigPlan::CreateStream(config) => create_stream(&broker, config).await,
        ConfigPlan::UpdateStream { old, new } => update_stream(&broker, old, new).await,
        ConfigPlan::CreateConsumer { stream, config } => {
            put_consumer(&broker, stream, config, ConsumerAction::Create).await
        }
        ConfigPlan::UpdateConsumer { stream, old, new } => {
            update_consumer(&broker, stream, old, new).await
        }
    };
    match &result {
        Ok(_) => tracing::info!(what = %plan.what(), edit = plan.is_edit(), "config applied"),
        Err(e) => tracing::warn!(what = %plan.what(), error = %e, "config refused"),
    }
    reply.send(Action::Configured {
        plan: Box::new(plan),
        result,
    });
}

async fn create_stream(
    broker: &Broker,
    config: &stream::Config,
) -> Result<ServerConfig, ActionError> {
    broker.create_stream(config).await?;
    let held = broker.stream_info(&config.name).await?.config;
    Ok(ServerConfig::Stream(Box::new(held)))
}

/// Refuses (nothing sent) when the server's config moved since the form was filled.
fn unchanged_since<T: serde::Serialize>(what: &str, old: &T, now: &T) -> Result<(), ActionError> {
    let moved = diff(old, now);
    if moved.is_empty() {
        return Ok(());
    }
    let moved: Vec<String> = moved.iter().map(ToString::to_string).collect();
    Err(ActionError::Other(format!(
        "{what} changed on the server since the form was filled ({}); nothing sent: open the form again",
        moved.join(", ")
    )))
}

async fn update_stream(
    broker: &Broker,
    old: &stream::Config,
    new: &stream::Config,
) -> Result<ServerConfig, ActionError> {
    let now = broker.stream_info(&new.name).await?.config;
    unchanged_since(&format!("stream {}", new.name), old, &now)?;
    let mut new = new.clone();
    // The server writes its own `_nats.` metadata; sending it back is not the operator's.
    new.metadata.retain(|k, _| !k.starts_with("_nats."));
    broker.update_stream(&new).await?;
    let held = broker.stream_info(&new.name).await?.config;
    Ok(ServerConfig::Stream(Box::new(held)))
}

async fn put_consumer(
    broker: &Broker,
    stream: &str,
    config: &consumer::Config,
    action: ConsumerAction,
) -> Result<ServerConfig, ActionError> {
    let mut config = config.clone();
    config.metadata.retain(|k, _| !k.starts_with("_nats."));
    broker.put_consumer(stream, &config, action).await?;
    let held = broker
        .consumer_info(stream, &consumer_name(&config))
        .await?
        .config;
    Ok(ServerConfig::Consumer(Box::new(held)))
}

async fn update_consumer(
    broker: &Broker,
    stream: &str,
    old: &consumer::Config,
    new: &consumer::Config,
) -> Result<ServerConfig, ActionError> {
    let name = consumer_name(new);
    let now = broker.consumer_info(stream, &name).await?.config;
    unchanged_since(&format!("consumer {name} of {stream}"), old, &now)?;
    put_consumer(broker, stream, new, ConsumerAction::Update).await
}
