//! The brand page's "Preference topics" section (`/admin/brands/<slug>`): the topics the
//! brand offers in its customers' preferences, and "Replace the topics" (or offer none) —
//! the UI over `foyer attribute topics --brand …` (`docs/design/consent.md`
//! "Preferences"), through the same use cases (`brand_topics`, `set_brand_topics`: their
//! checks, their `brand.topics_set` audit row). Another brand is "not found" here as on
//! the rest of the page.

use std::collections::HashMap;

use identity::i18n::Locale;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::form::{ErrorSummary, PageField, done_without_js, failure, field_error, sticky_value};
use crate::error::AppError;

/// One topic as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicLine {
    pub key: String,
    /// `(language tag, label)`, English first.
    pub labels: Vec<(String, String)>,
}

impl TopicLine {
    fn label(&self, tag: &str) -> Option<&str> {
        self.labels.iter().find(|(l, _)| l == tag).map(|(_, t)| t.as_str())
    }
}

/// The items the core reads (`KEY=LANG:Text,LANG:Text`, as `foyer attribute topics
/// --topic` and `attribute create --choice` take them) from the form's `key=Label` lines:
/// `english` (a line without `=` is its own label), then each other language's by key.
/// Nothing is decided here: a line the core cannot read (a language's key that has no
/// English line, a key twice, a blank label) reaches it as typed and comes back named.
#[cfg(feature = "ssr")]
pub(crate) fn keyed_items(english: &str, others: &HashMap<String, String>) -> Vec<String> {
    let lines = |text: &str| text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    let mut entries: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in lines(english) {
        let (key, text) = line.split_once('=').unwrap_or((line.as_str(), line.as_str()));
        entries.push((key.trim().to_owned(), vec![("en".to_owned(), text.trim().to_owned())]));
    }
    let mut tags: Vec<&String> = others.keys().filter(|t| *t != "en").collect();
    tags.sort();
    for tag in tags {
        for line in lines(&others[tag]) {
            let (key, text) = line.split_once('=').map_or((line.as_str(), ""), |(k, t)| (k.trim(), t.trim()));
            let label = (tag.clone(), text.to_owned());
            let free = entries.iter().position(|(k, l)| k == key && !l.iter().any(|(t, _)| t == tag));
            let any = entries.iter().position(|(k, _)| k == key);
            match free.or(any) {
                Some(i) => entries[i].1.push(label),
                None => entries.push((key.to_owned(), vec![label])),
            }
        }
    }
    entries
        .into_iter()
        .map(|(key, labels)| format!("{key}={}", labels.iter().map(|(l, t)| format!("{l}:{t}")).collect::<Vec<_>>().join(",")))
        .collect()
}

/// The brand's topics, in order.
#[server(prefix = "/admin/api", endpoint = "brand-topics")]
pub async fn admin_topics(slug: String) -> Result<Vec<TopicLine>, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let slug = identity::brand::BrandSlug::parse(&brand.slug).map_err(|e| crate::auth::fail(identity::Error::Invalid(e)))?;
    let list = ctx.identity.brand_topics(&principal, &slug).await.map_err(crate::auth::fail)?;
    Ok(list.into_iter().map(line).collect())
}

#[cfg(feature = "ssr")]
fn line(t: identity::branddata::Topic) -> TopicLine {
    let mut labels: Vec<(String, String)> = t.labels.into_iter().collect();
    labels.sort_by_key(|(l, _)| l != "en");
    TopicLine { key: t.key, labels }
}

/// Replaces the brand's topics: `topics` holds the English `key=Label` lines,
/// `labels[de]` … the other languages' `key=Label` lines; `clear` (or no line at all)
/// offers none.
#[server(prefix = "/admin/api", endpoint = "brand-topics-set")]
pub async fn admin_topics_set(slug: String, topics: Option<String>, labels: Option<HashMap<String, String>>, clear: Option<String>) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let slug = identity::brand::BrandSlug::parse(&brand.slug).map_err(|e| crate::auth::fail(identity::Error::Invalid(e)))?;
    let items = if crate::api::ticked(clear.as_deref()) { Vec::new() } else { keyed_items(topics.as_deref().unwrap_or_default(), &labels.unwrap_or_default()) };
    ctx.identity.set_brand_topics(&principal, &slug, &items).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// What a textarea shows: what was typed before a refused plain post, else `saved`.
fn typed_or(name: &str, saved: String) -> String {
    let typed = sticky_value(name);
    if typed.is_empty() { saved } else { typed }
}

/// The section: the list, then "Replace the topics" (filled with the current ones) and
/// "Offer no topics".
#[component]
pub fn TopicsSection(slug: String) -> impl IntoView {
    let set = ServerAction::<AdminTopicsSet>::new();
    let topics = Resource::new(
        {
            let slug = slug.clone();
            move || (slug.clone(), set.version().get())
        },
        |(slug, _)| admin_topics(slug),
    );
    let s = set.value();
    view! {
        <section class="card" aria-labelledby="h-topics">
            <h2 id="h-topics">"Preference topics"</h2>
            <p class="hint">"What customers may choose to hear about from the brand, in their preferences."</p>
            {move || (done_without_js::<AdminTopicsSet>() || matches!(s.get(), Some(Ok(())))).then(|| view! {
                <p role="status" class="success">"Topics saved."</p>
            })}
            <ErrorSummary error=failure(s) pending=set.pending() fields=&[("Topic", "topics-en")]/>
            <Suspense fallback=|| ()>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match topics.await {
                            Ok(list) => view! { <TopicsList list=list.clone()/> <TopicsForms slug=slug list=list set=set/> }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn TopicsList(list: Vec<TopicLine>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p>"The brand offers no topics."</p> }.into_any();
    }
    view! {
        <table class="results">
            <caption>"The brand's topics"</caption>
            <thead><tr><th scope="col">"Topic"</th><th scope="col">"Labels"</th></tr></thead>
            <tbody>{list.into_iter().map(|t| view! {
                <tr>
                    <td><code>{t.key}</code></td>
                    <td>{t.labels.into_iter().map(|(lang, label)| view! { <span lang=lang.clone()>{format!("{lang}: {label}")}</span> <br/> }).collect_view()}</td>
                </tr>
            }).collect_view()}</tbody>
        </table>
    }
    .into_any()
}

#[component]
fn TopicsForms(slug: String, list: Vec<TopicLine>, set: ServerAction<AdminTopicsSet>) -> impl IntoView {
    let s = set.value();
    let saved = |tag: &str| list.iter().filter_map(|t| t.label(tag).map(|l| format!("{}={l}", t.key))).collect::<Vec<_>>().join("\n");
    let english = typed_or("topics", saved("en"));
    let others: Vec<(Locale, String)> = Locale::ALL.into_iter().filter(|l| *l != Locale::En).map(|l| (l, typed_or(&format!("labels[{}]", l.tag()), saved(l.tag())))).collect();
    let offers_some = !list.is_empty();
    let slug_clear = slug.clone();
    view! {
        <ActionForm action=set attr:class="form" attr:novalidate="true">
            <PageField/>
            <h3>"Replace the topics"</h3>
            <input type="hidden" name="slug" value=slug/>
            <div class="field">
                <label for="topics-en">"Topics, one a line: key=Label (English)"</label>
                <p class="hint" id="topics-en-hint">"Keys a-z, 0-9 and _, starting with a letter, e.g. deals=Deals. Labels without commas. The list replaces the current one."</p>
                <textarea id="topics-en" name="topics" rows="4" aria-describedby="topics-en-hint">{english}</textarea>
                {move || field_error(s, "Topic").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            {others.into_iter().map(|(l, text)| {
                let id = format!("topics-{}", l.tag());
                view! {
                    <div class="field">
                        <label for=id.clone()>{format!("Labels in {} ({}), optional: key=Label", l.native_name(), l.tag())}</label>
                        <textarea id=id name=format!("labels[{}]", l.tag()) rows="3">{text}</textarea>
                    </div>
                }
            }).collect_view()}
            <button type="submit">"Save topics"</button>
        </ActionForm>
        {offers_some.then(|| view! {
            <ActionForm action=set attr:class="inline-form">
                <PageField/>
                <input type="hidden" name="slug" value=slug_clear/>
                <input type="hidden" name="clear" value="on"/>
                <button type="submit" class="danger">"Offer no topics"</button>
            </ActionForm>
        })}
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn lines_become_the_cores_items() {
        let others: HashMap<String, String> = [("de".to_owned(), "deals=Angebote\nnews=Neuigkeiten\n".to_owned())].into();
        assert_eq!(keyed_items("deals = Deals\n\n news=News \r\n", &others), ["deals=en:Deals,de:Angebote", "news=en:News,de:Neuigkeiten"]);
        assert_eq!(keyed_items("tips", &HashMap::new()), ["tips=en:tips"], "a bare line is its own label");
        let orphan: HashMap<String, String> = [("de".to_owned(), "other=Andere".to_owned())].into();
        assert_eq!(keyed_items("deals=Deals", &orphan), ["deals=en:Deals", "other=de:Andere"], "passed on for the core to refuse");
        assert!(keyed_items(" \n", &HashMap::new()).is_empty());
    }
}
