//! `/oauth2/profile?r=<handle>`: progressive profiling. A brand's site asked for a sign-in
//! and the brand needs a detail the customer has not given yet (a required attribute it
//! asks for at sign-in): one short form with the brand's look, **Save and continue** or
//! **Skip for now**; either way the flow goes on at `/oauth2/continue?r=…` and this
//! sign-in is not asked again. Both answers are form posts, so the page works before the
//! wasm arrives (`docs/design/consent.md` "Brand attributes").

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::branddata::{ProfileSave, ProfileSkip, ProfileView, profile_details};
use crate::api::oidc::continue_path;
use crate::components::brand::BrandBanner;
use crate::components::form::{ErrorSummary, PageField, StickyForm, failure};
use crate::i18n::{t, t_with};
use crate::pages::account::privacy::preferences::{attribute_input, error_for};
use crate::pages::oauth::{flow_error, follow};

#[component]
pub fn ProfileFormPage() -> impl IntoView {
    let r = use_query_map().with_untracked(|q| q.get("r")).unwrap_or_default();
    let details = Resource::new({
        let r = r.clone();
        move || r.clone()
    }, profile_details);
    view! {
        <Title text=t("branddata-profile-title")/>
        <Suspense fallback=|| view! { <p>{t("common-loading")}</p> }>
            {move || {
                let r = r.clone();
                Suspend::new(async move {
                    match details.await {
                        Ok(v) if v.fields.is_empty() => view! {
                            <BrandBanner brand=v.brand.clone()/>
                            <h1>{t("branddata-profile-done-title")}</h1>
                            <p><a class="button" href=continue_path(&r)>{t_with("branddata-profile-continue-to", &[("brand", v.brand.name.clone())])}</a></p>
                        }.into_any(),
                        Ok(v) => profile_form(r, v),
                        Err(e) => flow_error(&r, e),
                    }
                })
            }}
        </Suspense>
    }
}

fn profile_form(r: String, v: ProfileView) -> AnyView {
    let save = ServerAction::<ProfileSave>::new();
    let skip = ServerAction::<ProfileSkip>::new();
    let saved = save.value();
    follow(saved);
    follow(skip.value());
    let busy = move || save.pending().get() || skip.pending().get() || matches!(saved.get(), Some(Ok(_)));
    let name = v.brand.name.clone();
    let typed = |key: &str| use_context::<StickyForm>().and_then(|f| f.0.get(&format!("values[{key}]")).cloned());
    let r_skip = r.clone();
    view! {
        <BrandBanner brand=v.brand.clone()/>
        <h1>{t_with("branddata-profile-heading", &[("brand", name.clone())])}</h1>
        <p>{t_with("branddata-profile-intro", &[("brand", name.clone())])}</p>
        <section class="card consent" aria-labelledby="profile-heading">
            <h2 id="profile-heading">{t("branddata-profile-form-heading")}</h2>
            <ActionForm action=save attr:class="form" attr:novalidate="true">
                <PageField/>
                <ErrorSummary error=failure(saved) pending=save.pending()/>
                <input type="hidden" name="r" value=r/>
                {v.fields.into_iter().map(|f| {
                    let error = error_for(saved, f.error_field());
                    let value = typed(&f.key);
                    attribute_input("profile", f, value, error)
                }).collect_view()}
                <p class="hint">{t_with("branddata-profile-where", &[("brand", name.clone())])} " "
                    <a href="/account/privacy/preferences">{t("branddata-page-title")}</a>"."</p>
                <div class="consent-actions">
                    <button type="submit" class="brand-primary" disabled=busy>{t("branddata-profile-save")}</button>
                </div>
            </ActionForm>
            <ErrorSummary error=failure(skip.value()) pending=skip.pending()/>
            <ActionForm action=skip attr:class="inline-form">
                <PageField/>
                <input type="hidden" name="r" value=r_skip/>
                <button type="submit" class="secondary" disabled=busy>{t("branddata-profile-skip")}</button>
            </ActionForm>
        </section>
    }
    .into_any()
}
