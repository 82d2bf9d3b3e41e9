//! Form pieces: a labelled input whose error is announced and tied to it, and the
//! summary line for errors that belong to no single field.

use leptos::prelude::*;

use crate::error::AppError;

/// A labelled input. `error` is shown under it, linked by `aria-describedby`, and sets
/// `aria-invalid`. `validate` (optional) runs in the browser when the field is left.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    /// The input's id; defaults to one derived from `name`. Set it when two forms on
    /// one page share a field name, so each label points at its own input.
    #[prop(into, optional)]
    id: Option<String>,
    #[prop(into, default = "text".into())] kind: String,
    #[prop(into, default = String::new())] autocomplete: String,
    #[prop(into, default = String::new())] value: String,
    #[prop(default = false)] required: bool,
    #[prop(into, optional)] hint: Option<String>,
    /// The server's message for this field.
    #[prop(into, default = Signal::derive(|| None))]
    error: Signal<Option<String>>,
    #[prop(optional)] validate: Option<fn(&str) -> Option<String>>,
    /// Receives every keystroke (for live feedback such as a strength meter).
    #[prop(optional)]
    on_input: Option<Callback<String>>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| format!("field-{}", name.replace(['[', ']'], "-")));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let local = RwSignal::new(None::<String>);
    // The browser's own check wins while the person edits; the server's after submit.
    let shown = Signal::derive(move || local.get().or_else(|| error.get()));
    let described = {
        let (error_id, hint_id, has_hint) = (error_id.clone(), hint_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if shown.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id.clone()
                name=name
                type=kind
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                value=value
                required=required
                aria-invalid=move || shown.get().is_some().then_some("true")
                aria-describedby=described
                on:blur=move |ev| {
                    if let Some(check) = validate {
                        local.set(check(&event_target_value(&ev)));
                    }
                }
                on:input=move |ev| {
                    if let Some(cb) = on_input {
                        cb.run(event_target_value(&ev));
                    }
                    if validate.is_some() && local.get_untracked().is_some() {
                        local.set(validate.and_then(|check| check(&event_target_value(&ev))));
                    }
                }
            />
            <Show when=move || shown.get().is_some()>
                <p class="field-error" id=error_id.clone()>{move || shown.get()}</p>
            </Show>
        </div>
    }
}

/// The error message of a failed action, for an alert above the form.
/// Anything that reads like an action's last result (`RwSignal`, `MappedSignal`, …).
pub trait ActionResult<T>: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static {}
impl<T, S> ActionResult<T> for S where S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static {}

pub fn form_alert<T: Clone + Send + Sync + 'static>(result: impl ActionResult<T>) -> impl IntoView {
    move || {
        result.get().and_then(Result::err).map(|e: AppError| {
            let text = match &e {
                AppError::Fields(_) => e.to_string(),
                other => other.summary(),
            };
            view! { <p class="alert" role="alert">{text}</p> }
        })
    }
}

/// The server's message for `field` from the last result of an action.
pub fn field_error<T: Clone + Send + Sync + 'static, S: ActionResult<T>>(result: S, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || result.get().and_then(Result::err).and_then(|e| e.for_field(field)))
}

/// Full navigation (the header and everything else re-render from the server).
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
