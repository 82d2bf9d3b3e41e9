//! Mails and errors in the customer's language, under the product's name: the
//! profile's language wins over the request's, a German `Accept-Language` gets German
//! mails and German field errors, a brand's flow names the brand and shows its logo,
//! and no mail says "Foyer" (the software's name, never the customer's).

use std::time::{Duration, Instant};

use identity::accounts::RequestMeta;
use identity::accounts::register::Registration;
use identity::domain::profile::ProfileForm;
use identity::email::MailBrand;
use identity::i18n::Locale;
use identity::principal::Principal;
use reqwest::header;
use serde_json::Value;

use crate::accounts::{PASSWORD, customer, secret};
use crate::support::smtp::ReceivedMail;
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    a_german_profile_gets_german_verification_and_reset_mail,
    a_german_request_registers_in_german,
    a_brand_flow_mail_names_the_brand_with_its_logo,
    a_code_asked_for_from_a_brands_sign_in_page_carries_the_brand,
);

const PRODUCT: &str = "Northwind ID";

async fn spawn(db: Db) -> Option<TestApp> {
    TestApp::builder(db).with_smtp().configure(|raw| raw.product_name = PRODUCT.into()).spawn().await
}

fn meta(locale: Locale) -> RequestMeta {
    RequestMeta::new(std::net::IpAddr::from([192, 0, 2, 77]), None).with_locale(locale)
}

/// The newest mail to `to` whose subject starts with `prefix`, waiting up to 10 s.
async fn mail_to(app: &TestApp, to: &str, prefix: &str) -> ReceivedMail {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mails = app.smtp().received();
        if let Some(mail) = mails.iter().rev().find(|m| m.subject.starts_with(prefix) && m.to.iter().any(|t| t == to)) {
            return mail.clone();
        }
        let seen: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert!(Instant::now() < deadline, "no mail {prefix:?} to {to} within 10 s; received: {seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The product's name and never the software's, in every part.
fn names_the_product(mail: &ReceivedMail) {
    assert!(mail.text.contains(PRODUCT), "{}", mail.text);
    assert!(mail.html.contains(PRODUCT), "{}", mail.html);
    for part in [&mail.subject, &mail.text, &mail.html] {
        assert!(!part.contains("Foyer"), "{part}");
    }
}

async fn set_language(app: &TestApp, customer_id: &str, language: &str) {
    let me = Principal::customer(customer_id, "foyer:pwd");
    let mut form: ProfileForm = app.identity.profile(&me, customer_id).await.unwrap();
    form.preferred_language = Some(language.into());
    app.identity.update_profile(&me, customer_id, &form).await.unwrap();
}

async fn a_german_profile_gets_german_verification_and_reset_mail(db: Db) {
    let Some(app) = spawn(db).await else { return };
    // Reset: the request is English, the profile says German.
    let email = "greta@example.com";
    let c = customer(&app, email).await;
    set_language(&app, &c.id, "de").await;
    app.identity.request_password_reset(&Principal::Anonymous, email, &meta(Locale::En)).await.unwrap();
    let reset = mail_to(&app, email, "Setzen Sie Ihr Passwort zurück").await;
    assert!(reset.text.contains("Neues Passwort wählen: "), "{}", reset.text);
    assert!(reset.text.contains("Ihres Northwind ID-Kontos"), "{}", reset.text);
    names_the_product(&reset);
    // Someone registers the address from an English page: the owner is told in German.
    let taken = Registration { email: email.into(), password: secret(PASSWORD), given_name: None, family_name: None, accept_terms: true };
    app.identity.register(&Principal::Anonymous, taken, &meta(Locale::En)).await.unwrap();
    let notice = mail_to(&app, email, "Jemand wollte mit Ihrer Adresse ein Konto anlegen").await;
    names_the_product(&notice);

    // Verification: an unconfirmed account with a German profile asks again from an English page.
    let email = "hans@example.com";
    let registration = Registration { email: email.into(), password: secret(PASSWORD), given_name: None, family_name: None, accept_terms: true };
    let id = app.register_customer(registration, &meta(Locale::En)).await;
    let first = mail_to(&app, email, "Confirm your email address").await;
    names_the_product(&first);
    set_language(&app, &id, "de").await;
    app.identity.resend_verification(&Principal::customer(&id, "foyer:pwd"), &id, &meta(Locale::En)).await.unwrap();
    let again = mail_to(&app, email, "Bestätigen Sie Ihre E-Mail-Adresse").await;
    assert!(again.text.contains("Oder geben Sie diesen Code ein: "), "{}", again.text);
    assert!(again.html.contains("<html lang=\"de\">"), "{}", again.html);
    names_the_product(&again);
}

/// A server-function POST as a browser whose language is German.
async fn post_german(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/{endpoint}", app.address))
        .header(header::ORIGIN, app.public_url.as_str())
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "application/json")
        .header(header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9,en;q=0.5")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_german_request_registers_in_german(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (status, body) = post_german(&app, "register", &[("email", "not-an-address"), ("password", "short"), ("given_name", "Greta")]).await;
    assert_eq!(status, 400, "{body}");
    let fields = body["Fields"].as_array().unwrap_or_else(|| panic!("field errors: {body}"));
    let message = |field: &str| fields.iter().find(|f| f["field"] == field).and_then(|f| f["message"].as_str()).unwrap_or_default().to_owned();
    assert_eq!(message("Email"), "Die E-Mail-Adresse ist ungültig: Sie sollte wie name@example.com aussehen.");
    assert_eq!(message("Password"), "Verwenden Sie mindestens 8 Zeichen.");
    assert_eq!(message("Terms"), "Bitte akzeptieren Sie die Nutzungsbedingungen, um ein Konto anzulegen.");

    // The same browser, right this time: the verification mail is German too.
    let email = "liesel@example.com";
    let (status, body) = post_german(&app, "register", &[("email", email), ("password", PASSWORD), ("given_name", "Liesel"), ("accept_terms", "on")]).await;
    assert_eq!(status, 200, "{body}");
    let mail = mail_to(&app, email, "Bestätigen Sie Ihre E-Mail-Adresse").await;
    assert!(mail.text.contains("E-Mail-Adresse bestätigen: "), "{}", mail.text);
    names_the_product(&mail);
    let row = app.identity.store().customer_by_email(email).await.unwrap().expect("registered");
    assert_eq!(row.preferred_language, None, "the request's language is not written into the profile");
}

async fn a_brand_flow_mail_names_the_brand_with_its_logo(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let email = "olga@example.com";
    customer(&app, email).await;
    let brand = MailBrand { slug: "acme".into(), name: "Acme Outdoor".into(), logo: true };
    let meta = meta(Locale::De).with_brand(Some(brand));
    app.identity.send_sign_in_code(&Principal::Anonymous, email, &meta).await.unwrap();
    let mail = mail_to(&app, email, "Ihr Anmeldecode: ").await;
    names_the_product(&mail);
    assert!(mail.text.contains("Acme Outdoor nutzt Northwind ID für Ihr Konto."), "{}", mail.text);
    let logo = format!("<img src=\"{}/brands/acme/logo\" alt=\"Acme Outdoor\"", app.public_url);
    assert!(mail.html.contains(&logo), "{}", mail.html);
    // Without the brand, the same mail has no logo.
    app.identity.send_sign_in_code(&Principal::Anonymous, email, &meta.with_brand(None)).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.smtp().received().iter().filter(|m| m.subject.starts_with("Ihr Anmeldecode: ")).count() < 2 {
        assert!(Instant::now() < deadline, "a second code mail");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let plain = mail_to(&app, email, "Ihr Anmeldecode: ").await;
    assert!(!plain.html.contains("<img") && !plain.text.contains("Acme"), "{}", plain.html);
}

/// The whole way: a brand's authorization request sends the visitor to the sign-in
/// page with `return_to`; the code asked for there names the brand and shows its logo.
async fn a_code_asked_for_from_a_brands_sign_in_page_carries_the_brand(db: Db) {
    use crate::oidc::rp::{self, Browser, REDIRECT, Rp};
    let Some(app) = rp::spawn_with(TestApp::builder(db).with_smtp().configure(|raw| raw.product_name = PRODUCT.into())).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let slug = identity::brand::BrandSlug::parse("air").unwrap();
    let logo = identity::brand::BrandLogo::parse(b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"/>").unwrap();
    app.identity.set_brand_theme(&Principal::Operator, &slug, &[], Some(&logo)).await.unwrap();
    let client = Rp::register(&app, identity::oidc::clients::ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let email = "pia@example.com";
    customer(&app, email).await;

    let browser = Browser::new(&app);
    let return_to = browser.visit(client.start(&["email"]).url.as_str()).await.login();
    let (status, body) = browser.server_fn("send_sign_in_code", &[("email", email), ("return_to", return_to.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    let mail = mail_to(&app, email, "Your sign-in code: ").await;
    names_the_product(&mail);
    assert!(mail.text.contains("Northwind Air uses Northwind ID for your account."), "{}", mail.text);
    let logo = format!("<img src=\"{}/brands/air/logo\" alt=\"Northwind Air\"", app.public_url);
    assert!(mail.html.contains(&logo), "{}", mail.html);

    // A `return_to` that names no live request is no brand.
    let (status, body) = browser.server_fn("send_sign_in_code", &[("email", email), ("return_to", "/oauth2/continue?r=nosuchrequest")]).await;
    assert_eq!(status, 200, "{body}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.smtp().received().iter().filter(|m| m.subject.starts_with("Your sign-in code: ")).count() < 2 {
        assert!(Instant::now() < deadline, "a second code mail");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let plain = mail_to(&app, email, "Your sign-in code: ").await;
    assert!(!plain.text.contains("Northwind Air") && !plain.html.contains("<img"), "{}", plain.text);
}
