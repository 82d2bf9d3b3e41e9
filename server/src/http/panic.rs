//! A panic inside a handler becomes this 500 page; the process keeps serving.

use std::any::Any;

use axum::body::Body;
use axum::http::{Response, StatusCode, header};

const PAGE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Something went wrong · Foyer</title>\
<link rel=\"stylesheet\" href=\"/pkg/foyer.css\"></head><body><main id=\"main\">\
<h1>Something went wrong</h1><p>Foyer hit an unexpected error. Nothing you did caused it, and nothing was changed. \
Please try again in a moment.</p><p><a href=\"/\">Go to the home page</a></p></main></body></html>";

pub fn internal_error_page(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic".to_owned());
    tracing::error!(panic = %detail, "handler panicked");
    let mut response = Response::new(Body::from(PAGE));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/html; charset=utf-8"));
    response
}
