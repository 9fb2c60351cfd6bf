//! Creating a key (issue 16): a put that expects the key not to exist, and the key names
//! the client and the server take.

use bytes::Bytes;

use super::{Broker, KeyOperation, KvError, KvErrorKind, kv_error};

/// The longest key name taken here: the key is the tail of the subject
/// `$KV.<bucket>.<key>`, and a subject far past this is refused by servers anyway.
pub const KEY_NAME_MAX: usize = 1024;

/// Checks a key name as the client does before sending (`[-/_=.a-zA-Z0-9]+`, no leading or
/// trailing `.`), and refuses empty tokens (`a..b`), which no subject has.
pub fn validate_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("a key name is needed".into());
    }
    if let Some(bad) = key
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-/_=.".contains(*c)))
    {
        return Err(format!(
            "{bad:?} is not taken in a key: letters, digits and - / _ = . only"
        ));
    }
    if key.starts_with('.') || key.ends_with('.') {
        return Err("a key may not start or end with '.'".into());
    }
    if key.contains("..") {
        return Err("a key may not hold '..' (an empty token)".into());
    }
    if key.len() > KEY_NAME_MAX {
        return Err(format!(
            "a key takes at most {KEY_NAME_MAX} characters (this one has {})",
            key.len()
        ));
    }
    Ok(())
}

impl Broker {
    /// Creates `key`: a put expecting no revision, so a key that exists is refused by the
    /// server in its own words (`wrong last sequence: 4`). A key whose latest entry is a
    /// delete or purge marker does not exist: it is created again over that marker, with
    /// the marker's revision expected (refused if anyone changed it since). Returns the new
    /// revision.
    pub async fn create_key(&self, bucket: &str, key: &str, value: Bytes) -> Result<u64, KvError> {
        self.kv_call(bucket, "create", async {
            let store = self.store(bucket, "create").await?;
            let refused = match store.update(key, value.clone(), 0).await {
                Ok(revision) => return Ok(revision),
                Err(e) => kv_error(&e, "create", key),
            };
            if refused.kind != KvErrorKind::WrongRevision {
                return Err(refused);
            }
            let latest = store
                .entry(key)
                .await
                .map_err(|e| kv_error(&e, "create", key))?;
            match latest {
                Some(marker) if KeyOperation::from(marker.operation) != KeyOperation::Put => store
                    .update(key, value, marker.revision)
                    .await
                    .map_err(|e| kv_error(&e, "create", key)),
                // It exists (or vanished between the two reads): the server's refusal stands.
                _ => Err(refused),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_are_checked_as_the_client_checks_them() {
        for good in [
            "a",
            "app.theme",
            "a-b_c/d=e.F9",
            "x".repeat(KEY_NAME_MAX).as_str(),
        ] {
            assert_eq!(validate_key(good), Ok(()), "{good}");
        }
        let bad = [
            ("", "a key name is needed"),
            ("a b", "' ' is not taken"),
            ("a*", "'*' is not taken"),
            ("a>", "'>' is not taken"),
            ("clé", "'é' is not taken"),
            (".a", "start or end with '.'"),
            ("a.", "start or end with '.'"),
            ("a..b", "'..'"),
        ];
        for (key, says) in bad {
            let err = validate_key(key).expect_err(key);
            assert!(err.contains(says), "{key}: {err}");
        }
        let long = "x".repeat(KEY_NAME_MAX + 1);
        assert!(validate_key(&long).unwrap_err().contains("at most 1024"));
    }
}
