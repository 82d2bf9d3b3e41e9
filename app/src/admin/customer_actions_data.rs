//! The 360 page's forms for the support acts on a customer's data (`docs/design/admin.md`
//! "Support actions"): correct a profile field, record a consent given by phone, confirm
//! or reject a loyalty membership support verifies. Part of the "Support actions"
//! section ([`crate::admin::customer_actions`], which holds the shared pieces).

use leptos::prelude::*;

use crate::admin::actions_api::{AdminCorrectProfile, AdminLoyaltyDecision, AdminPhoneConsent};
use crate::admin::customer::{ConsentTarget, LoyaltyLine};
use crate::admin::customer_actions::{done_line, not_found_as, ticket_and_reason, worked};
use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error};

/// The profile fields support may correct (`identity::admin::actions::CorrectableField`,
/// in its order; never the email), in the words the agent reads.
pub const CORRECTABLE: [(&str, &str); 11] = [
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("display_name", "Display name"),
    ("phone", "Phone"),
    ("birth_date", "Birth date"),
    ("street", "Street address"),
    ("locality", "City"),
    ("region", "Region"),
    ("postal_code", "Postal code"),
    ("country", "Country"),
    ("preferred_language", "Preferred language"),
];

/// The names the core gives a refused value: its own (`Value`: the value on file
/// already) and each field parser's.
const VALUE_ERRORS: [&str; 12] =
    ["Value", "Given name", "Family name", "Display name", "Phone", "Birth date", "Street address", "City", "Region", "Postal code", "Country", "Preferred language"];

const CORRECT: &[(&str, &str)] = &[
    ("Field", "act-correct-field"),
    ("Value", "act-correct-value"),
    ("Given name", "act-correct-value"),
    ("Family name", "act-correct-value"),
    ("Display name", "act-correct-value"),
    ("Phone", "act-correct-value"),
    ("Birth date", "act-correct-value"),
    ("Street address", "act-correct-value"),
    ("City", "act-correct-value"),
    ("Region", "act-correct-value"),
    ("Postal code", "act-correct-value"),
    ("Country", "act-correct-value"),
    ("Preferred language", "act-correct-value"),
    ("Ticket", "act-correct-ticket"),
    ("Reason", "act-correct-reason"),
];
const CONSENT: &[(&str, &str)] = &[
    ("Brand", "act-consent-brand"),
    ("Purpose", "act-consent-purpose"),
    ("Decision", "act-consent-grant"),
    ("Ticket", "act-consent-ticket"),
    ("Reason", "act-consent-reason"),
];
const LOYALTY: &[(&str, &str)] =
    &[("Link", "act-loyalty-link"), ("Decision", "act-loyalty-confirm"), ("Ticket", "act-loyalty-ticket"), ("Reason", "act-loyalty-reason")];

/// Correct one profile field: which (a select), the new value (blank removes it).
#[component]
pub fn CorrectProfileForm(customer: String, action: ServerAction<AdminCorrectProfile>, ticket: String) -> impl IntoView {
    let result = action.value();
    let value_error = Signal::derive(move || result.get().and_then(Result::err).and_then(|e| VALUE_ERRORS.iter().find_map(|f| e.for_field(f))));
    let field_problem = field_error(result, "Field");
    view! {
        <ActionForm action=action attr:class="form" attr:novalidate="true">
            <PageField/>
            <h3>"Correct a profile field"</h3>
            <p class="hint">"Never the email address: the customer changes it and confirms the new one. The customer is mailed which detail changed, never the value."</p>
            {done_line(move || worked(result) || done_without_js::<AdminCorrectProfile>(), "Corrected: the customer has been told which detail changed.")}
            <ErrorSummary error=failure(result) pending=action.pending() fields=CORRECT/>
            <input type="hidden" name="customer" value=customer/>
            <div class="field">
                <label for="act-correct-field">"Field to correct"</label>
                <select id="act-correct-field" name="field" aria-invalid=move || field_problem.get().map(|_| "true")>
                    {CORRECTABLE.into_iter().map(|(name, words)| view! { <option value=name>{words}</option> }).collect_view()}
                </select>
            </div>
            <Field label="New value" name="value" id="act-correct-value" autocomplete="off"
                hint="As the customer gives it; leave blank to remove the field." error=value_error/>
            {ticket_and_reason(result, CORRECT, ticket)}
            <button type="submit">"Correct the field"</button>
        </ActionForm>
    }
}

/// Record a consent the customer gave on this call: for whom (a brand they use or the
/// group), the purpose, their answer. Without the wasm the purposes of every brand are
/// listed under each brand's name; with it, only the chosen brand's.
#[component]
pub fn PhoneConsentForm(customer: String, targets: Vec<ConsentTarget>, action: ServerAction<AdminPhoneConsent>, ticket: String) -> impl IntoView {
    let result = action.value();
    let chosen = RwSignal::new(None::<String>);
    let targets = StoredValue::new(targets);
    let error = not_found_as(failure(result), "Purpose", "That purpose is not one of the chosen brand's: choose one listed under its name.");
    let decision_error = field_error(result, "Decision");
    view! {
        <ActionForm action=action attr:class="form" attr:novalidate="true">
            <PageField/>
            <h3>"Record a consent given by phone"</h3>
            <p class="hint">"Only what the customer said on this call. It is recorded as given by phone, with you as its collector and the ticket; the customer is mailed what was recorded."</p>
            {done_line(move || worked(result) || done_without_js::<AdminPhoneConsent>(), "Recorded: the customer has been mailed their choice.")}
            <ErrorSummary error=error pending=action.pending() fields=CONSENT/>
            <input type="hidden" name="customer" value=customer/>
            <div class="field">
                <label for="act-consent-brand">"For"</label>
                <select id="act-consent-brand" name="brand" on:change=move |ev| chosen.set(Some(event_target_value(&ev)))>
                    {targets.get_value().into_iter().map(|t| view! { <option value=t.brand>{t.name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="act-consent-purpose">"Purpose"</label>
                <select id="act-consent-purpose" name="purpose">
                    {move || {
                        let chosen = chosen.get();
                        targets.get_value().into_iter().filter(|t| chosen.as_ref().is_none_or(|c| *c == t.brand)).map(|t| view! {
                            <optgroup label=t.name>
                                {t.purposes.into_iter().map(|p| {
                                    let words = match p.state {
                                        Some(state) => format!("{} (now: {state})", p.title),
                                        None => format!("{} (not decided yet)", p.title),
                                    };
                                    view! { <option value=p.key>{words}</option> }
                                }).collect_view()}
                            </optgroup>
                        }).collect_view()
                    }}
                </select>
            </div>
            <fieldset>
                <legend>"The customer's answer"</legend>
                <div class="field checkbox">
                    <input type="radio" id="act-consent-grant" name="decision" value="grant"/>
                    <label for="act-consent-grant">"They agree"</label>
                </div>
                <div class="field checkbox">
                    <input type="radio" id="act-consent-refuse" name="decision" value="refuse"/>
                    <label for="act-consent-refuse">"They refuse (a yes on record is withdrawn)"</label>
                </div>
                {move || decision_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            </fieldset>
            {ticket_and_reason(result, CONSENT, ticket)}
            <button type="submit">"Record the answer"</button>
        </ActionForm>
    }
}

/// Confirm or reject a pending membership of a programme support verifies. The
/// section shows while one waits, and after a decision (its status line).
#[component]
pub fn LoyaltyForm(customer: String, links: Vec<LoyaltyLine>, action: ServerAction<AdminLoyaltyDecision>, ticket: String) -> impl IntoView {
    let result = action.value();
    let decided = move || worked(result) || done_without_js::<AdminLoyaltyDecision>();
    let decision_error = field_error(result, "Decision");
    let waiting = !links.is_empty();
    (waiting || decided()).then(|| view! {
        <h3>"Verify a loyalty membership"</h3>
        {done_line(decided, "Decided: the customer has been told.")}
        {if waiting { view! {
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <PageField/>
                <p class="hint">"These programmes ask support to check a membership before it is linked (for example against the card the customer holds)."</p>
                <ErrorSummary error=not_found_as(failure(result), "Link", "That membership is no longer waiting: reload the page.") pending=action.pending() fields=LOYALTY/>
                <input type="hidden" name="customer" value=customer/>
                <div class="field">
                    <label for="act-loyalty-link">"Membership"</label>
                    <select id="act-loyalty-link" name="link">
                        {links.into_iter().map(|l| view! { <option value=l.id>{format!("{} ({}), number {}", l.programme, l.brand, l.number)}</option> }).collect_view()}
                    </select>
                </div>
                <fieldset>
                    <legend>"Decision"</legend>
                    <div class="field checkbox">
                        <input type="radio" id="act-loyalty-confirm" name="decision" value="confirm"/>
                        <label for="act-loyalty-confirm">"Confirm: the membership is theirs"</label>
                    </div>
                    <div class="field checkbox">
                        <input type="radio" id="act-loyalty-reject" name="decision" value="reject"/>
                        <label for="act-loyalty-reject">"Reject: it is not linked"</label>
                    </div>
                    {move || decision_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                </fieldset>
                {ticket_and_reason(result, LOYALTY, ticket)}
                <button type="submit">"Record the decision"</button>
            </ActionForm>
        }.into_any() } else { ().into_any() }}
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_correctable_fields_are_the_cores() {
        let core: Vec<&str> = identity::admin::actions::CorrectableField::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(CORRECTABLE.iter().map(|(f, _)| *f).collect::<Vec<_>>(), core, "the same fields, in the same order");
        assert!(!CORRECTABLE.iter().any(|(f, _)| *f == "email"));
        for f in identity::admin::actions::CorrectableField::ALL {
            let refused = f.check("x\u{7}", (2026, 12, 11)).expect_err("a control character is refused");
            assert!(VALUE_ERRORS.contains(&refused.field()), "{f:?}: a refused value shows at the value's input");
        }
    }
}
