//! `/`: what Foyer is, the brands it serves, and the status widget.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::status::list_brands;
use crate::components::error_view::ErrorView;
use crate::components::status::StatusCheck;

#[component]
pub fn HomePage() -> impl IntoView {
    let brands = Resource::new(|| (), |()| list_brands());
    view! {
        <Title text=""/>
        <h1>"Welcome to Foyer"</h1>
        <p class="lead">"One account for every brand of the group: sign in once, decide what each brand may see."</p>
        <section class="card" aria-labelledby="brands-heading">
            <h2 id="brands-heading">"Brands"</h2>
            <Suspense fallback=|| view! { <p>"Loading brands…"</p> }>
                {move || Suspend::new(async move {
                    match brands.await {
                        Ok(list) if list.is_empty() => view! { <p>"No brands yet. An operator adds them with foyer brand create."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="brand-list">
                                {list.into_iter().map(|b| view! { <li data-slug=b.slug>{b.name}</li> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <ErrorView title="Brands unavailable" message=e.to_string()/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <StatusCheck/>
    }
}
