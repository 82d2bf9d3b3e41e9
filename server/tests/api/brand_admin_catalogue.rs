//! Brand administration's catalogue at parity with the command line (issue 16, item 7;
//! `docs/design/admin.md` "Brand administration"): on `/admin/brands/<slug>`, without the
//! wasm, a brand administrator declares purposes in every shipped language with retention
//! and channels, publishes a version by document URL and SHA-256 with an effective time,
//! declares attributes with labels per language and value rules, and replaces or clears
//! the brand's preference topics — each refusal named on the page with nothing written,
//! each change exactly one audit row; another brand's slug is 404, support gets 403.
//! Each runs on SQLite and PostgreSQL.

use identity::brand::BrandSlug;
use identity::consent::catalogue::NewPurpose;
use identity::principal::Principal;
use identity::staff::StaffRole;

use crate::brand_admin::brand_admin;
use crate::staff::{Browser, signed_in_staff_as};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    a_brand_admin_declares_a_purpose_in_every_language,
    a_brand_admin_publishes_a_version_by_document,
    a_brand_admin_declares_attributes_with_rules,
    a_brand_admin_replaces_and_clears_topics,
    another_brands_catalogue_is_not_found_and_support_is_refused,
);

const PAGE: &str = "/admin/brands/air";
const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// The audit actions recorded on `brand:<id>`, newest first.
async fn audited(app: &TestApp, brand_id: &str) -> Vec<String> {
    crate::brand_admin::audited(app, &format!("brand:{brand_id}")).await
}

/// Posts `form` as a browser without the wasm does, and reads the page it lands on.
async fn post_page(b: &Browser, function: &str, form: &[(&str, &str)]) -> String {
    let mut form = form.to_vec();
    form.push(("__page", PAGE));
    let (status, location) = b.post_plain(function, &form).await;
    assert_eq!(status, 303, "{function}");
    let location = location.unwrap();
    let at = location.find("/admin/").unwrap_or_else(|| panic!("not one of our pages: {location}"));
    let (status, _, html) = b.get(&location[at..]).await;
    assert_eq!(status, 200, "{html}");
    html
}

fn air() -> BrandSlug {
    BrandSlug::parse("air").unwrap()
}

/// Title and description in German, a retention and two channels: refused field by field
/// first (nothing written, nothing audited), then declared and listed with all of it.
async fn a_brand_admin_declares_a_purpose_in_every_language(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let brand = app.with_brand("air").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let (_, _, html) = admin.get(PAGE).await;
    for words in ["Title (de)", "name=\"titles[de]\"", "name=\"descriptions[de]\"", "name=\"retention\"", "name=\"channels[email]\"", "name=\"channels[post]\""] {
        assert!(html.contains(words), "the form offers {words}: {html}");
    }
    let declare = |retention: &'static str, channel: &'static str, de_description: &'static str| {
        vec![
            ("slug", "air"),
            ("key", "newsletter"),
            ("title", "Newsletter"),
            ("description", "Offers by mail."),
            ("titles[de]", "Rundbrief"),
            ("descriptions[de]", de_description),
            ("legal_basis", "consent"),
            ("categories", "contact"),
            ("retention", retention),
            (channel, "on"),
            ("channels[sms]", "on"),
        ]
    };

    let html = post_page(&admin, "/admin/api/brand-purpose-create", &declare("two years", "channels[fax]", "")).await;
    for named in ["use an ISO 8601 duration", "use email, sms, push or post", "a title in de needs a description in de too", "error-summary"] {
        assert!(html.contains(named), "{named}: {html}");
    }
    assert!(html.contains("No purpose yet."), "{html}");
    let mut contract = declare("P2Y", "channels[email]", "Angebote per Post.");
    contract[6] = ("legal_basis", "contract");
    let html = post_page(&admin, "/admin/api/brand-purpose-create", &contract).await;
    assert!(html.contains("only for consent or legitimate interest"), "channels need a basis one can withdraw from: {html}");
    assert!(app.identity.list_purposes(&Principal::Operator, Some("air")).await.unwrap().is_empty(), "nothing written");
    assert_eq!(audited(&app, &brand.id).await, ["brand.created"], "nothing audited");

    let html = post_page(&admin, "/admin/api/brand-purpose-create", &declare("P2Y", "channels[email]", "Angebote per Post.")).await;
    assert!(html.contains("Purpose declared"), "{html}");
    for shown in ["Rundbrief", "de: ", "P2Y", "email, sms", "newsletter"] {
        assert!(html.contains(shown), "listed with {shown}: {html}");
    }
    let list = app.identity.list_purposes(&Principal::Operator, Some("air")).await.unwrap();
    assert_eq!(list.len(), 1);
    let p = &list[0].purpose;
    assert_eq!((p.texts["de"].title.as_str(), p.texts["de"].description.as_str()), ("Rundbrief", "Angebote per Post."));
    assert_eq!(p.retention.as_deref(), Some("P2Y"));
    assert_eq!(p.channels.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["email", "sms"]);
    assert_eq!(audited(&app, &brand.id).await, ["purpose.created", "brand.created"], "exactly one row");

    // Without German words the purpose is English only; a German description alone
    // (no title) is not silently dropped.
    let mut english_only = declare("", "channels[email]", "");
    english_only[1] = ("key", "terms");
    english_only[4] = ("titles[de]", "");
    let html = post_page(&admin, "/admin/api/brand-purpose-create", &english_only).await;
    assert!(html.contains("Purpose declared") && html.contains("while the account exists"), "{html}");
    let mut description_alone = declare("", "channels[email]", "Nur die Beschreibung.");
    description_alone[1] = ("key", "orphan");
    description_alone[4] = ("titles[de]", " ");
    let html = post_page(&admin, "/admin/api/brand-purpose-create", &description_alone).await;
    assert!(html.contains("error-summary") && html.contains("a description in de needs a title in de too"), "{html}");
    let keys: Vec<String> = app.identity.list_purposes(&Principal::Operator, Some("air")).await.unwrap().into_iter().map(|p| p.purpose.key).collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(!keys.contains(&"orphan".to_owned()), "{keys:?}");
}

/// A version by document URL and SHA-256 with an effective time: a bad SHA-256, a
/// non-https URL, an unreadable or past time, text and URL together are refused by name
/// with nothing written; then published and listed with its URL and time.
async fn a_brand_admin_publishes_a_version_by_document(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let brand = app.with_brand("air").await;
    let new = NewPurpose {
        brand: Some("air".into()),
        key: "terms".into(),
        titles: vec![("en".into(), "Terms".into())],
        descriptions: vec![("en".into(), "The terms of use.".into())],
        legal_basis: "contract".into(),
        required: true,
        data_categories: vec!["contact".into()],
        ..NewPurpose::default()
    };
    app.identity.create_purpose(&Principal::Operator, &new).await.unwrap();
    let before = audited(&app, &brand.id).await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let publish = |url: &'static str, sha: &'static str, effective: &'static str, text: &'static str| {
        vec![("slug", "air"), ("key", "terms"), ("text", text), ("url", url), ("sha256", sha), ("effective", effective), ("material", "on")]
    };
    let url = "https://air.example/terms-v1.pdf";
    let refusals = [
        (publish(url, "abc123", "", ""), "64 hexadecimal digits"),
        (publish("http://air.example/terms-v1.pdf", SHA, "", ""), "Document URL"),
        (publish(url, "", "", ""), "needs the SHA-256"),
        (publish(url, SHA, "next monday", ""), "use RFC 3339"),
        (publish(url, SHA, "2000-01-01T00:00:00Z", ""), "cannot be in the past"),
        (publish(url, SHA, "", "Both at once."), "give either the text"),
    ];
    for (form, named) in &refusals {
        let html = post_page(&admin, "/admin/api/brand-purpose-publish", form).await;
        assert!(html.contains(named) && html.contains("error-summary"), "{named}: {html}");
        assert!(html.contains("none published"), "{named}: nothing published: {html}");
    }
    let (status, body) = admin.call("/admin/api/brand-purpose-publish", &publish(url, "xyz", "", "")).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("SHA-256"), "the field is named: {body}");
    assert!(app.identity.list_purposes(&Principal::Operator, Some("air")).await.unwrap()[0].versions.is_empty(), "nothing written");
    assert_eq!(audited(&app, &brand.id).await, before, "nothing audited");

    let upper = SHA.to_ascii_uppercase();
    let mut form = publish(url, "", "2099-01-01T00:00:00Z", "");
    form[4] = ("sha256", upper.as_str());
    let html = post_page(&admin, "/admin/api/brand-purpose-publish", &form).await;
    assert!(html.contains("Version published."), "{html}");
    for shown in [url, SHA, "effective 2099-01-01T00:00:00Z", "version 1", "material change"] {
        assert!(html.contains(shown), "listed with {shown}: {html}");
    }
    let v = app.identity.list_purposes(&Principal::Operator, Some("air")).await.unwrap().remove(0).versions;
    assert_eq!(v.len(), 1);
    assert_eq!((v[0].document_url.as_deref(), v[0].document_sha256.as_deref(), v[0].body.as_deref()), (Some(url), Some(SHA), None));
    assert_eq!(v[0].effective_at, identity::clock::parse_rfc3339("2099-01-01T00:00:00Z").unwrap());
    assert!(v[0].material);
    let after = audited(&app, &brand.id).await;
    assert_eq!((after.len(), after[0].as_str()), (before.len() + 1, "purpose.version_published"), "exactly one row: {after:?}");

    // Text still works, and the next version is 2.
    let html = post_page(&admin, "/admin/api/brand-purpose-publish", &[("slug", "air"), ("key", "terms"), ("text", "New terms."), ("url", ""), ("sha256", ""), ("effective", "")]).await;
    assert!(html.contains("Version published.") && html.contains("version 2"), "{html}");
}

/// Attributes with labels per language and value rules: a bad regular expression, a
/// minimum above the maximum (number and date), a rule for another kind are refused by
/// name with nothing written; then declared and listed with their rules.
async fn a_brand_admin_declares_attributes_with_rules(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let brand = app.with_brand("air").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let (_, _, html) = admin.get(PAGE).await;
    assert!(html.contains("foyer attribute create --group-wide") && html.contains("sharing customers' data across brands"), "group-wide stays with the CLI: {html}");
    let attribute = |key: &'static str, kind: &'static str, rules: &[(&'static str, &'static str)]| {
        let mut form = vec![("slug", "air"), ("key", key), ("label", "Member code"), ("labels[de]", "Mitgliedsnummer"), ("kind", kind), ("choices", "")];
        form.extend_from_slice(rules);
        form
    };
    let refusals = [
        (attribute("code", "text", &[("pattern", "([A-Z]")]), "not a valid (or is too large a) regular expression"),
        (attribute("bags", "number", &[("min", "9"), ("max", "1")]), "--min is above --max"),
        (attribute("since", "date", &[("min", "2020-01-01"), ("max", "2019-01-01")]), "--min is after --max"),
        (attribute("bags", "number", &[("max_length", "10")]), "for text attributes only"),
        (attribute("code", "text", &[("labels[fr]", "Code")]), "is not shipped"),
    ];
    for (form, named) in &refusals {
        let html = post_page(&admin, "/admin/api/brand-attribute-create", form).await;
        assert!(html.contains(named) && html.contains("error-summary") && html.contains("No attribute yet."), "{named}: {html}");
    }
    let declared = || async { app.identity.declared_attributes(&Principal::Operator, Some(&air())).await.unwrap() };
    assert!(declared().await.is_empty(), "nothing written");
    assert_eq!(audited(&app, &brand.id).await, ["brand.created"], "nothing audited");

    let html = post_page(&admin, "/admin/api/brand-attribute-create", &attribute("code", "text", &[("max_length", "10"), ("pattern", "[A-Z]{2}[0-9]+"), ("min", " ")])).await;
    assert!(html.contains("Attribute declared."), "{html}");
    for shown in ["Mitgliedsnummer", "at most 10 characters", "matches [A-Z]{2}[0-9]+"] {
        assert!(html.contains(shown), "listed with {shown}: {html}");
    }
    let html = post_page(&admin, "/admin/api/brand-attribute-create", &attribute("bags", "number", &[("min", "0"), ("max", "3"), ("integer", "on")])).await;
    assert!(html.contains("whole numbers, at least 0, at most 3"), "{html}");
    let mut seat = attribute("seat", "choice", &[("choice_labels[de]", "aisle=Gang\nwindow=Fenster"), ("required", "on")]);
    seat[2] = ("label", "Seat");
    seat[3] = ("labels[de]", "Sitzplatz");
    seat[5] = ("choices", "aisle=Aisle\nwindow=Window");
    let html = post_page(&admin, "/admin/api/brand-attribute-create", &seat).await;
    assert!(html.contains("aisle, window") && html.contains("aisle: Aisle; de: Gang") && html.contains("window: Window; de: Fenster") && html.contains("Sitzplatz"), "{html}");

    let list = declared().await;
    assert_eq!(list.iter().map(|a| a.key.as_str()).collect::<Vec<_>>(), ["code", "bags", "seat"]);
    assert_eq!((list[0].label("de"), list[0].rules.max_length, list[0].rules.pattern.as_deref()), ("Mitgliedsnummer", Some(10), Some("[A-Z]{2}[0-9]+")));
    assert_eq!((list[1].rules.min_number, list[1].rules.max_number, list[1].rules.integer), (Some(0.0), Some(3.0), true));
    assert_eq!((list[2].choices[0].labels["de"].as_str(), list[2].choices[1].labels["de"].as_str(), list[2].group_wide), ("Gang", "Fenster", false));
    assert_eq!(list[0].check("ab1"), Err(identity::branddata::ValueProblem::Pattern), "the rule holds for customers' values");
    assert_eq!(audited(&app, &brand.id).await, ["attribute.declared", "attribute.declared", "attribute.declared", "brand.created"], "one row each");
}

/// The brand's topics: a bad key refused by name (nothing written), then replaced with
/// labels in English and German, replaced again, and cleared; one audit row each.
async fn a_brand_admin_replaces_and_clears_topics(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let brand = app.with_brand("air").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let topics = || async {
        app.identity.brand_topics(&Principal::Operator, &air()).await.unwrap().into_iter().map(|t| (t.key, t.labels.into_iter().collect::<Vec<_>>())).collect::<Vec<_>>()
    };
    let (_, _, html) = admin.get(PAGE).await;
    assert!(html.contains("Preference topics") && html.contains("The brand offers no topics."), "{html}");

    for (form, named) in [
        (vec![("slug", "air"), ("topics", "Deals=Deals")], "is not valid: use a-z, 0-9 and _"),
        (vec![("slug", "air"), ("topics", "deals=Deals"), ("labels[de]", "news=Neuigkeiten")], "in English is required"),
        (vec![("slug", "air"), ("topics", "deals=Deals\ndeals=Again")], "given twice"),
    ] {
        let html = post_page(&admin, "/admin/api/brand-topics-set", &form).await;
        assert!(html.contains(named) && html.contains("error-summary"), "{named}: {html}");
    }
    assert!(topics().await.is_empty(), "nothing written");
    assert_eq!(audited(&app, &brand.id).await, ["brand.created"], "nothing audited");

    let html = post_page(&admin, "/admin/api/brand-topics-set", &[("slug", "air"), ("topics", "deals=Deals\r\nnews=News\r\n"), ("labels[de]", "deals=Angebote")]).await;
    assert!(html.contains("Topics saved.") && html.contains("de: Angebote") && html.contains("en: News"), "{html}");
    assert!(html.contains("deals=Deals\nnews=News") && html.contains("deals=Angebote</textarea>"), "the form holds the saved topics: {html}");
    let en = |t: &str| ("en".to_owned(), t.to_owned());
    assert_eq!(topics().await, [("deals".to_owned(), vec![("de".to_owned(), "Angebote".to_owned()), en("Deals")]), ("news".to_owned(), vec![en("News")])]);

    let (status, body) = admin.call("/admin/api/brand-topics-set", &[("slug", "air"), ("topics", "tips=Tips")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(topics().await, [("tips".to_owned(), vec![en("Tips")])], "replaced, not added");

    let html = post_page(&admin, "/admin/api/brand-topics-set", &[("slug", "air"), ("clear", "on")]).await;
    assert!(html.contains("Topics saved.") && html.contains("The brand offers no topics."), "{html}");
    assert!(topics().await.is_empty(), "cleared");
    assert_eq!(audited(&app, &brand.id).await, ["brand.topics_set", "brand.topics_set", "brand.topics_set", "brand.created"], "one row each");
}

/// Hotels' slug from air's administrator: every catalogue function is 404 and nothing of
/// hotels changes; support agents and leads get 403 and change nothing either.
async fn another_brands_catalogue_is_not_found_and_support_is_refused(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand("air").await;
    let hotels = app.with_brand("hotels").await;
    let new = NewPurpose {
        brand: Some("hotels".into()),
        key: "terms".into(),
        titles: vec![("en".into(), "Terms".into())],
        descriptions: vec![("en".into(), "The terms.".into())],
        legal_basis: "contract".into(),
        data_categories: vec!["contact".into()],
        ..NewPurpose::default()
    };
    app.identity.create_purpose(&Principal::Operator, &new).await.unwrap();
    app.identity.set_brand_topics(&Principal::Operator, &BrandSlug::parse("hotels").unwrap(), &["stays=en:Stays".to_owned()]).await.unwrap();
    let before = audited(&app, &hotels.id).await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/admin/api/brand-purposes", vec![("slug", "hotels")]),
        (
            "/admin/api/brand-purpose-create",
            vec![
                ("slug", "hotels"),
                ("key", "news"),
                ("title", "News"),
                ("description", "News."),
                ("titles[de]", "Neues"),
                ("descriptions[de]", "Neues."),
                ("legal_basis", "consent"),
                ("categories", "contact"),
                ("retention", "P1Y"),
                ("channels[email]", "on"),
            ],
        ),
        ("/admin/api/brand-purpose-publish", vec![("slug", "hotels"), ("key", "terms"), ("url", "https://hotels.example/t.pdf"), ("sha256", SHA)]),
        ("/admin/api/brand-attributes", vec![("slug", "hotels")]),
        (
            "/admin/api/brand-attribute-create",
            vec![("slug", "hotels"), ("key", "code"), ("label", "Code"), ("labels[de]", "Code"), ("kind", "text"), ("choices", ""), ("max_length", "5")],
        ),
        ("/admin/api/brand-topics", vec![("slug", "hotels")]),
        ("/admin/api/brand-topics-set", vec![("slug", "hotels"), ("topics", "mine=Mine")]),
        ("/admin/api/brand-topics-set", vec![("slug", "hotels"), ("clear", "on")]),
    ];
    for (path, form) in &calls {
        let (status, body) = admin.call(path, form).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, _, page) = admin.get("/admin/brands/hotels").await;
    assert_eq!(status, 404, "{page}");
    assert!(!page.contains("Stays"), "{page}");

    for (email, role) in [("sam@example.com", StaffRole::Support), ("lee@example.com", StaffRole::SupportLead)] {
        let (staff, _) = signed_in_staff_as(&app, email, role).await;
        for (path, form) in &calls {
            let (status, body) = staff.call(path, form).await;
            assert_eq!(status, 403, "{role:?} {path}: {body}");
        }
        let (status, body) = staff.call("/admin/api/brand-topics-set", &[("slug", "air"), ("topics", "mine=Mine")]).await;
        assert_eq!(status, 403, "{role:?}: {body}");
    }

    let purposes = app.identity.list_purposes(&Principal::Operator, Some("hotels")).await.unwrap();
    assert_eq!((purposes.len(), purposes[0].versions.len()), (1, 0), "no purpose declared, no version published");
    let hotels_slug = BrandSlug::parse("hotels").unwrap();
    assert!(app.identity.declared_attributes(&Principal::Operator, Some(&hotels_slug)).await.unwrap().is_empty());
    let kept: Vec<String> = app.identity.brand_topics(&Principal::Operator, &hotels_slug).await.unwrap().into_iter().map(|t| t.key).collect();
    assert_eq!(kept, ["stays"]);
    assert!(app.identity.brand_topics(&Principal::Operator, &air()).await.unwrap().is_empty());
    assert_eq!(audited(&app, &hotels.id).await, before, "nothing audited for hotels");
}
