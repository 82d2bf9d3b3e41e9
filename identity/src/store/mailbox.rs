//! The development mailbox: where mail goes when no SMTP server is configured, shown
//! at `/dev/mail` in dev mode.

use sqlx::FromRow;

use super::Store;
use crate::{Result, UnixMillis};

#[derive(Debug, Clone, FromRow)]
pub struct MailboxRow {
    pub id: i64,
    pub received_at: UnixMillis,
    pub to_addr: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

impl Store {
    pub async fn mailbox_put(&self, at: UnixMillis, to: &str, subject: &str, text: &str, html: &str) -> Result<()> {
        self.write(
            sqlx::query("INSERT INTO dev_mailbox (received_at, to_addr, subject, text_body, html_body) VALUES ($1, $2, $3, $4, $5)")
                .bind(at)
                .bind(to.to_owned())
                .bind(subject.to_owned())
                .bind(text.to_owned())
                .bind(html.to_owned()),
        )
        .await?;
        Ok(())
    }

    /// Forgets development mail older than a week.
    pub async fn mailbox_prune(&self, now: UnixMillis) -> Result<u64> {
        self.write(sqlx::query("DELETE FROM dev_mailbox WHERE received_at < $1").bind(now - 7 * 86_400_000)).await
    }

    /// The newest messages first.
    pub async fn mailbox_recent(&self, limit: i64) -> Result<Vec<MailboxRow>> {
        Ok(sqlx::query_as(
            "SELECT id, received_at, to_addr, subject, text_body, html_body FROM dev_mailbox ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
