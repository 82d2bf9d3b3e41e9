//! The site header: the Foyer mark and the session area (who is signed in, sign out).

use leptos::prelude::*;

use crate::api::account::{Logout, me};
use crate::components::form::go_to;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand-mark" href="/">"Foyer"</a>
            <nav aria-label="Session" class="session-area">
                <SessionArea/>
            </nav>
        </header>
    }
}

/// Signed in: the customer's name, "Your account" and "Sign out". Otherwise "Sign in"
/// and "Create account".
#[component]
fn SessionArea() -> impl IntoView {
    let account = Resource::new(|| (), |()| me());
    let logout = ServerAction::<Logout>::new();
    Effect::new(move || {
        if matches!(logout.value().get(), Some(Ok(()))) {
            go_to("/");
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(me)) => view! {
                        <span class="session-state">{me.name}</span>
                        <a href="/account">"Your account"</a>
                        <ActionForm action=logout attr:class="inline-form">
                            <button type="submit" class="link-button">"Sign out"</button>
                        </ActionForm>
                    }.into_any(),
                    _ => view! {
                        <a href="/login">"Sign in"</a>
                        <a href="/register">"Create account"</a>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
