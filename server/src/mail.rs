//! Mail delivery for the outbox: SMTP through lettre when `FOYER_SMTP_URL` is set,
//! otherwise the development mailbox table shown at `/dev/mail`.

use identity::email::EmailMessage;
use identity::{Store, UnixMillis};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use secrecy::ExposeSecret as _;

use crate::config::Config;

/// Why a delivery failed. Texts hold no addresses or message content.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Worth retrying (server unreachable, 4xx reply).
    #[error("temporary: {0}")]
    Transient(String),
    /// Retrying cannot help (malformed address, 5xx reply).
    #[error("permanent: {0}")]
    Permanent(String),
}

#[derive(Clone)]
pub enum Mailer {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
    DevMailbox(Store),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

impl Mailer {
    pub fn from_config(config: &Config, store: &Store) -> anyhow::Result<Self> {
        match &config.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|e| anyhow::anyhow!("FOYER_SMTP_URL: {e}"))?
                    .build();
                Ok(Self::Smtp { transport, from: config.mail_from.clone() })
            }
            None => {
                if !config.dev {
                    tracing::warn!("FOYER_SMTP_URL is not set: mail is kept in the development mailbox, not sent");
                }
                Ok(Self::DevMailbox(store.clone()))
            }
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Self::Smtp { .. } => "SMTP",
            Self::DevMailbox(_) => "development mailbox",
        }
    }

    pub async fn send(&self, message: &EmailMessage, now: UnixMillis) -> Result<(), DeliveryError> {
        match self {
            Self::Smtp { transport, from } => {
                let to: Mailbox =
                    message.to.parse().map_err(|_| DeliveryError::Permanent("recipient address is not valid".into()))?;
                let email = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(message.subject.clone())
                    .multipart(MultiPart::alternative_plain_html(message.text.clone(), message.html.clone()))
                    .map_err(|e| DeliveryError::Permanent(format!("message could not be built: {e}")))?;
                transport.send(email).await.map(|_| ()).map_err(|e| {
                    let reason = match e.status() {
                        Some(code) => format!("SMTP reply {code}"),
                        None => "SMTP server unreachable or connection failed".to_owned(),
                    };
                    if e.is_permanent() { DeliveryError::Permanent(reason) } else { DeliveryError::Transient(reason) }
                })
            }
            Self::DevMailbox(store) => store
                .mailbox_put(now, &message.to, &message.subject, &message.text, &message.html)
                .await
                .map_err(|e| DeliveryError::Transient(format!("mailbox write failed: {e}"))),
        }
    }
}
