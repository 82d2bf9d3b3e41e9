//! One-time tokens for mailed links and codes.
//!
//! A token is 256 random bits sent in a link; some purposes also carry a 6-digit code
//! for people who read mail on another device. Only SHA-256 hashes are stored (the
//! code hash is salted with the token id). Redeeming is one atomic `UPDATE … WHERE
//! used_at IS NULL AND expires_at > now`, so two clicks cannot both succeed. Issuing a
//! new token of a purpose retires the customer's earlier ones; a code allows
//! [`MAX_CODE_ATTEMPTS`] wrong guesses before its token dies.

use sqlx::FromRow;
use subtle_eq::ct_eq;

use crate::store::Tx;
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

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: String,
    pub customer_id: String,
    pub code_hash: Option<String>,
    pub bound_version: i64,
    pub new_email: Option<String>,
    pub attempts: i64,
}

fn code_hash(token_id: &str, code: &str) -> String {
    sha256_hex(format!("{token_id}:{code}").as_bytes())
}

/// Constant-time comparison of two hex digests.
mod subtle_eq {
    pub fn ct_eq(a: &str, b: &str) -> bool {
        a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
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
        sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE customer_id = $2 AND purpose = $3 AND used_at IS NULL")
            .bind(now)
            .bind(customer_id)
            .bind(purpose.as_str())
            .execute(&mut **tx)
            .await?;
        let id = self.new_id();
        let token = self.new_token();
        let code = with_code.then(|| self.new_code());
        sqlx::query(
            "INSERT INTO account_tokens (id, customer_id, purpose, token_hash, code_hash, bound_version, new_email, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(customer_id)
        .bind(purpose.as_str())
        .bind(sha256_hex(token.as_bytes()))
        .bind(code.as_deref().map(|c| code_hash(&id, c)))
        .bind(bound_version)
        .bind(new_email)
        .bind(now)
        .bind(now + purpose.lifetime_ms())
        .execute(&mut **tx)
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
    let row: Option<TokenRow> = sqlx::query_as(
        "UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL \
         AND expires_at > $1 RETURNING id, customer_id, code_hash, bound_version, new_email, attempts",
    )
    .bind(now)
    .bind(sha256_hex(token.as_bytes()))
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    row.ok_or(Error::TokenInvalid)
}

/// Redeems the customer's live code of `purpose`. A wrong code counts an attempt; the
/// token dies at [`MAX_CODE_ATTEMPTS`]. The caller must commit `tx` even on error so
/// the attempt is recorded.
pub(crate) async fn redeem_code(tx: &mut Tx, customer_id: &str, purpose: Purpose, code: &str, now: UnixMillis) -> Result<TokenRow> {
    let code = code.trim();
    let row: Option<TokenRow> = sqlx::query_as(
        "SELECT id, customer_id, code_hash, bound_version, new_email, attempts FROM account_tokens \
         WHERE customer_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 AND code_hash IS NOT NULL \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(customer_id)
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Err(Error::TokenInvalid) };
    let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    let matches = well_formed && row.code_hash.as_deref().is_some_and(|h| ct_eq(h, &code_hash(&row.id, code)));
    if matches {
        let done = sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(&row.id)
            .execute(&mut **tx)
            .await?;
        if done.rows_affected() == 1 {
            return Ok(row);
        }
        return Err(Error::TokenInvalid);
    }
    sqlx::query(
        "UPDATE account_tokens SET attempts = attempts + 1, \
         used_at = CASE WHEN attempts + 1 >= $1 THEN $2 ELSE used_at END WHERE id = $3",
    )
    .bind(MAX_CODE_ATTEMPTS)
    .bind(now)
    .bind(&row.id)
    .execute(&mut **tx)
    .await?;
    Err(Error::TokenInvalid)
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
