//! `/account/privacy/preferences`: per brand the customer uses, its preferences
//! (language, contact frequency, topics) and "What <brand> knows about you" (its own
//! attributes), one form per brand; then the group-wide attributes in their own
//! section and form. Every form is a plain post that works before the wasm; refused
//! values come back beside their inputs (each form shows only its own: the server
//! names the fields `<slug>:…` / `group:…`). [`attribute_input`] is shared with the
//! sign-in's short form (`pages::oauth_profile`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::branddata::{BrandDataView, BrandSectionView, FREQUENCIES, FieldView, GROUP, SaveBrandData, brand_data};
use crate::components::form::{ActionResult, ErrorSummary, PageField, StickyForm, done_without_js, failure};
use crate::error::AppError;
use crate::i18n::{t, t_with};
use crate::pages::account::{AccountNav, LoadError};

#[component]
pub fn PreferencesPage() -> impl IntoView {
    let data = Resource::new(|| (), |()| brand_data());
    view! {
        <Title text=t("branddata-page-title")/>
        <h1>{t("branddata-page-title")}</h1>
        <AccountNav/>
        <p>{t("branddata-page-intro")}</p>
        {done_without_js::<SaveBrandData>().then(|| view! { <p role="status" class="notice">{t("branddata-saved")}</p> })}
        <Suspense fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => sections(v),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn sections(v: BrandDataView) -> AnyView {
    let empty = v.brands.is_empty() && v.group.is_empty();
    let group = (!v.group.is_empty()).then(|| group_section(v.group));
    view! {
        {empty.then(|| view! { <p class="card">{t("branddata-nothing")}</p> })}
        {v.brands.into_iter().map(brand_section).collect_view()}
        {group}
    }
    .into_any()
}

/// Only the errors of the form whose fields start with `prefix` (other failures, such
/// as "not found", show in every form: they are rare and say so plainly).
fn own_errors(result: impl ActionResult<()>, prefix: String) -> Signal<Option<AppError>> {
    let all = failure(result);
    Signal::derive(move || match all.get()? {
        AppError::Fields(list) => {
            let mine: Vec<_> = list.into_iter().filter(|f| f.field.starts_with(&prefix)).collect();
            (!mine.is_empty()).then_some(AppError::Fields(mine))
        }
        other => Some(other),
    })
}

/// The server's message for `field` (its full name) from the last result.
pub fn error_for<T: Clone + Send + Sync + 'static>(result: impl ActionResult<T>, field: String) -> Signal<Option<String>> {
    Signal::derive(move || result.get().and_then(Result::err).and_then(|e| e.for_field(&field)))
}

/// What a refused plain post of this form typed (the server keeps it for one render;
/// only the form the post came from, by its hidden `brand`).
fn sticky(brand: &str, name: &str) -> Option<String> {
    let form = use_context::<StickyForm>()?;
    (form.0.get("brand").map(String::as_str) == Some(brand)).then(|| form.0.get(name).cloned().unwrap_or_default())
}

fn brand_section(b: BrandSectionView) -> AnyView {
    let save = ServerAction::<SaveBrandData>::new();
    let result = save.value();
    let prefix = format!("{}:", b.slug);
    let heading_id = format!("brand-{}", b.slug);
    let labelled_by = heading_id.clone();
    let name = b.name.clone();
    let slug = b.slug.clone();
    let language = sticky(&slug, "language").unwrap_or(b.language.clone());
    let frequency = sticky(&slug, "frequency").unwrap_or(b.frequency.clone());
    let mut languages = vec![(String::new(), t("branddata-language-profile"))];
    languages.extend(identity::i18n::Locale::ALL.into_iter().map(|l| (l.tag().to_owned(), l.native_name().to_owned())));
    let mut frequencies = vec![(String::new(), t("branddata-frequency-default"))];
    frequencies.extend(FREQUENCIES.iter().map(|f| ((*f).to_owned(), t(&format!("branddata-frequency-{}", f.replace('_', "-"))))));
    let topics_posted = use_context::<StickyForm>().is_some_and(|f| f.0.get("brand") == Some(&slug));
    let topics = b.topics.clone();
    let attributes = b.attributes.clone();
    let knows = t_with("branddata-knows", &[("brand", name.clone())]);
    view! {
        <section class="card brand-data" aria-labelledby=labelled_by>
            <h2 id=heading_id>{name.clone()}</h2>
            <ActionForm action=save attr:class="form" attr:novalidate="true">
                <PageField/>
                <ErrorSummary error=own_errors(result, prefix.clone()) pending=save.pending()/>
                <input type="hidden" name="brand" value=slug.clone()/>
                <fieldset>
                    <legend>{t("branddata-preferences")}</legend>
                    {choice_select(format!("{slug}-language"), "language".to_owned(), t("branddata-language"), languages, language, error_for(result, format!("{prefix}language")))}
                    {choice_select(format!("{slug}-frequency"), "frequency".to_owned(), t("branddata-frequency"), frequencies, frequency, error_for(result, format!("{prefix}frequency")))}
                    {(!topics.is_empty()).then(|| {
                        let topics_error = error_for(result, format!("{prefix}topics"));
                        view! {
                            <fieldset class="topics">
                                <legend>{t("branddata-topics")}</legend>
                                {topics.into_iter().map(|topic| {
                                    let id = format!("field-{slug}-topic-{}", topic.key);
                                    let name = format!("topics[{}]", topic.key);
                                    let checked = if topics_posted { sticky(&slug, &name).is_some_and(|v| !v.is_empty()) } else { topic.chosen };
                                    view! {
                                        <div class="checkbox">
                                            <input type="checkbox" id=id.clone() name=name value="on" checked=checked/>
                                            <label for=id>{topic.label}</label>
                                        </div>
                                    }
                                }).collect_view()}
                                <Show when=move || topics_error.get().is_some()>
                                    <p class="field-error">{move || topics_error.get()}</p>
                                </Show>
                            </fieldset>
                        }
                    })}
                </fieldset>
                <fieldset>
                    <legend>{knows}</legend>
                    {if attributes.is_empty() {
                        view! { <p class="hint">{t_with("branddata-knows-nothing", &[("brand", name.clone())])}</p> }.into_any()
                    } else {
                        attributes.into_iter().map(|f| {
                            let error = error_for(result, format!("{prefix}{}", f.error_field()));
                            let value = sticky(&slug, &format!("values[{}]", f.key));
                            attribute_input(&slug, f, value, error)
                        }).collect_view().into_any()
                    }}
                </fieldset>
                <button type="submit" disabled=move || save.pending().get()>{t_with("branddata-save-for", &[("brand", name.clone())])}</button>
                <div role="status">{move || matches!(result.get(), Some(Ok(()))).then(|| view! { <p>{t("branddata-saved")}</p> })}</div>
            </ActionForm>
        </section>
    }
    .into_any()
}

fn group_section(fields: Vec<FieldView>) -> AnyView {
    let save = ServerAction::<SaveBrandData>::new();
    let result = save.value();
    let prefix = format!("{GROUP}:");
    view! {
        <section class="card brand-data" aria-labelledby="brand-data-group">
            <h2 id="brand-data-group">{t("branddata-group-heading")}</h2>
            <p class="hint">{t("branddata-group-intro")}</p>
            <ActionForm action=save attr:class="form" attr:novalidate="true">
                <PageField/>
                <ErrorSummary error=own_errors(result, prefix.clone()) pending=save.pending()/>
                <input type="hidden" name="brand" value=""/>
                {fields.into_iter().map(|f| {
                    let error = error_for(result, format!("{prefix}{}", f.error_field()));
                    let value = sticky("", &format!("values[{}]", f.key));
                    attribute_input(GROUP, f, value, error)
                }).collect_view()}
                <button type="submit" disabled=move || save.pending().get()>{t("branddata-save-group")}</button>
                <div role="status">{move || matches!(result.get(), Some(Ok(()))).then(|| view! { <p>{t("branddata-saved")}</p> })}</div>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// A labelled `<select>` with its error tied to it (options: value, text).
fn choice_select(id: String, name: String, label: String, options: Vec<(String, String)>, selected: String, error: Signal<Option<String>>) -> AnyView {
    let id = format!("field-{id}");
    let error_id = format!("{id}-error");
    let described = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-describedby=described aria-invalid=move || error.get().is_some().then_some("true")>
                {options.into_iter().map(|(value, text)| {
                    let chosen = value == selected;
                    view! { <option value=value selected=chosen>{text}</option> }
                }).collect_view()}
            </select>
            <Show when=move || error.get().is_some()>
                <p class="field-error" id=error_id.clone()>{move || error.get()}</p>
            </Show>
        </div>
    }
    .into_any()
}

/// One attribute's input, named `values[<key>]`, by kind: a text, number or date field,
/// or a list of the choices. `scope` keeps ids unique when several forms share a page;
/// `typed` is what a refused plain post carried.
pub fn attribute_input(scope: &str, f: FieldView, typed: Option<String>, error: Signal<Option<String>>) -> AnyView {
    let id = format!("field-{scope}-{}", f.key);
    let name = format!("values[{}]", f.key);
    let value = typed.unwrap_or(f.value.clone());
    let label = if f.required { f.label.clone() } else { t_with("branddata-optional", &[("field", f.label.clone())]) };
    if f.kind == "choice" {
        let mut options = vec![(String::new(), t("branddata-choose"))];
        options.extend(f.choices.clone());
        return choice_select(format!("{scope}-{}", f.key), name, label, options, value, error);
    }
    let error_id = format!("{id}-error");
    let described = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    let (kind, inputmode) = match f.kind.as_str() {
        "date" => ("date", None),
        "number" => ("text", Some("decimal")),
        _ => ("text", None),
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type=kind inputmode=inputmode name=name value=value
                aria-describedby=described aria-invalid=move || error.get().is_some().then_some("true")/>
            <Show when=move || error.get().is_some()>
                <p class="field-error" id=error_id.clone()>{move || error.get()}</p>
            </Show>
        </div>
    }
    .into_any()
}
