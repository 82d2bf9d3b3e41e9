//! `/account/*`: the signed-in customer's own pages, with a shared navigation and a
//! sign-in prompt when the session is missing or over.

pub mod activity;
pub mod brands;
pub mod devices;
pub mod profile;
pub mod security;

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn AccountNav() -> impl IntoView {
    view! {
        <nav aria-label="Account" class="account-nav">
            <a href="/account">"Profile"</a>
            <a href="/account/security">"Security"</a>
            <a href="/account/devices">"Your devices"</a>
            <a href="/account/activity">"Activity"</a>
            <a href="/account/brands">"Connected brands"</a>
        </nav>
    }
}

/// What an account page shows when loading its data failed.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    match error {
        AppError::SignInRequired => view! {
            <p role="alert">"Please sign in to continue."</p>
            <p><a href="/login?return_to=/account">"Sign in"</a></p>
        }
        .into_any(),
        other => view! { <p role="alert">{other.summary()}</p> }.into_any(),
    }
}
