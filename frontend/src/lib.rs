//! The browser entry point: hydrates the HTML that the server rendered.

// Leptos view types nest deeply; pages erase them per section (`into_any`), and this
// leaves headroom for the compiler's layout queries.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
