//! Which `nats` command an overlay's preview stands for (see `console::nats_cli`): shown
//! under the preview, and copied with `Y`.

use super::config_preview::ConfigPlan;
use super::{Confirm, Overlay};
use crate::console::app::OpPlan;
use crate::console::nats_cli::{self, Equivalent};

/// The equivalent of what `overlay` previews or shows; None where there is none.
pub fn of(overlay: &Overlay) -> Option<Equivalent> {
    match overlay {
        Overlay::StreamDetail { stream, .. } => Some(nats_cli::stream_info(stream)),
        Overlay::ConsumerDetail {
            stream, consumer, ..
        } => Some(nats_cli::consumer_info(stream, consumer)),
        Overlay::Publish(form) => {
            let headers = super::publish::parse_headers(form.headers.value()).ok()?;
            let count = form.count.value().trim().parse().unwrap_or(1);
            Some(nats_cli::publish(
                form.subject.value(),
                headers.iter(),
                form.body.value(),
                count,
            ))
        }
        Overlay::Confirm(confirm) => of_confirm(confirm),
        Overlay::ConfigPreview(preview) => Some(of_config(&preview.plan)),
        _ => of_stores(overlay),
    }
}

/// Whether the equivalent is drawn above the hint bar, on the status line: for previews
/// and details, and the store views' questions; not for the store views themselves,
/// whose results ("done: …") the status line must show (`Y` still copies theirs).
pub fn drawn(overlay: &Overlay) -> bool {
    match overlay {
        Overlay::Buckets(b) => b.asking.is_some(),
        Overlay::Key(k) => k.asking.is_some(),
        Overlay::Objects(o) => o.asking.is_some(),
        Overlay::Keys(_) | Overlay::Tail(_) | Overlay::ObjectStores(_) => false,
        _ => true,
    }
}

/// The key-value, object-store and tail views: what they ask, or what they show.
fn of_stores(overlay: &Overlay) -> Option<Equivalent> {
    use super::objects::ObjectAsk;
    Some(match overlay {
        Overlay::Buckets(b) => match &b.asking {
            Some(new) => nats_cli::add_bucket(new),
            None => nats_cli::kv_list(None),
        },
        Overlay::Keys(k) => nats_cli::kv_list(Some(&k.bucket)),
        Overlay::Key(k) => match &k.asking {
            Some(change) => nats_cli::key_change(change),
            None => nats_cli::key_history(&k.bucket, &k.key),
        },
        Overlay::KeyForm(f) => nats_cli::key_change(f.asking.as_ref()?),
        Overlay::Tail(t) => nats_cli::subscribe(&t.subject),
        Overlay::ObjectStores(_) => nats_cli::object_list(None),
        Overlay::Objects(o) => match &o.asking {
            Some(ObjectAsk::Delete { name, .. }) => nats_cli::object_delete(&o.store, name),
            Some(ObjectAsk::Put { path, name, .. }) => {
                nats_cli::object_put(&o.store, &path.display().to_string(), name)
            }
            Some(ObjectAsk::Overwrite { name, path }) => nats_cli::object_get(&o.store, name, path),
            None => nats_cli::object_list(Some(&o.store)),
        },
        _ => return None,
    })
}

fn of_confirm(confirm: &Confirm) -> Option<Equivalent> {
    match confirm {
        Confirm::DeleteConsumer {
            stream, consumer, ..
        } => Some(nats_cli::delete_consumer(stream, consumer)),
        Confirm::Operate(plan) => Some(of_plan(plan)),
        Confirm::DeleteMessage(d) => Some(nats_cli::delete_message(&d.stream, d.sequence, false)),
        Confirm::DeadLetters(plan) => {
            let stream = plan.letters.first()?.stream.clone();
            let sequences: Vec<u64> = plan.letters.iter().map(|l| l.sequence).collect();
            Some(nats_cli::dead_letters(&plan.op, &stream, &sequences))
        }
        Confirm::CreateStream(_) | Confirm::CreateCapture | Confirm::Overwrite { .. } => None,
    }
}

fn of_plan(plan: &OpPlan) -> Equivalent {
    match plan {
        OpPlan::Purge { stream, scope, .. } => nats_cli::purge(stream, scope),
        OpPlan::Pause {
            stream,
            consumer,
            until,
        } => nats_cli::pause(stream, consumer, *until),
        OpPlan::Resume {
            stream, consumer, ..
        } => nats_cli::resume(stream, consumer),
        OpPlan::Reset {
            stream,
            consumer,
            target,
            sequence,
            ..
        } => nats_cli::reset(stream, consumer, target, *sequence),
    }
}

fn of_config(plan: &ConfigPlan) -> Equivalent {
    let consumer_name = |c: &async_nats::jetstream::consumer::Config| {
        c.durable_name
            .clone()
            .or(c.name.clone())
            .unwrap_or_default()
    };
    match plan {
        ConfigPlan::CreateStream(config) => nats_cli::stream_config(&config.name, true),
        ConfigPlan::UpdateStream { new, .. } => nats_cli::stream_config(&new.name, false),
        ConfigPlan::CreateConsumer { stream, config } => {
            nats_cli::consumer_config(stream, &consumer_name(config), true)
        }
        ConfigPlan::UpdateConsumer { stream, new, .. } => {
            nats_cli::consumer_config(stream, &consumer_name(new), false)
        }
    }
}
