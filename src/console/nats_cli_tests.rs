use std::time::{Duration, UNIX_EPOCH};

use super::*;

#[test]
fn quoting_leaves_names_and_quotes_wildcards_spaces_and_quotes() {
    assert_eq!(quote("ORDERS"), "ORDERS");
    assert_eq!(quote("orders.billing"), "orders.billing");
    assert_eq!(quote("orders.>"), "'orders.>'");
    assert_eq!(quote("orders.*.eu"), "'orders.*.eu'");
    assert_eq!(quote("hello world"), "'hello world'");
    assert_eq!(quote("it's"), r"'it'\''s'");
    assert_eq!(quote(""), "''");
}

#[test]
fn purge_uses_natscli_flags_for_each_scope() {
    let cases = [
        (PurgeScope::All, "nats stream purge ORDERS -f"),
        (
            PurgeScope::Subject("orders.billing".into()),
            "nats stream purge ORDERS --subject orders.billing -f",
        ),
        (
            PurgeScope::Subject("orders.>".into()),
            "nats stream purge ORDERS --subject 'orders.>' -f",
        ),
        (
            PurgeScope::KeepNewest(10),
            "nats stream purge ORDERS --keep=10 -f",
        ),
        (
            PurgeScope::BelowSequence(500),
            "nats stream purge ORDERS --seq=500 -f",
        ),
    ];
    for (scope, want) in cases {
        assert_eq!(
            purge("ORDERS", &scope),
            Equivalent::exact(vec![want.into()])
        );
    }
}

#[test]
fn deletes() {
    assert_eq!(
        delete_consumer("ORDERS", "work").command,
        "nats consumer rm ORDERS work -f"
    );
    assert_eq!(delete_stream("ORDERS").command, "nats stream rm ORDERS -f");
    let erase = delete_message("ORDERS", 42, true);
    assert_eq!(erase.command, "nats stream rmm ORDERS 42 -f");
    assert_eq!(erase.caveat, None);
    let plain = delete_message("ORDERS", 42, false);
    assert_eq!(plain.command, "nats stream rmm ORDERS 42 -f");
    assert!(plain.caveat.unwrap().contains("always erases"));
}

#[test]
fn pause_gives_the_time_as_natscli_parses_it_in_utc() {
    // 2026-11-27 14:00:00 UTC.
    let until = UNIX_EPOCH + Duration::from_secs(1_795_788_000);
    assert_eq!(
        pause("ORDERS", "work", until).command,
        "nats consumer pause ORDERS work '2026-11-27 14:00:00' -f"
    );
    assert_eq!(
        resume("ORDERS", "work").command,
        "nats consumer resume ORDERS work -f"
    );
}

#[test]
fn reset_to_a_sequence_a_time_or_the_ack_floor() {
    assert_eq!(
        reset("ORDERS", "work", &ResetTarget::AckFloor, 7).command,
        "nats consumer reset ORDERS work -f"
    );
    let seq = reset("ORDERS", "work", &ResetTarget::Sequence(100), 100);
    assert_eq!(
        seq.command,
        "nats consumer reset ORDERS work --sequence=100 -f"
    );
    assert_eq!(seq.caveat, None);
    let time = reset("ORDERS", "work", &ResetTarget::Time(UNIX_EPOCH), 55);
    assert_eq!(
        time.command,
        "nats consumer reset ORDERS work --sequence=55 -f"
    );
    assert!(time.caveat.is_some());
}

#[test]
fn publish_with_headers_count_and_templates() {
    let plain = publish("orders.new", [("Trace", "abc")], "hello world", 1);
    assert_eq!(
        plain.command,
        "nats pub --jetstream orders.new 'hello world' -H Trace:abc"
    );
    assert_eq!(plain.caveat, None);
    let templated = publish("orders.new", [], "order {n}", 5);
    assert_eq!(
        templated.command,
        "nats pub --jetstream orders.new 'order {n}' --count=5"
    );
    assert!(templated.caveat.unwrap().contains("{{.Count}}"));
}

#[test]
fn config_create_and_edit_read_a_json_file() {
    assert_eq!(
        stream_config("ORDERS", true).command,
        "nats stream add ORDERS --config ORDERS.json"
    );
    assert_eq!(
        stream_config("ORDERS", false).command,
        "nats stream edit ORDERS --config ORDERS.json -f"
    );
    assert_eq!(
        consumer_config("ORDERS", "work", true).command,
        "nats consumer add ORDERS work --config work.json"
    );
    assert_eq!(
        consumer_config("ORDERS", "work", false).command,
        "nats consumer edit ORDERS work --config work.json -f"
    );
    assert_eq!(stream_info("ORDERS").command, "nats stream info ORDERS");
    assert_eq!(
        consumer_info("ORDERS", "work").command,
        "nats consumer info ORDERS work"
    );
}

#[test]
fn dead_letters_point_at_the_headless_command() {
    let retry = dead_letters(&DeadLetterOp::Retry, "ORDERS", &[3, 9]);
    assert_eq!(
        retry.command,
        "jetdeck dead-letters retry --stream ORDERS --seq=3 --seq=9 --yes"
    );
    let moved = dead_letters(
        &DeadLetterOp::Move {
            to: "dlq.orders".into(),
        },
        "ORDERS",
        &[3],
    );
    assert_eq!(
        moved.command,
        "jetdeck dead-letters move --stream ORDERS --seq=3 --to dlq.orders --yes"
    );
    let export = dead_letters(
        &DeadLetterOp::Export {
            path: "out file.jsonl".into(),
        },
        "ORDERS",
        &[],
    );
    assert_eq!(
        export.command,
        "jetdeck dead-letters export --stream ORDERS --output 'out file.jsonl'"
    );
}
