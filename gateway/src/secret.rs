//! Secrets: capability tokens and session identifiers (256 random bits, base64url), access
//! codes, and the hashes that are all the database ever holds of them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

/// A new random secret of 256 bits, URL-safe (a share link's token, a session cookie).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new identifier for rows (not a secret; 96 random bits).
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 12];
    OsRng.fill_bytes(&mut bytes);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A six-digit access code, uniformly drawn.
pub fn new_access_code() -> String {
    format!("{:06}", OsRng.gen_range(0..1_000_000u32))
}

/// What the database keeps of a token: its SHA-256, hex. A token has 256 bits of entropy, so
/// a plain hash cannot be reversed.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// What the database keeps of an access code: a hash bound to its share. A six-digit code is
/// guessable from its hash offline; what protects it online is the lock after a few failures.
pub fn code_hash(share_id: &str, code: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"portal-access-code\0");
    hasher.update(share_id.as_bytes());
    hasher.update(b"\0");
    hasher.update(code.as_bytes());
    hex(&hasher.finalize())
}

/// Equality that takes the same time wherever the strings differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A token as it may appear in a link: base64url, 43 characters for 256 bits.
pub fn is_token_shaped(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(is_token_shaped(&a));
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).map(|v| v.len()).ok(), Some(32));
    }

    #[test]
    fn codes_have_six_digits() {
        for _ in 0..100 {
            let code = new_access_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn code_hashes_depend_on_the_share() {
        assert_ne!(code_hash("s_1", "123456"), code_hash("s_2", "123456"));
        assert_eq!(code_hash("s_1", "123456"), code_hash("s_1", "123456"));
        assert_eq!(token_hash("abc").len(), 64);
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
