//! The 404 page (also the router's fallback).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::t;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t("shell-not-found-title")/>
        <h1>{t("shell-not-found-title")}</h1>
        <p>{t("shell-not-found-text")}</p>
        <p><a href="/">{t("common-go-home")}</a></p>
    }
}
