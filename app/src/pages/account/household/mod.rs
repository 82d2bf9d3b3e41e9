//! `/account/household`: the customer's household — create one; its members with their
//! roles; for the owner: rename, invite an adult by mail, revoke an invitation, remove a
//! member, hand ownership over; for everyone: leave. Removing, handing over and leaving ask
//! first through a page state (`?remove=<id>`, `?transfer=<id>`, `?leave=<household>`,
//! reached by a GET form), so every step works before the wasm.
//!
//! And `/account/household/join?token=…`: the invitation link's page (who invites, to
//! which household; accept when signed in with the invited address, else sign in first).

pub mod managed;

pub mod delegations;

use delegations::Delegations;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AccountNav, LoadError, sign_in_path};
use crate::api::household::{
    AcceptHouseholdInvitation, CreateHousehold, HouseholdView, InviteToHousehold, LeaveHousehold, MemberView, RemoveHouseholdMember,
    RenameHousehold, RevokeHouseholdInvitation, TransferHousehold, household_invitation, households,
};
use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error, go_to};
use crate::i18n::{Time, t, t_with};

const PAGE: &str = "/account/household";

/// Every action of the page, so one success reloads the list.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateHousehold>,
    rename: ServerAction<RenameHousehold>,
    invite: ServerAction<InviteToHousehold>,
    revoke: ServerAction<RevokeHouseholdInvitation>,
    leave: ServerAction<LeaveHousehold>,
    remove: ServerAction<RemoveHouseholdMember>,
    transfer: ServerAction<TransferHousehold>,
}

impl Actions {
    fn new() -> Self {
        Self {
            create: ServerAction::new(),
            rename: ServerAction::new(),
            invite: ServerAction::new(),
            revoke: ServerAction::new(),
            leave: ServerAction::new(),
            remove: ServerAction::new(),
            transfer: ServerAction::new(),
        }
    }

    fn version(&self) -> usize {
        self.create.version().get()
            + self.rename.version().get()
            + self.invite.version().get()
            + self.revoke.version().get()
            + self.leave.version().get()
            + self.remove.version().get()
            + self.transfer.version().get()
    }
}

/// The confirmation a GET form asked for (`remove`, `transfer`, `leave`), unless an
/// action just finished.
fn asked(name: &'static str) -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || query.with(|q| q.get(name)))
}

#[component]
pub fn HouseholdPage() -> impl IntoView {
    let actions = Actions::new();
    let list = Resource::new(move || actions.version(), |_| households());
    let joined = use_query_map().with_untracked(|q| q.get("joined")).is_some();
    view! {
        <Title text=t("household-title")/>
        <h1>{t("household-title")}</h1>
        <AccountNav/>
        <p>{t("household-intro")}</p>
        {joined.then(|| view! { <p role="status">{t("household-joined")}</p> })}
        <Status actions=actions/>
        <Transition fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! { <CreateSection actions=actions/> }.into_any(),
                    Ok(list) => list.into_iter().map(|h| view! { <HouseholdSection household=h actions=actions/> }).collect_view().into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What the last action did (the latest one wins), with or without the wasm.
#[component]
fn Status(actions: Actions) -> impl IntoView {
    // A plain post comes back with `__ok=<its path>`.
    let plain = [
        (done_without_js::<CreateHousehold>(), "household-created"),
        (done_without_js::<InviteToHousehold>(), "household-invited-plain"),
        (done_without_js::<RevokeHouseholdInvitation>(), "household-invitation-revoked"),
        (done_without_js::<RenameHousehold>(), "household-renamed"),
        (done_without_js::<LeaveHousehold>(), "household-left"),
        (done_without_js::<RemoveHouseholdMember>(), "household-member-removed"),
        (done_without_js::<TransferHousehold>(), "household-transferred"),
    ];
    let said = RwSignal::new(plain.iter().find(|(done, _)| *done).map(|(_, id)| t(id)));
    fn on_success<T: Clone + Send + Sync + 'static>(
        value: impl Get<Value = Option<Result<T, crate::error::AppError>>> + Send + Sync + 'static,
        said: RwSignal<Option<String>>,
        text: impl Fn(T) -> String + Send + Sync + 'static,
    ) {
        Effect::new(move |_| {
            if let Some(Ok(v)) = value.get() {
                said.set(Some(text(v)));
            }
        });
    }
    on_success(actions.create.value(), said, |()| t("household-created"));
    on_success(actions.invite.value(), said, |email| t_with("household-invited", &[("email", email)]));
    on_success(actions.revoke.value(), said, |()| t("household-invitation-revoked"));
    on_success(actions.rename.value(), said, |()| t("household-renamed"));
    on_success(actions.leave.value(), said, |()| t("household-left"));
    on_success(actions.remove.value(), said, |()| t("household-member-removed"));
    on_success(actions.transfer.value(), said, |()| t("household-transferred"));
    view! {
        <div role="status">{move || said.get().map(|text| view! { <p>{text}</p> })}</div>
        <ErrorSummary error=failure(actions.revoke.value()) pending=actions.revoke.pending()/>
        <ErrorSummary error=failure(actions.leave.value()) pending=actions.leave.pending()/>
        <ErrorSummary error=failure(actions.remove.value()) pending=actions.remove.pending()/>
        <ErrorSummary error=failure(actions.transfer.value()) pending=actions.transfer.pending()/>
    }
}

#[component]
fn CreateSection(actions: Actions) -> impl IntoView {
    let create = actions.create;
    view! {
        <section class="card" aria-labelledby="household-create-heading">
            <h2 id="household-create-heading">{t("household-create-heading")}</h2>
            <p>{t("household-create-intro")}</p>
            <ActionForm action=create attr:class="form" attr:novalidate="true">
                <PageField/>
                <ErrorSummary error=failure(create.value()) pending=create.pending() fields=&[("Household name", "field-name")]/>
                <Field label=t("household-name-label") name="name" required=true hint=t("household-name-hint") error=field_error(create.value(), "Household name")/>
                <button type="submit" disabled=move || create.pending().get()>{t("household-create-submit")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn HouseholdSection(household: HouseholdView, actions: Actions) -> impl IntoView {
    let owner = household.is_owner();
    let heading_id = format!("household-{}", household.id);
    let labelled_by = heading_id.clone();
    let id = household.id.clone();
    let name = household.name.clone();
    let members = household.members.clone();
    let members_view = members.iter().cloned().map(|m| member_row(m, &id, owner, actions)).collect_view();
    view! {
        <section class="card household" aria-labelledby=labelled_by>
            <h2 id=heading_id>{name.clone()}</h2>
            <p>{t(if owner { "household-you-own" } else { "household-you-are-member" })}</p>
            <h3>{t("household-members-heading")}</h3>
            <ul class="member-list">{members_view}</ul>
            <managed::ManagedMembers household_id=id.clone()/>
            {owner.then(|| view! {
                <InviteForm household=id.clone() actions=actions/>
                <Invitations household=household.clone() actions=actions/>
                <RenameForm household=id.clone() name=name.clone() actions=actions/>
            })}
            <LeaveControl household=id.clone() name=name.clone() actions=actions/>
        </section>
        <Delegations household=id.clone()/>
    }
}

fn role_label(role: &str) -> String {
    t(match role {
        "owner" => "household-role-owner",
        "managed" => "household-role-managed",
        _ => "household-role-adult",
    })
}

fn member_row(m: MemberView, household: &str, owner: bool, actions: Actions) -> AnyView {
    let remove_asked = asked("remove");
    let transfer_asked = asked("transfer");
    let (id, name) = (m.id.clone(), m.name.clone());
    let can_act_on = owner && !m.is_me && m.role == "adult";
    let label = if m.is_me { t_with("household-member-you", &[("name", name.clone())]) } else { name.clone() };
    let guardians = (!m.guardians.is_empty()).then(|| t_with("household-guardians", &[("names", m.guardians.join(", "))]));
    let birth = m.birth_date.clone().map(|d| t_with("household-born", &[("date", d)]));
    let household = household.to_owned();
    view! {
        <li class="member">
            <p><strong>{label}</strong> " — " {role_label(&m.role)}</p>
            {birth.map(|b| view! { <p>{b}</p> })}
            {guardians.map(|g| view! { <p>{g}</p> })}
            <p>{t("household-member-since")} " " <Time when=m.joined.clone()/></p>
            {can_act_on.then(|| {
                let (id2, name2, household2) = (id.clone(), name.clone(), household.clone());
                view! {
                    {move || confirm_or_ask(remove_asked.get().as_deref() == Some(id.as_str()), "remove", &id, &name, &household, actions)}
                    {move || confirm_or_ask(transfer_asked.get().as_deref() == Some(id2.as_str()), "transfer", &id2, &name2, &household2, actions)}
                }
            })}
        </li>
    }
    .into_any()
}

/// A member's "Remove" or "Make owner": the button asks (a GET to the page state); the
/// confirmation posts.
fn confirm_or_ask(confirming: bool, what: &'static str, member: &str, name: &str, household: &str, actions: Actions) -> AnyView {
    let who = [("name", name.to_owned())];
    if !confirming {
        return view! {
            <form method="get" action=PAGE class="inline-form">
                <input type="hidden" name=what value=member.to_owned()/>
                <button type="submit" class=if what == "remove" { "danger" } else { "secondary" }
                    aria-label=t_with(&format!("household-{what}-label"), &who)>{t(&format!("household-{what}"))}</button>
            </form>
        }
        .into_any();
    }
    let text = t_with(&format!("household-{what}-confirm-text"), &who);
    let button = t_with(&format!("household-{what}-confirm"), &who);
    let (member, household) = (member.to_owned(), household.to_owned());
    let form = if what == "remove" {
        let action = actions.remove;
        view! {
            <ActionForm action=action attr:class="inline-form">
                <input type="hidden" name=crate::components::form::PAGE_FIELD value=PAGE/>
                <input type="hidden" name="household" value=household/>
                <input type="hidden" name="member" value=member/>
                <button type="submit" class="danger" disabled=move || action.pending().get()>{button}</button>
            </ActionForm>
        }
        .into_any()
    } else {
        let action = actions.transfer;
        view! {
            <ActionForm action=action attr:class="inline-form">
                <input type="hidden" name=crate::components::form::PAGE_FIELD value=PAGE/>
                <input type="hidden" name="household" value=household/>
                <input type="hidden" name="member" value=member/>
                <button type="submit" disabled=move || action.pending().get()>{button}</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <section class="confirm" role="group" aria-label=t_with(&format!("household-{what}-label"), &who)>
            <p>{text}</p>
            {form}
            " "
            <a class="button secondary" href=PAGE>{t("account-cancel")}</a>
        </section>
    }
    .into_any()
}

#[component]
fn InviteForm(household: String, actions: Actions) -> impl IntoView {
    let invite = actions.invite;
    view! {
        <h3 id="household-invite-heading">{t("household-invite-heading")}</h3>
        <p>{t("household-invite-intro")}</p>
        <ActionForm action=invite attr:class="form" attr:novalidate="true" attr:aria-labelledby="household-invite-heading">
            <PageField/>
            <input type="hidden" name="household" value=household/>
            <ErrorSummary error=failure(invite.value()) pending=invite.pending() fields=&[("Email", "field-email")]/>
            <Field label=t("household-invite-email-label") name="email" kind="email" autocomplete="off" required=true error=field_error(invite.value(), "Email")/>
            <button type="submit" disabled=move || invite.pending().get()>{t("household-invite-submit")}</button>
        </ActionForm>
    }
}

#[component]
fn Invitations(household: HouseholdView, actions: Actions) -> impl IntoView {
    let revoke = actions.revoke;
    (!household.invitations.is_empty()).then(|| {
        let id = household.id.clone();
        view! {
            <h3>{t("household-invitations-heading")}</h3>
            <ul class="invitation-list">
                {household.invitations.into_iter().map(|i| {
                    let id = id.clone();
                    let label = t_with("household-invitation-revoke-label", &[("email", i.email.clone())]);
                    view! {
                        <li>
                            {i.email.clone()} " — " {t("household-invitation-expires")} " " <Time when=i.expires.clone()/>
                            <ActionForm action=revoke attr:class="inline-form">
                                <PageField/>
                                <input type="hidden" name="household" value=id/>
                                <input type="hidden" name="invitation" value=i.id.clone()/>
                                <button type="submit" class="secondary" aria-label=label disabled=move || revoke.pending().get()>{t("household-invitation-revoke")}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn RenameForm(household: String, name: String, actions: Actions) -> impl IntoView {
    let rename = actions.rename;
    view! {
        <h3 id="household-rename-heading">{t("household-rename-heading")}</h3>
        <ActionForm action=rename attr:class="form" attr:novalidate="true" attr:aria-labelledby="household-rename-heading">
            <PageField/>
            <input type="hidden" name="household" value=household/>
            <ErrorSummary error=failure(rename.value()) pending=rename.pending() fields=&[("Household name", "field-rename")]/>
            <Field label=t("household-name-label") name="name" id="field-rename" value=name required=true error=field_error(rename.value(), "Household name")/>
            <button type="submit" class="secondary" disabled=move || rename.pending().get()>{t("household-rename-submit")}</button>
        </ActionForm>
    }
}

#[component]
fn LeaveControl(household: String, name: String, actions: Actions) -> impl IntoView {
    let leave = actions.leave;
    let leave_asked = asked("leave");
    let confirming = {
        let household = household.clone();
        move || leave_asked.get().as_deref() == Some(household.as_str()) && !matches!(leave.value().get(), Some(Ok(())))
    };
    let who = [("household", name)];
    let (text, button) = (t_with("household-leave-confirm-text", &who), t_with("household-leave-confirm", &who));
    view! {
        <h3>{t("household-leave-heading")}</h3>
        {move || if confirming() {
            let (household, button) = (household.clone(), button.clone());
            view! {
                <section class="confirm" role="group" aria-label=t("household-leave-heading")>
                    <p>{text.clone()}</p>
                    <ActionForm action=leave attr:class="inline-form">
                        <input type="hidden" name=crate::components::form::PAGE_FIELD value=PAGE/>
                        <input type="hidden" name="household" value=household/>
                        <button type="submit" class="danger" disabled=move || leave.pending().get()>{button}</button>
                    </ActionForm>
                    " "
                    <a class="button secondary" href=PAGE>{t("account-cancel")}</a>
                </section>
            }.into_any()
        } else {
            let household = household.clone();
            view! {
                <form method="get" action=PAGE class="inline-form">
                    <input type="hidden" name="leave" value=household/>
                    <button type="submit" class="danger">{t("household-leave")}</button>
                </form>
            }.into_any()
        }}
    }
}

/// `/account/household/join?token=…`: the invitation, and accepting it.
#[component]
pub fn JoinHouseholdPage() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    let preview = Resource::new({
        let token = token.clone();
        move || token.clone()
    }, household_invitation);
    let accept = ServerAction::<AcceptHouseholdInvitation>::new();
    Effect::new(move |_| {
        if let Some(Ok(path)) = accept.value().get() {
            go_to(&path);
        }
    });
    let here = format!("{PAGE}/join?token={token}");
    view! {
        <Title text=t("household-join-title")/>
        <h1>{t("household-join-title")}</h1>
        <Suspense fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || {
                let (token, here) = (token.clone(), here.clone());
                Suspend::new(async move {
                    match preview.await {
                        Ok(p) => {
                            let who = [("household", p.household.clone()), ("inviter", p.inviter.clone().unwrap_or_default())];
                            let intro = if p.inviter.is_some() { t_with("household-join-intro", &who) } else { t_with("household-join-intro-plain", &who) };
                            match (p.state.as_str(), p.signed_in) {
                                ("open", true) => view! {
                                    <p>{intro}</p>
                                    <p>{t("household-join-what")}</p>
                                    <ActionForm action=accept attr:class="form">
                                        <PageField/>
                                        <input type="hidden" name="token" value=token.clone()/>
                                        <ErrorSummary error=failure(accept.value()) pending=accept.pending()/>
                                        <button type="submit" disabled=move || accept.pending().get()>{t("household-join-accept")}</button>
                                    </ActionForm>
                                    <p><a href="/account">{t("household-join-not-now")}</a></p>
                                }.into_any(),
                                ("open", false) => view! {
                                    <p>{intro}</p>
                                    <p>{t("household-join-sign-in-first")}</p>
                                    <p><a class="button" href=sign_in_path(&here)>{t("household-join-sign-in")}</a></p>
                                    <p><a href="/register">{t("household-join-register")}</a></p>
                                }.into_any(),
                                (state, _) => view! {
                                    <p role="alert">{t(&format!("household-join-{state}"))}</p>
                                    <p><a href=PAGE>{t("household-join-to-page")}</a></p>
                                }.into_any(),
                            }
                        }
                        Err(_) => view! {
                            <p role="alert">{t("household-join-invalid")}</p>
                            <p><a href=PAGE>{t("household-join-to-page")}</a></p>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
