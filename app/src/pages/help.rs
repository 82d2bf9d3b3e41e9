//! `/help`: answers to what customers ask most (signing in, a forgotten password,
//! two-step verification, a lost phone, what brands see, the language), with the links
//! that solve each.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::brand::product_name;
use crate::i18n::{t, t_with};

/// One question: its heading, the answer, and the page that helps.
fn topic(id: &'static str, question: &'static str, answer: String, link: Option<(&'static str, &'static str)>) -> impl IntoView {
    let heading = format!("{id}-heading");
    view! {
        <section class="card" aria-labelledby=heading.clone()>
            <h2 id=heading.clone()>{t(question)}</h2>
            <p>{answer}</p>
            {link.map(|(href, text)| view! { <p><a href=href>{t(text)}</a></p> })}
        </section>
    }
}

#[component]
pub fn HelpPage() -> impl IntoView {
    let product = product_name();
    let with_product = |id: &str| t_with(id, &[("product", product.clone())]);
    view! {
        <Title text=t("shell-help-title")/>
        <h1>{t("shell-help-title")}</h1>
        <p class="lead">{with_product("shell-help-lead")}</p>
        {topic("help-sign-in", "shell-help-sign-in-q", with_product("shell-help-sign-in-a"), Some(("/login", "shell-sign-in")))}
        {topic("help-password", "shell-help-password-q", t("shell-help-password-a"), Some(("/forgot-password", "shell-help-password-link")))}
        {topic("help-code", "shell-help-code-q", t("shell-help-code-a"), Some(("/login/code", "shell-help-code-link")))}
        {topic("help-two-step", "shell-help-two-step-q", t("shell-help-two-step-a"), Some(("/account/security", "shell-home-security")))}
        {topic("help-lost", "shell-help-lost-q", t("shell-help-lost-a"), None)}
        {topic("help-brands", "shell-help-brands-q", with_product("shell-help-brands-a"), Some(("/account/brands", "shell-home-brands")))}
        {topic("help-language", "shell-help-language-q", t("shell-help-language-a"), None)}
    }
}
