//! Mail that only a known address gets (a reset link, a sign-in code), decided after
//! the request. The request queues the same outbox row for every address; the outbox
//! worker looks the address up and issues the link or code only for an account. So a
//! known and an unknown address cost the request the same writes, and on SQLite's
//! single writer its timing does not tell them apart (issue 10, item 11).

use super::tokens::Purpose;
use super::{MailTo, RequestMeta};
use crate::audit::Actor;
use crate::domain::Email;
use crate::email::{MailBrand, Template};
use crate::i18n::Locale;
use crate::outbox::{self, KnownMail, OutboxEvent};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::{Identity, Result, UnixMillis};

impl Identity {
    /// The ordinary password-reset link (bound to the current password version, earlier
    /// links retired), mailed `to` inside `tx`: "forgot password" and support's "send a
    /// reset link" alike. Whoever asked never sees the link.
    pub(crate) async fn queue_reset_link_tx(&self, tx: &mut crate::store::Tx, to: &MailTo<'_>, c: &crate::store::customers::CustomerRow, now: UnixMillis) -> Result<()> {
        let issued = self.issue_token(tx, &c.id, Purpose::ResetPassword, c.password_version, None, false, now).await?;
        let link = self.link(&format!("/reset-password?token={}", issued.token));
        self.queue_mail(tx, to, Template::ResetPassword { link: &link }, now).await
    }

    /// Queues `mail` for `email`, known or not (one outbox row in one transaction).
    /// The request's language and brand travel with it, for the mail.
    pub(crate) async fn queue_mail_if_known(&self, mail: KnownMail, email: &Email, meta: &RequestMeta, now: UnixMillis) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let event = OutboxEvent::MailIfKnown { mail, email: email.as_str().to_owned(), locale: Some(meta.locale.tag().to_owned()), brand: meta.brand.clone() };
        outbox::enqueue(&mut tx, &event, now).await?;
        tx.commit().await
    }

    /// Delivers a queued [`OutboxEvent::MailIfKnown`] (the outbox worker calls this):
    /// issues the link or code and queues its mail when the address has an account
    /// that may have it; does nothing otherwise. The mail is in the profile's language,
    /// else `locale` (the request's tag), for `brand`'s flow when there was one.
    pub async fn deliver_mail_if_known(&self, principal: &Principal, mail: KnownMail, email: &str, locale: Option<&str>, brand: Option<&MailBrand>) -> Result<()> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let Ok(email) = Email::parse(email) else { return Ok(()) };
        let Some(c) = self.store.customer_by_email(email.normalized()).await? else { return Ok(()) };
        let now = self.clock.now();
        let to = MailTo::customer(&c, locale.and_then(Locale::parse).unwrap_or_default(), brand);
        let mut tx = self.store.begin().await?;
        match mail {
            KnownMail::ResetPassword => {
                self.queue_reset_link_tx(&mut tx, &to, &c, now).await?;
                self.audit_customer(&mut tx, Actor::System, &c.id, "password.reset_requested", serde_json::json!({}), now).await?;
            }
            KnownMail::SignInCode => {
                if c.locked_at.is_some() {
                    return Ok(());
                }
                let issued = self.issue_token(&mut tx, &c.id, Purpose::SignInCode, 0, None, true, now).await?;
                let code = issued.code.unwrap_or_default();
                self.queue_mail(&mut tx, &to, Template::SignInCode { code: &code }, now).await?;
            }
        }
        tx.commit().await
    }
}
