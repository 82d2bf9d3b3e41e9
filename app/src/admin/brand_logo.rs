//! The brand page's logo upload (the "Theme" section; `foyer brand theme --logo FILE`):
//! a plain `multipart/form-data` form posted to `POST /admin/brands/<slug>/logo`
//! (`server::http::brand_uploads`), the same with the wasm and without it. The core
//! decides (`BrandLogo::parse`: PNG or SVG by content, at most 100 KiB, an SVG without
//! script; `set_brand_theme`: the brand's administrator, `brand.theme_changed`). The
//! server answers with a 303 to the brand page carrying `__ok=<LOGO_UPLOAD>`, or
//! `__path=<LOGO_UPLOAD>&__err=…` as Leptos does for a refused plain post, read here.

use leptos::prelude::*;

use crate::admin::brand_api::{LOGO_UPLOAD, logo_upload_path};
use crate::components::form::ErrorSummary;
use crate::error::AppError;

/// The upload form, with what the last upload answered.
#[component]
pub fn LogoUpload(slug: String) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let (saved, refused) = query.with_untracked(|q| {
        let saved = q.get("__ok").is_some_and(|p| p == LOGO_UPLOAD);
        let refused = (q.get("__path").as_deref() == Some(LOGO_UPLOAD))
            .then(|| q.get("__err"))
            .flatten()
            .map(|e| server_fn::error::ServerFnUrlError::<AppError>::decode_err(&e));
        (saved, refused)
    });
    let message = refused.as_ref().map(|e| e.for_field("Logo").unwrap_or_else(|| e.summary()));
    let error = Signal::derive(move || refused.clone());
    // `identity::brand::MAX_LOGO_BYTES`, which the browser bundle does not build.
    let kib = 100;
    let described = if message.is_some() { "field-logo-hint field-logo-error" } else { "field-logo-hint" };
    view! {
        <form method="post" action=logo_upload_path(&slug) enctype="multipart/form-data" class="form logo-upload">
            <h3>"Logo"</h3>
            {saved.then(|| view! { <p role="status" class="success">"Logo saved."</p> })}
            <ErrorSummary error=error fields=&[("Logo", "field-logo")]/>
            <div class="field">
                <label for="field-logo">"Logo file"</label>
                <p class="hint" id="field-logo-hint">{format!("PNG or SVG, at most {kib} KiB. An SVG must not contain script.")}</p>
                <input type="file" id="field-logo" name="logo" accept="image/png,image/svg+xml,.png,.svg" required=true
                    aria-describedby=described aria-invalid=message.is_some().then_some("true")/>
                {message.map(|m| view! { <p class="field-error" id="field-logo-error">{m}</p> })}
            </div>
            <button type="submit">"Upload logo"</button>
        </form>
    }
}

/// Where the upload sends the browser back to: the brand page, with the outcome.
#[cfg(feature = "ssr")]
pub fn outcome_location(slug: &str, outcome: Result<(), AppError>) -> String {
    let page = format!("/admin/brands/{}", crate::api::account::encode_path(slug));
    match outcome {
        Ok(()) => format!("{page}?__ok={}", url::form_urlencoded::byte_serialize(LOGO_UPLOAD.as_bytes()).collect::<String>()),
        Err(e) => match server_fn::error::ServerFnUrlError::new(LOGO_UPLOAD, e).to_url(&format!("http://localhost{page}")) {
            Ok(url) => url[url::Position::BeforePath..].to_owned(),
            Err(_) => page,
        },
    }
}
