//! Old and new config, field by field, as `nats stream edit --dry-run` shows them: each
//! field named as the server names it (`max_age`), its values in an operator's units
//! (`1h`, `1 GiB`, `unlimited`). Pure: any config that serialises to a JSON object.

use serde::Serialize;
use serde_json::{Map, Value};

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub old: String,
    pub new: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} -> {}", self.field, self.old, self.new)
    }
}

/// Fields in the order the forms show them; any other follows, alphabetically.
const ORDER: &[&str] = &[
    "name",
    "durable_name",
    "description",
    "subjects",
    "retention",
    "storage",
    "num_replicas",
    "max_msgs",
    "max_bytes",
    "max_age",
    "max_msg_size",
    "discard",
    "duplicate_window",
    "allow_direct",
    "deliver_subject",
    "filter_subject",
    "filter_subjects",
    "deliver_policy",
    "opt_start_seq",
    "opt_start_time",
    "ack_policy",
    "ack_wait",
    "max_deliver",
    "backoff",
    "max_ack_pending",
    "max_waiting",
    "inactive_threshold",
];

/// Fields in nanoseconds.
const DURATIONS: &[&str] = &[
    "max_age",
    "duplicate_window",
    "ack_wait",
    "backoff",
    "inactive_threshold",
    "idle_heartbeat",
    "max_expires",
    "subject_delete_marker_ttl",
    "priority_timeout",
];

/// Limits where -1 (or 0 for an age) means none.
const LIMITS: &[&str] = &[
    "max_msgs",
    "max_bytes",
    "max_msg_size",
    "max_age",
    "max_consumers",
    "max_msgs_per_subject",
    "max_deliver",
    "max_ack_pending",
];

/// Fields a create summary shows even at their zero value.
const ALWAYS: &[&str] = &[
    "name",
    "durable_name",
    "subjects",
    "retention",
    "storage",
    "num_replicas",
    "max_msgs",
    "max_bytes",
    "max_age",
    "discard",
    "deliver_policy",
    "ack_policy",
    "max_deliver",
];

/// The fields that differ between `old` and `new`, in form order. A field missing on one
/// side counts as the other side's zero (a config leaves out its defaults); lists of
/// subjects compare in any order; the server's own `_nats.` metadata is left out.
pub fn diff<T: Serialize>(old: &T, new: &T) -> Vec<Change> {
    let (old, new) = (fields(old), fields(new));
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort_by_key(|k| rank(k));
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let a = old.get(key).cloned();
            let b = new.get(key).cloned();
            let (a, b) = match (a, b) {
                (Some(a), Some(b)) => (a, b),
                (Some(a), None) => (a.clone(), zero_like(&a)),
                (None, Some(b)) => (zero_like(&b), b),
                (None, None) => return None,
            };
            (a != b).then(|| Change {
                field: key.clone(),
                old: show(key, &a),
                new: show(key, &b),
            })
        })
        .collect()
}

/// Every field worth showing of a config about to be created, in form order: the usual
/// ones always, any other when it is set.
pub fn summary<T: Serialize>(config: &T) -> Vec<(String, String)> {
    let fields = fields(config);
    let mut keys: Vec<&String> = fields.keys().collect();
    keys.sort_by_key(|k| rank(k));
    keys.into_iter()
        .filter(|k| ALWAYS.contains(&k.as_str()) || !is_zero(&fields[*k]))
        .map(|k| (k.clone(), show(k, &fields[k])))
        .collect()
}

/// The fields `config` sets (not at their zero value), for telling what an operator asked
/// for from the defaults the server fills in.
pub fn set_fields<T: Serialize>(config: &T) -> Vec<String> {
    fields(config)
        .into_iter()
        .filter(|(_, v)| !is_zero(v))
        .map(|(k, _)| k)
        .collect()
}

/// The value of `field` in `config`, as `diff` shows it ("-" when it is not set).
pub fn value_of<T: Serialize>(config: &T, field: &str) -> String {
    fields(config)
        .get(field)
        .map_or_else(|| "-".to_string(), |v| show(field, v))
}

fn rank(key: &str) -> (usize, String) {
    let at = ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len());
    (at, key.to_string())
}

fn fields<T: Serialize>(config: &T) -> Map<String, Value> {
    let mut map = match serde_json::to_value(config) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for key in ["subjects", "filter_subjects"] {
        if let Some(Value::Array(list)) = map.get_mut(key) {
            list.sort_by_key(|v| v.to_string());
        }
    }
    if let Some(Value::Object(meta)) = map.get_mut("metadata") {
        meta.retain(|k, _| !k.starts_with("_nats."));
    }
    map.retain(|_, v| !v.is_null());
    map
}

fn zero_like(v: &Value) -> Value {
    match v {
        Value::Bool(_) => Value::Bool(false),
        Value::Number(_) => Value::from(0),
        Value::String(_) => Value::String(String::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Object(_) => Value::Object(Map::new()),
        Value::Null => Value::Null,
    }
}

fn is_zero(v: &Value) -> bool {
    *v == zero_like(v)
}

fn show(key: &str, v: &Value) -> String {
    match v {
        Value::Number(n) => {
            let n = n.as_i64().unwrap_or(i64::MAX);
            if LIMITS.contains(&key) && (n < 0 || (n == 0 && key == "max_age")) {
                "unlimited".to_string()
            } else if DURATIONS.contains(&key) {
                nanos(n)
            } else if matches!(key, "max_bytes" | "max_msg_size") && n >= 1024 {
                let human = bytesize::ByteSize(n as u64).display().iec().to_string();
                format!("{n} ({human})")
            } else {
                n.to_string()
            }
        }
        Value::String(s) if s.is_empty() => "\"\"".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(list) if list.is_empty() => "none".to_string(),
        Value::Array(list) => list
            .iter()
            .map(|item| show(key, item))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn nanos(n: i64) -> String {
    let d = std::time::Duration::from_nanos(n.max(0) as u64);
    if d.is_zero() {
        "0s".to_string()
    } else {
        humantime::format_duration(d).to_string().replace(' ', "")
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use async_nats::jetstream::{consumer, stream};

    use super::*;

    fn orders() -> stream::Config {
        stream::Config {
            name: "ORDERS".into(),
            subjects: vec!["orders.>".into(), "refunds.>".into()],
            max_messages: -1,
            max_bytes: -1,
            max_age: Duration::from_secs(3600),
            max_message_size: -1,
            duplicate_window: Duration::from_secs(120),
            num_replicas: 1,
            ..Default::default()
        }
    }

    fn changed(c: &[Change]) -> Vec<String> {
        c.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_stream_diff_names_exactly_the_changed_fields() {
        type Edit = fn(&mut stream::Config);
        let table: [(Edit, &[&str]); 7] = [
            (|_| {}, &[]),
            (
                |c| c.max_age = Duration::from_secs(7200),
                &["max_age 1h -> 2h"],
            ),
            (
                |c| c.subjects.reverse(),
                &[], // the order of subjects is no change
            ),
            (
                |c| c.max_bytes = 1 << 30,
                &["max_bytes unlimited -> 1073741824 (1.0 GiB)"],
            ),
            (
                |c| {
                    c.allow_direct = true;
                    c.discard = stream::DiscardPolicy::New;
                },
                &["discard old -> new", "allow_direct false -> true"],
            ),
            (|c| c.max_age = Duration::ZERO, &["max_age 1h -> unlimited"]),
            (
                |c| c.subjects = vec!["orders.>".into()],
                &["subjects orders.>, refunds.> -> orders.>"],
            ),
        ];
        for (edit, want) in table {
            let mut new = orders();
            edit(&mut new);
            assert_eq!(changed(&diff(&orders(), &new)), want);
        }
    }

    #[test]
    fn a_consumer_diff_reads_in_operator_units() {
        let old = consumer::Config {
            durable_name: Some("billing".into()),
            ack_wait: Duration::from_secs(30),
            max_deliver: -1,
            ..Default::default()
        };
        let new = consumer::Config {
            ack_wait: Duration::from_secs(90),
            max_deliver: 5,
            backoff: vec![Duration::from_secs(1), Duration::from_millis(1500)],
            filter_subject: "orders.eu".into(),
            ..old.clone()
        };
        assert_eq!(
            changed(&diff(&old, &new)),
            [
                "filter_subject \"\" -> orders.eu",
                "ack_wait 30s -> 1m30s",
                "max_deliver unlimited -> 5",
                "backoff none -> 1s, 1s500ms",
            ]
        );
    }

    #[test]
    fn the_servers_own_metadata_is_no_change() {
        let mut new = orders();
        new.metadata.insert("_nats.ver".into(), "2.12.0".into());
        assert!(diff(&orders(), &new).is_empty());
        new.metadata.insert("team".into(), "billing".into());
        assert_eq!(diff(&orders(), &new).len(), 1);
    }

    #[test]
    fn a_summary_shows_the_usual_fields_and_what_is_set() {
        let s = summary(&orders());
        let keys: Vec<&str> = s.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys[..8],
            [
                "name",
                "subjects",
                "retention",
                "storage",
                "num_replicas",
                "max_msgs",
                "max_bytes",
                "max_age"
            ]
        );
        assert!(s.contains(&("max_age".into(), "1h".into())));
        assert!(s.contains(&("max_msgs".into(), "unlimited".into())));
        assert_eq!(value_of(&orders(), "duplicate_window"), "2m");
    }
}
