//! The HTML of a demo site: one page, signed out or signed in, every value escaped. The
//! site is the relying party, not Foyer, so its style is inline and its look its own.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// What the home page shows.
#[derive(Debug)]
pub(crate) enum Home<'a> {
    SignedOut,
    SignedIn { display: &'a str, claims: Vec<ClaimRow> },
}

/// One claim the site received, and where from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClaimRow {
    pub name: String,
    pub value: String,
    pub source: &'static str,
}

/// A line above the content: `Ok` as a status, `Err` as an alert.
pub(crate) type Notice<'a> = Option<Result<&'a str, &'a str>>;

pub(crate) use identity::email::escape;

/// Claims that are protocol mechanics, not information about the person.
const HIDDEN: [&str; 3] = ["nonce", "at_hash", "c_hash"];

/// The claims from the ID token and UserInfo, one row per name, sorted.
pub(crate) fn claim_rows(id_token: &Map<String, Value>, userinfo: &Map<String, Value>) -> Vec<ClaimRow> {
    let mut rows: BTreeMap<&str, (String, &'static str)> = BTreeMap::new();
    for (name, value) in id_token.iter().filter(|(n, _)| !HIDDEN.contains(&n.as_str())) {
        rows.insert(name, (show(value), "ID token"));
    }
    for (name, value) in userinfo {
        let shown = show(value);
        let source = match rows.get(name.as_str()) {
            Some((v, _)) if *v == shown => "ID token and UserInfo",
            _ => "UserInfo",
        };
        rows.insert(name, (shown, source));
    }
    rows.into_iter().map(|(name, (value, source))| ClaimRow { name: name.to_owned(), value, source }).collect()
}

fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The name to greet: `name`, else `email`, else the subject.
pub(crate) fn display_name(rows: &[ClaimRow]) -> String {
    ["name", "email", "sub"]
        .iter()
        .find_map(|want| rows.iter().find(|r| r.name == *want && !r.value.is_empty()))
        .map(|r| r.value.clone())
        .unwrap_or_default()
}

pub(crate) fn home(brand: &str, colour: &str, home: &Home<'_>, notice: Notice<'_>) -> String {
    let mut body = notice_html(notice);
    match home {
        Home::SignedOut => {
            body.push_str("<p>You are not signed in.</p>");
            body.push_str(&button("/login", "Sign in with Northwind ID"));
        }
        Home::SignedIn { display, claims } => {
            body.push_str(&format!("<p>Signed in as <strong>{}</strong></p>", escape(display)));
            body.push_str(&loyalty_section(claims));
            body.push_str(&claims_table(claims));
            body.push_str("<div class=\"actions\">");
            body.push_str(&button("/refresh", "Refresh tokens"));
            body.push_str(&button("/refresh-lost", "Refresh, losing the answer"));
            body.push_str(&button("/logout", "Sign out"));
            body.push_str("</div>");
        }
    }
    layout(brand, colour, &body)
}

/// A page with only a message (an unknown sign-in, Foyer unreachable…).
pub(crate) fn message(brand: &str, colour: &str, text: &str) -> String {
    let body = format!("{}<p><a href=\"/\">Back to {}</a></p>", notice_html(Some(Err(text))), escape(brand));
    layout(brand, colour, &body)
}

fn notice_html(notice: Notice<'_>) -> String {
    match notice {
        Some(Ok(text)) => format!("<p class=\"notice\" role=\"status\">{}</p>", escape(text)),
        Some(Err(text)) => format!("<p class=\"notice error\" role=\"alert\">{}</p>", escape(text)),
        None => String::new(),
    }
}

fn button(action: &str, label: &str) -> String {
    format!("<form method=\"post\" action=\"{action}\"><button type=\"submit\">{}</button></form>", escape(label))
}

/// The `loyalty` claim, readably: one line per membership (programme, brand, number or
/// its last four, tier, balance, pool). Nothing without the claim.
fn loyalty_section(claims: &[ClaimRow]) -> String {
    let Some(row) = claims.iter().find(|c| c.name == "loyalty") else { return String::new() };
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(&row.value) else { return String::new() };
    let text = |m: &Value, key: &str| m.get(key).and_then(Value::as_str).map(str::to_owned);
    let lines: String = items
        .iter()
        .map(|m| {
            let name = text(m, "name").unwrap_or_default();
            let brand = text(m, "brand").unwrap_or_default();
            let mut parts = Vec::new();
            match (text(m, "number"), text(m, "number_last4")) {
                (Some(n), _) => parts.push(format!("number {n}")),
                (None, Some(l)) => parts.push(format!("number ending in {l}")),
                (None, None) => {}
            }
            if let Some(tier) = text(m, "tier") {
                parts.push(format!("tier {tier}"));
            }
            if let Some(points) = m.get("points").and_then(Value::as_i64) {
                parts.push(format!("{points} points"));
            }
            if let Some(members) = m.get("pool").and_then(|p| p.get("members")).and_then(Value::as_i64) {
                parts.push(format!("pooled with {members} household members"));
            }
            format!("<li><strong>{}</strong> ({}): {}</li>", escape(&name), escape(&brand), escape(&parts.join(", ")))
        })
        .collect();
    format!("<section aria-labelledby=\"loyalty-heading\"><h2 id=\"loyalty-heading\">Your loyalty memberships</h2><ul>{lines}</ul></section>")
}

fn claims_table(claims: &[ClaimRow]) -> String {
    let rows: String = claims
        .iter()
        .map(|c| format!("<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>", escape(&c.name), escape(&c.value), c.source))
        .collect();
    format!(
        "<table><caption>What Northwind ID shared with this site</caption>\
         <thead><tr><th scope=\"col\">Claim</th><th scope=\"col\">Value</th><th scope=\"col\">Received in</th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    )
}

fn layout(brand: &str, colour: &str, body: &str) -> String {
    let brand = escape(brand);
    let colour = escape(colour);
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{brand}</title>\
         <style>{STYLE} :root {{ --brand: {colour}; }}</style></head>\
         <body><header>{brand} <small>a demo site of Foyer</small></header>\
         <main><h1>{brand}</h1>{body}</main></body></html>"
    )
}

const STYLE: &str = "body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #f6f6f4; } \
header { background: var(--brand); color: #fff; padding: .75rem 1.5rem; font-weight: 600; } \
header small { font-weight: 400; opacity: .9; margin-left: .5rem; } \
main { max-width: 48rem; margin: 2rem auto; padding: 0 1.5rem; } \
h1 { color: var(--brand); } \
button { background: var(--brand); color: #fff; border: 0; border-radius: .375rem; padding: .6rem 1.1rem; font: inherit; cursor: pointer; } \
button:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; } \
.actions { display: flex; gap: .75rem; margin-top: 1.5rem; } \
table { border-collapse: collapse; width: 100%; background: #fff; } \
caption { text-align: left; font-weight: 600; padding: .5rem 0; } \
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; overflow-wrap: anywhere; } \
.notice { padding: .6rem .9rem; border-left: 4px solid var(--brand); background: #fff; } \
.notice.error { border-left-color: #b00020; }";

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn claims_are_merged_and_mechanics_hidden() {
        let id = map(json!({ "sub": "s1", "nonce": "n", "at_hash": "h", "email": "a@example.com", "aud": ["c1"] }));
        let ui = map(json!({ "sub": "s1", "name": "Ann <b>", "email": "a@example.com" }));
        let rows = claim_rows(&id, &ui);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["aud", "email", "name", "sub"]);
        assert_eq!(rows[0].value, "[\"c1\"]");
        assert_eq!(rows[1].source, "ID token and UserInfo");
        assert_eq!(rows[2].source, "UserInfo");
        assert_eq!(display_name(&rows), "Ann <b>");
    }

    #[test]
    fn pages_escape_and_name_the_brand() {
        let rows = vec![ClaimRow { name: "name".into(), value: "<script>".into(), source: "UserInfo" }];
        let page = home("Northwind Air", "#0b4f8a", &Home::SignedIn { display: "<script>", claims: rows }, Some(Ok("Tokens refreshed")));
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("<h1>Northwind Air</h1>"));
        assert!(page.contains("lang=\"en\""));
        assert!(page.contains(">Sign out</button>"));
        let out = home("Northwind Hotels", "#7a2e0e", &Home::SignedOut, None);
        assert!(out.contains("You are not signed in."));
        assert!(out.contains(">Sign in with Northwind ID</button>"));
    }

    #[test]
    fn the_loyalty_claim_is_shown_readably() {
        let ui = map(json!({ "sub": "s1", "loyalty": [
            { "programme": "skyward", "name": "Skyward <Miles>", "brand": "northwind-air", "number": "1234567897", "tier": "Gold", "points": 48200, "pool": { "id": "h", "members": 2 } },
            { "programme": "stays", "name": "Stays Club", "brand": "northwind-hotels", "number_last4": "0008", "tier": "Silver" },
        ] }));
        let page = home("Northwind Air", "#0b4f8a", &Home::SignedIn { display: "Ada", claims: claim_rows(&Map::new(), &ui) }, None);
        assert!(page.contains("<h2 id=\"loyalty-heading\">Your loyalty memberships</h2>"));
        assert!(page.contains("<strong>Skyward &lt;Miles&gt;</strong> (northwind-air): number 1234567897, tier Gold, 48200 points, pooled with 2 household members"), "{page}");
        assert!(page.contains("<strong>Stays Club</strong> (northwind-hotels): number ending in 0008, tier Silver</li>"));
        let without = home("Northwind Air", "#0b4f8a", &Home::SignedIn { display: "Ada", claims: claim_rows(&Map::new(), &map(json!({ "sub": "s1" }))) }, None);
        assert!(!without.contains("Your loyalty memberships"));
    }
}
