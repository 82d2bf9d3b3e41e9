//! Encryption at rest with the master key (signing keys, TOTP secrets).
//!
//! XChaCha20-Poly1305 with a random 24-byte nonce per message; the stored form is
//! `v1.` + base64url(nonce ‖ ciphertext). `associated` binds a ciphertext to its row
//! (e.g. `"totp:<account id>"`) so a value copied to another row will not decrypt.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::{Error, Result, SecureRandom};

pub const KEY_LEN: usize = 32;

/// The 256-bit master key. Never printed: `Debug` is redacted and there is no `Display`.
#[derive(Clone)]
pub struct MasterKey([u8; KEY_LEN]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    pub fn generate(rng: &dyn SecureRandom) -> Self {
        let mut bytes = [0u8; KEY_LEN];
        rng.fill(&mut bytes);
        Self(bytes)
    }

    /// Parses the 64 hex digits kept in the key file or `FOYER_MASTER_KEY`.
    pub fn from_hex(text: &str) -> Result<Self, &'static str> {
        let bytes = hex::decode(text.trim()).map_err(|_| "must be 64 hexadecimal digits")?;
        let bytes: [u8; KEY_LEN] = bytes.try_into().map_err(|_| "must be 64 hexadecimal digits (32 bytes)")?;
        Ok(Self(bytes))
    }

    /// The key file's content. Handle with care: this is the secret itself.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A key for one `purpose` (e.g. `b"erasure-pseudonym/v1"`), derived from the master
    /// key with HMAC-SHA256: the master key itself never keys anything but sealing.
    pub fn derive(&self, purpose: &[u8]) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0) else { return [0; 32] };
        mac.update(purpose);
        mac.finalize().into_bytes().into()
    }

    pub fn seal(&self, plaintext: &[u8], associated: &[u8], rng: &dyn SecureRandom) -> Result<String> {
        let mut nonce = [0u8; 24];
        rng.fill(&mut nonce);
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: associated })
            .map_err(|_| Error::Crypto("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("v1.{}", URL_SAFE_NO_PAD.encode(out)))
    }

    pub fn open(&self, sealed: &str, associated: &[u8]) -> Result<Vec<u8>> {
        let body = sealed.strip_prefix("v1.").ok_or(Error::Crypto("unknown ciphertext version"))?;
        let raw = URL_SAFE_NO_PAD.decode(body).map_err(|_| Error::Crypto("ciphertext is not base64url"))?;
        if raw.len() < 24 + 16 {
            return Err(Error::Crypto("ciphertext too short"));
        }
        let (nonce, ct) = raw.split_at(24);
        XChaCha20Poly1305::new((&self.0).into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: associated })
            .map_err(|_| Error::Crypto("ciphertext does not authenticate"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRandom;

    #[test]
    fn seals_and_opens_bound_to_its_context() {
        let key = MasterKey::generate(&OsRandom);
        let sealed = key.seal(b"totp secret", b"totp:acct-1", &OsRandom).unwrap();
        assert_eq!(key.open(&sealed, b"totp:acct-1").unwrap(), b"totp secret");
        assert!(key.open(&sealed, b"totp:acct-2").is_err(), "moved to another row");
        assert!(MasterKey::generate(&OsRandom).open(&sealed, b"totp:acct-1").is_err(), "another key");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(key.open(&tampered, b"totp:acct-1").is_err());
    }

    #[test]
    fn hex_round_trip_and_redacted_debug() {
        let key = MasterKey::generate(&OsRandom);
        assert_eq!(MasterKey::from_hex(&key.to_hex()).unwrap().to_hex(), key.to_hex());
        assert!(MasterKey::from_hex("abcd").is_err());
        assert_eq!(format!("{key:?}"), "MasterKey([redacted])");
    }
}
