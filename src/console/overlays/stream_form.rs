//! The stream form: create (`c` in the streams pane) and edit (`e`), the same fields.
//! On edit the name and storage are fixed (the server refuses to change them), and so is
//! retention to or from WorkQueue (limits and interest may swap).

use async_nats::jetstream::stream::{self, DiscardPolicy, RetentionPolicy, StorageType};

use super::config_form::{ConfigForm, FieldErrors, FormField, FormKind, parse};

const RETENTIONS: &[&str] = &["limits", "interest", "workqueue"];
const STORAGES: &[&str] = &["file", "memory"];
const DISCARDS: &[&str] = &["old", "new"];
const YES_NO: &[&str] = &["no", "yes"];

fn retention_word(r: RetentionPolicy) -> &'static str {
    match r {
        RetentionPolicy::Limits => "limits",
        RetentionPolicy::Interest => "interest",
        RetentionPolicy::WorkQueue => "workqueue",
    }
}

/// The create form: a file stream with limits retention, nothing limited.
pub fn create() -> ConfigForm {
    let base = stream::Config {
        duplicate_window: std::time::Duration::from_secs(120),
        num_replicas: 1,
        max_messages: -1,
        max_bytes: -1,
        max_message_size: -1,
        ..Default::default()
    };
    let fields = fields(&base, false);
    ConfigForm::new(
        "Create stream".into(),
        FormKind::Stream {
            base: Box::new(base),
            edit: false,
        },
        fields,
    )
}

/// The edit form, filled from the stream's current config.
pub fn edit(config: &stream::Config) -> ConfigForm {
    let fields = fields(config, true);
    ConfigForm::new(
        format!("Edit stream {}", config.name),
        FormKind::Stream {
            base: Box::new(config.clone()),
            edit: true,
        },
        fields,
    )
}

fn fields(c: &stream::Config, edit: bool) -> Vec<FormField> {
    let mut fields = kind_fields(c, edit);
    fields.extend(limit_fields(c));
    fields
}

/// What the stream is: name, subjects, retention, storage, replicas.
fn kind_fields(c: &stream::Config, edit: bool) -> Vec<FormField> {
    let retention = retention_word(c.retention);
    // Limits and interest may swap on edit; nothing goes to or from WorkQueue.
    let retentions: &[&str] = if edit && retention != "workqueue" {
        &RETENTIONS[..2]
    } else {
        RETENTIONS
    };
    let storage = match c.storage {
        StorageType::File => "file",
        StorageType::Memory => "memory",
    };
    vec![
        FormField::text(
            "name",
            "Name",
            &c.name,
            "letters, digits, - and _; no '.', spaces or wildcards",
        )
        .fixed(edit),
        FormField::text(
            "subjects",
            "Subjects",
            &c.subjects.join(", "),
            "subjects separated by commas or spaces; wildcards * and > allowed",
        ),
        FormField::choice(
            "retention",
            "Retention",
            retentions,
            retention,
            "limits, interest or workqueue (← → Space)",
        )
        .fixed(edit && retention == "workqueue"),
        FormField::choice(
            "storage",
            "Storage",
            STORAGES,
            storage,
            "file or memory (← → Space)",
        )
        .fixed(edit),
        FormField::text(
            "replicas",
            "Replicas",
            &c.num_replicas.max(1).to_string(),
            "copies kept, 1 to 5 (more than 1 needs a cluster)",
        ),
    ]
}

/// What it keeps and how: the limits, discard, duplicates, direct gets.
fn limit_fields(c: &stream::Config) -> Vec<FormField> {
    let discard = match c.discard {
        DiscardPolicy::Old => "old",
        DiscardPolicy::New => "new",
    };
    vec![
        FormField::text(
            "max_msgs",
            "Max messages",
            &parse::show_limit(c.max_messages),
            "a number; empty: unlimited",
        ),
        FormField::text(
            "max_bytes",
            "Max bytes",
            &parse::show_size(c.max_bytes),
            "a size: 1GiB, 512MB, 1048576; empty: unlimited",
        ),
        FormField::text(
            "max_age",
            "Max age",
            &parse::show_duration(c.max_age),
            "a duration: 30m, 24h, 7d; empty or 0: unlimited",
        ),
        FormField::text(
            "max_msg_size",
            "Max msg size",
            &parse::show_size(i64::from(c.max_message_size)),
            "a size: 1MiB, 64KB; empty: unlimited",
        ),
        FormField::choice(
            "discard",
            "Discard",
            DISCARDS,
            discard,
            "when full: drop the oldest (old) or refuse new ones (new)",
        ),
        FormField::text(
            "duplicate_window",
            "Duplicate window",
            &parse::show_duration(c.duplicate_window),
            "how long message ids are remembered: 2m; empty: the server's default",
        ),
        FormField::choice(
            "allow_direct",
            "Allow direct",
            YES_NO,
            if c.allow_direct { "yes" } else { "no" },
            "answer direct gets (DIRECT.GET) from any replica",
        ),
    ]
}

/// The stream config the form describes: `base` with the fields' values, or what is
/// wrong with them.
pub fn build(form: &ConfigForm, base: &stream::Config) -> Result<stream::Config, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut c = base.clone();
    let mut check = |key: &'static str, result: Result<(), String>| {
        if let Err(e) = result {
            errors.push((key, e));
        }
    };
    check(
        "name",
        parse::name(form.get("name"), "stream").map(|n| c.name = n),
    );
    check(
        "subjects",
        parse::subjects(form.get("subjects")).map(|s| c.subjects = s),
    );
    c.retention = match form.get("retention") {
        "interest" => RetentionPolicy::Interest,
        "workqueue" => RetentionPolicy::WorkQueue,
        _ => RetentionPolicy::Limits,
    };
    c.storage = match form.get("storage") {
        "memory" => StorageType::Memory,
        _ => StorageType::File,
    };
    check(
        "replicas",
        parse::number(form.get("replicas"), 1, 1).and_then(|n| match n {
            1..=5 => {
                c.num_replicas = n as usize;
                Ok(())
            }
            _ => Err("replicas are 1 to 5".to_string()),
        }),
    );
    check(
        "max_msgs",
        parse::number(form.get("max_msgs"), 1, -1).map(|n| c.max_messages = n),
    );
    check(
        "max_bytes",
        parse::size(form.get("max_bytes")).map(|n| c.max_bytes = n),
    );
    check(
        "max_age",
        parse::duration(form.get("max_age")).map(|d| c.max_age = d),
    );
    check(
        "max_msg_size",
        parse::size(form.get("max_msg_size")).and_then(|n| {
            c.max_message_size = i32::try_from(n).map_err(|_| "at most 2GiB".to_string())?;
            Ok(())
        }),
    );
    c.discard = match form.get("discard") {
        "new" => DiscardPolicy::New,
        _ => DiscardPolicy::Old,
    };
    check(
        "duplicate_window",
        parse::duration(form.get("duplicate_window")).map(|d| c.duplicate_window = d),
    );
    c.allow_direct = form.get("allow_direct") == "yes";
    if errors.is_empty() {
        Ok(c)
    } else {
        Err(errors)
    }
}
