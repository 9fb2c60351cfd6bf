//! The object-store views (issue 16): the stores, and a store's objects with the progress
//! of a save or put and the question before a change.

use super::right;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Clear, Gauge, Paragraph, Wrap};

use super::theme;
use super::{
    Column, centered, col, draw_table, empty_pane, fmt_age, fmt_bytes, fmt_count, pane_block,
    truncate,
};
use crate::console::app::App;
use crate::console::overlays::objects::{ObjectAsk, ObjectsState, StoresState, Transfer, stores};

const STORE_COLUMNS: [Column; 8] = [
    col("Store", 20, 100),
    col("Objects", 8, 95),
    col("Bytes", 10, 90),
    col("R", 1, 30),
    col("Storage", 7, 40),
    col("Sealed", 6, 50),
    col("Modified", 8, 80),
    col("Description", 24, 20),
];

pub fn render_stores(frame: &mut Frame, app: &App, state: &StoresState, area: Rect) {
    let area = centered(area, 90, 80);
    let rows = stores(app);
    // A large account reads stream infos around the selection: stores far from it may
    // not have been read yet.
    let partial = if app.streams_complete {
        ""
    } else {
        " · of the streams read so far"
    };
    let title = Line::from(format!(
        " Object stores ({}){partial} ",
        fmt_count(rows.len() as u64)
    ));
    let block = pane_block(title, true).title_bottom(" Enter objects · Esc close ");
    frame.render_widget(Clear, area);
    if rows.is_empty() {
        let text = "No object stores (streams named OBJ_<store>).".to_string();
        empty_pane(frame, area, block, text);
        return;
    }
    let selected = state.selected.min(rows.len() - 1);
    draw_table(
        frame,
        area,
        block,
        &STORE_COLUMNS,
        rows.len(),
        Some(selected),
        |i| {
            let r = &rows[i];
            // Counted when the store's objects are listed: a stream info cannot say.
            let objects = state
                .counted
                .get(&r.name)
                .map_or("-".to_string(), |n| fmt_count(*n as u64));
            (
                vec![
                    Cell::from(truncate(&r.name, 40)),
                    right(objects),
                    right(fmt_bytes(r.bytes)),
                    Cell::from(r.replicas.to_string()),
                    Cell::from(format!("{:?}", r.storage)),
                    Cell::from(if r.sealed { "sealed" } else { "no" }),
                    right(fmt_age(app.now, r.modified)),
                    Cell::from(r.description.clone().unwrap_or_default()),
                ],
                Style::new(),
            )
        },
    );
}

const OBJECT_COLUMNS: [Column; 6] = [
    col("Name", 28, 100),
    col("Size", 10, 95),
    col("Chunks", 6, 60),
    col("Modified", 8, 80),
    col("Digest", 19, 70),
    col("Description", 24, 30),
];

/// `SHA-256=abcdefgh…`: enough to tell objects apart at a glance.
pub fn short_digest(digest: Option<&str>) -> String {
    let Some(d) = digest else {
        return "-".to_string();
    };
    match d.split_once('=') {
        Some((algo, value)) if value.chars().count() > 8 => {
            format!("{algo}={}…", value.chars().take(8).collect::<String>())
        }
        _ => d.to_string(),
    }
}

fn objects_title(state: &ObjectsState) -> Line<'static> {
    let count = state.objects.as_ref().map_or(0, Vec::len);
    let mut title = format!(" Objects of {} ({})", state.store, fmt_count(count as u64));
    if !state.filter.is_empty() {
        title.push_str(&format!(
            " · filter {} ({} shown)",
            state.filter,
            fmt_count(state.shown.len() as u64)
        ));
    }
    title.push(' ');
    Line::from(title)
}

pub fn render_objects(frame: &mut Frame, app: &App, state: &ObjectsState, area: Rect) {
    let area = centered(area, 90, 80);
    frame.render_widget(Clear, area);
    let (list, gauge) = match &state.transfer {
        Some(_) => {
            let [list, gauge] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(3)]).areas(area);
            (list, Some(gauge))
        }
        None => (area, None),
    };
    render_object_list(frame, app, state, list);
    if let (Some(t), Some(gauge)) = (&state.transfer, gauge) {
        render_transfer(frame, t, gauge);
    }
    if let Some(ask) = &state.asking {
        render_ask(frame, state, ask, area);
    }
}

fn render_object_list(frame: &mut Frame, app: &App, state: &ObjectsState, area: Rect) {
    let block = pane_block(objects_title(state), true)
        .title_bottom(" s save · u put · d delete · / filter · R reread · Esc close ");
    if let Some(e) = &state.error {
        let text = format!("{e}\n(R reads the objects again.)");
        empty_pane(frame, area, block, text);
        return;
    }
    let Some(objects) = &state.objects else {
        empty_pane(frame, area, block, "Reading the objects…".to_string());
        return;
    };
    if state.shown.is_empty() {
        let text = if objects.is_empty() {
            "No objects: u puts a file."
        } else {
            "No object matches the filter (Esc clears it)."
        };
        empty_pane(frame, area, block, text.to_string());
        return;
    }
    draw_table(
        frame,
        area,
        block,
        &OBJECT_COLUMNS,
        state.shown.len(),
        Some(state.selected),
        |i| {
            let o = &objects[state.shown[i]];
            (
                vec![
                    Cell::from(truncate(&o.name, 200)),
                    right(fmt_bytes(o.size as u64)),
                    right(o.chunks.to_string()),
                    right(fmt_age(app.now, o.modified)),
                    Cell::from(short_digest(o.digest.as_deref())),
                    Cell::from(o.description.clone().unwrap_or_default()),
                ],
                Style::new(),
            )
        },
    );
}

/// `saving big.bin: 4.0 MiB of 10.0 MiB (40%)`, as a bar.
fn render_transfer(frame: &mut Frame, t: &Transfer, area: Rect) {
    let ratio = if t.total == 0 {
        0.0
    } else {
        (t.done as f64 / t.total as f64).clamp(0.0, 1.0)
    };
    let label = format!(
        "{} of {} ({}%)",
        fmt_bytes(t.done),
        fmt_bytes(t.total),
        (ratio * 100.0).floor() as u64
    );
    let gauge = Gauge::default()
        .block(Block::bordered().title(format!(" {} {} ", t.verb, t.name)))
        .gauge_style(Style::new().fg(theme::get().accent))
        .ratio(ratio)
        .label(label);
    frame.render_widget(gauge, area);
}

fn render_ask(frame: &mut Frame, state: &ObjectsState, ask: &ObjectAsk, area: Rect) {
    let (title, text, keys) = match ask {
        ObjectAsk::Overwrite { path, .. } => (
            " Overwrite the file? ",
            format!("\n {path} exists. Overwrite it?"),
            " y overwrite · n keep it ",
        ),
        ObjectAsk::Put {
            path,
            size,
            name,
            replaces,
        } => {
            let what = match replaces {
                Some(old) => format!(
                    "This REPLACES the object {name} ({}, {}): its old content is gone.",
                    fmt_bytes(old.size as u64),
                    short_digest(old.digest.as_deref())
                ),
                None => format!("A new object: {} has none named {name}.", state.store),
            };
            let text = format!(
                "\n Put {} ({}) into {} as {name}?\n\n {what}",
                path.display(),
                fmt_bytes(*size),
                state.store
            );
            (" Put a file? ", text, " y put · n no ")
        }
        ObjectAsk::Delete { name, size } => (
            " Delete the object? ",
            format!(
                "\n Delete {name} ({}) from {}?\n\n Not undoable.",
                fmt_bytes(*size as u64),
                state.store
            ),
            " y delete · n no ",
        ),
    };
    let area = centered(area, 70, 40);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(title)
                .title_bottom(keys)
                .border_style(Style::new().fg(theme::get().warning)),
        ),
        area,
    );
}
