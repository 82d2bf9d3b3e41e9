//! `/account/brands` ("Connected brands"): the brands the customer shares details with,
//! what each receives, and **Disconnect**.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{AccountNav, LoadError};
use crate::api::oidc::{ConnectedBrandView, connected_brands, disconnect_brand};
use crate::components::form::form_alert;

#[component]
pub fn BrandsPage() -> impl IntoView {
    // The input carries the brand's name too, for the message afterwards.
    let disconnect = Action::new(|(slug, name): &(String, String)| {
        let (slug, name) = (slug.clone(), name.clone());
        async move { disconnect_brand(slug).await.map(|()| name) }
    });
    let brands = Resource::new(move || disconnect.version().get(), |_| connected_brands());
    let done = disconnect.value();
    view! {
        <Title text="Connected brands"/>
        <h1>"Connected brands"</h1>
        <AccountNav/>
        <p>"These brands can see some of your details because you allowed it when you signed in on one of their sites. Disconnect a brand to stop sharing: it will ask again the next time you sign in there."</p>
        <div role="status" aria-live="polite">
            {move || done.get().and_then(Result::ok).map(|name| view! {
                <p>{format!("{name} was disconnected. It can no longer see your details, and you were signed out there.")}</p>
            })}
        </div>
        {form_alert(done)}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match brands.await {
                    Ok(list) if list.is_empty() => view! { <p>"No brands are connected to your account yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="brand-list">
                            {list.into_iter().map(|b| brand_card(b, disconnect)).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn brand_card(b: ConnectedBrandView, disconnect: Action<(String, String), Result<String, crate::error::AppError>>) -> AnyView {
    let label = format!("Disconnect {}", b.name);
    let heading_id = format!("brand-{}", b.slug);
    let labelled_by = heading_id.clone();
    let website = b.website_url.filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let input = (b.slug.clone(), b.name.clone());
    view! {
        <li class="card connected-brand" aria-labelledby=labelled_by>
            <h2 id=heading_id>{b.name.clone()}</h2>
            {website.map(|url| view! { <p><a href=url>{format!("{} website", b.name)}</a></p> })}
            <p>"Receives:"</p>
            <ul class="consent-list">
                {b.receives.into_iter().map(|what| view! { <li>{what}</li> }).collect_view()}
            </ul>
            <p>"Connected since " <time datetime=b.connected_since.clone()>{b.connected_since.clone()}</time></p>
            {b.last_used.map(|at| view! { <p>"Last used " <time datetime=at.clone()>{at.clone()}</time></p> })}
            <button type="button" class="danger" aria-label=label disabled=move || disconnect.pending().get()
                on:click=move |_| { disconnect.dispatch(input.clone()); }>"Disconnect"</button>
        </li>
    }
    .into_any()
}
