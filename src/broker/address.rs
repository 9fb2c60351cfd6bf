//! Server addresses checked before the client sees them: async-nats takes almost any
//! text as a host name (`htp:/x y` becomes a DNS lookup that fails), so a mistyped URL
//! would be reported as an unreachable server instead of a bad URL.

/// The schemes a NATS client connects with.
const SCHEMES: [&str; 4] = ["nats", "tls", "ws", "wss"];

/// Why `addr` (userinfo already removed) is not a server address, if it is not.
pub fn check_address(addr: &str) -> Result<(), String> {
    if let Some(c) = addr.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "not a URL: it contains {}; expected nats://host:port",
            if c == ' ' {
                "a space".to_string()
            } else {
                format!("{c:?}")
            }
        ));
    }
    let hostport = match addr.split_once("://") {
        Some((scheme, rest)) => {
            let scheme = scheme.to_ascii_lowercase();
            if !SCHEMES.contains(&scheme.as_str()) {
                return Err(format!(
                    "unknown scheme {scheme:?}; use nats://, tls://, ws:// or wss://"
                ));
            }
            // A websocket URL may carry a path.
            match scheme.starts_with("ws") {
                true => rest.split('/').next().unwrap_or_default(),
                false => rest.trim_end_matches('/'),
            }
        }
        None => addr,
    };
    if hostport.is_empty() || hostport.contains('/') {
        return Err("not a URL: expected nats://host:port (or host:port)".to_string());
    }
    // `[::1]:4222`, `host:4222`, `host`.
    let port = match hostport.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !port.contains(']') => Some(port),
        Some(_) if hostport.starts_with('[') => None,
        Some(_) => return Err("not a URL: expected nats://host:port (or host:port)".to_string()),
        None => None,
    };
    match port {
        Some(p) if p.parse::<u16>().is_err() => Err(format!(
            "not a URL: port {p:?} is not a number from 0 to 65535"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::check_address;

    #[test]
    fn good_addresses_pass_and_bad_ones_say_why() {
        for good in [
            "nats://127.0.0.1:4222",
            "127.0.0.1:4222",
            "localhost",
            "tls://nats.example.com:4443",
            "ws://host:8080",
            "wss://host/path",
            "nats://[::1]:4222",
            "NATS://host:4222",
        ] {
            assert_eq!(check_address(good), Ok(()), "{good}");
        }
        for (bad, says) in [
            ("htp:/x y", "contains a space"),
            ("htp:/x", "not a URL"),
            ("htp://x:4222", "unknown scheme \"htp\""),
            ("nats://host:42x", "port \"42x\""),
            ("nats://host:99999", "port \"99999\""),
            ("nats://", "not a URL"),
            ("host\t:4222", "'\\t'"),
        ] {
            let e = check_address(bad).expect_err(bad);
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
