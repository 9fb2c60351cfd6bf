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
    let mut fields = delivery_fields(c, edit);
    fields.extend(ack_fields(c, edit));
    fields
}

/// Who it is and what it delivers from where: all fixed on edit but the filter and a
/// push consumer's subject.
fn delivery_fields(c: &consumer::Config, edit: bool) -> Vec<FormField> {
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
    ]
}

/// How messages are acknowledged and redelivered, and the limits.
fn ack_fields(c: &consumer::Config, edit: bool) -> Vec<FormField> {
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

/// Puts a field's bad input on the list.
fn note(errors: &mut FieldErrors, key: &'static str, result: Result<(), String>) {
    if let Err(e) = result {
        errors.push((key, e));
    }
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
    if !edit {
        build_new(form, &mut c, &mut errors);
    }
    build_target(form, base, edit, &mut c, &mut errors);
    build_acks(form, &mut c, &mut errors);
    if errors.is_empty() {
        Ok(c)
    } else {
        Err(errors)
    }
}

/// What only a create sets: the name, the deliver policy and start, the ack policy.
fn build_new(form: &ConfigForm, c: &mut consumer::Config, errors: &mut FieldErrors) {
    match parse::name(form.get("durable"), "consumer") {
        Ok(name) => c.durable_name = Some(name),
        Err(e) => errors.push(("durable", e)),
    }
    c.name = None;
    match deliver_policy(form) {
        Ok(p) => c.deliver_policy = p,
        Err(e) => errors.push(("start", e)),
    }
    c.ack_policy = match form.get("ack_policy") {
        "all" => AckPolicy::All,
        "none" => AckPolicy::None,
        _ => AckPolicy::Explicit,
    };
}

/// Where it delivers (pull, or push to a subject) and what it filters.
fn build_target(
    form: &ConfigForm,
    base: &consumer::Config,
    edit: bool,
    c: &mut consumer::Config,
    errors: &mut FieldErrors,
) {
    // Pull or push is fixed on edit, so the shown field says which this is.
    c.deliver_subject = None;
    if form.shown_key("deliver_subject") {
        match parse::subject(form.get("deliver_subject").trim(), false) {
            Ok(s) => c.deliver_subject = Some(s),
            Err(e) => errors.push(("deliver_subject", e)),
        }
        if !edit {
            c.max_waiting = 0; // pull only
        }
    } else if !edit {
        note(
            errors,
            "max_waiting",
            parse::number(form.get("max_waiting"), 1, 0).map(|n| c.max_waiting = n),
        );
    }
    match parse::subjects(form.get("filter")) {
        Ok(list) => {
            let many = list.len() > 1 || !base.filter_subjects.is_empty();
            (c.filter_subject, c.filter_subjects) = match list.as_slice() {
                [] => (String::new(), Vec::new()),
                [one] if !many => (one.clone(), Vec::new()),
                _ => (String::new(), list),
            };
        }
        Err(e) => errors.push(("filter", e)),
    }
}

/// Acks, redeliveries and the limits.
fn build_acks(form: &ConfigForm, c: &mut consumer::Config, errors: &mut FieldErrors) {
    let text = |key| form.get(key);
    // An empty field shows a limit that is not set (-1 or 0): left empty, it stays as
    // the server has it rather than turning -1 into 0.
    let unset = |now: i64, default: i64| if now <= 0 { now } else { default };
    note(
        errors,
        "ack_wait",
        parse::duration(text("ack_wait")).map(|d| c.ack_wait = d),
    );
    note(
        errors,
        "max_deliver",
        parse::number(text("max_deliver"), 1, unset(c.max_deliver, -1)).map(|n| c.max_deliver = n),
    );
    note(
        errors,
        "backoff",
        parse::durations(text("backoff")).map(|b| c.backoff = b),
    );
    note(
        errors,
        "max_ack_pending",
        parse::number(text("max_ack_pending"), 1, unset(c.max_ack_pending, 0))
            .map(|n| c.max_ack_pending = n),
    );
    note(
        errors,
        "inactive_threshold",
        parse::duration(text("inactive_threshold")).map(|d| c.inactive_threshold = d),
    );
    let description = text("description").trim();
    c.description = (!description.is_empty()).then(|| description.to_string());
    let steps = c.backoff.len() as i64;
    if c.max_deliver > 0 && steps > c.max_deliver && !errors.iter().any(|(k, _)| *k == "backoff") {
        errors.push((
            "backoff",
            format!(
                "{steps} steps, but max deliver is {}: no more steps than deliveries",
                c.max_deliver
            ),
        ));
    }
}
