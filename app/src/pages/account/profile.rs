//! `/account`: the profile form, validated inline in the browser with the same rules
//! the server applies, plus the email-verification reminder.

use identity::domain::profile::{self as rules, ProfileForm};
use identity::domain::PersonName;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{AccountNav, LoadError};
use crate::api::account::{ResendVerification, me};
use crate::api::settings::{SaveProfile, get_profile};
use crate::components::form::{Field, form_alert, field_error};

fn message(r: Result<Option<String>, identity::domain::ParseError>) -> Option<String> {
    r.err().map(|e| e.to_string())
}

fn name_rule(field: &'static str) -> impl Fn(&str) -> Option<String> {
    move |v| message(PersonName::parse_optional(field, Some(v)).map(|n| n.map(|n| n.as_str().to_owned())))
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let profile = Resource::new(|| (), |()| get_profile());
    let account = Resource::new(|| (), |()| me());
    view! {
        <Title text="Your profile"/>
        <h1>"Your profile"</h1>
        <AccountNav/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
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
    view! {
        <section class="card notice" aria-labelledby="verify-heading">
            <h2 id="verify-heading">"Confirm your email address"</h2>
            <p>{format!("We sent a confirmation link to {email}. Brands can use your account once the address is confirmed.")}</p>
            <ActionForm action=resend>
                {form_alert(result)}
                <button type="submit">"Send the email again"</button>
            </ActionForm>
            {move || matches!(result.get(), Some(Ok(()))).then(|| view! { <p role="status">"Sent. Check your inbox."</p> })}
        </section>
    }
}

#[component]
fn ProfileEditor(initial: ProfileForm) -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    let result = save.value();
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    view! {
        <ActionForm action=save attr:class="card form" attr:novalidate="true">
            {form_alert(result)}
            <fieldset>
                <legend>"Name"</legend>
                <Field label="Given name" name="form[given_name]" autocomplete="given-name" value=v(&initial.given_name)
                    error=field_error(result, "Given name") validate=|s| name_rule("Given name")(s)/>
                <Field label="Family name" name="form[family_name]" autocomplete="family-name" value=v(&initial.family_name)
                    error=field_error(result, "Family name") validate=|s| name_rule("Family name")(s)/>
                <Field label="Display name" name="form[display_name]" autocomplete="nickname" value=v(&initial.display_name)
                    hint="How brands greet you." error=field_error(result, "Display name") validate=|s| name_rule("Display name")(s)/>
            </fieldset>
            <fieldset>
                <legend>"Contact and preferences"</legend>
                <Field label="Preferred language" name="form[preferred_language]" autocomplete="language" value=v(&initial.preferred_language)
                    hint="A language tag such as en, en-GB or de." error=field_error(result, "Preferred language")
                    validate=|s| message(rules::parse_language(Some(s)))/>
                <Field label="Phone" name="form[phone]" kind="tel" autocomplete="tel" value=v(&initial.phone)
                    hint="International format, starting with +." error=field_error(result, "Phone")
                    validate=|s| message(rules::parse_phone(Some(s)))/>
                <Field label="Birth date" name="form[birth_date]" kind="date" autocomplete="bday" value=v(&initial.birth_date)
                    error=field_error(result, "Birth date")/>
            </fieldset>
            <fieldset>
                <legend>"Address"</legend>
                <Field label="Street address" name="form[street]" autocomplete="street-address" value=v(&initial.street)
                    error=field_error(result, "Street address") validate=|s| message(rules::parse_street(Some(s)))/>
                <Field label="City" name="form[locality]" autocomplete="address-level2" value=v(&initial.locality)
                    error=field_error(result, "City") validate=|s| message(rules::parse_locality(Some(s)))/>
                <Field label="Region" name="form[region]" autocomplete="address-level1" value=v(&initial.region)
                    error=field_error(result, "Region") validate=|s| message(rules::parse_region(Some(s)))/>
                <Field label="Postal code" name="form[postal_code]" autocomplete="postal-code" value=v(&initial.postal_code)
                    error=field_error(result, "Postal code") validate=|s| message(rules::parse_postal_code(Some(s)))/>
                <Field label="Country" name="form[country]" autocomplete="country" value=v(&initial.country)
                    hint="Two-letter code, like GB or DE." error=field_error(result, "Country")
                    validate=|s| message(rules::parse_country(Some(s)))/>
            </fieldset>
            <button type="submit" disabled=move || save.pending().get()>"Save profile"</button>
            {move || matches!(result.get(), Some(Ok(_))).then(|| view! { <p role="status">"Profile saved."</p> })}
        </ActionForm>
    }
}
