//! What the connected nats-server can do, from the version in its INFO. The README
//! promises 2.10 and newer; features that need a newer server ask here first, so they
//! can say so instead of failing with the server's "unknown request".

use std::fmt;
use std::str::FromStr;

/// A nats-server version, e.g. `2.10.26` or `2.12.0-beta.1` (the pre-release is kept
/// for display and ignored in comparisons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a server version: {0:?}")]
pub struct VersionError(pub String);

impl ServerVersion {
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        Self {
            major,
            minor,
            patch,
            pre: None,
        }
    }

    /// The version of the connected server, from its INFO.
    pub fn of(info: &async_nats::ServerInfo) -> Result<Self, VersionError> {
        info.version.parse()
    }

    /// Whether this is `major.minor.patch` or newer.
    pub fn at_least(&self, major: u64, minor: u64, patch: u64) -> bool {
        (self.major, self.minor, self.patch) >= (major, minor, patch)
    }

    /// Pausing a consumer until a time (2.11).
    pub fn supports_consumer_pause(&self) -> bool {
        self.at_least(2, 11, 0)
    }

    /// Direct get of a batch of messages in one request (2.11).
    pub fn supports_batched_direct_get(&self) -> bool {
        self.at_least(2, 11, 0)
    }

    /// Resetting a consumer to a sequence (2.14).
    pub fn supports_consumer_reset(&self) -> bool {
        self.at_least(2, 14, 0)
    }
}

impl FromStr for ServerVersion {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || VersionError(text.to_string());
        let trimmed = text.trim().trim_start_matches('v');
        let (core, pre) = match trimmed.split_once('-') {
            Some((core, pre)) if !pre.is_empty() => (core, Some(pre.to_string())),
            Some(_) => return Err(bad()),
            None => (trimmed, None),
        };
        let mut parts = core.split('.').map(|p| p.parse::<u64>().map_err(|_| bad()));
        let (Some(major), Some(minor), patch, None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        Ok(Self {
            major: major?,
            minor: minor?,
            patch: patch.transpose()?.unwrap_or(0),
            pre,
        })
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        match &self.pre {
            Some(pre) => write!(f, "-{pre}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_from_info_text() {
        let v: ServerVersion = "2.10.26".parse().unwrap();
        assert_eq!(v, ServerVersion::new(2, 10, 26));
        let v: ServerVersion = "v2.12.0-beta.1".parse().unwrap();
        assert_eq!((v.major, v.minor, v.patch), (2, 12, 0));
        assert_eq!(v.pre.as_deref(), Some("beta.1"));
        assert_eq!(v.to_string(), "2.12.0-beta.1");
        assert_eq!(
            "2.11".parse::<ServerVersion>().unwrap(),
            ServerVersion::new(2, 11, 0)
        );
        for bad in ["", "2", "two.ten.0", "2.10.26.1", "2.10.x", "2.10.0-"] {
            assert!(bad.parse::<ServerVersion>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn capabilities_follow_the_version_that_brought_them() {
        let oldest = ServerVersion::new(2, 10, 26);
        assert!(!oldest.supports_consumer_pause());
        assert!(!oldest.supports_batched_direct_get());
        assert!(!oldest.supports_consumer_reset());

        let v2_11 = ServerVersion::new(2, 11, 0);
        assert!(v2_11.supports_consumer_pause());
        assert!(v2_11.supports_batched_direct_get());
        assert!(!v2_11.supports_consumer_reset());

        let newest: ServerVersion = "2.15.1".parse().unwrap();
        assert!(newest.supports_consumer_pause());
        assert!(newest.supports_batched_direct_get());
        assert!(newest.supports_consumer_reset());
        // A pre-release of 2.14 already has what 2.14 brings.
        assert!(
            "2.14.0-RC.2"
                .parse::<ServerVersion>()
                .unwrap()
                .supports_consumer_reset()
        );
    }
}
