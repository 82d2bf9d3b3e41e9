//! The site header: the Foyer mark and the session area.

use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand-mark" href="/">"Foyer"</a>
            <nav aria-label="Account" class="session-area">
                <SessionArea/>
            </nav>
        </header>
    }
}

/// Where the signed-in customer's name and the sign-in / sign-out controls live. Until
/// customer accounts exist it states that nobody is signed in.
#[component]
fn SessionArea() -> impl IntoView {
    view! { <span class="session-state">"Not signed in"</span> }
}
