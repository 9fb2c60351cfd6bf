//! JetStream API requests with typed errors: stream and consumer info, paged listing,
//! create and delete, reading a stored message, account info. Every call goes through
//! `request`, the one place server error codes are mapped.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use async_nats::jetstream::{self, account::Account, consumer, stream};
use base64::Engine;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::message::Headers;
use super::metrics::Counters;
use super::permissions::Denials;

/// The server's answer to an API call: an error object or the payload.
#[derive(Deserialize)]
#[serde(untagged)]
enum Answer<T> {
    Err { error: ServerErrorBody },
    Ok(T),
}

#[derive(Deserialize)]
struct ServerErrorBody {
    #[serde(default)]
    code: u16,
    #[serde(default)]
    err_code: u64,
    #[serde(default)]
    description: Option<String>,
}

/// A message read from a stream by sequence, without consuming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub stream: String,
    pub subject: String,
    pub sequence: u64,
    pub headers: Headers,
    pub body: Bytes,
    pub time: SystemTime,
}

#[derive(Deserialize)]
struct RawStoredMessage {
    subject: String,
    seq: u64,
    #[serde(default)]
    hdrs: Option<String>,
    #[serde(default)]
    data: Option<String>,
    time: String,
}

#[derive(Deserialize)]
struct MessageGetAnswer {
    message: RawStoredMessage,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    total: usize,
    #[serde(default)]
    offset: usize,
    #[serde(default)]
    limit: usize,
    /// Streams a clustered server could not reach in time for this page.
    #[serde(default)]
    missing: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct StreamInfoPage {
    #[serde(flatten)]
    page: Page,
    #[serde(default)]
    streams: Option<Vec<stream::Info>>,
}

#[derive(Deserialize)]
struct StreamNamesPage {
    #[serde(flatten)]
    page: Page,
    #[serde(default)]
    streams: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ConsumerInfoPage {
    #[serde(flatten)]
    page: Page,
    #[serde(default)]
    consumers: Option<Vec<consumer::Info>>,
}

#[derive(Serialize)]
struct PageRequest<'a> {
    offset: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
}

#[derive(Deserialize)]
struct Success {
    #[serde(default)]
    success: bool,
}

#[derive(Serialize)]
struct CreateConsumerRequest<'a> {
    stream_name: &'a str,
    config: &'a consumer::Config,
    action: &'static str,
}

#[derive(Serialize)]
struct Empty {}

/// A thin client of the JetStream API on one connection.
#[derive(Clone)]
pub(crate) struct Api {
    js: jetstream::Context,
    counters: Arc<Counters>,
    /// The API's subject prefix (`$JS.API`, or a domain's or an import's).
    prefix: String,
    denials: Arc<Denials>,
}

impl Api {
    pub(crate) fn new(
        js: jetstream::Context,
        counters: Arc<Counters>,
        prefix: String,
        denials: Arc<Denials>,
    ) -> Self {
        Self {
            js,
            counters,
            prefix,
            denials,
        }
    }

    pub(crate) fn denials(&self) -> &Denials {
        &self.denials
    }

    /// The subject a request goes to: what the server names in a permission violation.
    pub(crate) fn subject(&self, relative: &str) -> String {
        format!("{}.{relative}", self.prefix)
    }

    pub(super) async fn request<T, B>(&self, subject: String, body: &B) -> Result<T, ApiError>
    where
        T: DeserializeOwned,
        B: Serialize + ?Sized,
    {
        let full = self.subject(&subject);
        // A subject refused a moment ago is not asked again (no 5 s wait per refresh);
        // after `DENIAL_KEPT` it is, in case the permissions changed.
        if self.denials.publish_denied(&full) {
            return Err(ApiError::PermissionDenied { subject: full });
        }
        let refused = Denials::publish_refused(self.denials.watch(), &full);
        Counters::incr(&self.counters.api_requests);
        let answer: Answer<T> = tokio::select! {
            answer = self.js.request(subject.clone(), body) => {
                answer.map_err(|e| ApiError::from_request(&subject, e))?
            }
            () = refused => return Err(ApiError::PermissionDenied { subject: full }),
        };
        match answer {
            Answer::Ok(value) => Ok(value),
            Answer::Err { error } => Err(ApiError::Server {
                status: error.code,
                err_code: error.err_code,
                description: error
                    .description
                    .unwrap_or_else(|| "no description".to_string()),
            }),
        }
    }

    pub(crate) async fn account_info(&self) -> Result<Account, ApiError> {
        self.request("INFO".to_string(), &Empty {}).await
    }

    pub(crate) async fn stream_info(&self, stream: &str) -> Result<stream::Info, ApiError> {
        self.request(format!("STREAM.INFO.{stream}"), &Empty {})
            .await
    }

    /// How many messages the stream holds on each subject matching `filter` (wildcards
    /// allowed), every page (`STREAM.INFO` with `subjects_filter`; the server pages
    /// these by the hundred thousand).
    pub(crate) async fn stream_subjects(
        &self,
        stream: &str,
        filter: &str,
    ) -> Result<BTreeMap<String, u64>, ApiError> {
        #[derive(Serialize)]
        struct Ask<'a> {
            subjects_filter: &'a str,
            offset: usize,
        }
        #[derive(Deserialize)]
        struct SubjectsState {
            #[serde(default)]
            subjects: Option<BTreeMap<String, u64>>,
        }
        #[derive(Deserialize)]
        struct SubjectsPage {
            #[serde(flatten)]
            page: Page,
            state: SubjectsState,
        }
        let mut subjects = BTreeMap::new();
        loop {
            let ask = Ask {
                subjects_filter: filter,
                offset: subjects.len(),
            };
            let answer: SubjectsPage = self.request(format!("STREAM.INFO.{stream}"), &ask).await?;
            let got = answer.state.subjects.unwrap_or_default();
            let before = subjects.len();
            subjects.extend(got);
            // A page that added nothing, or the last page, ends the walk.
            if subjects.len() == before || subjects.len() >= answer.page.total {
                return Ok(subjects);
            }
        }
    }

    pub(crate) async fn create_stream(
        &self,
        config: &stream::Config,
    ) -> Result<stream::Info, ApiError> {
        self.request(format!("STREAM.CREATE.{}", config.name), config)
            .await
    }

    /// Walks every page of a listing API (the server pages names 1024 and infos 256 at a
    /// time). The next page starts at the server's offset plus its page limit, so a short
    /// page (a clustered server reporting some entries `missing`) neither repeats nor
    /// drops entries.
    async fn all_pages<P, T>(
        &self,
        subject: &str,
        filter: Option<&str>,
        split: fn(P) -> (Page, Option<Vec<T>>),
    ) -> Result<Vec<T>, ApiError>
    where
        P: DeserializeOwned,
    {
        let mut items = Vec::new();
        let mut offset = 0;
        loop {
            let page: P = self
                .request(
                    subject.to_string(),
                    &PageRequest {
                        offset,
                        subject: filter,
                    },
                )
                .await?;
            let (page, got) = split(page);
            if let Some(missing) = page.missing.filter(|m| !m.is_empty()) {
                tracing::warn!(subject, ?missing, "listing page is missing entries");
            }
            items.extend(got.unwrap_or_default());
            offset = page.offset + page.limit;
            if page.limit == 0 || offset >= page.total {
                return Ok(items);
            }
        }
    }

    /// Stream names, all pages, sorted; with `subject`, only streams listening on it.
    pub(crate) async fn stream_names(
        &self,
        subject: Option<&str>,
    ) -> Result<Vec<String>, ApiError> {
        let mut names = self
            .all_pages("STREAM.NAMES", subject, |p: StreamNamesPage| {
                (p.page, p.streams)
            })
            .await?;
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Every stream's info, all pages, sorted by name.
    pub(crate) async fn list_streams(&self) -> Result<Vec<stream::Info>, ApiError> {
        let mut streams = self
            .all_pages("STREAM.LIST", None, |p: StreamInfoPage| (p.page, p.streams))
            .await?;
        streams.sort_by(|a, b| a.config.name.cmp(&b.config.name));
        streams.dedup_by(|a, b| a.config.name == b.config.name);
        Ok(streams)
    }

    /// One page of stream infos (up to 256) from `offset` in the server's order, which is
    /// by name.
    pub(crate) async fn stream_infos_page(
        &self,
        offset: usize,
    ) -> Result<Vec<stream::Info>, ApiError> {
        let page: StreamInfoPage = self
            .request(
                "STREAM.LIST".to_string(),
                &PageRequest {
                    offset,
                    subject: None,
                },
            )
            .await?;
        Ok(page.streams.unwrap_or_default())
    }

    /// Every consumer of `stream`, all pages, sorted by name.
    pub(crate) async fn list_consumers(
        &self,
        stream: &str,
    ) -> Result<Vec<consumer::Info>, ApiError> {
        let mut consumers = self
            .all_pages(
                &format!("CONSUMER.LIST.{stream}"),
                None,
                |p: ConsumerInfoPage| (p.page, p.consumers),
            )
            .await?;
        consumers.sort_by(|a, b| a.name.cmp(&b.name));
        consumers.dedup_by(|a, b| a.name == b.name);
        Ok(consumers)
    }

    pub(crate) async fn consumer_info(
        &self,
        stream: &str,
        consumer: &str,
    ) -> Result<consumer::Info, ApiError> {
        self.request(format!("CONSUMER.INFO.{stream}.{consumer}"), &Empty {})
            .await
    }

    /// Creates a durable consumer; refuses (rather than changes) one that exists with
    /// another config.
    pub(crate) async fn create_consumer(
        &self,
        stream: &str,
        config: &consumer::Config,
    ) -> Result<consumer::Info, ApiError> {
        let name = config.durable_name.as_deref().unwrap_or_default();
        self.request(
            format!("CONSUMER.CREATE.{stream}.{name}"),
            &CreateConsumerRequest {
                stream_name: stream,
                config,
                action: "create",
            },
        )
        .await
    }

    pub(crate) async fn delete_consumer(
        &self,
        stream: &str,
        consumer: &str,
    ) -> Result<(), ApiError> {
        let answer: Success = self
            .request(format!("CONSUMER.DELETE.{stream}.{consumer}"), &Empty {})
            .await?;
        if answer.success {
            Ok(())
        } else {
            Err(ApiError::Request {
                what: format!("delete consumer {consumer} of stream {stream}"),
                reason: "the server did not confirm the delete".to_string(),
            })
        }
    }

    pub(crate) async fn delete_stream(&self, stream: &str) -> Result<(), ApiError> {
        let _: Success = self
            .request(format!("STREAM.DELETE.{stream}"), &Empty {})
            .await?;
        Ok(())
    }

    /// Reads the message at `sequence` through `$JS.API.STREAM.MSG.GET`: no consumer is
    /// made and nothing is consumed, so it works on WorkQueue streams too.
    pub(crate) async fn get_message(
        &self,
        stream: &str,
        sequence: u64,
    ) -> Result<StoredMessage, ApiError> {
        #[derive(Serialize)]
        struct Get {
            seq: u64,
        }
        let answer: MessageGetAnswer = self
            .request(format!("STREAM.MSG.GET.{stream}"), &Get { seq: sequence })
            .await?;
        decode_stored(stream, answer.message)
    }

    /// The first message at or after `sequence` whose subject matches `subject`
    /// (wildcards allowed), through `STREAM.MSG.GET` with `next_by_subj`: gaps cost no
    /// request, and the end of the stream is `None` rather than an error.
    pub(crate) async fn get_next_message(
        &self,
        stream: &str,
        sequence: u64,
        subject: &str,
    ) -> Result<Option<StoredMessage>, ApiError> {
        #[derive(Serialize)]
        struct GetNext<'a> {
            seq: u64,
            next_by_subj: &'a str,
        }
        let asked = self
            .request::<MessageGetAnswer, _>(
                format!("STREAM.MSG.GET.{stream}"),
                &GetNext {
                    seq: sequence,
                    next_by_subj: subject,
                },
            )
            .await;
        match asked {
            Ok(answer) => decode_stored(stream, answer.message).map(Some),
            Err(e) if e.err_code() == Some(super::error::codes::NO_MESSAGE_FOUND) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Deletes the message at `sequence` (`STREAM.MSG.DELETE`); with `erase` its bytes
    /// are overwritten on disk, which is slower.
    pub(crate) async fn delete_message(
        &self,
        stream: &str,
        sequence: u64,
        erase: bool,
    ) -> Result<(), ApiError> {
        #[derive(Serialize)]
        struct Delete {
            seq: u64,
            no_erase: bool,
        }
        let answer: Success = self
            .request(
                format!("STREAM.MSG.DELETE.{stream}"),
                &Delete {
                    seq: sequence,
                    no_erase: !erase,
                },
            )
            .await?;
        if answer.success {
            Ok(())
        } else {
            Err(ApiError::Request {
                what: format!("delete message {sequence} of stream {stream}"),
                reason: "the server did not confirm the delete".to_string(),
            })
        }
    }
}

fn decode_stored(stream: &str, raw: RawStoredMessage) -> Result<StoredMessage, ApiError> {
    let bad = |reason: String| ApiError::Request {
        what: format!("STREAM.MSG.GET.{stream}"),
        reason,
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let body = match raw.data {
        Some(data) => b64
            .decode(data)
            .map_err(|e| bad(format!("message body is not base64: {e}")))?,
        None => Vec::new(),
    };
    let headers = match raw.hdrs {
        Some(hdrs) => {
            let block = b64
                .decode(hdrs)
                .map_err(|e| bad(format!("message headers are not base64: {e}")))?;
            parse_header_block(&String::from_utf8_lossy(&block))
        }
        None => Headers::new(),
    };
    let time =
        time::OffsetDateTime::parse(&raw.time, &time::format_description::well_known::Rfc3339)
            .map(SystemTime::from)
            .map_err(|e| bad(format!("message time {:?} is not RFC 3339: {e}", raw.time)))?;
    Ok(StoredMessage {
        stream: stream.to_string(),
        subject: raw.subject,
        sequence: raw.seq,
        headers,
        body: Bytes::from(body),
        time,
    })
}

/// Parses a NATS header block (`NATS/1.0\r\nKey: value\r\n...`).
fn parse_header_block(block: &str) -> Headers {
    let mut headers = Headers::new();
    for line in block.lines().skip(1) {
        if let Some((key, value)) = line.split_once(':') {
            headers.append(key.trim(), value.trim());
        }
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_blocks_keep_repeated_keys() {
        let h = parse_header_block("NATS/1.0\r\ntype: order\r\ntag: a\r\ntag: b\r\n\r\n");
        assert_eq!(h.get("type"), Some("order"));
        assert_eq!(h.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn server_errors_deserialize() {
        let a: Answer<Success> = serde_json::from_str(
            r#"{"type":"x","error":{"code":404,"err_code":10014,"description":"consumer not found"}}"#,
        )
        .unwrap();
        match a {
            Answer::Err { error } => {
                assert_eq!(error.err_code, 10014);
                assert_eq!(error.code, 404);
            }
            Answer::Ok(_) => panic!("expected an error"),
        }
    }
}
