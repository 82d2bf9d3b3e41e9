//! One-time tokens for mailed links and codes.
//!
//! A token is 256 random bits sent in a link; some purposes also carry a 6-digit code
//! for people who read mail on another device. Only SHA-256 hashes are stored (the
//! code hash is salted with the token id). Redeeming is one atomic `UPDATE … WHERE
//! used_at IS NULL AND expires_at > now`, so two clicks cannot both succeed. Issuing a
//! new token of a purpose retires the customer's earlier ones; a code allows
//! [`MAX_CODE_ATTEMPTS`] wrong guesses before its token dies.

use crate::service::ct_eq;
use super::login::CodeRefusal;

pub use crate::store::account_tokens::TokenRow;
use crate::store::{Tx, account_tokens};
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

pub const MAX_CODE_ATTEMPTS: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
    Unlock,
    ChangeEmail,
    UndoEmailChange,
    /// A mailed 6-digit code that signs in (passwordless, or as the fallback second step).
    SignInCode,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::Unlock => "unlock",
            Self::ChangeEmail => "change_email",
            Self::UndoEmailChange => "undo_email_change",
            Self::SignInCode => "sign_in_code",
        }
    }

    /// How long a token of this purpose lives.
    pub fn lifetime_ms(self) -> i64 {
        const MINUTE: i64 = 60_000;
        match self {
            Self::VerifyEmail | Self::ChangeEmail | Self::SignInCode => 10 * MINUTE,
            Self::ResetPassword | Self::Unlock => 30 * MINUTE,
            Self::UndoEmailChange => 7 * 24 * 60 * MINUTE,
        }
    }
}

/// What goes into the mail. Never stored, never logged (`Debug` is redacted).
pub struct Issued {
    pub token: String,
    pub code: Option<String>,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Issued([redacted])")
    }
}

fn code_hash(token_id: &str, code: &str) -> String {
    sha256_hex(format!("{token_id}:{code}").as_bytes())
}


impl Identity {
    /// Issues a token (and a code when `with_code`) inside `tx`, retiring older ones.
    pub(crate) async fn issue_token(
        &self,
        tx: &mut Tx,
        customer_id: &str,
        purpose: Purpose,
        bound_version: i64,
        new_email: Option<&str>,
        with_code: bool,
        now: UnixMillis,
    ) -> Result<Issued> {
        account_tokens::retire(tx, customer_id, purpose.as_str(), now).await?;
        let id = self.new_id();
        let token = self.new_token();
        let code = with_code.then(|| self.new_code());
        let token_hash = sha256_hex(token.as_bytes());
        let code_digest = code.as_deref().map(|c| code_hash(&id, c));
        account_tokens::insert(tx, &account_tokens::NewToken {
            id: &id,
            customer_id,
            purpose: purpose.as_str(),
            token_hash: &token_hash,
            code_hash: code_digest.as_deref(),
            bound_version,
            new_email,
            created_at: now,
            expires_at: now + purpose.lifetime_ms(),
        })
        .await?;
        Ok(Issued { token, code })
    }
}

/// Redeems a link token: exactly once, before it expires.
pub(crate) async fn redeem_token(tx: &mut Tx, purpose: Purpose, token: &str, now: UnixMillis) -> Result<TokenRow> {
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Err(Error::TokenInvalid);
    }
    let row = account_tokens::redeem_by_hash(tx, &sha256_hex(token.as_bytes()), purpose.as_str(), now).await?;
    row.ok_or(Error::TokenInvalid)
}

/// Redeems the customer's live code of `purpose`. A wrong code counts an attempt; the
/// token dies at [`MAX_CODE_ATTEMPTS`]. The caller must commit `tx` even on error so
/// the attempt is recorded.
pub(crate) async fn redeem_code(tx: &mut Tx, customer_id: &str, purpose: Purpose, code: &str, now: UnixMillis) -> Result<TokenRow> {
    let code = code.trim();
    let row = account_tokens::live_code(tx, customer_id, purpose.as_str(), now).await?;
    let Some(row) = row else { return Err(Error::TokenInvalid) };
    let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    let matches = well_formed && row.code_hash.as_deref().is_some_and(|h| ct_eq(h, &code_hash(&row.id, code)));
    if matches {
        if account_tokens::use_once(tx, &row.id, now).await? {
            return Ok(row);
        }
        return Err(Error::TokenInvalid);
    }
    account_tokens::count_wrong_code(tx, &row.id, MAX_CODE_ATTEMPTS, now).await?;
    Err(Error::TokenInvalid)
}

/// Why the customer's latest mailed code of `purpose` refused `code`, when `code` is
/// that code: spent by its own sign-in ("used"), or out of time or attempts
/// ("expired"). `None` when `code` is not it (a wrong code). Reads only.
pub(crate) async fn latest_code_state(tx: &mut Tx, customer_id: &str, purpose: Purpose, code: &str, now: UnixMillis) -> Result<Option<CodeRefusal>> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let Some(row) = account_tokens::latest_code(tx, customer_id, purpose.as_str()).await? else { return Ok(None) };
    if !row.code_hash.as_deref().is_some_and(|h| ct_eq(h, &code_hash(&row.id, code))) {
        return Ok(None);
    }
    Ok(Some(if row.expires_at <= now || row.attempts >= MAX_CODE_ATTEMPTS || row.used_at.is_none() { CodeRefusal::Expired } else { CodeRefusal::Used }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_follow_the_baseline() {
        assert!(Purpose::VerifyEmail.lifetime_ms() <= 10 * 60_000, "email codes ≤ 10 min");
        assert!(Purpose::ResetPassword.lifetime_ms() <= 30 * 60_000);
    }

    #[test]
    fn constant_time_compare() {
        assert!(ct_eq("abc", "abc"));
        assert!(!ct_eq("abc", "abd"));
        assert!(!ct_eq("abc", "abcd"));
    }

    #[test]
    fn code_hashes_are_salted_by_token() {
        assert_ne!(code_hash("t1", "123456"), code_hash("t2", "123456"));
    }
}
