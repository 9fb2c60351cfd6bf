//! `[servers]`: read, checked, reported, and never showing a password.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::*;

fn path() -> PathBuf {
    PathBuf::from("/home/op/.config/jetdeck/config.toml")
}

const SERVERS: &str = r#"refresh = "2s"

[servers]
staging = "nats://staging.example:4222"
cluster = "nats://a:4222, nats://b:4222"
secret = "nats://ops:hunter2@prod.example:4222"
"the token" = "tls://s3cr3tt0ken@tok.example:4443"

[servers.signed]
url = "nats://signed.example:4222"
creds = "/etc/nats/ops.creds"
nkey = "/etc/nats/ops.nk"
"#;

fn located(text: &str) -> (usize, String, String) {
    match parse(&path(), text).unwrap_err() {
        e @ ConfigError::Invalid { .. } => {
            let shown = e.to_string();
            let ConfigError::Invalid { line, message, .. } = e else {
                unreachable!()
            };
            (line, message, shown)
        }
        other => panic!("not located: {other}"),
    }
}

#[test]
fn servers_are_read_by_name_with_their_lines() {
    let loaded = parse(&path(), SERVERS).unwrap_or_else(|e| panic!("{e}"));
    let by_name: HashMap<&str, &ConfiguredServer> = loaded
        .servers
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    let staging = by_name["staging"];
    assert_eq!(staging.url.expose(), "nats://staging.example:4222");
    assert_eq!(staging.line, 4);
    assert_eq!(
        by_name["cluster"].settings().servers,
        ["nats://a:4222", "nats://b:4222"],
        "a list, as --server takes"
    );
    let signed = by_name["signed"];
    assert_eq!(signed.line, 9, "the table's line");
    let settings = signed.settings();
    assert_eq!(settings.servers, ["nats://signed.example:4222"]);
    assert_eq!(
        settings.creds.as_deref(),
        Some(Path::new("/etc/nats/ops.creds"))
    );
    assert_eq!(
        settings.nkey.as_deref(),
        Some(Path::new("/etc/nats/ops.nk"))
    );
    assert!(settings.user.is_none() && settings.context.is_none());
    // The password stays in the URL the connection reads.
    assert_eq!(
        by_name["secret"].settings().servers,
        ["nats://ops:hunter2@prod.example:4222"]
    );
    let names: Vec<&str> = loaded.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["cluster", "secret", "signed", "staging", "the token"],
        "by name"
    );
}

#[test]
fn a_bad_url_names_its_line_and_what_is_allowed() {
    for (text, says) in [
        (
            "[servers]\nx = \"htp://host:4222\"\n",
            "unknown scheme \"htp\"",
        ),
        ("[servers]\nx = \"nats://host:42x\"\n", "port \"42x\""),
        ("[servers]\nx = \"nats://a b:4222\"\n", "contains a space"),
        ("[servers]\nx = \"\"\n", "a server needs a URL"),
        ("[servers]\nx = \" , \"\n", "a server needs a URL"),
        ("[servers.x]\nurl = \"nats://\"\n", "not a URL"),
    ] {
        let (line, message, _) = located(text);
        assert_eq!(line, 2, "{text}: {message}");
        assert!(message.contains(says), "{text}: {message}");
        assert!(
            message.contains("write e.g. \"nats://host:4222\""),
            "what is allowed: {message}"
        );
    }
    let (line, message, _) = located("[servers]\nx = 4222\n");
    assert_eq!(line, 2);
    assert!(message.contains("a server URL"), "{message}");
    let (line, message, _) = located("[servers]\n\"\" = \"nats://a:4222\"\n");
    assert_eq!(line, 2);
    assert!(message.contains("a server needs a name"), "{message}");
}

#[test]
fn an_unknown_key_of_a_server_table_is_refused() {
    let text = "[servers.x]\nurl = \"nats://a:4222\"\npassword = \"pw\"\n";
    let (line, message, _) = located(text);
    assert_eq!(line, 3, "{message}");
    assert!(
        message.contains("unknown field `password`") && message.contains("`url`, `creds`, `nkey`"),
        "{message}"
    );
    let (_, message, _) = located("[servers.x]\ncreds = \"/a.creds\"\n");
    assert!(message.contains("missing field `url`"), "{message}");
}

#[test]
fn a_bad_url_error_never_shows_the_password() {
    let text = "[servers]\nprod = \"nats://ops:hunter2@prod.example:42x\"\ntok = \"nats://t0ken@h:4222\"\n";
    let (line, message, shown) = located(text);
    assert_eq!(line, 2);
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        message.contains("nats://ops:***@prod.example:42x"),
        "{message}"
    );
    assert!(
        shown.contains("prod = \"nats://ops:***@prod.example:42x\""),
        "the line quoted, masked: {shown}"
    );
    // A token, and a password with a slash in it.
    let text = "[servers]\nt = \"nats://t0ken@h:99999\"\n";
    let (_, _, shown) = located(text);
    assert!(
        !shown.contains("t0ken") && shown.contains("***@h:99999"),
        "{shown}"
    );
    let text = "[servers]\nt = \"nats://u:a/b@h:99999\"\n";
    let (_, _, shown) = located(text);
    assert!(!shown.contains("a/b"), "{shown}");
    // Debug of what was read masks it too.
    let loaded = parse(&path(), SERVERS).unwrap();
    let debug = format!("{:?} {:?}", loaded.file, loaded.servers);
    assert!(
        !debug.contains("hunter2") && !debug.contains("s3cr3tt0ken"),
        "{debug}"
    );
}

#[test]
fn the_report_lists_the_servers_masked_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, SERVERS).unwrap();
    let no_env = |_: &str| None;
    let report = resolve(&Flags::default(), &no_env, Some(file.clone()))
        .unwrap()
        .report();
    let shown = file.display();
    assert!(
        !report.contains("hunter2") && !report.contains("s3cr3tt0ken"),
        "{report}"
    );
    let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    for line in [
        "[servers]".to_string(),
        format!("staging = \"nats://staging.example:4222\" # file {shown}, line 4"),
        format!("cluster = \"nats://a:4222,nats://b:4222\" # file {shown}, line 5"),
        format!("secret = \"nats://ops:***@prod.example:4222\" # file {shown}, line 6"),
        format!("\"the token\" = \"tls://***@tok.example:4443\" # file {shown}, line 7"),
        format!(
            "signed = {{ url = \"nats://signed.example:4222\", creds = \"/etc/nats/ops.creds\", nkey = \"/etc/nats/ops.nk\" }} # file {shown}, line 9"
        ),
    ] {
        assert!(
            report.lines().any(|l| words(l) == words(&line)),
            "no {line:?} in:\n{report}"
        );
    }
    let empty = resolve(&Flags::default(), &no_env, None).unwrap().report();
    assert!(empty.contains("# servers: none"), "{empty}");
}

#[test]
fn mask_secrets_masks_userinfo_anywhere_in_a_line() {
    for (text, masked) in [
        ("a = \"nats://u:pw@h:1\"", "a = \"nats://u:***@h:1\""),
        (
            "a = \"nats://tok@h:1,nats://u:p@k:2\"",
            "a = \"nats://***@h:1,nats://u:***@k:2\"",
        ),
        ("a = \"u:pw@h:1\"", "a = \"u:***@h:1\""),
        ("help = \"@\"", "help = \"@\""),
        // A password with `=` or `,` in it (a base64 token) is masked whole.
        ("a = \"nats://u:c2Vj==@h:1\"", "a = \"nats://u:***@h:1\""),
        ("a = \"nats://u:p=s,s@h:1\"", "a = \"nats://u:***@h:1\""),
        ("a = \"nats://dG9r==@h:1\"", "a = \"nats://***@h:1\""),
        ("no secret here", "no secret here"),
    ] {
        assert_eq!(mask_secrets(text), masked, "{text}");
    }
}
