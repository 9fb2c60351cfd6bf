//! The key-value views (issue 16): the buckets, and a bucket's keys, live.

use super::right;
use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Clear};

use super::layout::first_row;
use super::theme;
use super::{
    Column, centered, col, draw_table, empty_pane, fmt_age, fmt_bytes, fmt_count, fmt_duration,
    pane_block, truncate,
};
use crate::broker::KeyOperation;
use crate::console::app::App;
use crate::console::overlays::kv::{BucketsState, KEYS_KEPT, KeysState, buckets};

const BUCKET_COLUMNS: [Column; 9] = [
    col("Bucket", 20, 100),
    col("Keys", 9, 95),
    col("Values", 9, 80),
    col("Bytes", 10, 70),
    col("History", 7, 60),
    col("TTL", 8, 50),
    col("R", 1, 30),
    col("Storage", 7, 40),
    col("Updated", 8, 90),
];

pub fn render_buckets(frame: &mut Frame, app: &App, state: &BucketsState, area: Rect) {
    render_bucket_list(frame, app, state, area);
    let Some(new) = &state.asking else {
        return;
    };
    let ttl = if new.ttl.is_zero() {
        "values never expire".to_string()
    } else {
        format!("values expire after {}", fmt_duration(new.ttl))
    };
    let text = format!(
        "\n Create bucket {} (stream KV_{})?\n\n {} revisions kept per key, {ttl}, {:?} storage, {} replica.",
        new.name, new.name, new.history, new.storage, new.replicas
    );
    let area = centered(area, 70, 30);
    frame.render_widget(Clear, area);
    frame.render_widget(
        ratatui::widgets::Paragraph::new(text)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(
                ratatui::widgets::Block::bordered()
                    .title(" Create a bucket? ")
                    .title_bottom(" y create · n no ")
                    .border_style(Style::new().fg(theme::get().warning)),
            ),
        area,
    );
}

fn render_bucket_list(frame: &mut Frame, app: &App, state: &BucketsState, area: Rect) {
    let area = centered(area, 90, 80);
    let rows = buckets(app);
    // A large account reads stream infos around the selection: buckets far from it may
    // not have been read yet.
    let partial = if app.streams_complete {
        ""
    } else {
        " · of the streams read so far"
    };
    let title = Line::from(format!(
        " Key-value buckets ({}){partial} ",
        fmt_count(rows.len() as u64)
    ));
    let block =
        pane_block(title, true).title_bottom(" Enter keys · c create · d delete · Esc close ");
    frame.render_widget(Clear, area);
    if rows.is_empty() {
        let text = "No key-value buckets (streams named KV_<bucket>).".to_string();
        empty_pane(frame, area, block, text);
        return;
    }
    let selected = state.selected.min(rows.len() - 1);
    draw_table(
        frame,
        area,
        block,
        &BUCKET_COLUMNS,
        rows.len(),
        Some(selected),
        |i| {
            let r = &rows[i];
            let updated = r.last_update.map(SystemTime::from);
            (
                vec![
                    Cell::from(truncate(&r.name, 40)),
                    right(fmt_count(r.keys)),
                    right(fmt_count(r.values)),
                    right(fmt_bytes(r.bytes)),
                    right(r.history.to_string()),
                    right(fmt_duration(r.ttl)),
                    Cell::from(r.replicas.to_string()),
                    Cell::from(format!("{:?}", r.storage)),
                    right(fmt_age(app.now, updated)),
                ],
                Style::new(),
            )
        },
    );
}

const KEY_COLUMNS: [Column; 5] = [
    col("Key", 30, 100),
    col("Revision", 9, 90),
    col("Changed", 8, 80),
    col("Size", 10, 70),
    col("Op", 7, 95),
];

/// "keys 2,301–2,330 of 10,000": the rows on screen (`first` and `fits` as the table
/// draws them) among those shown.
fn position(first: usize, fits: usize, len: usize) -> String {
    if len == 0 {
        return "no keys".into();
    }
    let last = len.min(first + fits);
    format!(
        "keys {}–{} of {}",
        fmt_count(first as u64 + 1),
        fmt_count(last as u64),
        fmt_count(len as u64)
    )
}

fn keys_title(state: &KeysState, rows: u16) -> Line<'static> {
    // Borders and the header take three rows, as in `draw_table`.
    let fits = usize::from(rows.saturating_sub(3)).max(1);
    let first = first_row(fits, Some(state.selected));
    let mut title = format!(
        " {} · {} · live",
        state.bucket,
        position(first, fits, state.shown.len())
    );
    if !state.filter.is_empty() {
        title.push_str(&format!(
            " · filter {} ({} of {})",
            state.filter,
            fmt_count(state.shown.len() as u64),
            fmt_count(state.keys.len() as u64)
        ));
    }
    if state.not_kept > 0 {
        title.push_str(&format!(
            " · first {} kept, {} more not shown: filter to find one",
            fmt_count(KEYS_KEPT as u64),
            fmt_count(state.not_kept)
        ));
    }
    title.push(' ');
    Line::from(title)
}

pub fn render_keys(frame: &mut Frame, app: &App, state: &KeysState, area: Rect) {
    let area = centered(area, 90, 80);
    let block = pane_block(keys_title(state, area.height), true)
        .title_bottom(" Enter open · p new key · / filter · PgUp PgDn · Esc close ");
    frame.render_widget(Clear, area);
    if let Some(e) = &state.error {
        let text = format!("{e}\n(Esc closes; open the bucket again to retry.)");
        empty_pane(frame, area, block, text);
        return;
    }
    if state.shown.is_empty() {
        let text = if state.keys.is_empty() {
            "No keys yet: new ones appear here as they are put."
        } else {
            "No key matches the filter (Esc clears it)."
        };
        empty_pane(frame, area, block, text.to_string());
        return;
    }
    draw_table(
        frame,
        area,
        block,
        &KEY_COLUMNS,
        state.shown.len(),
        Some(state.selected),
        |i| {
            let key = &state.shown[i];
            let Some(r) = state.keys.get(key) else {
                return (vec![Cell::from(key.to_string())], Style::new());
            };
            let op = Cell::from(r.operation.word());
            let op = match r.operation {
                KeyOperation::Put => op,
                _ => op.fg(theme::get().warning),
            };
            let changed = Some(SystemTime::from(r.changed));
            (
                vec![
                    Cell::from(truncate(key, 200)),
                    right(r.revision.to_string()),
                    right(fmt_age(app.now, changed)),
                    right(fmt_bytes(r.size as u64)),
                    op,
                ],
                Style::new(),
            )
        },
    );
}
