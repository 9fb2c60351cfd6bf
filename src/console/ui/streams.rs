//! The streams pane: one row per stream, sorted by name, filterable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

use super::theme;
use super::{
    Column, NAME_MAX, col, draw_table, empty_pane, fmt_age, fmt_bytes, fmt_count, fmt_rate,
    focused, name_width, pane_block, sparkline, truncate,
};
use crate::broker::ApiErrorKind;
use crate::console::app::{App, Pane, StreamRow};
use crate::console::model::StreamView;

const SPARK: usize = 12;

/// After the name of a key-value bucket's stream (`KV_<bucket>`): known from the name
/// alone, so no request. A word, since symbols like ⚿ have an ambiguous width.
const BUCKET_MARK: &str = " bucket";
/// After the name of an object store's stream (`OBJ_<store>`), likewise.
const OBJECTS_MARK: &str = " objects";

/// The mark after a stream's name: a bucket's or an object store's stream.
fn mark(name: &str) -> Option<&'static str> {
    if crate::broker::bucket_of_stream(name).is_some() {
        Some(BUCKET_MARK)
    } else if crate::broker::store_of_stream(name).is_some() {
        Some(OBJECTS_MARK)
    } else {
        None
    }
}

/// The name cell: the name (as `shown`), and the mark on a bucket's or a store's stream.
fn name_cell(name: &str, shown: String) -> Cell<'static> {
    let Some(mark) = mark(name) else {
        return Cell::from(shown);
    };
    Cell::from(Line::from(vec![
        Span::raw(shown),
        Span::styled(mark, Style::new().fg(theme::get().muted)),
    ]))
}

/// The columns, the name as wide as the longest name (within reason).
fn columns(name_width: u16, clustered: bool) -> [Column; 15] {
    [
        col("Name", name_width, 100),
        col("Subjects", 18, 60),
        col("Retention", 9, 30),
        col("Storage", 7, 25),
        col("R", 1, 35),
        // Only a clustered server has leaders to show.
        col("Leader", if clustered { 14 } else { 0 }, 32),
        col("Msgs", 9, 95),
        col("Bytes", 10, 70),
        col("Cons", 4, 80),
        col("First", 7, 20),
        col("Last", 7, 40),
        col("Last msg", 8, 50),
        col("In", 7, 90),
        col("Last minute", SPARK as u16, 85),
        col("", 0, 200),
    ]
}

fn row(app: &App, s: &StreamView) -> Vec<Cell<'static>> {
    let c = &s.info.config;
    let st = &s.info.state;
    let last_msg = (st.last_sequence > 0).then(|| std::time::SystemTime::from(st.last_timestamp));
    vec![
        name_cell(s.name(), truncate(s.name(), NAME_MAX)),
        Cell::from(truncate(&c.subjects.join(", "), 40)),
        Cell::from(format!("{:?}", c.retention)),
        Cell::from(format!("{:?}", c.storage)),
        Cell::from(c.num_replicas.to_string()),
        leader(s),
        Cell::from(Line::from(fmt_count(st.messages)).right_aligned()),
        Cell::from(Line::from(fmt_bytes(st.bytes)).right_aligned()),
        Cell::from(Line::from(st.consumer_count.to_string()).right_aligned()),
        Cell::from(Line::from(st.first_sequence.to_string()).right_aligned()),
        Cell::from(Line::from(st.last_sequence.to_string()).right_aligned()),
        Cell::from(Line::from(fmt_age(app.now, last_msg)).right_aligned()),
        Cell::from(Line::from(fmt_rate(s.rate)).right_aligned()),
        Cell::from(Span::styled(
            sparkline(s.history.iter(), SPARK),
            Style::new().fg(theme::get().ok),
        )),
        Cell::from(""),
    ]
}

/// The stream's leader, and how many replicas lag behind it (red when any).
fn leader(s: &StreamView) -> Cell<'static> {
    let Some(cluster) = &s.info.cluster else {
        return Cell::from("-");
    };
    let name = cluster
        .leader
        .clone()
        .unwrap_or_else(|| "no leader".to_string());
    let lagging = cluster
        .replicas
        .iter()
        .filter(|r| !r.current || r.offline)
        .count();
    if lagging > 0 {
        Cell::from(Span::styled(
            format!("{} +{lagging} lag", truncate(&name, 6)),
            Style::new().fg(theme::get().problem),
        ))
    } else {
        Cell::from(truncate(&name, 14))
    }
}

/// Why there is no stream to show, in words: never "publish to create one" when the
/// streams could not be listed at all.
fn empty_text(app: &App) -> String {
    if let Some(subject) = app.denied.iter().find(|s| s.contains(".STREAM.")) {
        return format!(
            "Listing streams is not permitted for this user: the server refused {subject}.\nWhat still works: publish (p) and attach by topic and queue (S) on subjects this user may use."
        );
    }
    match app.refresh_failure {
        Some(ApiErrorKind::NoJetStream) => "JetStream is not enabled for this account, so it has no streams.\nEnable JetStream for the account on the server, or connect as a user of an account that has it.".to_string(),
        Some(_) => "Streams could not be listed (the header shows why); jetdeck keeps trying.".to_string(),
        None if !app.streams_listed => "Listing streams…".to_string(),
        None => "No streams yet. Publish to a subject to create one (`nats pub orders.new hi`), or run `jetdeck --embedded --demo`.".to_string(),
    }
}

/// A row whose info has not been read yet (a large account, far from the selection): its
/// name, and a mark where the figures go.
fn unread_row(name: &str) -> Vec<Cell<'static>> {
    let mut cells = vec![name_cell(name, truncate(name, NAME_MAX))];
    cells.extend(
        (1..15).map(|_| Cell::from(Span::styled("…", Style::new().fg(theme::get().muted)))),
    );
    cells
}

/// The row and its style: grey when its figures are older than the last refresh.
fn row_of(app: &App, r: StreamRow<'_>) -> (Vec<Cell<'static>>, Style) {
    match r.view {
        None => (unread_row(r.name), Style::new().fg(theme::get().muted)),
        Some(v) if app.last_refresh.is_some_and(|at| v.read_at < at) => {
            // `~` before the name says "older figures" without the grey.
            let mut cells = row(app, v);
            let shown = format!("~{}", truncate(r.name, NAME_MAX - 1));
            cells[0] = name_cell(r.name, shown);
            (cells, Style::new().fg(theme::get().muted))
        }
        Some(v) => (row(app, v), Style::new()),
    }
}

/// The title: how many streams, the filter, and (in an account too large to read whole)
/// that rows away from the selection are read less often.
fn title(app: &App, shown: usize) -> Line<'static> {
    let mut title = vec![Span::raw(format!(
        " Streams ({}) ",
        super::fmt_count(app.stream_names.len() as u64)
    ))];
    let filter = app.stream_filter.text();
    if !filter.is_empty() {
        title.push(Span::styled(
            format!("/{filter} ({shown} shown) "),
            Style::new().fg(theme::get().warning),
        ));
    }
    if !app.streams_complete {
        title.push(Span::styled(
            "· read around the selection; grey ~: older than the refresh ",
            Style::new().fg(theme::get().muted),
        ));
    }
    Line::from(title)
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    // Names only: a view is looked up for the rows drawn, not for every stream.
    let visible = app.visible_stream_names();
    let block = pane_block(title(app, visible.len()), focused(app, Pane::Streams));
    if visible.is_empty() {
        let connected = app.connection.state == crate::broker::ConnectionState::Connected;
        let text = if !connected && app.last_refresh.is_none() {
            let why = app.connection.last_error.as_deref().unwrap_or("connecting");
            format!(
                "Not connected ({why}).\nStart nats-server, pass --server URL (user:password@host or token@host for auth), or run `jetdeck --embedded --demo` for a private server with demo data."
            )
        } else if app.stream_names.is_empty() {
            empty_text(app)
        } else {
            "No stream matches the filter. Esc clears it.".to_string()
        };
        empty_pane(frame, area, block, text);
        return;
    }
    let marked = visible
        .iter()
        .filter_map(|n| Some((n, mark(n)?)))
        .map(|(n, m)| (n.chars().count().min(NAME_MAX) + m.len()) as u16)
        .max()
        .unwrap_or(0);
    let name_width = name_width(visible.iter().copied()).max(marked);
    let clustered = app.streams.iter().any(|s| s.info.cluster.is_some());
    draw_table(
        frame,
        area,
        block,
        &columns(name_width, clustered),
        visible.len(),
        app.stream_index(),
        |i| {
            let name = visible[i];
            row_of(
                app,
                StreamRow {
                    name,
                    view: app.stream(name),
                },
            )
        },
    );
}
