//! The browser half of passkey ceremonies: calls into `/passkeys.js` (which turns the
//! server's JSON options into `navigator.credentials` calls and the answer back into
//! JSON). On the server these answer "needs a browser"; they only run from events and
//! effects, which run in the browser.

use crate::error::AppError;
use crate::i18n::t;

#[cfg(feature = "hydrate")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = foyerPasskeys, js_name = supported)]
        pub fn supported() -> Result<bool, JsValue>;
        #[wasm_bindgen(catch, js_namespace = foyerPasskeys, js_name = conditionalAvailable)]
        pub async fn conditional_available() -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_namespace = foyerPasskeys)]
        pub async fn create(options: &str) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_namespace = foyerPasskeys)]
        pub async fn get(options: &str, conditional: bool) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_namespace = foyerPasskeys)]
        pub fn abort() -> Result<(), JsValue>;
    }
}

/// What a ceremony in the browser can end with besides an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Replaced by another request (e.g. the button after autofill): say nothing.
    Aborted,
    /// Cancelled, timed out, unsupported: a sentence for the person.
    Said(String),
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Aborted => AppError::Message(t("security-passkey-replaced")),
            Refusal::Said(s) => AppError::Message(s),
        }
    }
}

/// The sentence for a word `/passkeys.js` rejects with.
#[cfg(feature = "hydrate")]
fn refusal(word: Option<&str>) -> Refusal {
    match word {
        Some("aborted") => Refusal::Aborted,
        Some("cancelled") => Refusal::Said(t("security-passkey-cancelled")),
        Some("registered") => Refusal::Said(t("security-passkey-already-registered")),
        Some("insecure") => Refusal::Said(t("security-passkey-insecure")),
        _ => Refusal::Said(t("security-passkey-failed")),
    }
}

#[cfg(feature = "hydrate")]
fn answer(result: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>) -> Result<String, Refusal> {
    match result {
        Ok(v) => v.as_string().ok_or_else(|| refusal(None)),
        Err(e) => Err(refusal(e.as_string().as_deref())),
    }
}

/// Whether this browser can do passkeys with JSON options (all current ones).
pub fn supported() -> bool {
    #[cfg(feature = "hydrate")]
    return js::supported().unwrap_or(false);
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Whether passkeys can be offered in the Email field's autofill.
pub async fn conditional_available() -> bool {
    #[cfg(feature = "hydrate")]
    return js::conditional_available().await.ok().and_then(|v| v.as_bool()).unwrap_or(false);
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Creates a passkey with the server's options; the answer as JSON.
pub async fn create(options: &str) -> Result<String, Refusal> {
    #[cfg(feature = "hydrate")]
    return answer(js::create(options).await);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err(Refusal::Said(t("security-passkey-needs-js")))
    }
}

/// Asks for a passkey (`conditional`: quietly, through autofill); the answer as JSON.
pub async fn get(options: &str, conditional: bool) -> Result<String, Refusal> {
    #[cfg(feature = "hydrate")]
    return answer(js::get(options, conditional).await);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (options, conditional);
        Err(Refusal::Said(t("security-passkey-needs-js")))
    }
}

/// Cancels a pending request (autofill) before a page leaves or starts another.
pub fn abort() {
    #[cfg(feature = "hydrate")]
    let _ = js::abort();
}

/// A whole "get" ceremony: options from the server, the passkey, the server's verdict.
pub async fn verify_with<T, O, F>(options: O, conditional: bool, finish: impl FnOnce(String) -> F) -> Result<T, AppError>
where
    O: Future<Output = Result<String, AppError>>,
    F: Future<Output = Result<T, AppError>>,
{
    let options = options.await?;
    let response = get(&options, conditional).await?;
    finish(response).await
}

/// A whole "create" ceremony.
pub async fn create_with<T, O, F>(options: O, finish: impl FnOnce(String) -> F) -> Result<T, AppError>
where
    O: Future<Output = Result<String, AppError>>,
    F: Future<Output = Result<T, AppError>>,
{
    let options = options.await?;
    let response = create(&options).await?;
    finish(response).await
}
