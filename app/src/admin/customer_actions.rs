//! The 360 page's "Support actions" section (`docs/design/admin.md` "The 360 view and
//! reveals", "Support actions"): one small form per act, each with the ticket (filled
//! from `?ticket=`) and a reason, a status line once it worked and its errors by field.
//! The page offers what the core's table lets the signed-in staff member do
//! ([`crate::admin::customer::ActsView`]): an agent never sees a lead's form, and the
//! server refuses anyway. This file: the actions, the section, the acts on signing in
//! (reset link, confirmation, sign out everywhere, lock and unlock, two-step reset); the
//! acts on the customer's data are in [`crate::admin::customer_actions_data`].
//!
//! With the wasm, a success refetches the page's overview (the page tracks
//! [`SupportActions::changed`]); posted as plain forms, the redirect back (`__page`)
//! renders it afresh with `__ok` naming the act that worked.

use leptos::prelude::*;

use crate::admin::actions_api::{
    AdminCorrectProfile, AdminEndSessions, AdminLock, AdminLoyaltyDecision, AdminPhoneConsent, AdminResendVerification, AdminResetSecondFactors, AdminSendReset,
    AdminUnlock,
};
use crate::admin::customer::CustomerView;
use crate::admin::customer_actions_data::{CorrectProfileForm, LoyaltyForm, PhoneConsentForm};
use crate::components::form::{ActionResult, ErrorSummary, Field, PageField, done_without_js, failure, field_error};
use crate::error::AppError;

/// The nine acts' actions, made by the page (so their results outlive a refetch of
/// the overview) and handed to the section.
#[derive(Clone, Copy)]
pub struct SupportActions {
    pub send_reset: ServerAction<AdminSendReset>,
    pub resend_verification: ServerAction<AdminResendVerification>,
    pub end_sessions: ServerAction<AdminEndSessions>,
    pub correct_profile: ServerAction<AdminCorrectProfile>,
    pub phone_consent: ServerAction<AdminPhoneConsent>,
    pub loyalty_decision: ServerAction<AdminLoyaltyDecision>,
    pub lock: ServerAction<AdminLock>,
    pub unlock: ServerAction<AdminUnlock>,
    pub reset_second_factors: ServerAction<AdminResetSecondFactors>,
    /// Successes so far (in the browser): the overview refetches on each. A refused
    /// act changes nothing, so the form and what was typed stay.
    changed: RwSignal<usize>,
}

impl SupportActions {
    pub fn new() -> Self {
        let changed = RwSignal::new(0);
        let a = Self {
            send_reset: ServerAction::new(),
            resend_verification: ServerAction::new(),
            end_sessions: ServerAction::new(),
            correct_profile: ServerAction::new(),
            phone_consent: ServerAction::new(),
            loyalty_decision: ServerAction::new(),
            lock: ServerAction::new(),
            unlock: ServerAction::new(),
            reset_second_factors: ServerAction::new(),
            changed,
        };
        let results = [
            ok_signal(a.send_reset.value()),
            ok_signal(a.resend_verification.value()),
            ok_signal(a.end_sessions.value()),
            ok_signal(a.correct_profile.value()),
            ok_signal(a.phone_consent.value()),
            ok_signal(a.loyalty_decision.value()),
            ok_signal(a.lock.value()),
            ok_signal(a.unlock.value()),
            ok_signal(a.reset_second_factors.value()),
        ];
        for worked in results {
            Effect::new(move || {
                if worked.get() {
                    changed.update(|n| *n += 1);
                }
            });
        }
        a
    }

    /// Tracked by the overview's resource: one more after every success.
    pub fn changed(&self) -> usize {
        self.changed.get()
    }
}

impl std::fmt::Debug for SupportActions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupportActions").field("changed", &self.changed).finish_non_exhaustive()
    }
}

impl Default for SupportActions {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether an action's last result is a success (a signal of it).
fn ok_signal(result: impl ActionResult<()>) -> Signal<bool> {
    Signal::derive(move || matches!(result.get(), Some(Ok(()))))
}

/// Whether an action's last result is a success (tracked where it is read).
pub(crate) fn worked(result: impl ActionResult<()>) -> bool {
    matches!(result.get(), Some(Ok(())))
}

/// The status line an act shows once it worked (`done`: with the wasm, or the plain
/// post's `__ok`).
pub(crate) fn done_line(done: impl Fn() -> bool + Send + Sync + 'static, text: &'static str) -> impl IntoView {
    move || done().then(|| view! { <p role="status" class="success">{text}</p> })
}

/// The id a form's `fields` table gives the core's field `name`.
pub(crate) fn id_of(fields: &'static [(&'static str, &'static str)], name: &str) -> &'static str {
    fields.iter().find(|(n, _)| *n == name).map_or("", |(_, id)| id)
}

/// The ticket and reason every act takes, their errors from `result`; `fields` names
/// their ids (`Ticket`, `Reason`).
pub(crate) fn ticket_and_reason(result: impl ActionResult<()>, fields: &'static [(&'static str, &'static str)], ticket: String) -> impl IntoView {
    view! {
        <Field label="Ticket" name="ticket" id=id_of(fields, "Ticket") required=true autocomplete="off" value=ticket
            error=field_error(result, "Ticket")/>
        <Field label="Reason" name="reason" id=id_of(fields, "Reason") required=true autocomplete="off"
            hint="Why, in a few words (5 to 500 characters): recorded with the ticket." error=field_error(result, "Reason")/>
    }
}

const RESET: &[(&str, &str)] = &[("Ticket", "act-reset-ticket"), ("Reason", "act-reset-reason")];
const CONFIRM: &[(&str, &str)] = &[("Ticket", "act-confirm-ticket"), ("Reason", "act-confirm-reason")];
const SIGN_OUT: &[(&str, &str)] = &[("Ticket", "act-signout-ticket"), ("Reason", "act-signout-reason")];
const LOCK: &[(&str, &str)] = &[("Ticket", "act-lock-ticket"), ("Reason", "act-lock-reason")];
const UNLOCK: &[(&str, &str)] = &[("Ticket", "act-unlock-ticket"), ("Reason", "act-unlock-reason")];
const TWO_STEP: &[(&str, &str)] =
    &[("Identity check", "act-2fa-kind"), ("Check note", "act-2fa-note"), ("Ticket", "act-2fa-ticket"), ("Reason", "act-2fa-reason")];

/// How a lead may have checked a caller's identity (`identity::admin::actions::
/// IdentityCheckKind`, in its order), in the words the lead reads.
pub const CHECK_KINDS: [(&str, &str); 4] = [
    ("id_document", "An identity document"),
    ("video_call", "A video call that matched the customer"),
    ("callback_known_number", "A call back to a number on file from before"),
    ("knowledge_questions", "Questions about the account's history"),
];

/// The section: what this staff member may do to this customer.
#[component]
pub fn SupportActionsSection(c: CustomerView, actions: SupportActions, ticket: String) -> impl IntoView {
    let a = actions;
    let signs_in = !c.managed;
    let decidable: Vec<_> = c.loyalty.iter().filter(|l| l.support_decides).cloned().collect();
    view! {
        <section class="card" aria-labelledby="h-actions">
            <h2 id="h-actions">"Support actions"</h2>
            <p class="hint">"Each action needs the ticket and a reason: both are recorded with it, and the customer is told what was done."</p>
            {c.managed.then(|| view! {
                <p>"A managed household member has no address or sign-in of their own: their guardian acts for them."</p>
            })}
            { let (id, ticket) = (c.id.clone(), ticket.clone()); (signs_in && c.may.send_reset).then(move || view! {
                <ActionForm action=a.send_reset attr:class="form" attr:novalidate="true">
                    <PageField/>
                    <h3>"Send a password-reset link"</h3>
                    <p class="hint">"Mails the usual reset link to the address on file; you never see it. A second step is still asked at the reset."</p>
                    {done_line(move || worked(a.send_reset.value()) || done_without_js::<AdminSendReset>(), "Sent: the customer has been mailed a reset link.")}
                    <ErrorSummary error=failure(a.send_reset.value()) pending=a.send_reset.pending() fields=RESET/>
                    <input type="hidden" name="customer" value=id/>
                    {ticket_and_reason(a.send_reset.value(), RESET, ticket)}
                    <button type="submit">"Send the reset link"</button>
                </ActionForm>
            }) }
            { let (id, ticket) = (c.id.clone(), ticket.clone()); (signs_in && c.may.resend_verification && !c.email_verified).then(move || view! {
                <ActionForm action=a.resend_verification attr:class="form" attr:novalidate="true">
                    <PageField/>
                    <h3>"Resend the address confirmation"</h3>
                    <p class="hint">"The address is not confirmed yet: mails the confirmation link and code again."</p>
                    {done_line(move || worked(a.resend_verification.value()) || done_without_js::<AdminResendVerification>(), "Sent: the confirmation is on its way again.")}
                    <ErrorSummary error=failure(a.resend_verification.value()) pending=a.resend_verification.pending() fields=CONFIRM/>
                    <input type="hidden" name="customer" value=id/>
                    {ticket_and_reason(a.resend_verification.value(), CONFIRM, ticket)}
                    <button type="submit">"Resend the confirmation"</button>
                </ActionForm>
            }) }
            { let (id, ticket) = (c.id.clone(), ticket.clone()); (signs_in && c.may.end_sessions).then(move || view! {
                <ActionForm action=a.end_sessions attr:class="form" attr:novalidate="true">
                    <PageField/>
                    <h3>"Sign out everywhere"</h3>
                    <p class="hint">"Ends every session and remembered device and what the brands were given at sign-in; the brands are told."</p>
                    {done_line(move || worked(a.end_sessions.value()) || done_without_js::<AdminEndSessions>(), "Done: the customer is signed out everywhere and has been told.")}
                    <ErrorSummary error=failure(a.end_sessions.value()) pending=a.end_sessions.pending() fields=SIGN_OUT/>
                    <input type="hidden" name="customer" value=id/>
                    {ticket_and_reason(a.end_sessions.value(), SIGN_OUT, ticket)}
                    <button type="submit" class="danger">"Sign out everywhere"</button>
                </ActionForm>
            }) }
            { let (id, ticket) = (c.id.clone(), ticket.clone()); c.may.correct_profile.then(move || view! { <CorrectProfileForm customer=id action=a.correct_profile ticket=ticket/> }) }
            { let (id, ticket, targets) = (c.id.clone(), ticket.clone(), c.consent_targets.clone()); (c.may.phone_consent && !c.consent_targets.is_empty()).then(move || view! {
                <PhoneConsentForm customer=id targets=targets action=a.phone_consent ticket=ticket/>
            }) }
            { let (id, ticket) = (c.id.clone(), ticket.clone()); c.may.loyalty_decision.then(move || view! { <LoyaltyForm customer=id links=decidable action=a.loyalty_decision ticket=ticket/> }) }
            {(signs_in && c.may.lock).then(|| view! { <LockForms c=c.clone() actions=a ticket=ticket.clone()/> })}
            {(signs_in && c.may.reset_second_factors).then(|| view! { <TwoStepResetForm c=c.clone() action=a.reset_second_factors ticket=ticket.clone()/> })}
        </section>
    }
}

/// Lock or unlock (leads): the state, then the form that changes it (a lock-out after
/// failed sign-ins may be lifted, or turned into a support lock).
#[component]
fn LockForms(c: CustomerView, actions: SupportActions, ticket: String) -> impl IntoView {
    let a = actions;
    let state = match (c.locked, c.locked_by_support) {
        (true, true) => "Locked by support: only a support lead unlocks it.",
        (true, false) => "Locked after failed sign-ins: the customer's mailed unlock link, a password reset or a lead unlocks it.",
        _ => "Not locked.",
    };
    let locked = c.locked;
    view! {
        <h3>"Lock or unlock the account"</h3>
        <p id="act-lock-state">{state}</p>
        {done_line(move || locked && (worked(a.lock.value()) || done_without_js::<AdminLock>()), "Locked: every session and grant has ended, and the customer has been told.")}
        {done_line(move || !locked && (worked(a.unlock.value()) || done_without_js::<AdminUnlock>()), "Unlocked: the customer has been told.")}
        { let (id, ticket) = (c.id.clone(), ticket.clone()); c.locked.then(move || view! {
            <ActionForm action=a.unlock attr:class="form" attr:novalidate="true">
                <PageField/>
                <ErrorSummary error=failure(a.unlock.value()) pending=a.unlock.pending() fields=UNLOCK/>
                <input type="hidden" name="customer" value=id/>
                {ticket_and_reason(a.unlock.value(), UNLOCK, ticket)}
                <button type="submit">"Unlock the account"</button>
            </ActionForm>
        }) }
        { let (id, ticket) = (c.id.clone(), ticket.clone()); (!c.locked_by_support).then(move || view! {
            <ActionForm action=a.lock attr:class="form" attr:novalidate="true">
                <PageField/>
                <p class="hint">"Locking ends every session and grant at once; sign-in is refused until a lead unlocks. The customer is mailed."</p>
                <ErrorSummary error=failure(a.lock.value()) pending=a.lock.pending() fields=LOCK/>
                <input type="hidden" name="customer" value=id/>
                {ticket_and_reason(a.lock.value(), LOCK, ticket)}
                <button type="submit" class="danger">"Lock the account"</button>
            </ActionForm>
        }) }
    }
}

/// Reset two-step verification (leads), after an identity check of a fixed kind with a
/// note; nothing to reset without an authenticator app or recovery codes.
#[component]
fn TwoStepResetForm(c: CustomerView, action: ServerAction<AdminResetSecondFactors>, ticket: String) -> impl IntoView {
    let result = action.value();
    let kind_error = field_error(result, "Identity check");
    let has_factors = c.authenticator_app || c.recovery_codes_left > 0;
    view! {
        <h3>"Reset two-step verification"</h3>
        {done_line(move || worked(result) || done_without_js::<AdminResetSecondFactors>(),
            "Reset: the authenticator app and recovery codes are gone, every session has ended, and the customer has been told.")}
        {if has_factors { view! {
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <PageField/>
                <p class="hint">"Only after you checked the caller's identity. Removes the authenticator app and every recovery code, forgets remembered devices and ends every session; passkeys stay."</p>
                <ErrorSummary error=failure(result) pending=action.pending() fields=TWO_STEP/>
                <input type="hidden" name="customer" value=c.id.clone()/>
                <div class="field">
                    <label for="act-2fa-kind">"Identity check"</label>
                    <select id="act-2fa-kind" name="check_kind" aria-invalid=move || kind_error.get().map(|_| "true")>
                        <option value="">"Choose how you checked"</option>
                        {CHECK_KINDS.into_iter().map(|(kind, words)| view! { <option value=kind>{words}</option> }).collect_view()}
                    </select>
                </div>
                <Field label="What you checked" name="check_note" id="act-2fa-note" required=true autocomplete="off"
                    hint="5 to 500 characters, recorded with the reason. Never copy a document number." error=field_error(result, "Check note")/>
                {ticket_and_reason(result, TWO_STEP, ticket)}
                <button type="submit" class="danger">"Reset two-step verification"</button>
            </ActionForm>
        }.into_any() } else { view! {
            <p>"No authenticator app or recovery codes: nothing to reset."</p>
        }.into_any() }}
    }
}

/// An error the form shows by its own field: `NotFound` from an act whose only lookups
/// are the form's choices (`field`'s message).
pub(crate) fn not_found_as(error: Signal<Option<AppError>>, field: &'static str, message: &'static str) -> Signal<Option<AppError>> {
    Signal::derive(move || {
        error.get().map(|e| match e {
            AppError::NotFound(_) => AppError::Fields(vec![crate::error::FieldMessage { field: field.into(), message: message.into() }]),
            other => other,
        })
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_check_kinds_are_the_cores() {
        let core: Vec<&str> = identity::admin::actions::IdentityCheckKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(CHECK_KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>(), core);
    }
}
