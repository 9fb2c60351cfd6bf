//! The message a broker publishes and a handler receives: a body and headers that keep
//! several values per key, in the order they were added.

use bytes::Bytes;

/// Message headers. A key may carry several values; order is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    entries: Vec<(String, String)>,
}

impl Headers {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value; an existing key keeps its earlier values.
    pub fn append(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.entries.push((key.into(), value.into()));
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in the order added.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every (key, value) pair, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The first key or value the NATS protocol cannot carry: a key must be printable
    /// ASCII without `:` or spaces, a value must not hold a line break.
    pub fn invalid(&self) -> Option<String> {
        self.entries.iter().find_map(|(k, v)| {
            if !valid_header_name(k) {
                Some(format!(
                    "header name {k:?} must be printable ASCII without ':' or spaces"
                ))
            } else if v.contains(['\r', '\n']) {
                Some(format!("header {k} has a line break in its value"))
            } else {
                None
            }
        })
    }

    pub(crate) fn to_nats(&self) -> async_nats::HeaderMap {
        let mut map = async_nats::HeaderMap::new();
        for (k, v) in &self.entries {
            map.append(k.as_str(), v.as_str());
        }
        map
    }

    pub(crate) fn from_nats(map: &async_nats::HeaderMap) -> Self {
        let mut headers = Headers::new();
        for (name, values) in map.iter() {
            for value in values {
                headers.append(name.to_string(), value.as_str());
            }
        }
        headers
    }
}

/// Whether `name` can be a NATS header name.
pub fn valid_header_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_graphic() && c != ':')
}

/// A message: body bytes and headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub body: Bytes,
    pub headers: Headers,
}

impl Message {
    pub fn new(body: impl Into<Bytes>) -> Self {
        Self {
            body: body.into(),
            headers: Headers::new(),
        }
    }

    /// Adds a header value (a key may be given several times).
    pub fn with_header(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.append(key, value);
        self
    }

    /// The first value of header `key`.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers.get(key)
    }

    /// Bytes this message takes against the server's max payload: the body plus the
    /// header block (`NATS/1.0\r\n`, `Key: value\r\n` each, and a closing `\r\n`).
    pub fn wire_size(&self) -> usize {
        let headers = if self.headers.is_empty() {
            0
        } else {
            10 + self
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len() + 4)
                .sum::<usize>()
                + 2
        };
        self.body.len() + headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_keep_several_values_in_order() {
        let m = Message::new("x")
            .with_header("type", "order")
            .with_header("tag", "a")
            .with_header("tag", "b");
        assert_eq!(m.header("type"), Some("order"));
        assert_eq!(m.header("tag"), Some("a"));
        assert_eq!(m.headers.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(m.header("missing"), None);
        assert_eq!(Message::new("abc").wire_size(), 3);
        // "NATS/1.0\r\n" + "type: order\r\n" + "tag: a\r\n" + "tag: b\r\n" + "\r\n"
        assert_eq!(m.wire_size(), 1 + 10 + 13 + 8 + 8 + 2);
        assert_eq!(m.headers.invalid(), None);
        let bad = Message::new("x").with_header("Größe", "1");
        assert!(bad.headers.invalid().unwrap().contains("printable ASCII"));
        let bad = Message::new("x").with_header("k", "a\r\nb");
        assert!(bad.headers.invalid().unwrap().contains("line break"));
        let back = Headers::from_nats(&m.headers.to_nats());
        assert_eq!(back.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(back.get("type"), Some("order"));
    }
}
