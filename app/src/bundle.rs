//! Which browser bundle a page loads: the sign-in pages and the staff pages get a wasm
//! of their own.
//!
//! A customer's first visit is usually `/login` (a brand sends them there), on a phone,
//! and every byte of the wasm stands between the painted form and a working page. Three
//! builds of the same app, each router knowing only its pages, so the linker leaves the
//! other pages and their server functions out:
//! - `foyer` (no extra feature): the customer's other pages: home, help, sign-up,
//!   mailed links, the brand flow's pages, profile, security, devices, activity, brands;
//! - `foyer-sign-in` (feature `sign-in-bundle`): [`SIGN_IN_PATHS`] only;
//! - `foyer-data` (feature `data-bundle`): [`DATA_PATHS`], the pages of the customer's
//!   data (privacy and preferences, their data and deletion, household, loyalty);
//! - `foyer-staff` (feature `staff-bundle`): the pages under `/admin` ([`is_staff_path`]),
//!   which no customer ever downloads.
//!
//! The server renders every page and links the bundle that owns the path
//! ([`for_request`]), when the site has that bundle (its hash list beside `hash.txt`,
//! written by `tools/site.mjs`). A link to a page another bundle owns reaches the router's
//! fallback, [`Elsewhere`], which asks the server for that page: it comes with its own
//! bundle, which the browser then keeps (immutable, hashed names). A path no bundle routes
//! is the full bundle's (its not-found page), or the staff bundle's under `/admin`.

#[cfg(any(feature = "ssr", feature = "hydrate"))]
use leptos::prelude::*;

/// The paths the sign-in bundle routes.
pub const SIGN_IN_PATHS: &[&str] = &["/login", "/login/second-factor", "/login/code"];

/// The paths the data bundle routes.
pub const DATA_PATHS: &[&str] = &[
    "/account/privacy",
    "/account/privacy/data",
    "/account/privacy/preferences",
    "/login/deletion",
    "/account/household",
    "/account/household/join",
    "/account/loyalty",
    "/account/support-access",
];

/// One of the smaller bundles: its output name and hash list (`<name>.<hash>.js`/`.wasm`
/// under `/pkg`, `hash.<list>.txt` beside the full bundle's `hash.txt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bundle {
    pub name: &'static str,
    pub hash_file: &'static str,
}

/// The sign-in pages' bundle.
pub const SIGN_IN: Bundle = Bundle { name: "foyer-sign-in", hash_file: "hash.sign-in.txt" };

/// The customer's data pages' bundle.
pub const DATA: Bundle = Bundle { name: "foyer-data", hash_file: "hash.data.txt" };

/// The staff pages' bundle.
pub const STAFF: Bundle = Bundle { name: "foyer-staff", hash_file: "hash.staff.txt" };

/// Is `path` a staff page (`/admin` and below)? The staff bundle owns these.
pub fn is_staff_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

/// The bundle that owns `path`, if not the full one.
pub fn owner(path: &str) -> Option<Bundle> {
    if SIGN_IN_PATHS.contains(&path) {
        Some(SIGN_IN)
    } else if DATA_PATHS.contains(&path) {
        Some(DATA)
    } else if is_staff_path(path) {
        Some(STAFF)
    } else {
        None
    }
}

/// The options `HydrationScripts` links the bundle by: the owning bundle's name and hash
/// list when the site has that bundle, else `options` (the full bundle).
#[cfg(feature = "ssr")]
pub fn for_request(options: LeptosOptions) -> LeptosOptions {
    let path = use_context::<http::request::Parts>().map(|parts| parts.uri.path().to_owned()).unwrap_or_default();
    let Some(bundle) = owner(&path).filter(|_| options.hash_files) else { return options };
    let hash_file = std::path::Path::new(&*options.hash_file).with_file_name(bundle.hash_file);
    // Leptos resolves a relative hash list against the executable's directory.
    let resolved = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join(&hash_file))).unwrap_or_else(|| hash_file.clone());
    if !resolved.is_file() {
        return options;
    }
    let mut options = options;
    options.output_name = std::sync::Arc::from(bundle.name);
    options.hash_file = std::sync::Arc::from(hash_file.to_string_lossy());
    options
}

/// Does this build's router own `path`'s not-found page? The full bundle owns every path
/// no other bundle routes; the staff bundle those under `/admin`.
#[cfg(feature = "hydrate")]
fn owns_not_found(path: &str) -> bool {
    if cfg!(any(feature = "sign-in-bundle", feature = "data-bundle")) {
        false
    } else if cfg!(feature = "staff-bundle") {
        is_staff_path(path)
    } else {
        owner(path).is_none()
    }
}

/// The routers' fallback. On the server, and in the browser for a path this bundle owns:
/// the not-found page. Otherwise the page belongs to another bundle: load it whole.
#[component]
pub fn Elsewhere() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let path = leptos_router::hooks::use_location().pathname.get_untracked();
        // While hydrating, the server chose this bundle for this very page (a site built
        // without the owning bundle): reloading would only come back here.
        let hydrating = Owner::current_shared_context().is_some_and(|context| context.during_hydration());
        if !hydrating && !owns_not_found(&path) {
            return load_whole().into_any();
        }
    }
    view! { <crate::pages::not_found::NotFound/> }.into_any()
}

/// This page is not in the bundle: load it whole from the server, in place of the history
/// entry the router made for it.
#[cfg(feature = "hydrate")]
fn load_whole() -> impl IntoView {
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
