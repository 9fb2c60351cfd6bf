//! One message, whole: metadata, headers, and the body pretty-printed when JSON, as text
//! when it is text, as hex when binary.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::centered;
use super::theme;
use crate::console::app::MessageView;

/// How a body is best shown.
pub fn body_lines(body: &[u8]) -> (&'static str, Vec<String>) {
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body)
        && (json.is_object() || json.is_array())
        && let Ok(pretty) = serde_json::to_string_pretty(&json)
    {
        return ("JSON", pretty.lines().map(str::to_string).collect());
    }
    match std::str::from_utf8(body) {
        Ok(text) if !text.chars().any(|c| c.is_control() && !c.is_whitespace()) => {
            ("text", text.lines().map(str::to_string).collect())
        }
        _ => ("binary, hex", hex_dump(body)),
    }
}

/// `00000000  48 65 6c 6c 6f ...  |Hello...|`, 16 bytes a line.
pub fn hex_dump(body: &[u8]) -> Vec<String> {
    body.chunks(16)
        .enumerate()
        .map(|(i, chunk)| {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let ascii: String = chunk
                .iter()
                .map(|&b| {
                    if b.is_ascii_graphic() || b == b' ' {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:08x}  {:<47}  |{ascii}|", i * 16, hex.join(" "))
        })
        .collect()
}

pub fn render(frame: &mut Frame, view: &MessageView, scroll: u16, area: Rect) {
    let area = centered(area, 90, 90);
    let heading = |t: &str| {
        Line::from(Span::styled(
            format!(" {t}"),
            Style::new()
                .fg(theme::get().accent)
                .add_modifier(Modifier::BOLD),
        ))
    };
    let mut lines = vec![heading("Message")];
    let width = view.meta.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in &view.meta {
        lines.push(Line::from(vec![
            Span::styled(
                format!("   {k:<width$}  "),
                Style::new().fg(theme::get().label),
            ),
            Span::raw(v.clone()),
        ]));
    }
    if !view.timeline.is_empty() {
        lines.push(Line::raw(""));
        lines.push(heading(&format!("Timeline ({})", view.timeline.len())));
        for (when, what) in &view.timeline {
            lines.push(Line::from(vec![
                Span::styled(format!("   {when}  "), Style::new().fg(theme::get().label)),
                Span::raw(what.clone()),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(heading(&format!("Headers ({})", view.headers.len())));
    for (k, v) in view.headers.iter() {
        lines.push(Line::from(vec![
            Span::styled(format!("   {k}: "), Style::new().fg(theme::get().label)),
            Span::raw(v.to_string()),
        ]));
    }
    lines.push(Line::raw(""));
    let (kind, body) = body_lines(&view.body);
    lines.push(heading(&format!(
        "Body ({kind}, {} bytes)",
        view.body.len()
    )));
    lines.extend(body.into_iter().map(|l| Line::raw(format!("   {l}"))));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(
                Block::bordered()
                    .title(format!(" {} ", view.title))
                    .title_bottom(" ↑↓ scroll · Esc back ")
                    .border_style(Style::new().fg(theme::get().accent)),
            ),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_shown_the_best_way() {
        let (kind, lines) = body_lines(br#"{"id":"123","n":[1,2]}"#);
        assert_eq!(kind, "JSON");
        assert!(lines.len() > 3, "pretty-printed: {lines:?}");
        assert_eq!(body_lines(b"Test message 1").0, "text");
        let (kind, lines) = body_lines(&[0, 159, 146, 150, b'A']);
        assert_eq!(kind, "binary, hex");
        assert_eq!(
            lines[0],
            format!("00000000  {:<47}  |....A|", "00 9f 92 96 41")
        );
    }
}
