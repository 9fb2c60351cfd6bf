//! The detail overlay: a stream's or consumer's whole config and state, one field a line,
//! durations and sizes in human units.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use serde_json::Value;

use super::theme;
use super::{centered, fmt_bytes, fmt_duration};
use crate::console::app::{App, Overlay};
use crate::diagnosis::{Finding, Severity};

/// Fields holding nanoseconds.
const DURATIONS: [&str; 8] = [
    "ack_wait",
    "max_age",
    "duplicate_window",
    "inactive_threshold",
    "max_expires",
    "idle_heartbeat",
    "subject_delete_marker_ttl",
    "pause_remaining",
];
/// Fields holding bytes.
const SIZES: [&str; 4] = [
    "max_bytes",
    "bytes",
    "max_request_max_bytes",
    "max_msg_size",
];

fn value_text(key: &str, value: &Value) -> String {
    match value {
        Value::Number(n) if DURATIONS.contains(&key) => n
            .as_u64()
            .map(|ns| fmt_duration(Duration::from_nanos(ns)))
            .unwrap_or_else(|| n.to_string()),
        Value::Number(n) if SIZES.contains(&key) => match n.as_i64() {
            Some(-1) => "unlimited".to_string(),
            Some(b) if b >= 0 => fmt_bytes(b as u64),
            _ => n.to_string(),
        },
        Value::Number(n) if n.as_i64() == Some(-1) => "unlimited".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// `key: value` lines of a JSON object, nested objects as `outer.inner`; empty values
/// are left out.
pub fn fields(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match v {
                    Value::Object(_) => fields(&key, v, out),
                    Value::Null => {}
                    Value::Array(a) if a.is_empty() => {}
                    Value::String(s) if s.is_empty() => {}
                    _ => out.push((key, value_text(k, v))),
                }
            }
        }
        other => out.push((prefix.to_string(), value_text(prefix, other))),
    }
}

fn section(title: &str, value: &Value, lines: &mut Vec<Line<'static>>) {
    lines.push(Line::from(Span::styled(
        format!(" {title}"),
        Style::new().bold().fg(theme::get().accent),
    )));
    let mut out = Vec::new();
    fields("", value, &mut out);
    let width = out.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in out {
        lines.push(Line::from(vec![
            Span::styled(
                format!("   {k:<width$}  "),
                Style::new().fg(theme::get().label),
            ),
            Span::raw(v),
        ]));
    }
    lines.push(Line::raw(""));
}

/// The overlay's title and lines for whatever it shows.
pub fn content(app: &App, overlay: &Overlay) -> (String, Vec<Line<'static>>) {
    let mut lines = Vec::new();
    match overlay {
        Overlay::StreamDetail { stream, .. } => match app.stream(stream) {
            Some(s) => {
                section("Config", &json(&s.info.config), &mut lines);
                let st = &s.info.state;
                let state = serde_json::json!({
                    "messages": st.messages,
                    "bytes": st.bytes,
                    "first_sequence": st.first_sequence,
                    "first_timestamp": rfc3339(st.first_timestamp),
                    "last_sequence": st.last_sequence,
                    "last_timestamp": rfc3339(st.last_timestamp),
                    "consumer_count": st.consumer_count,
                    "subjects_count": st.subjects_count,
                    "deleted_count": st.deleted_count,
                });
                section("State", &state, &mut lines);
                if let Some(c) = &s.info.cluster {
                    let replicas: Vec<String> = c
                        .replicas
                        .iter()
                        .map(|p| {
                            format!(
                                "{} ({}{}, lag {})",
                                p.name,
                                if p.current { "current" } else { "lagging" },
                                if p.offline { ", offline" } else { "" },
                                p.lag.unwrap_or(0)
                            )
                        })
                        .collect();
                    let cluster = serde_json::json!({
                        "name": c.name,
                        "leader": c.leader,
                        "replicas": replicas,
                    });
                    section("Cluster", &cluster, &mut lines);
                }
                (format!(" Stream {stream} "), lines)
            }
            None => gone(format!("Stream {stream}")),
        },
        Overlay::ConsumerDetail {
            stream, consumer, ..
        } => match app.consumer(stream, consumer) {
            Some(c) => {
                let i = &c.info;
                let state = serde_json::json!({
                    "num_pending": i.num_pending,
                    "num_ack_pending": i.num_ack_pending,
                    "num_redelivered": i.num_redelivered,
                    "num_waiting": i.num_waiting,
                    "delivered.stream_sequence": i.delivered.stream_sequence,
                    "delivered.consumer_sequence": i.delivered.consumer_sequence,
                    "delivered.last_active": i.delivered.last_active.map(rfc3339),
                    "ack_floor.stream_sequence": i.ack_floor.stream_sequence,
                    "ack_floor.consumer_sequence": i.ack_floor.consumer_sequence,
                    "ack_floor.last_active": i.ack_floor.last_active.map(rfc3339),
                    "created": rfc3339(i.created),
                });
                diagnosis_section(app.diagnoses.findings(stream, consumer), &mut lines);
                section("Config", &json(&i.config), &mut lines);
                section("State", &state, &mut lines);
                (format!(" Consumer {stream} / {consumer} "), lines)
            }
            None => gone(format!("Consumer {consumer} of {stream}")),
        },
        _ => (String::new(), lines),
    }
}

/// Every finding: its severity, the sentence with its numbers, and what to do.
fn diagnosis_section(findings: Option<&[Finding]>, lines: &mut Vec<Line<'static>>) {
    lines.push(Line::from(Span::styled(
        " Diagnosis",
        Style::new().bold().fg(theme::get().accent),
    )));
    let Some(findings) = findings else {
        lines.push(Line::raw(
            "   Not diagnosed yet: it comes with the next refresh.",
        ));
        lines.push(Line::raw(""));
        return;
    };
    for f in findings {
        // The mark tells the severity without colour: ✗ problem, ! warning, · note.
        let (colour, mark) = match f.severity {
            Severity::Problem => (theme::get().problem, '✗'),
            Severity::Warning => (theme::get().warning, '!'),
            Severity::Info => (theme::get().ok, '·'),
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {mark} {:<13} ", f.kind.word()),
                Style::new().bold().fg(colour),
            ),
            Span::raw(f.sentence.clone()),
        ]));
        if let Some(action) = &f.action {
            lines.push(Line::from(vec![
                Span::styled("   what to do    ", Style::new().fg(theme::get().label)),
                Span::raw(action.clone()),
            ]));
        }
    }
    lines.push(Line::raw(""));
}

fn gone(what: String) -> (String, Vec<Line<'static>>) {
    (
        format!(" {what} "),
        vec![Line::from(Span::styled(
            format!(" {what} no longer exists on the server."),
            Style::new().fg(theme::get().warning),
        ))],
    )
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

pub fn render(frame: &mut Frame, app: &App, overlay: &Overlay, area: Rect) {
    let scroll = match overlay {
        Overlay::StreamDetail { scroll, .. } | Overlay::ConsumerDetail { scroll, .. } => *scroll,
        _ => 0,
    };
    let (title, lines) = content(app, overlay);
    let area = centered(area, 90, 90);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(
                Block::bordered()
                    .title(title)
                    .title_bottom(" ↑↓ scroll · Esc close ")
                    .border_style(Style::new().fg(theme::get().accent)),
            ),
        area,
    );
}
