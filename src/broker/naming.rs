//! Naming rules: which stream a topic belongs to, which queue names and topics are valid.
//! Everything here is pure and runs before any server call.

use thiserror::Error;

/// Longest queue (durable consumer) name the server accepts.
pub const MAX_QUEUE_NAME_LEN: usize = 255;
/// Queue names up to this length are recommended (they appear in every ack subject).
pub const RECOMMENDED_QUEUE_NAME_LEN: usize = 32;

/// The stream that holds a topic: its first token, upper-cased, `-` replaced by `_`.
///
/// `orders.created` -> `ORDERS`, `user-events.login` -> `USER_EVENTS`.
pub fn stream_name_for_topic(topic: &str) -> String {
    let first = topic.split('.').next().unwrap_or_default();
    first.to_uppercase().replace('-', "_")
}

/// The subjects an auto-created stream for `topic` listens on: the first token itself
/// (so a one-token topic is covered) and everything below it.
pub fn stream_subjects_for_topic(topic: &str) -> Vec<String> {
    let first = topic.split('.').next().unwrap_or_default();
    vec![first.to_string(), format!("{first}.>")]
}

/// Why a queue name was refused. The text names the character class and its 0-based
/// position, so the operator can find it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueueNameError {
    #[error("queue name is required: it names the durable consumer (use letters, digits, - and _)")]
    Empty,
    #[error(
        "queue name is {len} characters long; the limit is {MAX_QUEUE_NAME_LEN} (up to {RECOMMENDED_QUEUE_NAME_LEN} recommended)"
    )]
    TooLong { len: usize },
    #[error("queue name cannot contain {class} at position {position}; use only a-z A-Z 0-9 - _")]
    Forbidden {
        class: CharClass,
        position: usize,
        character: char,
    },
}

/// The classes of character a queue name may not contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    Period,
    Asterisk,
    GreaterThan,
    PathSeparator,
    Whitespace,
    NonPrintable,
    Other,
}

impl std::fmt::Display for CharClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CharClass::Period => "period",
            CharClass::Asterisk => "asterisk",
            CharClass::GreaterThan => "greater-than",
            CharClass::PathSeparator => "path separator",
            CharClass::Whitespace => "whitespace",
            CharClass::NonPrintable => "non-printable character",
            CharClass::Other => "a character other than letters, digits, - and _",
        })
    }
}

fn classify(c: char) -> Option<CharClass> {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' => None,
        '.' => Some(CharClass::Period),
        '*' => Some(CharClass::Asterisk),
        '>' => Some(CharClass::GreaterThan),
        '/' | '\\' => Some(CharClass::PathSeparator),
        c if c.is_whitespace() => Some(CharClass::Whitespace),
        c if c.is_control() => Some(CharClass::NonPrintable),
        _ => Some(CharClass::Other),
    }
}

/// Checks a queue name against the durable consumer naming rules: only `a-z A-Z 0-9 - _`,
/// 1 to 255 characters. Positions count characters from 0.
pub fn validate_queue_name(name: &str) -> Result<(), QueueNameError> {
    if name.is_empty() {
        return Err(QueueNameError::Empty);
    }
    if let Some((position, (class, character))) = name
        .chars()
        .enumerate()
        .find_map(|(i, c)| classify(c).map(|class| (i, (class, c))))
    {
        return Err(QueueNameError::Forbidden {
            class,
            position,
            character,
        });
    }
    let len = name.chars().count();
    if len > MAX_QUEUE_NAME_LEN {
        return Err(QueueNameError::TooLong { len });
    }
    Ok(())
}

/// Why a topic (a publish subject) was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TopicError {
    #[error("topic is empty; give a subject such as orders.created")]
    Empty,
    #[error("topic cannot contain whitespace (at position {position})")]
    Whitespace { position: usize },
    #[error(
        "topic cannot contain the wildcard '{wildcard}' (token {token}); publish to a concrete subject"
    )]
    Wildcard { wildcard: char, token: usize },
    #[error("topic has an empty token at token {token} (leading, trailing or double '.')")]
    EmptyToken { token: usize },
    #[error("topic cannot contain a non-printable character (at position {position})")]
    NonPrintable { position: usize },
    #[error("topic starts with '$', which is reserved for the server's own subjects")]
    Reserved,
}

/// Checks a topic that will be published to or subscribed on: a concrete NATS subject
/// (no wildcards, no empty tokens, no whitespace), outside the `$` system namespace.
pub fn validate_topic(topic: &str) -> Result<(), TopicError> {
    if topic.is_empty() {
        return Err(TopicError::Empty);
    }
    if let Some(position) = topic.chars().position(char::is_whitespace) {
        return Err(TopicError::Whitespace { position });
    }
    if let Some(position) = topic.chars().position(char::is_control) {
        return Err(TopicError::NonPrintable { position });
    }
    if topic.starts_with('$') {
        return Err(TopicError::Reserved);
    }
    for (token_index, token) in topic.split('.').enumerate() {
        if token.is_empty() {
            return Err(TopicError::EmptyToken { token: token_index });
        }
        if token == "*" || token == ">" {
            return Err(TopicError::Wildcard {
                wildcard: token.chars().next().unwrap_or('*'),
                token: token_index,
            });
        }
    }
    Ok(())
}

/// Whether `filter` (a subject that may hold `*` and `>` wildcards) matches the concrete
/// `subject`.
pub fn subject_matches(filter: &str, subject: &str) -> bool {
    let mut filter_tokens = filter.split('.');
    let mut subject_tokens = subject.split('.');
    loop {
        match (filter_tokens.next(), subject_tokens.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(f), Some(s)) if f == s => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names_follow_the_first_token() {
        let table = [
            ("orders.created", "ORDERS"),
            ("orders.updated", "ORDERS"),
            ("orders", "ORDERS"),
            ("user-events.login", "USER_EVENTS"),
            ("test.messages", "TEST"),
            ("a-b-c.x.y", "A_B_C"),
            ("Mixed_Case.x", "MIXED_CASE"),
        ];
        for (topic, stream) in table {
            assert_eq!(stream_name_for_topic(topic), stream, "topic {topic}");
        }
        assert_eq!(
            stream_subjects_for_topic("orders.created"),
            ["orders", "orders.>"]
        );
    }

    #[test]
    fn queue_names_are_checked_with_class_and_position() {
        let ok = ["order-processor", "a", "A_b-9", &"x".repeat(255)];
        for name in ok {
            assert_eq!(validate_queue_name(name), Ok(()), "{name}");
        }
        let bad: [(&str, &str); 11] = [
            ("", "queue name is required"),
            ("my.queue", "cannot contain period at position 2"),
            ("orders*", "cannot contain asterisk at position 6"),
            (">x", "cannot contain greater-than at position 0"),
            ("a/b", "cannot contain path separator at position 1"),
            ("a\\b", "cannot contain path separator at position 1"),
            ("my queue", "cannot contain whitespace at position 2"),
            ("tab\there", "cannot contain whitespace at position 3"),
            (
                "bell\u{7}",
                "cannot contain non-printable character at position 4",
            ),
            ("café", "cannot contain a character other than letters"),
            (&"y".repeat(256), "256 characters long; the limit is 255"),
        ];
        for (name, expected) in bad {
            let err = validate_queue_name(name).expect_err(name).to_string();
            assert!(err.contains(expected), "{name:?}: {err}");
        }
    }

    #[test]
    fn topics_are_concrete_subjects() {
        assert_eq!(validate_topic("orders.created"), Ok(()));
        assert_eq!(validate_topic(""), Err(TopicError::Empty));
        assert_eq!(
            validate_topic("a b"),
            Err(TopicError::Whitespace { position: 1 })
        );
        assert_eq!(
            validate_topic("orders.*"),
            Err(TopicError::Wildcard {
                wildcard: '*',
                token: 1
            })
        );
        assert_eq!(
            validate_topic(">"),
            Err(TopicError::Wildcard {
                wildcard: '>',
                token: 0
            })
        );
        assert_eq!(
            validate_topic("a..b"),
            Err(TopicError::EmptyToken { token: 1 })
        );
        assert_eq!(
            validate_topic("a."),
            Err(TopicError::EmptyToken { token: 1 })
        );
        assert_eq!(validate_topic("$JS.API.INFO"), Err(TopicError::Reserved));
    }

    #[test]
    fn wildcard_matching() {
        assert!(subject_matches("orders.>", "orders.created"));
        assert!(subject_matches("orders.>", "orders.a.b"));
        assert!(!subject_matches("orders.>", "orders"));
        assert!(subject_matches("orders", "orders"));
        assert!(subject_matches("orders.*", "orders.x"));
        assert!(!subject_matches("orders.*", "orders.x.y"));
        assert!(!subject_matches("orders.created", "orders.updated"));
        assert!(subject_matches(">", "anything.at.all"));
    }
}
