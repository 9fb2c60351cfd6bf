//! The `nats kv`, `nats object` and `nats sub` commands for the key-value, object-store
//! and tail views (natscli's cli/kv_command.go, object_command.go, sub_command.go).

use super::{Equivalent, quote, words};
use crate::broker::NewBucket;
use crate::console::app::{KeyChange, KeyChangeOp};

/// `args` as natscli's positionals: after `--` when one begins with `-`, which its
/// parser would take for a flag.
fn positionals(w: &mut Vec<String>, args: Vec<String>) {
    if args.iter().any(|a| a.starts_with('-')) {
        w.push("--".into());
    }
    w.extend(args);
}

/// A key change as the view asks it: `update` (with the expected revision) for puts and
/// reverts, `create` for a new key, `del` / `purge` for the rest.
pub fn key_change(change: &KeyChange) -> Equivalent {
    let (bucket, key) = (quote(&change.bucket), quote(&change.key));
    let text = |value: &bytes::Bytes| std::str::from_utf8(value).map(quote);
    let mut w = words(&["nats", "kv"]);
    match &change.op {
        KeyChangeOp::Put(value) | KeyChangeOp::Revert { value, .. } => {
            let Ok(value) = text(value) else {
                return binary(&change.bucket, &change.key);
            };
            w.push("update".into());
            positionals(
                &mut w,
                vec![bucket, key, value, change.expected.to_string()],
            );
        }
        KeyChangeOp::Create(value) => {
            let Ok(value) = text(value) else {
                return binary(&change.bucket, &change.key);
            };
            w.push("create".into());
            positionals(&mut w, vec![bucket, key, value]);
        }
        KeyChangeOp::Delete | KeyChangeOp::Purge => {
            let verb = if change.op == KeyChangeOp::Delete {
                "del"
            } else {
                "purge"
            };
            w.extend([verb.into(), "-f".into()]);
            positionals(&mut w, vec![bucket, key]);
            return Equivalent::with_caveat(
                w,
                "natscli deletes without checking the revision; jetdeck expects the one it read",
            );
        }
    }
    Equivalent::exact(w)
}

/// A binary value cannot go on a command line: natscli reads it from stdin.
fn binary(bucket: &str, key: &str) -> Equivalent {
    let mut w = words(&["nats", "kv", "put"]);
    w.extend([quote(bucket), quote(key), "<".into(), "FILE".into()]);
    Equivalent::with_caveat(
        w,
        "the value is binary: natscli reads it from stdin, and put does not check the revision",
    )
}

/// A key's view: its history.
pub fn key_history(bucket: &str, key: &str) -> Equivalent {
    let mut w = words(&["nats", "kv", "history"]);
    w.extend([quote(bucket), quote(key)]);
    Equivalent::exact(w)
}

/// The keys view (`nats kv ls BUCKET`), or the buckets (`nats kv ls`).
pub fn kv_list(bucket: Option<&str>) -> Equivalent {
    let mut w = words(&["nats", "kv", "ls"]);
    w.extend(bucket.map(quote));
    Equivalent::exact(w)
}

/// Creating a bucket with the settings shown.
pub fn add_bucket(new: &NewBucket) -> Equivalent {
    let mut w = words(&["nats", "kv", "add"]);
    w.push(quote(&new.name));
    w.push(format!("--history={}", new.history));
    if !new.ttl.is_zero() {
        w.push(format!("--ttl={}s", new.ttl.as_secs()));
    }
    let storage = match new.storage {
        async_nats::jetstream::stream::StorageType::File => "file",
        async_nats::jetstream::stream::StorageType::Memory => "memory",
    };
    w.push(format!("--storage={storage}"));
    w.push(format!("--replicas={}", new.replicas));
    Equivalent::exact(w)
}

/// The object stores (`nats object ls`), or a store's objects.
pub fn object_list(store: Option<&str>) -> Equivalent {
    let mut w = words(&["nats", "object", "ls"]);
    w.extend(store.map(quote));
    Equivalent::exact(w)
}

pub fn object_delete(store: &str, name: &str) -> Equivalent {
    let mut w = words(&["nats", "object", "rm"]);
    w.extend([quote(store), quote(name), "-f".into()]);
    Equivalent::exact(w)
}

pub fn object_put(store: &str, path: &str, name: &str) -> Equivalent {
    let mut w = words(&["nats", "object", "put"]);
    w.extend([
        quote(store),
        quote(path),
        format!("--name={}", quote(name)),
        "-f".into(),
    ]);
    Equivalent::exact(w)
}

pub fn object_get(store: &str, name: &str, path: &str) -> Equivalent {
    let mut w = words(&["nats", "object", "get"]);
    w.extend([
        quote(store),
        quote(name),
        format!("--output={}", quote(path)),
        "-f".into(),
    ]);
    Equivalent::exact(w)
}

/// The tail: a core subscription.
pub fn subscribe(subject: &str) -> Equivalent {
    let mut w = words(&["nats", "sub"]);
    w.push(quote(subject));
    Equivalent::exact(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(op: KeyChangeOp) -> KeyChange {
        KeyChange {
            bucket: "config".into(),
            key: "app.theme".into(),
            op,
            expected: 7,
        }
    }

    #[test]
    fn key_changes_are_natscli_kv_commands_with_the_revision_where_it_checks_one() {
        let put = key_change(&change(KeyChangeOp::Put("dark mode".into())));
        assert_eq!(put.command, "nats kv update config app.theme 'dark mode' 7");
        assert_eq!(put.caveat, None);
        let create = key_change(&change(KeyChangeOp::Create("x".into())));
        assert_eq!(create.command, "nats kv create config app.theme x");
        let del = key_change(&change(KeyChangeOp::Delete));
        assert_eq!(del.command, "nats kv del -f config app.theme");
        assert!(del.caveat.is_some());
        let purge = key_change(&change(KeyChangeOp::Purge));
        assert_eq!(purge.command, "nats kv purge -f config app.theme");
        let dash = key_change(&change(KeyChangeOp::Put("-1".into())));
        assert_eq!(dash.command, "nats kv update -- config app.theme -1 7");
        let binary = key_change(&change(KeyChangeOp::Put(vec![0xff, 0].into())));
        assert_eq!(binary.command, "nats kv put config app.theme < FILE");
        assert!(binary.caveat.unwrap().contains("binary"));
    }

    #[test]
    fn objects_and_the_tail_have_their_commands() {
        assert_eq!(
            object_put("assets", "/tmp/a b.txt", "a b.txt").command,
            "nats object put assets '/tmp/a b.txt' --name='a b.txt' -f"
        );
        assert_eq!(
            object_get("assets", "logo.svg", "./logo.svg").command,
            "nats object get assets logo.svg --output=./logo.svg -f"
        );
        assert_eq!(
            object_delete("assets", "logo.svg").command,
            "nats object rm assets logo.svg -f"
        );
        assert_eq!(subscribe("orders.>").command, "nats sub 'orders.>'");
        assert_eq!(kv_list(None).command, "nats kv ls");
        assert_eq!(object_list(Some("assets")).command, "nats object ls assets");
    }
}
