//! The Security page's passkeys: add (named, once the page is interactive: WebAuthn
//! needs the browser), rename, remove after "Are you sure?" (`?remove=<id>`,
//! `?rename=<id>`, working without the wasm like the rest of the page).

use leptos::prelude::*;

use super::{PAGE, RecoveryCodes, changed_on_success, failure_but_step_up, focus_on_mount, leave_state_on_success, query, reauth};
use crate::api::passkeys::{PasskeyView, RemovePasskey, RenamePasskey, list_passkeys, passkey_add, passkey_add_options};
use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, field_error};
use crate::components::passkey;
use crate::components::step_up::{StepUp, step_up_answered};
use crate::error::AppError;
use crate::i18n::{Time, t, t_with};

/// Empties the input with id `id` (what was typed lives in the element, not the view).
fn clear_input(id: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = document().get_element_by_id(id) {
        let _ = js_sys::Reflect::set(&el, &"value".into(), &"".into());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Passkeys: add (named, once interactive), rename, remove (after "Are you sure?").
/// Adding and removing ask to confirm it's you when the last authentication is older
/// than five minutes.
#[component]
pub(super) fn PasskeysSection() -> AnyView {
    let name = RwSignal::new(String::new());
    let add = Action::new_local(move |_: &()| {
        let name = name.get_untracked();
        async move { passkey::create_with(passkey_add_options(), |r| passkey_add(name, r)).await }
    });
    let remove = ServerAction::<RemovePasskey>::new();
    let rename = ServerAction::<RenamePasskey>::new();
    let list = Resource::new(move || (add.version().get(), remove.version().get(), rename.version().get()), |_| list_passkeys());
    changed_on_success(add.value());
    changed_on_success(remove.value());
    leave_state_on_success(remove.value());
    leave_state_on_success(rename.value());
    let removing = query("remove");
    // The change that asked for a step-up: "add", "remove", or "page" (a plain
    // step-up's answer, nothing to resume).
    let initially = reauth(&remove.value().get_untracked()) || step_up_answered("passkeys");
    let interrupted = RwSignal::new(initially.then_some("page"));
    Effect::new(move |_| if reauth(&add.value().get()) { interrupted.set(Some("add")) });
    Effect::new(move |_| if reauth(&remove.value().get()) { interrupted.set(Some("remove")) });
    let resume = Callback::new(move |()| {
        match interrupted.get_untracked() {
            Some("add") => { add.dispatch(()); }
            Some("remove") => {
                if let Some(id) = removing.get_untracked() {
                    remove.dispatch(RemovePasskey { id });
                }
            }
            _ => {}
        }
        interrupted.set(None);
    });
    // Known once interactive: without the wasm no passkey can be made.
    let supported = RwSignal::new(None::<bool>);
    Effect::new(move || supported.set(Some(passkey::supported())));
    // After each passkey added, the name field starts empty again.
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            name.set(String::new());
            clear_input("field-passkey_name");
        }
    });
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err).filter(|e| *e != AppError::ReauthRequired));
    let add_result = Signal::derive(move || add_error.get().map(Err::<(), AppError>));
    view! {
        <section class="card" aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading">{t("security-passkeys-heading")}</h2>
            <p>{t("security-passkeys-intro")}</p>
            <Show when=move || interrupted.get().is_some()>
                <StepUp section="passkeys" on_confirmed=resume/>
            </Show>
            <ErrorSummary error=failure_but_step_up(rename.value()) pending=rename.pending()/>
            <Transition fallback=|| view! { <p>{t("security-loading")}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(keys) if keys.is_empty() => view! { <p>{t("security-passkeys-none")}</p> }.into_any(),
                        Ok(keys) => view! {
                            <ul class="passkeys">
                                {keys.into_iter().map(|k| view! { <PasskeyItem key=k remove=remove rename=rename/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p role="alert">{e.summary()}</p> }.into_any(),
                    }
                })}
            </Transition>
            {move || add.value().get().and_then(Result::ok).filter(|a| !a.recovery_codes.is_empty()).map(|a| view! {
                <RecoveryCodes codes=a.recovery_codes intro=t("security-codes-intro-passkey")/>
            })}
            {move || matches!(add.value().get(), Some(Ok(_))).then(|| view! { <p role="status">{t("security-passkey-added")}</p> })}
            {move || match supported.get() {
                None => view! { <p class="muted">{t("security-passkeys-need-js")}</p> }.into_any(),
                Some(false) => view! { <p>{t("security-passkeys-unsupported")}</p> }.into_any(),
                Some(true) => view! {
                    <form class="form" novalidate on:submit=move |ev| {
                        ev.prevent_default();
                        add.dispatch(());
                    }>
                        <ErrorSummary error=add_error pending=add.pending() fields=&[("Name", "field-passkey_name")]/>
                        <Field label=t("security-passkey-name") name="passkey_name" hint=t("security-passkey-name-hint")
                            error=field_error(add_result, "Name") on_input=Callback::new(move |v| name.set(v))/>
                        <button type="submit" disabled=move || add.pending().get()>{t("security-passkey-add")}</button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}

/// One passkey: its facts, rename in place, remove after confirming. (Type-erased:
/// the nested view types are deep enough to exceed the compiler's default limits in
/// wasm.)
#[component]
fn PasskeyItem(key: PasskeyView, remove: ServerAction<RemovePasskey>, rename: ServerAction<RenamePasskey>) -> AnyView {
    let renaming_id = query("rename");
    let removing_id = query("remove");
    let renamed_plain = done_without_js::<RenamePasskey>();
    let removed_plain = done_without_js::<RemovePasskey>();
    let renaming = {
        let id = key.id.clone();
        move || renaming_id.get().as_deref() == Some(id.as_str()) && !renamed_plain && !matches!(rename.value().get(), Some(Ok(())))
    };
    let removing = {
        let id = key.id.clone();
        move || removing_id.get().as_deref() == Some(id.as_str()) && !removed_plain && !matches!(remove.value().get(), Some(Ok(())))
    };
    let field_id = format!("rename-{}", key.id);
    let label = t_with("security-passkey-new-name", &[("name", key.name.clone())]);
    let encoded: String = key.id.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    let rename_href = format!("{PAGE}?rename={encoded}#passkeys-heading");
    let remove_href = format!("{PAGE}?remove={encoded}#passkeys-heading");
    let (id, id2, name, name2, name3, name4) = (key.id.clone(), key.id.clone(), key.name.clone(), key.name.clone(), key.name.clone(), key.name.clone());
    view! {
        <li class="passkey">
            <strong>{key.name.clone()}</strong>
            {key.model.clone().map(|m| view! { <span class="muted">{format!(" — {m}")}</span> })}
            {key.synced.then(|| view! { <span class="badge">{t("security-passkey-synced")}</span> })}
            <p class="muted">
                {t("security-passkey-created")} " " <Time when=key.created.clone()/>
                " · "
                {match key.last_used.clone() {
                    Some(w) => view! { {t("security-passkey-last-used")} " " <Time when=w/> }.into_any(),
                    None => view! { {t("security-passkey-never-used")} }.into_any(),
                }}
            </p>
            {key.flagged.then(|| view! {
                <p class="alert" role="alert">{t("security-passkey-flagged")}</p>
            })}
            <Show when=renaming.clone()
                fallback=move || view! {
                    <a class="button secondary" href=rename_href.clone()>
                        {t("security-passkey-rename")} <span class="visually-hidden">{format!(" {name}")}</span>
                    </a>
                }>
                {
                let (id, label, field_id, current) = (id.clone(), label.clone(), field_id.clone(), name4.clone());
                view! {
                <ActionForm action=rename attr:class="form inline-form" attr:novalidate="true">
                    <PageField/>
                    <input type="hidden" name="id" value=id/>
                    <Field label=label name="name" id=field_id value=current/>
                    <button type="submit">{t("security-passkey-save-name")}</button>
                    " "
                    <a class="button secondary" href=format!("{PAGE}#passkeys-heading")>{t("security-cancel")}</a>
                </ActionForm>
                }
                }
            </Show>
            " "
            <Show when=removing.clone()
                fallback=move || view! {
                    <a class="button danger" href=remove_href.clone()>
                        {t("security-passkey-remove")} <span class="visually-hidden">{format!(" {name2}")}</span>
                    </a>
                }>
                {
                let (id2, name, heading, labelled) = (id2.clone(), name3.clone(), format!("remove-{id2}-heading"), format!("remove-{id2}-heading"));
                view! {
                <div class="confirm" role="group" aria-labelledby=labelled tabindex="-1" node_ref=focus_on_mount()>
                    <h3 id=heading>{t_with("security-passkey-remove-question", &[("name", name)])}</h3>
                    <p>{t("security-passkey-remove-explain")}</p>
                    <ActionForm action=remove attr:class="inline-form">
                        <PageField/>
                        <input type="hidden" name="id" value=id2/>
                        <ErrorSummary error=failure_but_step_up(remove.value()) pending=remove.pending()/>
                        <button type="submit" class="danger" disabled=move || remove.pending().get()>{t("security-passkey-remove-confirm")}</button>
                        " "
                        <a class="button secondary" href=format!("{PAGE}#passkeys-heading")>{t("security-cancel")}</a>
                    </ActionForm>
                </div>
                }
                }
            </Show>
        </li>
    }
    .into_any()
}
