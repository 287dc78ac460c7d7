//! Random tokens, their stored hashes, and password hashing with Argon2id.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};

/// Argon2id with OWASP's recommended minimum: 19 MiB of memory, 2 passes, 1 lane.
/// Stored hashes carry their parameters, so raising these later keeps old hashes valid.
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
pub const ARGON2_PASSES: u32 = 2;
pub const ARGON2_LANES: u32 = 1;

/// Passwords shorter than this are refused; longer than `MAX` too (hashing cost).
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    #[error("password hashing: {0}")]
    Hash(String),
}

/// 32 random bytes as 64 hex digits: session, CSRF and e-mail tokens.
pub fn random_token() -> Result<String, SecretError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| SecretError::Random(e.to_string()))?;
    Ok(hex(&bytes))
}

/// A content fingerprint (SHA-256, hex), e.g. for an `ETag`.
pub fn fingerprint(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// What the database keeps of a token: its SHA-256, so a copy of the table grants nothing.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lower-case hex of a digest.
pub fn hex_digest(bytes: &[u8]) -> String {
    hex(bytes)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn argon2() -> Result<Argon2<'static>, SecretError> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None)
        .map_err(|e| SecretError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password (PHC string) on a blocking thread: a hash takes tens of
/// milliseconds of CPU and must not stall the async workers.
pub async fn hash_password(password: String) -> Result<String, SecretError> {
    tokio::task::spawn_blocking(move || {
        argon2()?
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| SecretError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| SecretError::Hash(e.to_string()))?
}

/// Checks a password against a stored hash, on a blocking thread. `None` as hash still
/// spends the time of one verification, so that a missing account cannot be told from
/// a wrong password by timing.
pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let Ok(argon2) = argon2() else { return false };
        match stored {
            Some(stored) => PasswordHash::new(&stored)
                .map(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false),
            None => {
                let _ = argon2.hash_password(password.as_bytes());
                false
            }
        }
    })
    .await
    .unwrap_or(false)
}

/// Why a new password is refused, in words for the form; `None` when it is fine.
pub fn password_problem(password: &str, email: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN {
        Some(format!(
            "Das Passwort muss mindestens {PASSWORD_MIN} Zeichen lang sein."
        ))
    } else if password.len() > PASSWORD_MAX {
        Some(format!(
            "Das Passwort darf höchstens {PASSWORD_MAX} Zeichen lang sein."
        ))
    } else if !email.is_empty() && password.trim().eq_ignore_ascii_case(email.trim()) {
        Some("Das Passwort darf nicht deine E-Mail-Adresse sein.".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_carry_argon2id() {
        let hash = hash_password("correct horse battery".into()).await.ok();
        let hash = hash.unwrap_or_default();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong".into(), Some(hash)).await);
        assert!(!verify_password("x".into(), None).await);
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token().unwrap_or_default();
        let b = random_token().unwrap_or_default();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &b));
    }

    #[test]
    fn password_rules() {
        assert!(password_problem("short", "").is_some());
        assert!(password_problem("ada@example.org", "ada@example.org").is_some());
        assert!(password_problem("a long enough one", "ada@example.org").is_none());
    }
}
