//! Form pieces: a labelled input whose error is announced and tied to it, the error
//! summary a failed submit moves focus to, and what makes a form work before the wasm
//! arrives (`docs/design/i18n.md` covers the words, `docs/design/platform.md` "Forms
//! before the wasm" the posts).
//!
//! Every `ActionForm` holds a [`PageField`]: posted without the wasm, the server
//! (`server::http::forms`) answers with a redirect to this page, carrying the error
//! (`__err`, which `ServerAction::new` reads back) or the success (`__ok`, see
//! [`done_without_js`]); the fields that are not secrets come back through a
//! one-minute cookie ([`sticky_value`], used by [`Field`]), so nothing typed is lost.

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
    /// The keyboard a phone shows (`numeric` for codes); none by default.
    #[prop(into, default = String::new())] inputmode: String,
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
    let id = id.unwrap_or_else(|| field_id(&name));
    // Posted without the wasm and refused: what the person typed comes back.
    let value = if value.is_empty() && kind != "password" { sticky_value(&name) } else { value };
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
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
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

/// The id [`Field`] gives the input named `name` (unless told another).
pub fn field_id(name: &str) -> String {
    format!("field-{}", name.replace(['[', ']'], "-"))
}

/// The hidden field that tells the server which page a plain (script-less) post came
/// from, so it can answer with that page again (`server::http::forms`). Put one in
/// every `ActionForm`.
#[component]
pub fn PageField() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let page = move || {
        let path = location.pathname.get();
        let query = location.search.get();
        let query: String = query.trim_start_matches('?').split('&').filter(|p| !p.is_empty() && !p.starts_with("__")).collect::<Vec<_>>().join("&");
        if query.is_empty() { path } else { format!("{path}?{query}") }
    };
    view! { <input type="hidden" name=PAGE_FIELD value=page/> }
}

/// The name of [`PageField`]'s input (the server takes it out of the body).
pub const PAGE_FIELD: &str = "__page";

/// What the person typed into `name` before a plain post was refused (never a
/// password: the server does not keep fields whose name says secret). Empty otherwise,
/// and always in the browser: the cookie is HttpOnly and read while rendering.
pub fn sticky_value(name: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<StickyForm>().and_then(|s| s.0.get(name).cloned()).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = name;
        String::new()
    }
}

/// The fields a refused plain post kept, for this page only (the server provides it).
#[derive(Debug, Clone, Default)]
pub struct StickyForm(pub std::collections::HashMap<String, String>);

/// Whether the server function `S` just succeeded for a plain post on this page (the
/// server's redirect says `__ok=<its path>`): show what the wasm shows after success.
pub fn done_without_js<S: server_fn::ServerFn>() -> bool {
    leptos_router::hooks::use_query_map().with_untracked(|q| q.get("__ok")).is_some_and(|p| p == S::PATH)
}

/// The summary at the top of a form after a failed submit: a heading, then each
/// problem, a field's linked to its input. Focus moves here when it appears (and the
/// server-rendered one, after a plain post, takes focus on load); it clears when the
/// next submit starts. `fields` maps the core's field names to the inputs' ids.
/// Use it as `<ErrorSummary error=failure(action.value()) pending=action.pending()/>`.
#[component]
pub fn ErrorSummary(
    /// The last failure ([`failure`] of an action's value).
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// True while the next submit is in flight (the summary clears).
    #[prop(into, default = Signal::derive(|| false))]
    pending: Signal<bool>,
    #[prop(optional)] fields: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Div>::new();
    let error = Memo::new(move |_| if pending.get() { None } else { error.get() });
    // A new failure (not the one the page was rendered with) takes focus.
    Effect::new(move |previous: Option<Option<AppError>>| {
        let now = error.get();
        if now.is_some() && previous.is_some() && previous.as_ref() != Some(&now) {
            if let Some(el) = node.get() {
                let _ = el.focus();
            }
        }
        now
    });
    // Rendered by the server (a refused plain post): the browser focuses it on load.
    let autofocus = error.get_untracked().is_some();
    move || {
        error.get().map(|e| {
            let items: Vec<(Option<String>, String)> = match &e {
                AppError::Fields(list) => list
                    .iter()
                    .map(|f| (fields.iter().find(|(name, _)| *name == f.field).map(|(_, id)| format!("#{id}")), f.message.clone()))
                    .collect(),
                other => vec![(None, other.summary())],
            };
            view! {
                <div class="error-summary" role="alert" tabindex="-1" node_ref=node autofocus=autofocus aria-labelledby="error-summary-title">
                    <h2 id="error-summary-title">{crate::i18n::t("error-summary-title")}</h2>
                    <ul>
                        {items.into_iter().map(|(href, text)| match href {
                            Some(href) => view! { <li><a href=href>{text}</a></li> }.into_any(),
                            None => view! { <li>{text}</li> }.into_any(),
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// The failure of an action's last result, for [`ErrorSummary`].
pub fn failure<T: Clone + Send + Sync + 'static>(result: impl ActionResult<T>) -> Signal<Option<AppError>> {
    Signal::derive(move || result.get().and_then(Result::err))
}

/// A server action that tries again by itself after a "busy" answer (503 with
/// `Retry-After`, `AppError::Busy`: a login storm, `docs/design/peaks.md` "Login
/// storms"). The form's inputs stay as typed in the page; the last call's arguments are
/// kept in memory only, and sent again once the wait is over, unless the person has
/// submitted again meanwhile. A plain post's busy answer (before the wasm) has nothing
/// in memory: its page shows the error summary, which says when to press again.
#[derive(Debug, Clone, Copy)]
pub struct BusyRetry {
    /// Seconds announced before the next try; `Some(0)` while it is on its way.
    left: RwSignal<Option<i64>>,
}

/// Watches `action` for busy answers and retries it (see [`BusyRetry`]).
pub fn busy_retry<S>(action: ServerAction<S>) -> BusyRetry
where
    S: server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let left = RwSignal::new(None::<i64>);
    let last = StoredValue::new(None::<S>);
    Effect::new(move || {
        if let Some(input) = action.input().get() {
            last.set_value(Some(input));
        }
    });
    Effect::new(move || {
        let busy = match action.value().get() {
            Some(Err(AppError::Busy(secs))) => secs,
            _ => {
                left.set(None);
                return;
            }
        };
        let Some(input) = last.get_value() else { return };
        let version = action.version().get_untracked();
        let secs = busy.clamp(1, 300);
        left.set(Some(secs));
        let again = move || {
            // The person pressed the button meanwhile: theirs is the call that counts.
            if action.pending().get_untracked() || action.version().get_untracked() != version {
                return;
            }
            left.set(Some(0));
            action.dispatch(input);
        };
        #[cfg(feature = "hydrate")]
        set_timeout(again, std::time::Duration::from_secs(secs.unsigned_abs()));
        #[cfg(not(feature = "hydrate"))]
        let _ = again;
    });
    BusyRetry { left }
}

impl BusyRetry {
    /// `error` without the busy answer while a retry is on its way (the status line
    /// says it instead).
    pub fn unless_retrying(self, error: Signal<Option<AppError>>) -> Signal<Option<AppError>> {
        let left = self.left;
        Signal::derive(move || error.get().filter(|e| !(matches!(e, AppError::Busy(_)) && left.get().is_some())))
    }

    /// The status line: when the next try goes, then that it is going.
    pub fn status(self) -> impl IntoView {
        let left = self.left;
        move || {
            left.get().map(|n| {
                let text = if n > 0 { crate::i18n::t_with("busy-retrying", &[("seconds", n.to_string())]) } else { crate::i18n::t("busy-retrying-now") };
                view! { <p class="status busy-retry" role="status">{text}</p> }
            })
        }
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

/// The cookie that carries a refused plain post's fields back to its page.
pub fn sticky_cookie_name(https: bool) -> &'static str {
    if https { "__Host-foyer-form" } else { "foyer-form" }
}

/// Reads the refused post's fields for this page (a GET of the page it came from) and
/// clears the cookie: they fill the form once. Called for every page render.
#[cfg(feature = "ssr")]
pub fn provide_sticky_form() {
    let Some(parts) = use_context::<http::request::Parts>() else { return };
    if parts.method != http::Method::GET {
        return;
    }
    let names = [sticky_cookie_name(true), sticky_cookie_name(false)];
    let Some((name, value)) = crate::context::request_cookie(&parts.headers, &names) else { return };
    let pairs: std::collections::HashMap<String, String> = url::form_urlencoded::parse(value.as_bytes()).into_owned().collect();
    if pairs.get(PAGE_FIELD).map(String::as_str) != Some(parts.uri.path()) {
        return;
    }
    provide_context(StickyForm(pairs.into_iter().filter(|(k, _)| k != PAGE_FIELD).collect()));
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let secure = if name.starts_with("__Host-") { "; Secure" } else { "" };
        if let Ok(v) = http::HeaderValue::from_str(&format!("{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}")) {
            response.append_header(http::header::SET_COOKIE, v);
        }
    }
}
