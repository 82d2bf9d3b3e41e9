//! The footer on every page: on a brand's flow the brand's own help, terms and privacy
//! links; otherwise the product's help page, the group's privacy notice and terms
//! (`FOYER_PRIVACY_URL`, `FOYER_TERMS_URL`, when set) and the home page.

use leptos::prelude::*;

use crate::components::brand::{BrandLinks, brand_flow, legal_links, product_name};
use crate::i18n::{t, t_with};

#[component]
pub fn Footer() -> impl IntoView {
    let product = product_name();
    let (privacy, terms) = legal_links();
    let own = {
        let product = product.clone();
        move || {
            view! {
                <nav class="footer-links" aria-label=t("shell-footer-nav")>
                    <ul>
                        <li><a href="/help">{t("shell-footer-help")}</a></li>
                        {privacy.clone().map(|href| view! { <li><a href=href>{t("shell-footer-privacy")}</a></li> })}
                        {terms.clone().map(|href| view! { <li><a href=href>{t("shell-footer-terms")}</a></li> })}
                        <li><a href="/">{t_with("shell-footer-home", &[("product", product.clone())])}</a></li>
                    </ul>
                </nav>
            }
        }
    };
    let links = match brand_flow() {
        Some(brand) => {
            let own = own.clone();
            view! {
                <Suspense fallback=own.clone()>
                    {move || {
                        let own = own.clone();
                        Suspend::new(async move {
                            match brand.await {
                                Some(b) => view! { <BrandLinks brand=b/> }.into_any(),
                                None => own().into_any(),
                            }
                        })
                    }}
                </Suspense>
            }
            .into_any()
        }
        None => own().into_any(),
    };
    view! {
        <footer class="site-footer">
            {links}
            <p class="footer-note">{t_with("shell-footer-note", &[("product", product)])}</p>
        </footer>
    }
}
