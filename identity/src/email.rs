//! Email messages and their templates.
//!
//! Every message has a plain-text and an HTML body rendered from the same data, wrapped
//! in one layout. Every sentence is a message of `locales/<tag>/mail.ftl`, in the
//! customer's language ([`mail_locale`]: the profile's, else the request's); the
//! identity is named by its product name (`FOYER_PRODUCT_NAME`), never "Foyer"; a mail
//! of a brand's flow carries the brand's name and logo ([`MailBrand`]). Anything that
//! came from a person is HTML-escaped; links are built by the caller from the
//! configured public URL.

use serde::{Deserialize, Serialize};

use crate::UnixMillis;
use crate::accounts::provisional::{Proof, Removed};
use crate::i18n::{Arg, Locale, TimeZone, message_with, readable_at};

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

/// The brand whose flow caused a mail (a sign-up, sign-in or reset started from its
/// authorization request): its name in the text, its logo at the top of the HTML part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailBrand {
    pub slug: String,
    pub name: String,
    /// Whether the brand has a logo (served at `/brands/{slug}/logo`).
    pub logo: bool,
}

/// The language of a mail: the profile's preferred language when it is one we ship,
/// else the language of the request that caused the mail.
pub fn mail_locale(preferred_language: Option<&str>, request: Locale) -> Locale {
    preferred_language.and_then(Locale::parse).unwrap_or(request)
}

/// Who a mail speaks to and as: the language, the product's name, the public URL (for
/// the logo's absolute address), the brand of the flow, the reader's time zone.
#[derive(Debug, Clone)]
pub struct Voice<'a> {
    pub locale: Locale,
    pub product: &'a str,
    pub public_url: &'a str,
    pub brand: Option<&'a MailBrand>,
    pub zone: TimeZone,
}

/// A change to the ways of signing in, told to the owner.
#[derive(Debug, Clone, Copy)]
pub enum FactorChange<'a> {
    TotpAdded,
    TotpRemoved,
    RecoveryCodesRenewed,
    PasskeyAdded(&'a str),
    PasskeyRemoved(&'a str),
    /// The passkey's counter went back: it was blocked as possibly copied.
    PasskeyFlagged(&'a str),
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
    /// A sign-in from a device not seen before, at `at`.
    NewSignIn { device: &'a str, at: UnixMillis, devices_link: &'a str },
    /// A one-time code to sign in (passwordless, or as the fallback second step).
    SignInCode { code: &'a str },
    /// A sign-in method was added, removed or blocked.
    SecurityChange { change: FactorChange<'a>, link: &'a str },
    /// Proving the address of an unconfirmed account removed what was set up before.
    ProvisionalCleared { removed: &'a Removed, proof: Proof, login_link: &'a str, code_link: &'a str, reset_link: &'a str },
    /// A data export was made, at `at` from `device` (`locales/*/data.ftl`).
    ExportCreated { device: &'a str, at: UnixMillis, link: &'a str },
    /// The account will be erased at `erase_at`; signing in before then cancels.
    DeletionScheduled { erase_at: UnixMillis, login_link: &'a str },
    /// The owner cancelled the deletion.
    DeletionCancelled { link: &'a str },
    /// The account was erased (the last mail to the address).
    AccountErased,
    /// A notice made of message ids (households, delegations, the hand-over): a subject,
    /// paragraphs and an optional call to action, every message given `args`.
    Notice { subject: &'static str, paras: &'a [&'static str], args: &'a [(&'a str, &'a str)], link: Option<(&'static str, &'a str)> },
}

/// One paragraph of a message: text, or a call to action with a link.
enum Block {
    Para(String),
    Link { label: String, href: String },
}

/// The words of one mail in one language.
struct Words<'v> {
    voice: &'v Voice<'v>,
}

impl Words<'_> {
    fn get(&self, id: &str) -> String {
        self.with(id, &[])
    }

    /// `id` with its arguments; `$product` is always there.
    fn with(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let mut all: Vec<(&str, Arg)> = vec![("product", Arg::Text(self.voice.product.to_owned()))];
        all.extend(args.iter().cloned());
        message_with(self.voice.locale, id, &all)
    }

    fn para(&self, id: &str) -> Block {
        Block::Para(self.get(id))
    }

    fn link(&self, id: &str, href: &str) -> Block {
        Block::Link { label: self.get(id), href: href.to_owned() }
    }

    fn code_line(&self, code: &str) -> Block {
        Block::Para(self.with("mail-code-line", &[("code", Arg::from(code))]))
    }
}

impl Template<'_> {
    /// The message for `to`, in `voice`'s language and name.
    pub fn render(&self, to: &str, voice: &Voice<'_>) -> EmailMessage {
        let w = Words { voice };
        let (subject, blocks) = match self {
            Self::Test { public_url } => (w.get("mail-test-subject"), vec![w.para("mail-test-body"), w.link("mail-test-link", public_url)]),
            Self::StaffWelcome { role, public_url } => (
                w.get("mail-staff-subject"),
                vec![
                    Block::Para(w.with("mail-staff-body", &[("role", Arg::from(*role))])),
                    w.para("mail-staff-enrol"),
                    w.link("mail-staff-link", &format!("{public_url}/admin")),
                ],
            ),
            Self::VerifyEmail { link, code } => (
                w.get("mail-verify-subject"),
                vec![w.para("mail-verify-body"), w.link("mail-verify-link", link), w.code_line(code), w.para("mail-verify-ignore")],
            ),
            Self::RegistrationAttempt { login_link, reset_link } => (
                w.get("mail-attempt-subject"),
                vec![
                    w.para("mail-attempt-body"),
                    w.link("mail-attempt-login", login_link),
                    w.link("mail-attempt-reset", reset_link),
                    w.para("mail-attempt-ignore"),
                ],
            ),
            Self::SignInCode { code } => (
                w.with("mail-code-subject", &[("code", Arg::from(*code))]),
                vec![Block::Para(w.with("mail-code-body", &[("code", Arg::from(*code))])), w.para("mail-code-expiry"), w.para("mail-code-ignore")],
            ),
            Self::Unlock { link } => {
                (w.get("mail-unlock-subject"), vec![w.para("mail-unlock-body"), w.link("mail-unlock-link", link), w.para("mail-unlock-expiry")])
            }
            Self::ResetPassword { link } => {
                (w.get("mail-reset-subject"), vec![w.para("mail-reset-body"), w.link("mail-reset-link", link), w.para("mail-reset-expiry")])
            }
            Self::PasswordChanged { reset_link } => {
                (w.get("mail-password-changed-subject"), vec![w.para("mail-password-changed-body"), w.link("mail-password-changed-link", reset_link)])
            }
            Self::ConfirmEmailChange { link, code } => (
                w.get("mail-change-confirm-subject"),
                vec![w.para("mail-change-confirm-body"), w.link("mail-change-confirm-link", link), w.code_line(code)],
            ),
            Self::EmailChanged { undo_link } => (
                w.get("mail-changed-subject"),
                vec![w.para("mail-changed-body"), w.link("mail-changed-link", undo_link), w.para("mail-changed-expiry")],
            ),
            Self::NewSignIn { device, at, devices_link } => {
                let when = readable_at(voice.locale, &voice.zone, *at);
                (
                    w.get("mail-new-sign-in-subject"),
                    vec![
                        Block::Para(w.with("mail-new-sign-in-body", &[("device", Arg::from(*device)), ("when", Arg::from(when))])),
                        w.para("mail-new-sign-in-fine"),
                        w.link("mail-new-sign-in-link", devices_link),
                    ],
                )
            }
            Self::SecurityChange { change, link } => {
                let what = match change {
                    FactorChange::TotpAdded => w.get("mail-factor-totp-added"),
                    FactorChange::TotpRemoved => w.get("mail-factor-totp-removed"),
                    FactorChange::RecoveryCodesRenewed => w.get("mail-factor-recovery-renewed"),
                    FactorChange::PasskeyAdded(name) => w.with("mail-factor-passkey-added", &[("name", Arg::from(*name))]),
                    FactorChange::PasskeyRemoved(name) => w.with("mail-factor-passkey-removed", &[("name", Arg::from(*name))]),
                    FactorChange::PasskeyFlagged(name) => w.with("mail-factor-passkey-flagged", &[("name", Arg::from(*name))]),
                };
                (w.get("mail-factor-subject"), vec![Block::Para(what), w.link("mail-factor-link", link)])
            }
            Self::ProvisionalCleared { removed, proof, login_link, code_link, reset_link } => {
                let mut blocks = vec![Block::Para(cleared_notice(&w, removed, *proof))];
                if removed.password {
                    blocks.push(w.link("mail-cleared-set-password", reset_link));
                    blocks.push(w.link("mail-cleared-code", code_link));
                } else {
                    blocks.push(w.link("mail-cleared-sign-in", login_link));
                    blocks.push(w.para("mail-cleared-no-password"));
                    blocks.push(w.link("mail-cleared-new-password", reset_link));
                }
                (w.get("mail-cleared-subject"), blocks)
            }
            Self::ExportCreated { device, at, link } => {
                let when = readable_at(voice.locale, &voice.zone, *at);
                (
                    w.get("mail-data-export-subject"),
                    vec![
                        Block::Para(w.with("mail-data-export-body", &[("device", Arg::from(*device)), ("when", Arg::from(when))])),
                        w.para("mail-data-export-expiry"),
                        w.para("mail-data-export-not-you"),
                        w.link("mail-data-export-link", link),
                    ],
                )
            }
            Self::DeletionScheduled { erase_at, login_link } => {
                let when = readable_at(voice.locale, &voice.zone, *erase_at);
                (
                    w.get("mail-data-deletion-subject"),
                    vec![
                        Block::Para(w.with("mail-data-deletion-body", &[("when", Arg::from(when))])),
                        w.para("mail-data-deletion-signed-out"),
                        w.para("mail-data-deletion-cancel"),
                        w.link("mail-data-deletion-link", login_link),
                    ],
                )
            }
            Self::DeletionCancelled { link } => {
                (w.get("mail-data-cancelled-subject"), vec![w.para("mail-data-cancelled-body"), w.link("mail-data-cancelled-link", link)])
            }
            Self::AccountErased => (w.get("mail-data-erased-subject"), vec![w.para("mail-data-erased-body"), w.para("mail-data-erased-kept")]),
            Self::Notice { subject, paras, args, link } => {
                let args: Vec<(&str, Arg)> = args.iter().map(|(k, v)| (*k, Arg::from(*v))).collect();
                let mut blocks: Vec<Block> = paras.iter().map(|id| Block::Para(w.with(id, &args))).collect();
                if let Some((label, href)) = link {
                    blocks.push(Block::Link { label: w.with(label, &args), href: (*href).to_owned() });
                }
                (w.with(subject, &args), blocks)
            }
        };
        layout(&w, to, subject, &blocks)
    }
}

/// Why the account was cleared, what went, and what to do.
fn cleared_notice(w: &Words<'_>, removed: &Removed, proof: Proof) -> String {
    let why = match proof {
        Proof::PasswordReset => w.get("mail-cleared-why-reset"),
        Proof::Confirmation { .. } => w.get("mail-cleared-why-confirmed"),
    };
    let count = |n: u64, id: &str| (n > 0).then(|| w.with(id, &[("n", Arg::Number(i64::try_from(n).unwrap_or(i64::MAX)))]));
    let items: Vec<String> = [
        removed.password.then(|| w.get("mail-removed-password")),
        count(removed.passkeys, "mail-removed-passkeys"),
        removed.authenticator_app.then(|| w.get("mail-removed-app")),
        count(removed.recovery_codes, "mail-removed-recovery-codes"),
        count(removed.sessions, "mail-removed-sessions"),
        count(removed.remembered_devices, "mail-removed-devices"),
        count(removed.grants, "mail-removed-grants"),
        count(removed.email_changes, "mail-removed-email-changes"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let what = match items.split_last() {
        None => w.get("mail-removed-nothing"),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => w.with("mail-list-and", &[("rest", Arg::from(rest.join(", "))), ("last", Arg::from(last.as_str()))]),
    };
    let mut parts = vec![why, w.with("mail-cleared-what", &[("what", Arg::from(what))])];
    if removed.password {
        parts.push(w.get("mail-cleared-password"));
    }
    parts.push(w.get("mail-cleared-again"));
    parts.join(" ")
}

fn layout(w: &Words<'_>, to: &str, subject: String, blocks: &[Block]) -> EmailMessage {
    let voice = w.voice;
    let mut text = String::new();
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1b1b1f\">",
        voice.locale.tag()
    );
    if let Some(brand) = voice.brand {
        let header = w.with("mail-brand-header", &[("brand", Arg::from(brand.name.as_str()))]);
        if brand.logo {
            let logo = format!("{}/brands/{}/logo", voice.public_url.trim_end_matches('/'), brand.slug);
            html.push_str(&format!(
                "<p><img src=\"{}\" alt=\"{}\" style=\"max-height:48px;max-width:200px\"></p>",
                escape(&logo),
                escape(&brand.name)
            ));
        }
        html.push_str(&format!("<p style=\"color:#555\">{}</p>", escape(&header)));
        text.push_str(&header);
        text.push_str("\n\n");
    }
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
    let footer = w.get("mail-footer");
    text.push_str(&format!("-- \n{footer}\n"));
    html.push_str(&format!("<hr><p style=\"font-size:small;color:#555\">{}</p></body></html>", escape(&footer)));
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

    fn voice(locale: Locale) -> Voice<'static> {
        Voice { locale, product: "Northwind ID", public_url: "https://id.example.com", brand: None, zone: TimeZone::utc() }
    }

    #[test]
    fn renders_text_and_html_from_one_source() {
        let m = Template::StaffWelcome { role: "support", public_url: "https://id.example.com" }.render("s@example.com", &voice(Locale::En));
        assert_eq!(m.to, "s@example.com");
        assert!(m.text.contains("Sign in to Northwind ID: https://id.example.com/admin"), "{}", m.text);
        assert!(m.html.contains("<a href=\"https://id.example.com/admin\">Sign in to Northwind ID</a>"), "{}", m.html);
        assert!(m.html.contains("the support role"), "{}", m.html);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        let m = Template::Test { public_url: "https://x.example/\"><script>" }.render("a@example.com", &voice(Locale::En));
        assert!(!m.html.contains("<script>"));
        let brand = MailBrand { slug: "acme".into(), name: "<b>Acme</b>".into(), logo: true };
        let m = Template::ResetPassword { link: "https://x" }.render("a@example.com", &Voice { brand: Some(&brand), ..voice(Locale::En) });
        assert!(!m.html.contains("<b>Acme"), "{}", m.html);
    }

    /// Every template, in every language: no "Foyer", no untranslated id, the product's name.
    #[test]
    fn every_template_is_translated_and_names_the_product() {
        let removed = Removed { password: true, passkeys: 2, sessions: 1, ..Removed::default() };
        let templates = [
            Template::Test { public_url: "https://id.example.com" },
            Template::StaffWelcome { role: "admin", public_url: "https://id.example.com" },
            Template::VerifyEmail { link: "https://l", code: "123456" },
            Template::RegistrationAttempt { login_link: "https://l", reset_link: "https://r" },
            Template::Unlock { link: "https://l" },
            Template::ResetPassword { link: "https://l" },
            Template::PasswordChanged { reset_link: "https://l" },
            Template::ConfirmEmailChange { link: "https://l", code: "123456" },
            Template::EmailChanged { undo_link: "https://l" },
            Template::NewSignIn { device: "Firefox on Linux", at: 1_796_479_380_000, devices_link: "https://l" },
            Template::SignInCode { code: "123456" },
            Template::SecurityChange { change: FactorChange::TotpAdded, link: "https://l" },
            Template::SecurityChange { change: FactorChange::TotpRemoved, link: "https://l" },
            Template::SecurityChange { change: FactorChange::RecoveryCodesRenewed, link: "https://l" },
            Template::SecurityChange { change: FactorChange::PasskeyAdded("Laptop"), link: "https://l" },
            Template::SecurityChange { change: FactorChange::PasskeyRemoved("Laptop"), link: "https://l" },
            Template::SecurityChange { change: FactorChange::PasskeyFlagged("Laptop"), link: "https://l" },
            Template::ProvisionalCleared { removed: &removed, proof: Proof::PasswordReset, login_link: "https://l", code_link: "https://c", reset_link: "https://r" },
            Template::ProvisionalCleared {
                removed: &Removed { authenticator_app: true, ..Removed::default() },
                proof: Proof::Confirmation { same_browser: false },
                login_link: "https://l",
                code_link: "https://c",
                reset_link: "https://r",
            },
        ];
        for locale in Locale::ALL {
            for t in &templates {
                let m = t.render("a@example.com", &voice(locale));
                for part in [&m.subject, &m.text, &m.html] {
                    assert!(!part.contains('⟦'), "{}: untranslated in {t:?}: {part}", locale.tag());
                    assert!(!part.contains("Foyer"), "{}: {t:?} names the software: {part}", locale.tag());
                }
                assert!(m.text.contains("Northwind ID"), "{}: {t:?} lacks the product name: {}", locale.tag(), m.text);
            }
        }
    }

    #[test]
    fn an_english_mail_names_the_product_and_the_brand_with_its_logo() {
        let brand = MailBrand { slug: "acme".into(), name: "Acme Outdoor".into(), logo: true };
        let v = Voice { brand: Some(&brand), ..voice(Locale::En) };
        let m = Template::VerifyEmail { link: "https://id.example.com/verify?token=t", code: "123456" }.render("a@example.com", &v);
        assert_eq!(m.subject, "Confirm your email address");
        assert!(m.text.contains("Acme Outdoor") && m.text.contains("Northwind ID"), "{}", m.text);
        assert!(m.text.contains("Confirm my email: https://id.example.com/verify?token=t"), "{}", m.text);
        assert!(m.text.contains("Or enter this code: 123456."), "{}", m.text);
        assert!(m.html.contains("<img src=\"https://id.example.com/brands/acme/logo\" alt=\"Acme Outdoor\""), "{}", m.html);
        assert!(m.html.contains("<html lang=\"en\">"));
        assert!(!m.text.contains("Foyer") && !m.html.contains("Foyer"));
        // Without a logo, the name still says whose flow it is.
        let plain = MailBrand { logo: false, ..brand.clone() };
        let m = Template::ResetPassword { link: "https://l" }.render("a@example.com", &Voice { brand: Some(&plain), ..voice(Locale::En) });
        assert!(!m.html.contains("<img") && m.html.contains("Acme Outdoor"), "{}", m.html);
    }

    #[test]
    fn a_german_mail_is_german_throughout() {
        let brand = MailBrand { slug: "acme".into(), name: "Acme Outdoor".into(), logo: true };
        let v = Voice { brand: Some(&brand), ..voice(Locale::De) };
        let m = Template::SignInCode { code: "654321" }.render("a@example.com", &v);
        assert_eq!(m.subject, "Ihr Anmeldecode: 654321");
        assert!(m.text.contains("Northwind ID") && m.text.contains("Acme Outdoor"), "{}", m.text);
        assert!(m.text.contains("Sie"), "formal German: {}", m.text);
        assert!(m.html.contains("https://id.example.com/brands/acme/logo") && m.html.contains("alt=\"Acme Outdoor\""), "{}", m.html);
        assert!(m.html.contains("<html lang=\"de\">"));
        let m = Template::NewSignIn { device: "Firefox on Linux", at: 1_796_479_380_000, devices_link: "https://l" }.render("a@example.com", &voice(Locale::De));
        assert!(m.text.contains("5. Dezember 2026, 14:03 UTC"), "a readable date: {}", m.text);
        let removed = Removed { passkeys: 2, sessions: 1, ..Removed::default() };
        let m = Template::ProvisionalCleared { removed: &removed, proof: Proof::Confirmation { same_browser: false }, login_link: "l", code_link: "c", reset_link: "r" }
            .render("a@example.com", &voice(Locale::De));
        assert!(m.text.contains("2 Passkeys und 1 angemeldete Sitzung"), "{}", m.text);
    }

    /// The owner of a cleared account is told why, what went and what to do.
    #[test]
    fn the_cleared_notice_says_what_went() {
        let cleared = |removed: &Removed, proof| {
            Template::ProvisionalCleared { removed, proof, login_link: "https://l", code_link: "https://c", reset_link: "https://r" }
                .render("a@example.com", &voice(Locale::En))
                .text
        };
        let removed = Removed { passkeys: 1, sessions: 2, grants: 1, ..Removed::default() };
        let text = cleared(&removed, Proof::Confirmation { same_browser: false });
        assert!(text.contains("we removed what it held: 1 passkey, 2 signed-in sessions and 1 sign-in at a brand or app."), "{text}");
        assert!(text.contains("different browser") && !text.contains("password set at sign-up"), "{text}");
        assert!(text.contains("Sign in: https://l"), "{text}");
        let text = cleared(&Removed { password: true, ..removed }, Proof::Confirmation { same_browser: false });
        assert!(text.starts_with("Your email address is confirmed."), "{text}");
        assert!(text.contains("the password set at sign-up, 1 passkey") && text.contains("removed for safety"), "{text}");
        assert!(text.contains("Set a password: https://r") && text.contains("Sign in with a code by email: https://c"), "{text}");
        assert!(cleared(&Removed { authenticator_app: true, ..Removed::default() }, Proof::PasswordReset).contains("was reset before"));
    }

    #[test]
    fn the_profile_language_wins_over_the_request() {
        assert_eq!(mail_locale(Some("de-AT"), Locale::En), Locale::De);
        assert_eq!(mail_locale(Some("fr"), Locale::De), Locale::De);
        assert_eq!(mail_locale(None, Locale::De), Locale::De);
        assert_eq!(mail_locale(Some("en"), Locale::De), Locale::En);
    }
}
