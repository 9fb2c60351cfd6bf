//! Rendering: reads the `App`, draws the frame, changes nothing. One file per pane.

mod browse;
mod config_form;
mod consumers;
mod contexts;
mod counters;
mod deadletters;
mod detail;
mod events;
mod forms;
mod header;
mod help;
mod hints;
mod kv;
mod kv_form;
mod kv_key;
mod layout;
mod message;
mod message_ops;
#[cfg(test)]
mod message_ops_tests;
mod messages;
#[cfg(test)]
mod no_color_tests;
mod objects;
#[cfg(test)]
mod objects_tests;
mod operate;
mod outstanding;
mod streams;
mod tail;
pub mod theme;

use std::time::{Duration, SystemTime};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Cell, Row, Table, TableState};

use super::app::{App, Pane};
use super::overlays::{Confirm, Overlay};
pub use layout::{counters_area, first_row, pane_areas, row_at};

/// Draws the whole console in the app's theme.
pub fn render(frame: &mut Frame, app: &App) {
    theme::scoped(app.theme, || render_all(frame, app));
}

fn render_all(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let [header_area, _, status_area, hints_area] = layout::frame(app, area);
    header::render(frame, app, header_area);
    hints::render_status(frame, app, status_area);
    hints::render(frame, app, hints_area);

    for (pane, pane_area) in pane_areas(app, area) {
        match pane {
            Pane::Streams => streams::render(frame, app, pane_area),
            Pane::Consumers => consumers::render(frame, app, pane_area),
            Pane::Messages => messages::render(frame, app, pane_area),
            Pane::Events => events::render(frame, app, pane_area),
        }
    }
    counters::render(frame, app, counters_area(app, area));

    // Overlays bottom to top: a prompt or a message over the browser shows over it.
    for overlay in &app.overlays {
        render_overlay(frame, app, overlay, area);
    }
    if let Some(top) = app.overlays.last() {
        contexts::render_nats_equivalent(frame, top, area);
    }
}

fn render_overlay(frame: &mut Frame, app: &App, overlay: &Overlay, area: Rect) {
    match overlay {
        Overlay::Help { scroll } => help::render(frame, app, *scroll, area),
        Overlay::StreamDetail { .. } | Overlay::ConsumerDetail { .. } => {
            detail::render(frame, app, overlay, area)
        }
        Overlay::Publish(form) => forms::render_publish(frame, form, area),
        Overlay::AttachForm(form) => forms::render_attach(frame, form, area),
        Overlay::Prompt(prompt) => forms::render_prompt(frame, prompt, area),
        Overlay::Confirm(Confirm::CreateStream(offer)) => {
            forms::render_create_stream(frame, offer, area)
        }
        Overlay::Confirm(Confirm::DeadLetters(plan)) => {
            deadletters::render_confirm(frame, plan, area)
        }
        Overlay::Confirm(Confirm::CreateCapture) => deadletters::render_capture_offer(frame, area),
        Overlay::Confirm(Confirm::Operate(plan)) => operate::render_plan(frame, app, plan, area),
        Overlay::Operate(form) => operate::render_form(frame, app, form, area),
        Overlay::Confirm(Confirm::DeleteMessage(d)) => message_ops::render_delete(frame, d, area),
        Overlay::Confirm(Confirm::Overwrite { path, .. }) => {
            message_ops::render_overwrite(frame, path, area)
        }
        Overlay::Subjects(state) => message_ops::render_subjects(frame, state, area),
        Overlay::Confirm(confirm) => forms::render_confirm(frame, confirm, area),
        Overlay::DeadLetters(state) => deadletters::render(frame, app, state, area),
        Overlay::Browse(state) => browse::render(frame, app, state, area),
        Overlay::Outstanding(state) => outstanding::render(frame, app, state, area),
        Overlay::Message { view, scroll } => message::render(frame, view, *scroll, area),
        Overlay::ConfigForm(form) => config_form::render_form(frame, form, area),
        Overlay::ConfigPreview(preview) => config_form::render_preview(frame, preview, area),
        Overlay::Contexts(state) => contexts::render(frame, state, area),
        Overlay::Buckets(state) => kv::render_buckets(frame, app, state, area),
        Overlay::Keys(state) => kv::render_keys(frame, app, state, area),
        Overlay::Key(state) => kv_key::render(frame, app, state, area),
        Overlay::KeyForm(form) => kv_form::render(frame, form, area),
        Overlay::Tail(state) => tail::render(frame, state, area),
        Overlay::ObjectStores(state) => objects::render_stores(frame, app, state, area),
        Overlay::Objects(state) => objects::render_objects(frame, app, state, area),
    }
}

/// A bordered pane; the focused one stands out.
fn pane_block(title: Line<'_>, focused: bool) -> Block<'_> {
    let block = Block::bordered().title(title);
    if focused {
        block
            .border_type(BorderType::Thick)
            .border_style(Style::new().fg(theme::get().accent))
    } else {
        block.border_style(Style::new().fg(theme::get().border))
    }
}

fn focused(app: &App, pane: Pane) -> bool {
    app.focus == pane && app.overlays.is_empty()
}

/// A table column: header, width, and how readily it is dropped on a narrow screen
/// (higher priority stays longer).
struct Column {
    title: &'static str,
    width: u16,
    priority: u8,
}

const fn col(title: &'static str, width: u16, priority: u8) -> Column {
    Column {
        title,
        width,
        priority,
    }
}

/// A table cell with its text against the right edge (counts, sizes, ages).
fn right(text: String) -> ratatui::widgets::Cell<'static> {
    ratatui::widgets::Cell::from(Line::from(text).right_aligned())
}

/// Indices of the columns that fit in `width`, dropping the lowest priorities first.
fn fit_columns(columns: &[Column], width: u16) -> Vec<usize> {
    // A titled column of width 0 is switched off (the untitled one is the filler).
    let mut kept: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].width > 0 || columns[i].title.is_empty())
        .collect();
    let total = |kept: &[usize]| -> u16 { kept.iter().map(|&i| columns[i].width + 1).sum::<u16>() };
    while total(&kept) > width && kept.len() > 1 {
        let (pos, _) = kept
            .iter()
            .enumerate()
            .min_by_key(|(pos, i)| (columns[**i].priority, std::cmp::Reverse(*pos)))
            .expect("kept is not empty");
        kept.remove(pos);
    }
    kept
}

/// A table of the kept columns; the last kept column takes the remaining width. Only the
/// rows that fit are built (`row(i)` for the window around `selected`), so a list of
/// thousands costs what a screenful does.
fn draw_table(
    frame: &mut Frame,
    area: Rect,
    block: Block<'_>,
    columns: &[Column],
    len: usize,
    selected: Option<usize>,
    row: impl Fn(usize) -> (Vec<Cell<'static>>, Style),
) {
    let inner_width = area.width.saturating_sub(4);
    let kept = fit_columns(columns, inner_width);
    let widths: Vec<Constraint> = kept
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            if n + 1 == kept.len() {
                Constraint::Min(columns[i].width)
            } else {
                Constraint::Length(columns[i].width)
            }
        })
        .collect();
    let header = Row::new(kept.iter().map(|&i| Cell::from(columns[i].title))).style(
        Style::new()
            .add_modifier(Modifier::BOLD)
            .fg(theme::get().label),
    );
    // Borders and the header take three rows.
    let fits = usize::from(area.height.saturating_sub(3)).max(1);
    let first = first_row(fits, selected);
    let rows: Vec<Row> = (first..len.min(first + fits))
        .map(|i| {
            let (cells, style) = row(i);
            let mut cells: Vec<Option<Cell>> = cells.into_iter().map(Some).collect();
            Row::new(kept.iter().map(|&c| cells[c].take().unwrap_or_default())).style(style)
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(theme::get().selected())
        .highlight_symbol("▶ ");
    let mut state = TableState::default().with_selected(selected.map(|s| s - first));
    frame.render_stateful_widget(table, area, &mut state);
}

/// A pane with nothing to list: the block and a grey explanation.
fn empty_pane(frame: &mut Frame, area: Rect, block: Block<'_>, text: String) {
    frame.render_widget(
        ratatui::widgets::Paragraph::new(ratatui::text::Text::styled(
            text,
            Style::new().fg(theme::get().label),
        ))
        .wrap(ratatui::widgets::Wrap { trim: true })
        .block(block),
        area,
    );
}

/// Names longer than this are cut with an ellipsis.
const NAME_MAX: usize = 32;

/// The width of a name column: the longest name, within 8 and NAME_MAX.
fn name_width<'a>(names: impl Iterator<Item = &'a str>) -> u16 {
    names
        .map(|n| n.chars().count().min(NAME_MAX))
        .max()
        .unwrap_or(0)
        .max(8) as u16
}

/// `1,234,567`.
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn fmt_bytes(n: u64) -> String {
    bytesize::ByteSize(n).to_string()
}

/// A short age: `4s`, `12m`, `3h`, `9d`; `-` when unknown.
pub fn fmt_age(now: SystemTime, then: Option<SystemTime>) -> String {
    let Some(then) = then else {
        return "-".to_string();
    };
    let secs = now.duration_since(then).unwrap_or_default().as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86400),
    }
}

/// A short duration: `30s`, `2m`, `1h30m`, `500ms`.
pub fn fmt_duration(d: Duration) -> String {
    if d.is_zero() {
        return "-".to_string();
    }
    let d = if d >= Duration::from_secs(1) {
        Duration::from_secs(d.as_secs())
    } else {
        Duration::from_millis(d.as_millis() as u64)
    };
    humantime::format_duration(d).to_string().replace(' ', "")
}

/// `12.5/s`, `0/s`, `1.2k/s`.
pub fn fmt_rate(rate: f64) -> String {
    if rate <= 0.0 {
        "0/s".to_string()
    } else if rate < 10.0 {
        format!("{rate:.1}/s")
    } else if rate < 10_000.0 {
        format!("{rate:.0}/s")
    } else {
        format!("{:.1}k/s", rate / 1000.0)
    }
}

/// A text sparkline of `width` cells over the samples, scaled to their maximum; each
/// cell shows the largest sample of its slice of the history.
pub fn sparkline<'a>(samples: impl ExactSizeIterator<Item = &'a f64>, width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let samples: Vec<f64> = samples.copied().collect();
    if width == 0 {
        return String::new();
    }
    let buckets: Vec<f64> = if samples.len() <= width {
        samples.clone()
    } else {
        let per = samples.len().div_ceil(width);
        samples
            .chunks(per)
            .map(|c| c.iter().copied().fold(0.0, f64::max))
            .collect()
    };
    let max = buckets.iter().copied().fold(0.0, f64::max);
    let line: String = buckets
        .iter()
        .map(|&v| {
            if v <= 0.0 || max <= 0.0 {
                ' '
            } else {
                BARS[(((v / max) * 7.0).round() as usize).min(7)]
            }
        })
        .collect();
    format!("{line:>width$}")
}

/// `a, b, c` cut to `max` characters with an ellipsis.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// A centred rectangle of `percent_x` by `percent_y` of `area`.
fn centered(area: Rect, percent_x: u16, percent_y: u16) -> Rect {
    let [_, middle, _] = Layout::vertical([
        Constraint::Percentage((100 - percent_y) / 2),
        Constraint::Percentage(percent_y),
        Constraint::Percentage((100 - percent_y) / 2),
    ])
    .areas(area);
    let [_, center, _] = Layout::horizontal([
        Constraint::Percentage((100 - percent_x) / 2),
        Constraint::Percentage(percent_x),
        Constraint::Percentage((100 - percent_x) / 2),
    ])
    .areas(middle);
    center
}

#[cfg(test)]
mod kv_form_tests;
#[cfg(test)]
mod kv_tests;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn numbers_read_like_an_operator_expects() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(1234567), "1,234,567");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_rate(0.0), "0/s");
        assert_eq!(fmt_rate(2.5), "2.5/s");
        assert_eq!(fmt_rate(1500.0), "1500/s");
        assert_eq!(fmt_rate(25000.0), "25.0k/s");
        assert_eq!(fmt_duration(Duration::from_secs(30)), "30s");
        assert_eq!(fmt_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1s");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(fmt_age(now, Some(now - Duration::from_secs(75))), "1m");
        assert_eq!(fmt_age(now, None), "-");
        assert_eq!(truncate("orders.>, orders", 8), "orders.…");
    }

    #[test]
    fn sparklines_scale_to_their_maximum() {
        assert_eq!(sparkline([0.0, 1.0, 2.0, 4.0].iter(), 4), " ▃▅█");
        assert_eq!(sparkline([].iter(), 3), "   ");
        // 8 samples into 4 cells: each cell is the max of two.
        assert_eq!(
            sparkline([1.0, 0.0, 0.0, 0.0, 2.0, 2.0, 0.0, 4.0].iter(), 4),
            "▃ ▅█"
        );
    }

    #[test]
    fn narrow_tables_drop_low_priority_columns() {
        let cols = [col("a", 10, 9), col("b", 10, 1), col("c", 10, 5)];
        assert_eq!(fit_columns(&cols, 40), [0, 1, 2]);
        assert_eq!(fit_columns(&cols, 25), [0, 2]);
        assert_eq!(fit_columns(&cols, 5), [0]);
    }
}
