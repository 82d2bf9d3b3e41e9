//! The brand page's "Profile attributes" section (`/admin/brands/<slug>`): the attributes
//! the brand asks its customers for, and "Declare an attribute" — the UI over `foyer
//! attribute create|list` for the brand's own attributes (`docs/design/consent.md`
//! "Brand attributes"): labels and choice labels in every language Foyer ships (English
//! required), value rules (a text's length and pattern, a number's or date's bounds,
//! whole numbers). The core checks the declaration (`AttributeSpec::check`) and
//! authorizes on the brand; sharing an attribute with every brand (group-wide) stays with
//! the command line.

use std::collections::HashMap;

use identity::i18n::Locale;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error, sticky_value};
use crate::error::AppError;

/// One attribute as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeLine {
    pub key: String,
    pub kind: String,
    /// The English label.
    pub label: String,
    /// `(language tag, label)` in the other languages.
    pub other_labels: Vec<(String, String)>,
    /// The values, comma-separated.
    pub choices: String,
    /// Each value with its labels, e.g. `aisle: Aisle; de: Gang`.
    pub choice_labels: Vec<String>,
    /// The value rules in words; empty: none.
    pub rules: String,
    pub flags: String,
}

/// The kinds the form offers.
pub const KINDS: [(&str, &str); 4] = [("text", "Text"), ("number", "Number"), ("date", "Date"), ("choice", "Choice")];

/// The other languages' labels, `de: Gang`, after the English one.
#[cfg(feature = "ssr")]
fn labels_text(labels: &identity::branddata::Labels) -> String {
    let mut parts = vec![labels.get("en").cloned().unwrap_or_default()];
    parts.extend(labels.iter().filter(|(l, _)| *l != "en").map(|(l, t)| format!("{l}: {t}")));
    parts.join("; ")
}

/// A declaration's value rules in words.
#[cfg(feature = "ssr")]
fn rules_text(a: &identity::branddata::Attribute) -> String {
    use identity::branddata::Kind;
    let r = &a.rules;
    let mut parts = Vec::new();
    match a.kind {
        Kind::Text => {
            parts.push(match r.max_length {
                Some(n) => format!("at most {n} characters"),
                None => format!("at most {} characters (default)", identity::branddata::rules::DEFAULT_TEXT_MAX),
            });
            if let Some(p) = &r.pattern {
                parts.push(format!("matches {p} (whole value)"));
            }
        }
        Kind::Number => {
            if r.integer {
                parts.push("whole numbers".to_owned());
            }
            parts.extend(r.min_number.map(|n| format!("at least {n}")));
            parts.extend(r.max_number.map(|n| format!("at most {n}")));
        }
        Kind::Date => {
            parts.extend(r.min_date.as_ref().map(|d| format!("on or after {d}")));
            parts.extend(r.max_date.as_ref().map(|d| format!("on or before {d}")));
        }
        Kind::Choice => {}
    }
    parts.join(", ")
}

/// The brand's own attributes, in their order.
#[server(prefix = "/admin/api", endpoint = "brand-attributes")]
pub async fn admin_attributes(slug: String) -> Result<Vec<AttributeLine>, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let slug = identity::brand::BrandSlug::parse(&brand.slug).map_err(|e| crate::auth::fail(identity::Error::Invalid(e)))?;
    let list = ctx.identity.declared_attributes(&principal, Some(&slug)).await.map_err(crate::auth::fail)?;
    Ok(list
        .into_iter()
        .map(|a| {
            let flags: Vec<&str> = [(a.required, "required"), (a.ask_at_sign_in, "asked at sign-in"), (a.group_wide, "every brand reads it")]
                .into_iter()
                .filter_map(|(on, w)| on.then_some(w))
                .collect();
            AttributeLine {
                label: a.label("en").to_owned(),
                other_labels: a.labels.iter().filter(|(l, _)| *l != "en").map(|(l, t)| (l.clone(), t.clone())).collect(),
                kind: a.kind.as_str().to_owned(),
                choices: a.choices.iter().map(|c| c.value.as_str()).collect::<Vec<_>>().join(", "),
                choice_labels: a.choices.iter().map(|c| format!("{}: {}", c.value, labels_text(&c.labels))).collect(),
                rules: rules_text(&a),
                flags: flags.join(", "),
                key: a.key,
            }
        })
        .collect())
}

/// Declares an attribute of the brand: key, English label (`label`) and the other
/// languages' (`labels[de]`), kind, choices (`value=Label`, one a line, in English;
/// `choice_labels[de]` the same in another language), the value rules (`max_length`,
/// `pattern`, `min`, `max`, `integer`; blank: none), required, asked at sign-in.
#[server(prefix = "/admin/api", endpoint = "brand-attribute-create")]
pub async fn admin_attribute_create(
    slug: String,
    key: String,
    label: String,
    kind: String,
    choices: String,
    required: Option<String>,
    ask_at_sign_in: Option<String>,
    labels: Option<HashMap<String, String>>,
    choice_labels: Option<HashMap<String, String>>,
    max_length: Option<String>,
    pattern: Option<String>,
    min: Option<String>,
    max: Option<String>,
    integer: Option<String>,
) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let slug = identity::brand::BrandSlug::parse(&brand.slug).map_err(|e| crate::auth::fail(identity::Error::Invalid(e)))?;
    // `--label LANG=TEXT` as the command line takes it: English, then each other language given.
    let mut other: Vec<(String, String)> = labels.unwrap_or_default().into_iter().filter(|(l, t)| l != "en" && !t.trim().is_empty()).collect();
    other.sort();
    let labels = std::iter::once(format!("en={}", label.trim())).chain(other.into_iter().map(|(l, t)| format!("{l}={}", t.trim()))).collect();
    // A blank rule is no rule (the command line's flag left out).
    let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let spec = identity::branddata::AttributeSpec {
        key,
        labels,
        kind,
        choices: crate::admin::brand_topics::keyed_items(&choices, &choice_labels.unwrap_or_default()),
        max_length: given(max_length),
        pattern: given(pattern),
        min: given(min),
        max: given(max),
        integer: crate::api::ticked(integer.as_deref()),
        required: crate::api::ticked(required.as_deref()),
        ask_at_sign_in: crate::api::ticked(ask_at_sign_in.as_deref()),
        group_wide: false,
    };
    ctx.identity.declare_attribute(&principal, Some(&slug), &spec).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// The section: the list, then the form.
#[component]
pub fn AttributesSection(slug: String) -> impl IntoView {
    let create = ServerAction::<AdminAttributeCreate>::new();
    let attributes = Resource::new(
        {
            let slug = slug.clone();
            move || (slug.clone(), create.version().get())
        },
        |(slug, _)| admin_attributes(slug),
    );
    let c = create.value();
    let others: Vec<Locale> = Locale::ALL.into_iter().filter(|l| *l != Locale::En).collect();
    view! {
        <section class="card" aria-labelledby="h-attributes">
            <h2 id="h-attributes">"Profile attributes"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match attributes.await {
                        Ok(list) if list.is_empty() => view! { <p>"No attribute yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="results">
                                <caption>"What the brand asks its customers for"</caption>
                                <thead><tr><th scope="col">"Attribute"</th><th scope="col">"Kind"</th><th scope="col">"Choices"</th>
                                    <th scope="col">"Value rules"</th><th scope="col">"Asked"</th></tr></thead>
                                <tbody>{list.into_iter().map(|a| view! {
                                    <tr>
                                        <td>
                                            <span lang="en">{a.label}</span> <br/><code>{a.key}</code>
                                            {a.other_labels.into_iter().map(|(lang, label)| view! {
                                                <br/>{format!("{lang}: ")}<span lang=lang.clone()>{label}</span>
                                            }).collect_view()}
                                        </td>
                                        <td>{a.kind}</td>
                                        <td>{a.choices}
                                            {(!a.choice_labels.is_empty()).then(|| view! {
                                                <ul>{a.choice_labels.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                                            })}
                                        </td>
                                        <td>{a.rules}</td><td>{a.flags}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="hint">"Making an attribute group-wide (every brand reads it) is a decision about sharing customers' data across brands: it stays with the command line ("
                <code>"foyer attribute create --group-wide"</code> ")."</p>
            <ActionForm action=create attr:class="form" attr:novalidate="true">
                <PageField/>
                <h3>"Declare an attribute"</h3>
                {move || (done_without_js::<AdminAttributeCreate>() || matches!(c.get(), Some(Ok(())))).then(|| view! {
                    <p role="status" class="success">"Attribute declared."</p>
                })}
                <ErrorSummary error=failure(c) pending=create.pending()
                    fields=&[("Key", "field-attribute-key"), ("Label", "field-attribute-label"), ("Type", "attribute-kind"), ("Choice", "attribute-choices"),
                        ("Validation", "attribute-rules"), ("Ask at sign-in", "attribute-ask")]/>
                <input type="hidden" name="slug" value=slug/>
                <Field label="Key" name="key" id="field-attribute-key" required=true autocomplete="off" hint="a-z, 0-9 and _, starting with a letter (e.g. seat)" error=field_error(c, "Key")/>
                <Field label="Label (English)" name="label" id="field-attribute-label" required=true autocomplete="off" error=field_error(c, "Label")/>
                {others.iter().map(|l| view! {
                    <Field label=format!("Label in {} ({}), optional", l.native_name(), l.tag()) name=format!("labels[{}]", l.tag())
                        id=format!("field-attribute-label-{}", l.tag()) autocomplete="off"/>
                }).collect_view()}
                <div class="field">
                    <label for="attribute-kind">"Kind"</label>
                    <select id="attribute-kind" name="kind">
                        {KINDS.into_iter().map(|(v, w)| view! { <option value=v>{w}</option> }).collect_view()}
                    </select>
                    {move || field_error(c, "Type").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <div class="field">
                    <label for="attribute-choices">"Choices (for a choice: value=Label in English, one a line; labels without commas)"</label>
                    <textarea id="attribute-choices" name="choices" rows="3">{sticky_value("choices")}</textarea>
                    {move || field_error(c, "Choice").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                {others.iter().map(|l| {
                    let (id, name) = (format!("attribute-choices-{}", l.tag()), format!("choice_labels[{}]", l.tag()));
                    let typed = sticky_value(&name);
                    view! {
                        <div class="field">
                            <label for=id.clone()>{format!("Choice labels in {} ({}), optional: value=Label, one a line", l.native_name(), l.tag())}</label>
                            <textarea id=id name=name rows="3">{typed}</textarea>
                        </div>
                    }
                }).collect_view()}
                <fieldset id="attribute-rules">
                    <legend>"Value rules (blank: none)"</legend>
                    {move || field_error(c, "Validation").get().map(|m| view! { <p class="field-error">{m}</p> })}
                    <Field label="Text: at most this many characters (--max-length)" name="max_length" id="field-attribute-max-length" inputmode="numeric" autocomplete="off"
                        hint="1 to 1000; default 200"/>
                    <Field label="Text: a pattern the whole value matches (--pattern)" name="pattern" id="field-attribute-pattern" autocomplete="off"
                        hint="A regular expression, e.g. [A-Z]{2}[0-9]+"/>
                    <Field label="Number or date: the smallest value (--min)" name="min" id="field-attribute-min" autocomplete="off" hint="A number, or a date written YYYY-MM-DD"/>
                    <Field label="Number or date: the largest value (--max)" name="max" id="field-attribute-max" autocomplete="off" hint="A number, or a date written YYYY-MM-DD"/>
                    <div class="check">
                        <input type="checkbox" id="attribute-integer" name="integer"/>
                        <label for="attribute-integer">"Number: whole numbers only (--integer)"</label>
                    </div>
                </fieldset>
                <div class="check">
                    <input type="checkbox" id="attribute-required" name="required"/>
                    <label for="attribute-required">"Required by the brand"</label>
                </div>
                <div class="check">
                    <input type="checkbox" id="attribute-ask" name="ask_at_sign_in"/>
                    <label for="attribute-ask">"Ask for it at sign-in when missing (required ones only)"</label>
                    {move || field_error(c, "Ask at sign-in").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <button type="submit">"Declare"</button>
            </ActionForm>
        </section>
    }
}
