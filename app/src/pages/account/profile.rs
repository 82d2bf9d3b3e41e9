//! `/account`: the profile form (names, language, time zone, contact, address),
//! checked in the browser with the core's rules when a field is left, and the
//! email-verification reminder. Both forms work before the wasm; a saved language or
//! time zone applies to the pages at once (the server sets their cookies).

use identity::domain::PersonName;
use identity::domain::profile::{self as rules, ProfileForm};
use identity::i18n::Locale;
use leptos::prelude::*;
use leptos_meta::Title;
use server_fn::ServerFn as _;

use super::{AccountNav, LoadError};
use crate::api::account::{ResendVerification, me};
use crate::api::settings::{SaveProfile, get_profile};
use crate::components::form::{ErrorSummary, Field, PageField, StickyForm, done_without_js, failure, field_error, field_id, go_to};
use crate::i18n::{t, t_with};

/// Zones offered in the time-zone list (the profile's own zone is added when missing).
const ZONES: &[&str] = &[
    "UTC",
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Paris",
    "Europe/Brussels", "Europe/Amsterdam", "Europe/Luxembourg", "Europe/Madrid", "Europe/Rome", "Europe/Copenhagen",
    "Europe/Stockholm", "Europe/Oslo", "Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest",
    "Europe/Athens", "Europe/Bucharest", "Europe/Istanbul", "Europe/Kyiv", "Europe/Moscow",
    "Africa/Casablanca", "Africa/Lagos", "Africa/Cairo", "Africa/Nairobi", "Africa/Johannesburg",
    "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Bangkok", "Asia/Singapore", "Asia/Shanghai", "Asia/Hong_Kong",
    "Asia/Tokyo", "Asia/Seoul", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland",
    "America/St_Johns", "America/Halifax", "America/New_York", "America/Toronto", "America/Chicago", "America/Mexico_City",
    "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Vancouver", "America/Anchorage", "Pacific/Honolulu",
    "America/Bogota", "America/Lima", "America/Santiago", "America/Argentina/Buenos_Aires", "America/Sao_Paulo",
];

/// The core's field names and the inputs' ids, for the error summary's links.
const FIELDS: &[(&str, &str)] = &[
    ("Given name", "field-form-given_name-"),
    ("Family name", "field-form-family_name-"),
    ("Display name", "field-form-display_name-"),
    ("Preferred language", "field-form-preferred_language-"),
    ("Time zone", "field-form-zoneinfo-"),
    ("Phone", "field-form-phone-"),
    ("Birth date", "field-form-birth_date-"),
    ("Street address", "field-form-street-"),
    ("City", "field-form-locality-"),
    ("Region", "field-form-region-"),
    ("Postal code", "field-form-postal_code-"),
    ("Country", "field-form-country-"),
];

#[component]
pub fn ProfilePage() -> impl IntoView {
    let profile = Resource::new(|| (), |()| get_profile());
    let account = Resource::new(|| (), |()| me());
    view! {
        <Title text=t("account-profile-title")/>
        <h1>{t("account-profile-title")}</h1>
        <AccountNav/>
        <Suspense fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || Suspend::new(async move {
                if let Ok(Some(me)) = account.await {
                    if !me.email_verified {
                        return view! { <VerifyReminder email=me.email/> {profile_form(profile.await)} }.into_any();
                    }
                }
                profile_form(profile.await).into_any()
            })}
        </Suspense>
    }
}

fn profile_form(loaded: Result<ProfileForm, crate::error::AppError>) -> impl IntoView {
    match loaded {
        Ok(p) => view! { <ProfileEditor initial=p/> }.into_any(),
        Err(e) => view! { <LoadError error=e/> }.into_any(),
    }
}

#[component]
fn VerifyReminder(email: String) -> impl IntoView {
    let resend = ServerAction::<ResendVerification>::new();
    let result = resend.value();
    let sent = move || matches!(result.get(), Some(Ok(()))) || done_without_js::<ResendVerification>();
    view! {
        <section class="card notice" aria-labelledby="verify-heading">
            <h2 id="verify-heading">{t("account-verify-heading")}</h2>
            <p>{t_with("account-verify-sent-to", &[("email", email)])}</p>
            <ActionForm action=resend>
                <PageField/>
                <ErrorSummary error=failure(result) pending=resend.pending()/>
                <button type="submit">{t("account-verify-resend")}</button>
            </ActionForm>
            {move || sent().then(|| view! { <p role="status">{t("account-verify-resent")}</p> })}
        </section>
    }
}

/// The browser's own check of a field, with the core's rules (the server checks again).
fn message(r: Result<Option<String>, identity::domain::ParseError>) -> Option<String> {
    r.err().map(|e| e.to_string())
}

fn name_rule(field: &'static str, value: &str) -> Option<String> {
    message(PersonName::parse_optional(field, Some(value)).map(|n| n.map(|n| n.as_str().to_owned())))
}

/// What a field shows: what was typed before a refused plain post, else the profile.
fn shown(name: &str, saved: &Option<String>) -> String {
    match use_context::<StickyForm>() {
        Some(sticky) => sticky.0.get(name).cloned().unwrap_or_default(),
        None => saved.clone().unwrap_or_default(),
    }
}

#[component]
fn ProfileEditor(initial: ProfileForm) -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    let result = save.value();
    let saved = move || matches!(result.get(), Some(Ok(_))) || done_without_js::<SaveProfile>();
    // A new language or zone: the page is rendered again by the server, in it.
    Effect::new(move || {
        if let Some(Ok(changed)) = result.get() {
            if changed.iter().any(|f| f == "preferred_language" || f == "zoneinfo") {
                go_to(&format!("/account?__ok={}", SaveProfile::PATH));
            }
        }
    });
    let language = shown("form[preferred_language]", &initial.preferred_language);
    let zone = shown("form[zoneinfo]", &initial.zoneinfo);
    let mut languages = vec![(String::new(), t("account-profile-language-browser"), None)];
    languages.extend(Locale::ALL.into_iter().map(|l| (l.tag().to_owned(), l.native_name().to_owned(), Some(l.tag()))));
    let mut zones: Vec<(String, String, Option<&'static str>)> = vec![(String::new(), t("account-profile-zone-browser"), None)];
    if !zone.is_empty() && !ZONES.contains(&zone.as_str()) {
        zones.push((zone.clone(), zone.replace('_', " "), None));
    }
    zones.extend(ZONES.iter().map(|z| ((*z).to_owned(), z.replace('_', " "), None)));
    view! {
        <ActionForm action=save attr:class="card form" attr:novalidate="true">
            <PageField/>
            <ErrorSummary error=failure(result) pending=save.pending() fields=FIELDS/>
            <fieldset>
                <legend>{t("account-profile-name")}</legend>
                <Field label=t("account-profile-given-name") name="form[given_name]" autocomplete="given-name"
                    value=shown("form[given_name]", &initial.given_name) error=field_error(result, "Given name") validate=|s| name_rule("Given name", s)/>
                <Field label=t("account-profile-family-name") name="form[family_name]" autocomplete="family-name"
                    value=shown("form[family_name]", &initial.family_name) error=field_error(result, "Family name") validate=|s| name_rule("Family name", s)/>
                <Field label=t("account-profile-display-name") name="form[display_name]" autocomplete="nickname"
                    value=shown("form[display_name]", &initial.display_name) hint=t("account-profile-display-name-hint")
                    error=field_error(result, "Display name") validate=|s| name_rule("Display name", s)/>
            </fieldset>
            <fieldset>
                <legend>{t("account-profile-preferences")}</legend>
                <Select label=t("account-profile-language") name="form[preferred_language]" hint=t("account-profile-language-hint")
                    options=languages selected=language error=field_error(result, "Preferred language")/>
                <Select label=t("account-profile-zone") name="form[zoneinfo]" hint=t("account-profile-zone-hint")
                    options=zones selected=zone error=field_error(result, "Time zone")/>
                <Field label=t("account-profile-phone") name="form[phone]" kind="tel" autocomplete="tel"
                    value=shown("form[phone]", &initial.phone) hint=t("account-profile-phone-hint") error=field_error(result, "Phone")
                    validate=|s| message(rules::parse_phone(Some(s)))/>
                <Field label=t("account-profile-birth-date") name="form[birth_date]" kind="date" autocomplete="bday"
                    value=shown("form[birth_date]", &initial.birth_date) error=field_error(result, "Birth date")/>
            </fieldset>
            <fieldset>
                <legend>{t("account-profile-address")}</legend>
                <Field label=t("account-profile-street") name="form[street]" autocomplete="street-address"
                    value=shown("form[street]", &initial.street) error=field_error(result, "Street address") validate=|s| message(rules::parse_street(Some(s)))/>
                <Field label=t("account-profile-city") name="form[locality]" autocomplete="address-level2"
                    value=shown("form[locality]", &initial.locality) error=field_error(result, "City") validate=|s| message(rules::parse_locality(Some(s)))/>
                <Field label=t("account-profile-region") name="form[region]" autocomplete="address-level1"
                    value=shown("form[region]", &initial.region) error=field_error(result, "Region") validate=|s| message(rules::parse_region(Some(s)))/>
                <Field label=t("account-profile-postal-code") name="form[postal_code]" autocomplete="postal-code"
                    value=shown("form[postal_code]", &initial.postal_code) error=field_error(result, "Postal code") validate=|s| message(rules::parse_postal_code(Some(s)))/>
                <Field label=t("account-profile-country") name="form[country]" autocomplete="country"
                    value=shown("form[country]", &initial.country) hint=t("account-profile-country-hint") error=field_error(result, "Country")
                    validate=|s| message(rules::parse_country(Some(s)))/>
            </fieldset>
            <button type="submit" disabled=move || save.pending().get()>{t("account-profile-save")}</button>
            <div role="status">
                {move || saved().then(|| view! { <p>{t("account-profile-saved")}</p> })}
            </div>
        </ActionForm>
    }
}

/// A labelled `<select>` whose error is tied to it, like [`Field`]. Each option is
/// (value, text, its language when the text is in another one).
#[component]
fn Select(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(into)] hint: String,
    options: Vec<(String, String, Option<&'static str>)>,
    selected: String,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = field_id(name);
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || if error.get().is_some() { format!("{hint_id} {error_id}") } else { hint_id.clone() }
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <p class="hint" id=hint_id>{hint}</p>
            <select id=id name=name aria-describedby=described aria-invalid=move || error.get().is_some().then_some("true")>
                {options.into_iter().map(|(value, text, lang)| {
                    let chosen = value == selected;
                    view! { <option value=value selected=chosen lang=lang>{text}</option> }
                }).collect_view()}
            </select>
            <Show when=move || error.get().is_some()>
                <p class="field-error" id=error_id.clone()>{move || error.get()}</p>
            </Show>
        </div>
    }
}
