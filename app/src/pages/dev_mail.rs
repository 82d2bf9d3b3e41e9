//! `/dev/mail`: the messages Foyer would have sent, when no SMTP server is configured
//! and Foyer runs in dev mode. Outside dev mode it is a 404.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dev_mail::dev_mailbox;
use crate::components::error_view::ErrorView;
use crate::i18n::{t, t_with};
use crate::pages::not_found::NotFound;

#[component]
pub fn DevMailPage() -> impl IntoView {
    let mail = Resource::new(|| (), |()| dev_mailbox());
    view! {
        <Suspense fallback=|| view! { <p>{t("common-loading")}</p> }>
            {move || Suspend::new(async move {
                match mail.await {
                    Ok(None) => view! { <NotFound/> }.into_any(),
                    Ok(Some(list)) => view! {
                        <Title text=t("shell-dev-mail-title")/>
                        <h1>{t("shell-dev-mail-title")}</h1>
                        <p>{t("shell-dev-mail-lead")}</p>
                        {if list.is_empty() {
                            view! { <p>{t("shell-dev-mail-empty")}</p> }.into_any()
                        } else {
                            view! {
                                <ol class="mail-list">
                                    {list.into_iter().map(|m| view! {
                                        <li class="card">
                                            <h2>{m.subject}</h2>
                                            <p>{t_with("shell-dev-mail-to", &[("to", m.to)])} " · " <time>{m.received_at}</time></p>
                                            <pre class="mail-body">{m.text}</pre>
                                        </li>
                                    }).collect_view()}
                                </ol>
                            }.into_any()
                        }}
                    }.into_any(),
                    Err(e) => view! { <ErrorView title=t("shell-dev-mail-unavailable") message=e.summary()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
