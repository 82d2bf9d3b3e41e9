//! The brand page's "Loyalty programme" section (`/admin/brands/<slug>`): the brand's
//! programmes, "Declare a programme" and "Import memberships" — the UI over `foyer
//! loyalty-programme create|list|import-links` (`docs/design/loyalty.md`). The core
//! checks the declaration and authorizes on the brand.
//!
//! The import is a plain `multipart/form-data` post (a file, or lines pasted) to
//! `POST /admin/brands/<slug>/loyalty-import` (`server::http::brand_uploads`), which
//! runs the command line's steps (`parse_link_lines`, then `import_loyalty_links`: its
//! rules, its audit rows) and keeps the report in the staff session, sealed for that
//! staff member, until this section's next render takes it out ([`admin_take_import_report`]).
//! The core lets operators import (`Action::ImportCustomers`): an import looks up
//! customers across every brand by address and binds them, which is not a brand
//! administrator's to do; they see a sentence instead of the form.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error};
use crate::error::AppError;

/// One programme as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeLine {
    pub slug: String,
    pub name: String,
    pub number_pattern: String,
    pub tiers: String,
    pub verification: String,
    pub pooling: bool,
}

/// How a link is proven, as the form offers it.
pub const VERIFICATIONS: [(&str, &str); 4] = [
    ("email", "A code to the address the brand has on file"),
    ("code", "The card's one-time code"),
    ("brand-api", "The brand's back end decides"),
    ("support", "Support checks it"),
];

/// The section: the brand's programmes, and whether this staff member may import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyView {
    pub programmes: Vec<ProgrammeLine>,
    /// The core's table allows this principal `ImportCustomers` (operators).
    pub may_import: bool,
}

/// What an import did (`identity::loyalty::import::LinkImportReport`), or why it did
/// not run, for the page the post lands on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    /// The brand page it belongs to.
    pub slug: String,
    pub programme: String,
    pub imported: usize,
    pub already_present: usize,
    /// Bad lines, by number, with the reason (the first [`MAX_SHOWN_ERRORS`]).
    pub errors: Vec<(usize, String)>,
    /// How many bad lines there were in all.
    pub bad_lines: usize,
    /// Nothing was imported, and why (an unreadable or empty upload, a busy database).
    pub refused: Option<String>,
}

/// Bad lines listed on the page (the count says how many there were in all).
pub const MAX_SHOWN_ERRORS: usize = 500;

/// The largest import the page takes (the command line takes any size).
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

/// The path of the import upload.
pub fn import_path(slug: &str) -> String {
    format!("/admin/brands/{}/loyalty-import", crate::api::account::encode_path(slug))
}

/// The session key holding the last import's outcome until the brand page shows it.
#[cfg(feature = "ssr")]
const IMPORT_OUTCOME: &str = "foyer.admin.loyalty_import";

#[cfg(feature = "ssr")]
fn sealed_for(staff_id: &str) -> String {
    format!("staff:{staff_id}:loyalty-import")
}

/// Keeps an import's outcome for the page the upload lands on (the upload's route has
/// the staff session, not the Leptos context).
#[cfg(feature = "ssr")]
pub async fn keep_import_outcome(
    session: &tower_sessions::Session,
    identity: &identity::Identity,
    staff_id: &str,
    outcome: &ImportOutcome,
) -> Result<(), AppError> {
    let json = serde_json::to_vec(outcome).map_err(|_| AppError::Internal)?;
    let sealed = identity.seal_for_session(&sealed_for(staff_id), &json).map_err(AppError::from)?;
    session.insert(IMPORT_OUTCOME, sealed).await.map_err(|_| AppError::Internal)
}

/// The last import's outcome, taken out of the staff session: shown once, on the page
/// of its brand. Taken where the brand page starts (as the client secret is), so the
/// render that takes it is the one that shows it.
#[server(prefix = "/admin/api", endpoint = "brand-loyalty-import-report")]
pub async fn admin_take_import_report() -> Result<Option<ImportOutcome>, AppError> {
    let Some(current) = crate::admin::session::current().await? else { return Ok(None) };
    let session = leptos_axum::extract::<tower_sessions::Session>().await.map_err(|_| AppError::Internal)?;
    let Some(sealed) = session.remove::<String>(IMPORT_OUTCOME).await.map_err(|_| AppError::Internal)? else { return Ok(None) };
    let ctx = crate::context::server_context()?;
    let json = ctx.identity.open_from_session(&sealed_for(&current.staff_id), &sealed).map_err(crate::auth::fail)?;
    Ok(serde_json::from_slice::<ImportOutcome>(&json).ok())
}

/// The brand's programmes.
#[server(prefix = "/admin/api", endpoint = "brand-programmes")]
pub async fn admin_programmes(slug: String) -> Result<LoyaltyView, AppError> {
    use identity::principal::{Action, Subject, authorize};
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let list = ctx.identity.programmes(Some(&brand.slug)).await.map_err(crate::auth::fail)?;
    let may_import = authorize(&principal, Action::ImportCustomers, Subject::Platform).is_ok();
    let programmes = list
        .into_iter()
        .map(|p| ProgrammeLine {
            slug: p.slug,
            name: p.name,
            number_pattern: if p.luhn { format!("{} (Luhn check digit)", p.number_pattern) } else { p.number_pattern },
            tiers: p.tiers.join(", "),
            verification: p.verification.as_str().to_owned(),
            pooling: p.pooling,
        })
        .collect();
    Ok(LoyaltyView { programmes, may_import })
}

/// Declares a programme of the brand.
#[server(prefix = "/admin/api", endpoint = "brand-programme-create")]
pub async fn admin_programme_create(
    slug: String,
    programme: String,
    name: String,
    number_pattern: String,
    tiers: String,
    verification: String,
    luhn: Option<String>,
    pooling: Option<String>,
) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let new = identity::loyalty::programme::NewProgramme {
        brand: brand.slug,
        slug: Some(programme),
        name,
        number_pattern,
        luhn: crate::api::ticked(luhn.as_deref()),
        tiers: tiers.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        verification,
        pooling: crate::api::ticked(pooling.as_deref()),
    };
    ctx.identity.create_programme(&principal, &new).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// The section: the list, then the form.
#[component]
pub fn LoyaltySection(
    slug: String,
    /// The last import's outcome ([`admin_take_import_report`]), shown on its brand's page.
    import_report: Option<ImportOutcome>,
) -> impl IntoView {
    let create = ServerAction::<AdminProgrammeCreate>::new();
    let programmes = Resource::new(
        {
            let slug = slug.clone();
            move || (slug.clone(), create.version().get())
        },
        |(slug, _)| admin_programmes(slug),
    );
    let report = import_report.filter(|o| o.slug == slug);
    let import_slug = slug.clone();
    let c = create.value();
    view! {
        <section class="card" aria-labelledby="h-loyalty">
            <h2 id="h-loyalty">"Loyalty programme"</h2>
            {report.map(|o| view! { <ImportReport o=o/> })}
            <Suspense fallback=|| ()>
                {move || {
                    let import_slug = import_slug.clone();
                    Suspend::new(async move {
                    match programmes.await {
                        Ok(v) if v.programmes.is_empty() => view! { <p>"No programme yet."</p> }.into_any(),
                        Ok(LoyaltyView { programmes: list, may_import }) => {
                            let names: Vec<(String, String)> = list.iter().map(|p| (p.slug.clone(), p.name.clone())).collect();
                            view! {
                            <table class="results">
                                <caption>"The brand's programmes"</caption>
                                <thead><tr><th scope="col">"Programme"</th><th scope="col">"Member number"</th><th scope="col">"Tiers"</th><th scope="col">"Links proven by"</th><th scope="col">"Household pooling"</th></tr></thead>
                                <tbody>{list.iter().cloned().map(|p| view! {
                                    <tr><td>{p.name} <br/><code>{p.slug}</code></td><td><code>{p.number_pattern}</code></td><td>{p.tiers}</td>
                                        <td>{p.verification}</td><td>{if p.pooling { "yes" } else { "no" }}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                            <ImportForm slug=import_slug programmes=names may_import=may_import/>
                        }.into_any()
                        }
                        ,
                        Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}}
            </Suspense>
            <ActionForm action=create attr:class="form" attr:novalidate="true">
                <PageField/>
                <h3>"Declare a programme"</h3>
                {move || (done_without_js::<AdminProgrammeCreate>() || matches!(c.get(), Some(Ok(())))).then(|| view! {
                    <p role="status" class="success">"Programme declared."</p>
                })}
                <ErrorSummary error=failure(c) pending=create.pending()
                    fields=&[("Name", "field-programme-name"), ("Slug", "field-programme-slug"), ("Number pattern", "field-programme-pattern"), ("Tiers", "field-programme-tiers")]/>
                <input type="hidden" name="slug" value=slug/>
                <Field label="Name customers see" name="name" id="field-programme-name" required=true autocomplete="off" error=field_error(c, "Name")/>
                <Field label="Slug in the API (blank: the brand's)" name="programme" id="field-programme-slug" autocomplete="off" error=field_error(c, "Slug")/>
                <Field label="Member number format (a regular expression)" name="number_pattern" id="field-programme-pattern" required=true autocomplete="off"
                    hint="Matched whole, after spaces and dashes are removed and letters upper-cased, e.g. [0-9]{10}" error=field_error(c, "Number pattern")/>
                <div class="check">
                    <input type="checkbox" id="programme-luhn" name="luhn"/>
                    <label for="programme-luhn">"The number ends in a Luhn check digit"</label>
                </div>
                <Field label="Tiers, lowest first, comma-separated" name="tiers" id="field-programme-tiers" autocomplete="off" error=field_error(c, "Tiers")/>
                <div class="field">
                    <label for="programme-verification">"How a link is proven"</label>
                    <select id="programme-verification" name="verification">
                        {VERIFICATIONS.into_iter().map(|(v, w)| view! { <option value=v>{w}</option> }).collect_view()}
                    </select>
                </div>
                <div class="check">
                    <input type="checkbox" id="programme-pooling" name="pooling"/>
                    <label for="programme-pooling">"Household members may pool their memberships"</label>
                </div>
                <button type="submit">"Declare"</button>
            </ActionForm>
        </section>
    }
}

/// "Import memberships": a programme, then a JSON-lines file or the lines pasted
/// (`{"email": "…", "number": "…", "status": "verified" | "pending"}`, one a line).
#[component]
fn ImportForm(slug: String, programmes: Vec<(String, String)>, may_import: bool) -> impl IntoView {
    if !may_import {
        return view! {
            <p class="hint">"Importing the memberships the brand verified before Foyer is for an operator (foyer loyalty-programme import-links): an import finds customers by address across every brand."</p>
        }
        .into_any();
    }
    let mib = MAX_IMPORT_BYTES / (1024 * 1024);
    view! {
        <form method="post" action=import_path(&slug) enctype="multipart/form-data" class="form loyalty-import">
            <h3>"Import memberships"</h3>
            <p class="hint" id="import-format">
                "One JSON object a line: " <code>"{\"email\": \"ada@example.com\", \"number\": \"1234567897\", \"status\": \"verified\"}"</code>
                " (status verified or pending). Bad lines are reported by number and not imported; a line already linked counts as already present, so a file may be imported again."
            </p>
            <div class="field">
                <label for="import-programme">"Programme"</label>
                <select id="import-programme" name="programme">
                    {programmes.into_iter().map(|(slug, name)| view! { <option value=slug.clone()>{format!("{name} ({slug})")}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="import-file">"File (JSON lines)"</label>
                <p class="hint" id="import-file-hint">{format!("At most {mib} MiB; larger files with the command line.")}</p>
                <input type="file" id="import-file" name="file" accept=".jsonl,.json,.txt,application/json,text/plain" aria-describedby="import-file-hint import-format"/>
            </div>
            <div class="field">
                <label for="import-lines">"Or paste the lines"</label>
                <textarea id="import-lines" name="lines" rows="4" aria-describedby="import-format"></textarea>
            </div>
            <button type="submit">"Import"</button>
        </form>
    }
    .into_any()
}

/// The last import's report: counts, then each bad line with its number.
#[component]
fn ImportReport(o: ImportOutcome) -> impl IntoView {
    if let Some(why) = o.refused {
        return view! {
            <div class="error-summary" role="alert" tabindex="-1" autofocus=true>
                <h3>{format!("Nothing was imported into {}", o.programme)}</h3>
                <p>{why}</p>
            </div>
        }
        .into_any();
    }
    let more = o.bad_lines.saturating_sub(o.errors.len());
    view! {
        <div class="import-report" role="status">
            <h3>{format!("Import into {}", o.programme)}</h3>
            <p>{format!("Imported {}, already present {}, bad lines {}.", o.imported, o.already_present, o.bad_lines)}</p>
            {(!o.errors.is_empty()).then(|| view! {
                <table class="results">
                    <caption>"Bad lines (not imported)"</caption>
                    <thead><tr><th scope="col">"Line"</th><th scope="col">"Reason"</th></tr></thead>
                    <tbody>{o.errors.into_iter().map(|(line, message)| view! { <tr><td>{line}</td><td>{message}</td></tr> }).collect_view()}</tbody>
                </table>
            })}
            {(more > 0).then(|| view! { <p>{format!("And {more} more bad lines: the command line lists them all.")}</p> })}
        </div>
    }
    .into_any()
}
