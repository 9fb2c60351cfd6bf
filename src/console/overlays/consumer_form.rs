//! The consumer form: create (`c` in the consumers pane), edit (`e`) and copy (`C`: the
//! selected consumer's config under a new name). On edit the server refuses to change
//! the name, pull or push, the deliver policy and its start, the ack policy and max
//! waiting, so those are fixed.

use std::time::SystemTime;

use async_nats::jetstream::consumer::{self, AckPolicy, DeliverPolicy};

use super::config_form::{ConfigForm, FieldErrors, FormField, FormKind, parse};

const KINDS: &[&str] = &["pull", "push"];
const POLICIES: &[&str] = &[
    "all",
    "last",
    "new",
    "by_start_sequence",
    "by_start_time",
    "last_per_subject",
];
const ACKS: &[&str] = &["explicit", "all", "none"];
const STARTS: &[&str] = &["by_start_sequence", "by_start_time"];

/// The create form for a consumer on `stream`: durable, pull, explicit acks.
pub fn create(stream: &str) -> ConfigForm {
    let base = consumer::Config {
        ack_wait: std::time::Duration::from_secs(30),
        ..Default::default()
    };
    form(format!("Create consumer on {stream}"), stream, base, false)
}

/// The create form filled from `source`'s config, under a name yet to be typed.
pub fn copy(stream: &str, source: &consumer::Config) -> ConfigForm {
    let from = source
        .durable_name
        .clone()
        .or(source.name.clone())
        .unwrap_or_default();
    let base = consumer::Config {
        durable_name: None,
        name: None,
        ..source.clone()
    };
    form(
        format!("Copy consumer {from} of {stream}"),
        stream,
        base,
        false,
    )
}

/// The edit form, filled from the consumer's current config.
pub fn edit(stream: &str, config: &consumer::Config) -> ConfigForm {
    let name = config
        .durable_name
        .clone()
        .or(config.name.clone())
        .unwrap_or_default();
    form(
        format!("Edit consumer {name} of {stream}"),
        stream,
        config.clone(),
        true,
    )
}

fn form(title: String, stream: &str, base: consumer::Config, edit: bool) -> ConfigForm {
    let fields = fields(&base, edit);
    ConfigForm::new(
        title,
        FormKind::Consumer {
            stream: stream.to_string(),
            base: Box::new(base),
            edit,
        },
        fields,
    )
}

fn policy(p: &DeliverPolicy) -> (&'static str, String) {
    match p {
        DeliverPolicy::All => ("all", String::new()),
        DeliverPolicy::Last => ("last", String::new()),
        DeliverPolicy::New => ("new", String::new()),
        DeliverPolicy::ByStartSequence { start_sequence } => {
            ("by_start_sequence", start_sequence.to_string())
        }
        DeliverPolicy::ByStartTime { start_time } => (
            "by_start_time",
            crate::console::app::clock_text(SystemTime::from(*start_time)),
        ),
        DeliverPolicy::LastPerSubject => ("last_per_subject", String::new()),
    }
}

fn fields(c: &consumer::Config, edit: bool) -> Vec<FormField> {
    let name = c
        .durable_name
        .clone()
        .or(c.name.clone())
        .unwrap_or_default();
    let kind = if c.deliver_subject.is_some() {
        "push"
    } else {
        "pull"
    };
    let filters = if c.filter_subjects.is_empty() {
        c.filter_subject.clone()
    } else {
        c.filter_subjects.join(", ")
    };
    let (policy, start) = policy(&c.deliver_policy);
    let ack = match c.ack_policy {
        AckPolicy::Explicit => "explicit",
        AckPolicy::All => "all",
        AckPolicy::None => "none",
        AckPolicy::FlowControl => "flow_control",
    };
    // Flow control (a sourcing consumer's) is the server's to set, never a choice here.
    let acks: &[&str] = if ack == "flow_control" {
        &["flow_control"]
    } else {
        ACKS
    };
    let backoff: Vec<String> = c.backoff.iter().map(|d| parse::show_duration(*d)).collect();
    vec![
        FormField::text(
            "durable",
            "Durable name",
            &name,
            "letters, digits, - and _; no '.', spaces or wildcards",
        )
        .fixed(edit),
        FormField::choice(
            "kind",
            "Pull or push",
            KINDS,
            kind,
            "pull: workers fetch; push: the server sends to a subject",
        )
        .fixed(edit),
        FormField::text(
            "deliver_subject",
            "Deliver subject",
            c.deliver_subject.as_deref().unwrap_or_default(),
            "where the server pushes messages: a concrete subject",
        )
        .when("kind", &["push"]),
        FormField::text(
            "filter",
            "Filter subjects",
            &filters,
            "subjects separated by commas or spaces; empty: all",
        ),
        FormField::choice(
            "deliver_policy",
            "Deliver policy",
            POLICIES,
            policy,
            "where delivery starts (← → Space)",
        )
        .fixed(edit),
        FormField::text(
            "start",
            "Start at",
            &start,
            "a stream sequence, or a time (2027-01-15T08:00:00Z) or how long ago (10m)",
        )
        .fixed(edit)
        .when("deliver_policy", STARTS),
        FormField::choice(
            "ack_policy",
            "Ack policy",
            acks,
            ack,
            "explicit, all or none",
        )
        .fixed(edit),
        FormField::text(
            "ack_wait",
            "Ack wait",
            &parse::show_duration(c.ack_wait),
            "a duration: 30s; empty: the server's default",
        ),
        FormField::text(
            "max_deliver",
            "Max deliver",
            &parse::show_limit(c.max_deliver),
            "deliveries per message; empty: unlimited",
        ),
        FormField::text(
            "backoff",
            "Backoff",
            &backoff.join(", "),
            "redelivery delays: 1s, 5s, 30s (at most max deliver; the first is the ack wait)",
        ),
        FormField::text(
            "max_ack_pending",
            "Max ack pending",
            &parse::show_limit(c.max_ack_pending),
            "unacked messages at most; empty: the server's default",
        ),
        FormField::text(
            "max_waiting",
            "Max waiting",
            &parse::show_limit(c.max_waiting),
            "pull requests waiting at most; empty: default",
        )
        .fixed(edit)
        .when("kind", &["pull"]),
        FormField::text(
            "inactive_threshold",
            "Inactive threshold",
            &parse::show_duration(c.inactive_threshold),
            "removed after this long unused; empty: never",
        ),
        FormField::text(
            "description",
            "Description",
            c.description.as_deref().unwrap_or_default(),
            "free text",
        ),
    ]
}

/// `text` as a deliver start time: RFC 3339, or how long ago (`10m`).
fn start_time(text: &str) -> Result<time::OffsetDateTime, String> {
    let text = text.trim();
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Ok(t);
    }
    match parse::duration(text) {
        Ok(ago) if !ago.is_zero() => Ok(time::OffsetDateTime::from(SystemTime::now() - ago)),
        _ => Err(format!(
            "{text:?} is neither a time (2027-01-15T08:00:00Z) nor how long ago (10m)"
        )),
    }
}

fn deliver_policy(form: &ConfigForm) -> Result<DeliverPolicy, String> {
    Ok(match form.get("deliver_policy") {
        "last" => DeliverPolicy::Last,
        "new" => DeliverPolicy::New,
        "last_per_subject" => DeliverPolicy::LastPerSubject,
        "by_start_sequence" => DeliverPolicy::ByStartSequence {
            start_sequence: parse::number(form.get("start"), 1, 0).and_then(|n| {
                if n == 0 {
                    Err("give the stream sequence to start at".into())
                } else {
                    Ok(n as u64)
                }
            })?,
        },
        "by_start_time" => DeliverPolicy::ByStartTime {
            start_time: start_time(form.get("start"))?,
        },
        _ => DeliverPolicy::All,
    })
}

/// The consumer config the form describes: `base` with the fields' values, or what is
/// wrong with them. On edit the policies and the start are left as the server has them.
pub fn build(
    form: &ConfigForm,
    base: &consumer::Config,
    edit: bool,
) -> Result<consumer::Config, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut c = base.clone();
    let mut check = |key: &'static str, result: Result<(), String>| {
        if let Err(e) = result {
            errors.push((key, e));
        }
    };
    if !edit {
        check(
            "durable",
            parse::name(form.get("durable"), "consumer").map(|n| c.durable_name = Some(n)),
        );
        c.name = None;
        check("start", deliver_policy(form).map(|p| c.deliver_policy = p));
    }
    // Pull or push is fixed on edit, so the shown field says which this is.
    c.deliver_subject = None;
    if form.shown_key("deliver_subject") {
        check(
            "deliver_subject",
            parse::subject(form.get("deliver_subject").trim(), false)
                .map(|s| c.deliver_subject = Some(s)),
        );
        if !edit {
            c.max_waiting = 0; // pull only
        }
    }
    check(
        "filter",
        parse::subjects(form.get("filter")).map(|list| {
            let many = list.len() > 1 || !base.filter_subjects.is_empty();
            (c.filter_subject, c.filter_subjects) = match list.as_slice() {
                [] => (String::new(), Vec::new()),
                _ if many => (String::new(), list),
                [one] => (one.clone(), Vec::new()),
                _ => unreachable!("more than one is many"),
            };
        }),
    );
    if !edit {
        c.ack_policy = match form.get("ack_policy") {
            "all" => AckPolicy::All,
            "none" => AckPolicy::None,
            _ => AckPolicy::Explicit,
        };
    }
    check(
        "ack_wait",
        parse::duration(form.get("ack_wait")).map(|d| c.ack_wait = d),
    );
    check(
        "max_deliver",
        parse::number(form.get("max_deliver"), 1, -1).map(|n| c.max_deliver = n),
    );
    check(
        "backoff",
        parse::durations(form.get("backoff")).map(|b| c.backoff = b),
    );
    check(
        "max_ack_pending",
        parse::number(form.get("max_ack_pending"), 1, 0).map(|n| c.max_ack_pending = n),
    );
    if !edit && form.shown_key("max_waiting") {
        check(
            "max_waiting",
            parse::number(form.get("max_waiting"), 1, 0).map(|n| c.max_waiting = n),
        );
    }
    check(
        "inactive_threshold",
        parse::duration(form.get("inactive_threshold")).map(|d| c.inactive_threshold = d),
    );
    let description = form.get("description").trim();
    c.description = (!description.is_empty()).then(|| description.to_string());
    if c.max_deliver > 0
        && c.backoff.len() as i64 > c.max_deliver
        && !errors.iter().any(|(k, _)| *k == "backoff")
    {
        errors.push((
            "backoff",
            format!(
                "{} steps, but max deliver is {}: no more steps than deliveries",
                c.backoff.len(),
                c.max_deliver
            ),
        ));
    }
    if errors.is_empty() {
        Ok(c)
    } else {
        Err(errors)
    }
}
