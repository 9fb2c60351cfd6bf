//! `jetdeck bench` runs in CI with tiny counts, so it cannot rot.

use std::process::Command;

fn bench(args: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jetdeck"))
        .arg("bench")
        .arg("--embedded")
        .args(args)
        .arg("--log-file")
        .arg(dir.path().join("bench.log"))
        .output()
        .expect("run jetdeck bench");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_throughput_table_has_every_case_and_its_ratio() {
    let (ok, stdout, stderr) = bench(&["--count", "300"]);
    assert!(ok, "{stdout}\n{stderr}");
    for case in [
        "publish (sync)",
        "publish (pipelined, window 256)",
        "consume (batch of 10)",
        "consume (streaming, 1000 buffered)",
        "broker streaming consume / broker batch consume",
    ] {
        assert!(stdout.contains(case), "{case} missing:\n{stdout}");
    }
    // stderr is a pipe here: one line per case, never a redrawn bar.
    assert!(
        !stderr.contains('\r') && !stderr.contains('%'),
        "no progress bar into a pipe:\n{stderr}"
    );
    for phase in [
        "publish raw (300)",
        "publish broker (300)",
        "pipelined raw (300)",
    ] {
        assert!(
            stderr.lines().any(|line| line == phase),
            "a line for {phase}:\n{stderr}"
        );
    }
}

#[test]
fn json_output_parses_with_ratios() {
    let (ok, stdout, stderr) = bench(&["--count", "200", "--json"]);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for c in cases {
        assert!(c["ratio"].as_f64().unwrap() > 0.0, "{c}");
        assert!(c["broker"]["msgs_per_sec"].as_f64().unwrap() > 0.0);
    }
    assert!(
        cases[0]["broker"]["latency_us"][2].as_f64().is_some(),
        "p99 for sync publish"
    );
}

#[test]
fn the_console_scale_scenario_reports_its_cost() {
    let (ok, stdout, stderr) = bench(&[
        "--scenario",
        "console-scale",
        "--streams",
        "300",
        "--consumers-per-stream",
        "2",
        "--json",
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(r["streams"], 300);
    assert_eq!(r["consumers"], 600);
    // account + 2 stream pages (256 a page) + 1 consumer page of the selected stream
    assert_eq!(r["requests_per_refresh"], 4);
    assert_eq!(r["auto_window_rows"], 200);
    // The doctor diagnosed every consumer the scenario made.
    assert_eq!(r["doctor_consumers"], 600);
    assert!(
        r["doctor_ms"].as_f64().is_some_and(|ms| ms > 0.0),
        "{stdout}"
    );
}

#[test]
fn the_tail_scenario_keeps_memory_bounded_under_a_firehose() {
    let (ok, stdout, stderr) = bench(&["--scenario", "tail", "--count", "50000", "--json"]);
    assert!(ok, "{stdout}\n{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let (shown, dropped) = (r["shown"].as_u64().unwrap(), r["dropped"].as_u64().unwrap());
    // Every message is shown or counted (the tail on > also sees its own probe).
    assert!(shown + dropped >= 50_000, "{r}");
    assert!(r["rows_kept"].as_u64().unwrap() <= 1_000, "{r}");
    assert!(r["keys"].as_u64().unwrap() >= 20, "{r}");
    let growth = r["rss_peak_mb"].as_f64().unwrap() - r["rss_before_mb"].as_f64().unwrap();
    assert!(growth < 200.0, "memory grew {growth} MB: {r}");
}

#[test]
fn the_kv_keys_scenario_fills_the_keys_view_from_the_watch() {
    let (ok, stdout, stderr) = bench(&["--scenario", "kv-keys", "--count", "3000", "--json"]);
    assert!(ok, "{stdout}\n{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    // Every key reached the view through the watch, none past the cap.
    assert_eq!(r["kept"].as_u64(), Some(3_000), "{r}");
    assert_eq!(r["not_kept"].as_u64(), Some(0), "{r}");
    assert_eq!(r["presses"].as_u64(), Some(200), "{r}");
    assert!(r["rss_settled_mb"].as_f64().unwrap() > 0.0, "{r}");
}
