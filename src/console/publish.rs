//! The publish form: its fields, demo templates, and validation. Bad input is stopped
//! here, with a message for the field, before anything reaches the server.

use tui_input::Input;

use crate::broker::{Headers, validate_topic};

/// Most messages one submit may publish.
pub const MAX_COUNT: u32 = 10_000;

/// Body templates from `assets/templates`; `{n}` is the message's index (from 1) and
/// `{uuid}` a fresh UUID.
pub const TEMPLATES: [(&str, &str); 3] = [
    ("order", include_str!("../../assets/templates/order.json")),
    (
        "user event",
        include_str!("../../assets/templates/user-event.json"),
    ),
    (
        "test message",
        include_str!("../../assets/templates/test-message.txt"),
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Subject,
    Headers,
    Body,
    Count,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Subject, Field::Headers, Field::Body, Field::Count];

    pub fn label(self) -> &'static str {
        match self {
            Field::Subject => "Subject",
            Field::Headers => "Headers",
            Field::Body => "Body",
            Field::Count => "Count",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PublishForm {
    pub subject: Input,
    pub headers: Input,
    pub body: Input,
    pub count: Input,
    pub focus: Field,
    /// Index into TEMPLATES, used when the body is left empty.
    pub template: Option<usize>,
    pub errors: Vec<(Field, String)>,
}

impl Default for PublishForm {
    fn default() -> Self {
        Self {
            subject: Input::default(),
            headers: Input::default(),
            body: Input::default(),
            count: Input::new("1".to_string()),
            focus: Field::Subject,
            template: None,
            errors: Vec::new(),
        }
    }
}

/// A checked publish: what the effect sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishRequest {
    pub subject: String,
    pub headers: Headers,
    /// The body, with `{n}` and `{uuid}` still in it.
    pub body: String,
    pub count: u32,
}

impl PublishForm {
    /// A form with the subject filled in (from the selected stream, say).
    pub fn with_subject(subject: &str) -> Self {
        Self {
            subject: Input::new(subject.to_string()),
            ..Self::default()
        }
    }

    pub fn input(&self, field: Field) -> &Input {
        match field {
            Field::Subject => &self.subject,
            Field::Headers => &self.headers,
            Field::Body => &self.body,
            Field::Count => &self.count,
        }
    }

    pub fn input_mut(&mut self, field: Field) -> &mut Input {
        match field {
            Field::Subject => &mut self.subject,
            Field::Headers => &mut self.headers,
            Field::Body => &mut self.body,
            Field::Count => &mut self.count,
        }
    }

    pub fn error(&self, field: Field) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    pub fn next_field(&mut self, forward: bool) {
        let i = Field::ALL
            .iter()
            .position(|f| *f == self.focus)
            .unwrap_or(0);
        let n = Field::ALL.len();
        self.focus = Field::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    /// Cycles none -> order -> user event -> test message -> none.
    pub fn cycle_template(&mut self) {
        self.template = match self.template {
            None => Some(0),
            Some(i) if i + 1 < TEMPLATES.len() => Some(i + 1),
            Some(_) => None,
        };
    }

    /// The body that will be sent: what was typed, else the template's.
    pub fn body_text(&self) -> String {
        match (self.body.value(), self.template) {
            ("", Some(t)) => TEMPLATES[t].1.trim_end().to_string(),
            (typed, _) => typed.to_string(),
        }
    }

    /// Checks every field; on success the request to send, else a message per bad field.
    pub fn validate(
        &self,
        max_payload: Option<usize>,
    ) -> Result<PublishRequest, Vec<(Field, String)>> {
        let mut errors = Vec::new();
        let subject = self.subject.value().trim().to_string();
        if let Err(e) = validate_topic(&subject) {
            errors.push((Field::Subject, e.to_string()));
        }
        let headers = match parse_headers(self.headers.value()) {
            Ok(h) => h,
            Err(e) => {
                errors.push((Field::Headers, e));
                Headers::new()
            }
        };
        let count = match self.count.value().trim().parse::<u32>() {
            Ok(n) if (1..=MAX_COUNT).contains(&n) => n,
            _ => {
                errors.push((
                    Field::Count,
                    format!("count must be a whole number from 1 to {MAX_COUNT}"),
                ));
                1
            }
        };
        let body = self.body_text();
        if let Some(max) = max_payload {
            let message = crate::broker::Message {
                body: expand(&body, count as usize).into(),
                headers: headers.clone(),
            };
            let size = message.wire_size();
            if size > max {
                errors.push((
                    Field::Body,
                    format!(
                        "message is {size} bytes with headers; the server's max payload is {max}"
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(PublishRequest {
                subject,
                headers,
                body,
                count,
            })
        } else {
            Err(errors)
        }
    }
}

/// Parses `Key: value` pairs separated by `;` or new lines; a key may repeat.
pub fn parse_headers(text: &str) -> Result<Headers, String> {
    let mut headers = Headers::new();
    for (i, part) in text.split([';', '\n']).enumerate() {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((key, value)) = part.split_once(':') else {
            return Err(format!("header {} ({part:?}) is not `Key: value`", i + 1));
        };
        let key = key.trim();
        if !crate::broker::valid_header_name(key) {
            return Err(format!(
                "header {} has no valid key ({key:?}): one word of printable ASCII, no ':'",
                i + 1
            ));
        }
        headers.append(key, value.trim());
    }
    Ok(headers)
}

/// The body of message `n` (from 1): `{n}` and `{uuid}` filled in.
pub fn expand(body: &str, n: usize) -> String {
    let mut out = body.replace("{n}", &n.to_string());
    while out.contains("{uuid}") {
        out = out.replacen("{uuid}", &uuid::Uuid::new_v4().to_string(), 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(subject: &str, headers: &str, body: &str, count: &str) -> PublishForm {
        PublishForm {
            subject: Input::new(subject.into()),
            headers: Input::new(headers.into()),
            body: Input::new(body.into()),
            count: Input::new(count.into()),
            ..PublishForm::default()
        }
    }

    #[test]
    fn every_bad_input_gets_its_message_on_its_field() {
        let table: [(PublishForm, Field, &str); 11] = [
            (form("", "", "x", "1"), Field::Subject, "topic is empty"),
            (
                form("orders new", "", "x", "1"),
                Field::Subject,
                "whitespace",
            ),
            (
                form("orders.*", "", "x", "1"),
                Field::Subject,
                "wildcard '*'",
            ),
            (
                form("orders.>", "", "x", "1"),
                Field::Subject,
                "wildcard '>'",
            ),
            (form("a..b", "", "x", "1"), Field::Subject, "empty token"),
            (
                form("a.b", "no colon here", "x", "1"),
                Field::Headers,
                "header 1 (\"no colon here\") is not `Key: value`",
            ),
            (
                form("a.b", "ok: 1; bad key: 2", "x", "1"),
                Field::Headers,
                "header 2 has no valid key",
            ),
            (
                form("a.b", "Größe: 1", "x", "1"),
                Field::Headers,
                "header 1 has no valid key",
            ),
            (form("a.b", "", "x", "0"), Field::Count, "from 1 to 10000"),
            (form("a.b", "", "x", "many"), Field::Count, "whole number"),
            (
                form("a.b", "", &"x".repeat(2000), "1"),
                Field::Body,
                "max payload is 1024",
            ),
        ];
        for (form, field, expected) in table {
            let errors = form.validate(Some(1024)).expect_err(expected);
            let message = errors
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| m.as_str())
                .unwrap_or_else(|| panic!("no {field:?} error, got {errors:?}"));
            assert!(message.contains(expected), "{field:?}: {message}");
        }
    }

    #[test]
    fn a_good_form_becomes_a_request() {
        let req = form(
            " orders.created ",
            "type: order; tag: a\ntag: b",
            "{\"n\":{n}}",
            "3",
        )
        .validate(Some(1024 * 1024))
        .unwrap();
        assert_eq!(req.subject, "orders.created");
        assert_eq!(req.count, 3);
        assert_eq!(req.headers.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(expand(&req.body, 2), "{\"n\":2}");
    }

    #[test]
    fn templates_fill_an_empty_body() {
        let mut f = form("orders.created", "", "", "1");
        f.cycle_template();
        assert!(f.body_text().contains("{uuid}"));
        let a = expand(&f.body_text(), 7);
        let b = expand(&f.body_text(), 7);
        assert!(a.contains("\"number\": 7"), "{a}");
        assert_ne!(a, b, "each message gets its own uuid");
        serde_json::from_str::<serde_json::Value>(&a).expect("the order template is JSON");
        f.cycle_template();
        f.cycle_template();
        assert_eq!(expand(&f.body_text(), 4), "Test message 4");
        f.cycle_template();
        assert_eq!(f.template, None);
    }
}
