//! Helpers for a password field that need the browser: a "Show password" toggle and a
//! hint when Caps Lock is on. Both appear only once the page is interactive (before,
//! the field is a plain password input that works as is). Put `<PasswordTools input=…/>`
//! right after the `Field` whose input id it names.

use leptos::prelude::*;

use crate::i18n::t;

#[component]
pub fn PasswordTools(
    /// The id of the password input (`field_id(name)` or the `Field`'s `id`).
    #[prop(into)]
    input: String,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    let shown = RwSignal::new(false);
    let caps = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast as _;
        let listen = |id: String| {
            move |ev: web_sys::KeyboardEvent| {
                let on_field = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|e| e.id() == id);
                if on_field {
                    caps.set(ev.get_modifier_state("CapsLock"));
                }
            }
        };
        let down = window_event_listener(leptos::ev::keydown, listen(input.clone()));
        let up = window_event_listener(leptos::ev::keyup, listen(input.clone()));
        on_cleanup(move || {
            down.remove();
            up.remove();
        });
    }
    let toggle = {
        let id = input.clone();
        move |_| {
            let now = !shown.get_untracked();
            shown.set(now);
            if let Some(el) = document().get_element_by_id(&id) {
                let _ = el.set_attribute("type", if now { "text" } else { "password" });
            }
        }
    };
    let hint_id = format!("{input}-caps");
    view! {
        <Show when=move || hydrated.get()>
            <button type="button" class="secondary password-toggle" aria-controls=input.clone()
                aria-pressed=move || if shown.get() { "true" } else { "false" } on:click=toggle.clone()>
                {t("security-password-show")}
            </button>
        </Show>
        <p class="hint caps-lock" id=hint_id aria-live="polite">
            {move || caps.get().then(|| t("security-password-caps-lock"))}
        </p>
    }
}
