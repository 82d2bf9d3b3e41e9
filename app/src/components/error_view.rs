//! How a failed page section looks: a heading, a plain explanation, a way home.

use leptos::prelude::*;

#[component]
pub fn ErrorView(#[prop(into)] title: String, #[prop(into)] message: String) -> impl IntoView {
    view! {
        <section class="card error-card" role="alert">
            <h2>{title}</h2>
            <p>{message}</p>
            <p><a href="/">{crate::i18n::t("common-go-home")}</a></p>
        </section>
    }
}
