//! Which browser bundle a page loads: the sign-in pages get a wasm of their own.
//!
//! A customer's first visit is usually `/login` (a brand sends them there), on a phone,
//! and every byte of the wasm stands between the painted form and a working page. The
//! full bundle holds every page (370 KiB with brotli); the sign-in bundle is the same
//! app built with the feature `sign-in-bundle`, whose router knows only
//! [`SIGN_IN_PATHS`], so the linker leaves the other pages and their server functions
//! out. The server links it for exactly those paths ([`for_request`]), when the site
//! has it (`hash.sign-in.txt` beside `hash.txt`, written by `tools/site.mjs`).
//!
//! In the sign-in bundle a link to any other page (the footer's help, "Create an
//! account") reaches the router's fallback, [`LoadWhole`], which asks the server for
//! that page: it comes with the full bundle, which the browser then keeps (immutable,
//! hashed names). Signing in ends in a full page load already (`form::go_to`).

#[cfg(any(feature = "ssr", feature = "sign-in-bundle"))]
use leptos::prelude::*;

/// The paths the sign-in bundle routes; every other path loads the full bundle.
pub const SIGN_IN_PATHS: &[&str] = &["/login", "/login/second-factor", "/login/code"];

/// The sign-in bundle's output name (`foyer-sign-in.<hash>.js`/`.wasm` under `/pkg`).
pub const SIGN_IN_NAME: &str = "foyer-sign-in";

/// The hash list of the sign-in bundle, beside the full bundle's `hash.txt`.
pub const SIGN_IN_HASH_FILE: &str = "hash.sign-in.txt";

/// The options `HydrationScripts` links the bundle by: the sign-in bundle's name and
/// hash list for [`SIGN_IN_PATHS`] when the site has that bundle, else `options`.
#[cfg(feature = "ssr")]
pub fn for_request(options: LeptosOptions) -> LeptosOptions {
    let path = use_context::<http::request::Parts>().map(|parts| parts.uri.path().to_owned()).unwrap_or_default();
    if !options.hash_files || !SIGN_IN_PATHS.contains(&path.as_str()) {
        return options;
    }
    let hash_file = std::path::Path::new(&*options.hash_file).with_file_name(SIGN_IN_HASH_FILE);
    // Leptos resolves a relative hash list against the executable's directory.
    let resolved = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join(&hash_file))).unwrap_or_else(|| hash_file.clone());
    if !resolved.is_file() {
        return options;
    }
    let mut options = options;
    options.output_name = std::sync::Arc::from(SIGN_IN_NAME);
    options.hash_file = std::sync::Arc::from(hash_file.to_string_lossy());
    options
}

/// The sign-in bundle's fallback route: this page is not in the bundle, so load it
/// whole from the server, in place of the history entry the router made for it.
#[cfg(feature = "sign-in-bundle")]
#[component]
pub fn LoadWhole() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move || {
        let mut href = location.pathname.get_untracked();
        let search = location.search.get_untracked();
        if !search.is_empty() {
            href.push('?');
            href.push_str(&search);
        }
        let hash = location.hash.get_untracked();
        if !hash.is_empty() && !hash.starts_with('#') {
            href.push('#');
        }
        href.push_str(&hash);
        // Until the page arrives, this document is not the page the address names.
        if let Some(root) = document().document_element() {
            let _ = root.remove_attribute("data-hydrated");
        }
        let _ = window().location().replace(&href);
    });
}
