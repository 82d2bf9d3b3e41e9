//! The browser entry point: hydrates the HTML that the server rendered.

// Leptos view types nest deeply; pages erase them per section (`into_any`), and this
// leaves headroom for the compiler's layout queries.
#![recursion_limit = "256"]

/// Called by Leptos' hydration script once the wasm is instantiated. The page's
/// messages (preloaded by the shell beside the wasm, so usually there already) come
/// first: the views read them while hydrating.
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn hydrate() {
    console_error_panic_hook::set_once();
    app::i18n::load_messages().await;
    leptos::mount::hydrate_body(app::App);
}
