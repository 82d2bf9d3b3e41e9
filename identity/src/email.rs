//! Email messages and their templates.
//!
//! Every message has a plain-text and an HTML body rendered from the same data, wrapped
//! in one layout (per-brand theming plugs in here later). Anything that came from a
//! person is HTML-escaped; links are built by the caller from the configured public URL.

use serde::{Deserialize, Serialize};

/// A rendered message ready for the outbox.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EmailMessage {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl std::fmt::Debug for EmailMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailMessage").field("subject", &self.subject).finish_non_exhaustive()
    }
}

/// The templates Foyer sends. Each variant holds what its text needs.
#[derive(Debug, Clone)]
pub enum Template<'a> {
    /// `foyer mail test`: proves the SMTP settings work.
    Test { public_url: &'a str },
    /// A support or admin account was created for this address (no password in mail).
    StaffWelcome { role: &'a str, public_url: &'a str },
    /// Confirm an address: a link and the same secret as a 6-digit code.
    VerifyEmail { link: &'a str, code: &'a str },
    /// Someone tried to register with an address that already has an account.
    RegistrationAttempt { login_link: &'a str, reset_link: &'a str },
    /// Too many failed sign-ins locked the account.
    Unlock { link: &'a str },
    ResetPassword { link: &'a str },
    PasswordChanged { reset_link: &'a str },
    /// To the new address of an email change.
    ConfirmEmailChange { link: &'a str, code: &'a str },
    /// To the old address once an email change took effect.
    EmailChanged { undo_link: &'a str },
    /// A sign-in from a device not seen before.
    NewSignIn { device: &'a str, when: &'a str, devices_link: &'a str },
    /// A one-time code to sign in (passwordless, or as the fallback second step).
    SignInCode { code: &'a str },
    /// A sign-in method was added, removed or renewed.
    SecurityChange { what: &'a str, link: &'a str },
    /// Proving the address of an unconfirmed account removed what was set up before.
    ProvisionalCleared { what: &'a str, password_removed: bool, login_link: &'a str, code_link: &'a str, reset_link: &'a str },
}

/// One paragraph of a message: text, or a call to action with a link.
enum Block {
    Para(String),
    Link { label: String, href: String },
}

impl Template<'_> {
    pub fn render(&self, to: &str) -> EmailMessage {
        let (subject, blocks) = match self {
            Self::Test { public_url } => (
                "Foyer test message".to_owned(),
                vec![
                    Block::Para("This message confirms that Foyer can deliver email with its current settings.".into()),
                    Block::Link { label: "Open Foyer".into(), href: (*public_url).to_owned() },
                ],
            ),
            Self::StaffWelcome { role, public_url } => (
                "Your Foyer staff account".to_owned(),
                vec![
                    Block::Para(format!("A Foyer {role} account was created for this address.")),
                    Block::Para(
                        "The operator who created it will give you a one-time enrolment link, where you choose \
                         your password and set up an authenticator app. If you did not expect this, tell your security team."
                            .into(),
                    ),
                    Block::Link { label: "Sign in to Foyer".into(), href: format!("{public_url}/admin") },
                ],
            ),
            Self::VerifyEmail { link, code } => (
                "Confirm your email address".to_owned(),
                vec![
                    Block::Para("Confirm this address to finish creating your account.".into()),
                    Block::Link { label: "Confirm my email".into(), href: (*link).to_owned() },
                    Block::Para(format!("Or enter this code: {code}. It works once, for 10 minutes.")),
                    Block::Para("If you did not create an account, ignore this message.".into()),
                ],
            ),
            Self::RegistrationAttempt { login_link, reset_link } => (
                "Someone tried to create an account with your address".to_owned(),
                vec![
                    Block::Para("Someone tried to create an account with this email address, which already has one. Nothing was changed.".into()),
                    Block::Link { label: "Sign in".into(), href: (*login_link).to_owned() },
                    Block::Link { label: "Forgot your password? Reset it".into(), href: (*reset_link).to_owned() },
                    Block::Para("If this was not you, you can ignore this message.".into()),
                ],
            ),
            Self::SignInCode { code } => (
                format!("Your sign-in code: {code}"),
                vec![
                    Block::Para(format!("Enter this code to sign in: {code}")),
                    Block::Para("It works once, for 10 minutes. Nobody from Foyer will ever ask you for it.".into()),
                    Block::Para("If you did not try to sign in, ignore this message: without the code nobody can use it.".into()),
                ],
            ),
            Self::Unlock { link } => (
                "Your account was locked".to_owned(),
                vec![
                    Block::Para("There were too many failed attempts to sign in to your account, so we locked it to protect you.".into()),
                    Block::Link { label: "Unlock my account".into(), href: (*link).to_owned() },
                    Block::Para("The link works once, for 30 minutes. If the attempts were not yours, consider changing your password after you unlock.".into()),
                ],
            ),
            Self::ResetPassword { link } => (
                "Reset your password".to_owned(),
                vec![
                    Block::Para("We received a request to reset the password of your account.".into()),
                    Block::Link { label: "Choose a new password".into(), href: (*link).to_owned() },
                    Block::Para("The link works once, for 30 minutes. If you did not ask for it, ignore this message; your password stays as it is.".into()),
                ],
            ),
            Self::PasswordChanged { reset_link } => (
                "Your password was changed".to_owned(),
                vec![
                    Block::Para("The password of your account was just changed, and you were signed out everywhere else.".into()),
                    Block::Link { label: "Not you? Reset your password now".into(), href: (*reset_link).to_owned() },
                ],
            ),
            Self::ConfirmEmailChange { link, code } => (
                "Confirm your new email address".to_owned(),
                vec![
                    Block::Para("Confirm this address to make it your account's email.".into()),
                    Block::Link { label: "Confirm my new email".into(), href: (*link).to_owned() },
                    Block::Para(format!("Or enter this code: {code}. It works once, for 10 minutes.")),
                ],
            ),
            Self::EmailChanged { undo_link } => (
                "Your email address was changed".to_owned(),
                vec![
                    Block::Para("Your account's email address was changed to a new one. Mail will no longer come here.".into()),
                    Block::Link { label: "Not you? Undo the change".into(), href: (*undo_link).to_owned() },
                    Block::Para("The undo link works for 7 days and signs everyone out of the account.".into()),
                ],
            ),
            Self::NewSignIn { device, when, devices_link } => (
                "New sign-in to your account".to_owned(),
                vec![
                    Block::Para(format!("Your account was signed in to from a device we have not seen before: {device}, at {when} (UTC).")),
                    Block::Para("If this was you, there is nothing to do.".into()),
                    Block::Link { label: "Not you? Review your devices".into(), href: (*devices_link).to_owned() },
                ],
            ),
            Self::SecurityChange { what, link } => (
                "A change to how you sign in".to_owned(),
                vec![
                    Block::Para((*what).to_owned()),
                    Block::Link { label: "Not you? Review your security settings".into(), href: (*link).to_owned() },
                ],
            ),
            Self::ProvisionalCleared { what, password_removed: true, code_link, reset_link, .. } => (
                "We removed what was set up before your address was confirmed".to_owned(),
                vec![
                    Block::Para((*what).to_owned()),
                    Block::Link { label: "Set a password".into(), href: (*reset_link).to_owned() },
                    Block::Link { label: "Sign in with a code by email".into(), href: (*code_link).to_owned() },
                ],
            ),
            Self::ProvisionalCleared { what, password_removed: false, login_link, reset_link, .. } => (
                "We removed what was set up before your address was confirmed".to_owned(),
                vec![
                    Block::Para((*what).to_owned()),
                    Block::Link { label: "Sign in".into(), href: (*login_link).to_owned() },
                    Block::Para("No password yet, or one you did not choose? Set a new one:".into()),
                    Block::Link { label: "Set a new password".into(), href: (*reset_link).to_owned() },
                ],
            ),
        };
        layout(to, subject, &blocks)
    }
}

fn layout(to: &str, subject: String, blocks: &[Block]) -> EmailMessage {
    let mut text = String::new();
    let mut html = String::from(
        "<!DOCTYPE html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1b1b1f\">",
    );
    for block in blocks {
        match block {
            Block::Para(p) => {
                text.push_str(p);
                html.push_str(&format!("<p>{}</p>", escape(p)));
            }
            Block::Link { label, href } => {
                text.push_str(&format!("{label}: {href}"));
                html.push_str(&format!("<p><a href=\"{}\">{}</a></p>", escape(href), escape(label)));
            }
        }
        text.push_str("\n\n");
    }
    text.push_str("-- \nSent by Foyer. You receive this because of an account at this address.\n");
    html.push_str("<hr><p style=\"font-size:small;color:#555\">Sent by Foyer. You receive this because of an account at this address.</p></body></html>");
    EmailMessage { to: to.to_owned(), subject, text, html }
}

/// Minimal HTML escaping for text and attribute values.
pub fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_text_and_html_from_one_source() {
        let m = Template::StaffWelcome { role: "support", public_url: "https://id.example.com" }.render("s@example.com");
        assert_eq!(m.to, "s@example.com");
        assert!(m.text.contains("Sign in to Foyer: https://id.example.com/admin"));
        assert!(m.html.contains("<a href=\"https://id.example.com/admin\">Sign in to Foyer</a>"));
        assert!(m.html.contains("support account"));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        let m = Template::Test { public_url: "https://x.example/\"><script>" }.render("a@example.com");
        assert!(!m.html.contains("<script>"));
    }
}
