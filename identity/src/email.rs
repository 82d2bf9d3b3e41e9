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
                        "The operator who created it has your first password; change it after you sign in. \
                         If you did not expect this, tell your security team."
                            .into(),
                    ),
                    Block::Link { label: "Sign in to Foyer".into(), href: format!("{public_url}/admin") },
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
