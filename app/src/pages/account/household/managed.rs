//! The household page's managed-members section (`<ManagedMembers household_id=… />`):
//! add a child or dependant, each member's guardians (add another adult, remove one but
//! never the last), the grants waiting for a guardian's approval, the hand-over link
//! from 30 days before the age, and removing a member (its profile is erased). It loads
//! its own data (`api::household_managed`); every form posts plainly before the wasm
//! and comes back to the page with its status or error.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::pages::account::LoadError;
use crate::api::household_managed::{
    AddGuardian, ApprovePendingConsent, CreateManagedMember, IssueClaim, ManagedSectionView, ManagedView, PersonView, RemoveGuardian, RemoveManagedMember,
    managed_section,
};
use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error};
use crate::i18n::{t, t_with};

/// The section's actions, so one success reloads it.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateManagedMember>,
    add: ServerAction<AddGuardian>,
    remove_guardian: ServerAction<RemoveGuardian>,
    approve: ServerAction<ApprovePendingConsent>,
    claim: ServerAction<IssueClaim>,
    remove: ServerAction<RemoveManagedMember>,
}

impl Actions {
    fn new() -> Self {
        Self {
            create: ServerAction::new(),
            add: ServerAction::new(),
            remove_guardian: ServerAction::new(),
            approve: ServerAction::new(),
            claim: ServerAction::new(),
            remove: ServerAction::new(),
        }
    }

    fn version(&self) -> usize {
        self.create.version().get() + self.add.version().get() + self.remove_guardian.version().get() + self.approve.version().get() + self.claim.version().get() + self.remove.version().get()
    }
}

#[component]
pub fn ManagedMembers(#[prop(into)] household_id: String) -> impl IntoView {
    let actions = Actions::new();
    let handover = use_query_map().with_untracked(|q| q.get("handover"));
    let id = household_id.clone();
    let section = Resource::new(move || actions.version(), move |_| managed_section(id.clone(), handover.clone()));
    view! {
        <section class="card managed" aria-labelledby="managed-heading">
            <h2 id="managed-heading">{t("managed-heading")}</h2>
            <p>{t("managed-intro")}</p>
            <Status actions=actions/>
            <Transition fallback=|| view! { <p>{t("account-loading")}</p> }>
                {move || {
                    let household_id = household_id.clone();
                    Suspend::new(async move {
                        match section.await {
                            Ok(s) => view! { <Members section=s household_id=household_id actions=actions/> }.into_any(),
                            Err(e) => view! { <LoadError error=e/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

/// What the last action did, said once (with or without the wasm), and its failure.
#[component]
fn Status(actions: Actions) -> impl IntoView {
    let said = move || {
        let ok = |done: bool, id: &str| done.then(|| t(id));
        ok(matches!(actions.add.value().get(), Some(Ok(()))) || done_without_js::<AddGuardian>(), "managed-done-guardian-added")
            .or_else(|| ok(matches!(actions.remove_guardian.value().get(), Some(Ok(()))) || done_without_js::<RemoveGuardian>(), "managed-done-guardian-removed"))
            .or_else(|| ok(matches!(actions.approve.value().get(), Some(Ok(()))) || done_without_js::<ApprovePendingConsent>(), "managed-done-approved"))
            .or_else(|| ok(matches!(actions.remove.value().get(), Some(Ok(()))) || done_without_js::<RemoveManagedMember>(), "managed-done-removed"))
    };
    view! {
        <div role="status">{move || said().map(|text| view! { <p>{text}</p> })}</div>
        <ErrorSummary error=failure(actions.add.value()) pending=actions.add.pending()/>
        <ErrorSummary error=failure(actions.remove_guardian.value()) pending=actions.remove_guardian.pending()/>
        <ErrorSummary error=failure(actions.approve.value()) pending=actions.approve.pending()/>
        <ErrorSummary error=failure(actions.claim.value()) pending=actions.claim.pending()/>
        <ErrorSummary error=failure(actions.remove.value()) pending=actions.remove.pending()/>
    }
}

#[component]
fn Members(section: ManagedSectionView, household_id: String, actions: Actions) -> impl IntoView {
    let link = section.handover_link.clone();
    let just_made = move || match actions.claim.value().get() {
        Some(Ok(link)) => Some(link),
        _ => link.clone(),
    };
    let list = section.members.iter().cloned().map(|m| member(m, &section, &household_id, actions)).collect_view();
    view! {
        {move || just_made().map(|link| view! {
            <div class="handover-link" id="handover-link" role="status">
                <p>{t("managed-handover-made")}</p>
                <label for="field-handover-link">{t("managed-handover-link-label")}</label>
                <input id="field-handover-link" type="text" readonly=true value=link/>
                <p class="hint">{t("managed-handover-link-note")}</p>
            </div>
        })}
        {if section.members.is_empty() { Some(view! { <p>{t("managed-none")}</p> }) } else { None }}
        <ul class="managed-list">{list}</ul>
        {section.can_create.then(|| view! { <CreateForm household_id=household_id.clone() actions=actions/> })}
    }
}

#[component]
fn CreateForm(household_id: String, actions: Actions) -> impl IntoView {
    let create = actions.create;
    let done = move || matches!(create.value().get(), Some(Ok(()))) || done_without_js::<CreateManagedMember>();
    view! {
        <h3 id="managed-add-heading">{t("managed-add-heading")}</h3>
        <p>{t("managed-add-intro")}</p>
        <div role="status">{move || done().then(|| view! { <p>{t("managed-done-created")}</p> })}</div>
        <ActionForm action=create attr:class="form" attr:novalidate="true">
            <PageField/>
            <input type="hidden" name="household_id" value=household_id/>
            <ErrorSummary error=failure(create.value()) pending=create.pending()
                fields=&[("Given name", "field-managed-given-name"), ("Family name", "field-managed-family-name"), ("Birth date", "field-managed-birth-date")]/>
            <Field label=t("managed-given-name") name="given_name" id="field-managed-given-name" autocomplete="off" required=true
                error=field_error(create.value(), "Given name")/>
            <Field label=t("managed-family-name") name="family_name" id="field-managed-family-name" autocomplete="off"
                error=field_error(create.value(), "Family name")/>
            <Field label=t("managed-birth-date") name="birth_date" id="field-managed-birth-date" kind="date" required=true
                hint=t("managed-birth-date-hint") error=field_error(create.value(), "Birth date")/>
            <button type="submit" disabled=move || create.pending().get()>{t("managed-add-submit")}</button>
        </ActionForm>
    }
}

fn member(m: ManagedView, section: &ManagedSectionView, household_id: &str, actions: Actions) -> AnyView {
    let heading = format!("managed-{}", m.id);
    let may_remove = section.is_owner || m.mine;
    let guardian_names: Vec<String> = m.guardians.iter().map(|g| g.name.clone()).collect();
    let candidates: Vec<PersonView> = section.adults.iter().filter(|a| !m.guardians.iter().any(|g| g.id == a.id)).cloned().collect();
    let last = m.guardians.len() < 2;
    let guardians = m
        .guardians
        .iter()
        .map(|g| {
            let removable = may_remove && !last;
            let (hid, mid, gid, label) = (household_id.to_owned(), m.id.clone(), g.id.clone(), t_with("managed-guardian-remove", &[("name", g.name.clone())]));
            let form = removable.then(move || {
                view! {
                    <ActionForm action=actions.remove_guardian attr:class="inline-form">
                        <PageField/>
                        <input type="hidden" name="household_id" value=hid/>
                        <input type="hidden" name="managed_id" value=mid/>
                        <input type="hidden" name="guardian_id" value=gid/>
                        <button type="submit" class="secondary">{label}</button>
                    </ActionForm>
                }
            });
            view! { <li>{g.name.clone()} " " {form}</li> }
        })
        .collect_view();
    view! {
        <li class="managed-member">
            <h3 id=heading.clone()>{m.name.clone()}</h3>
            {m.birth_date.clone().map(|d| view! { <p>{t_with("managed-born", &[("date", d)])}</p> })}
            <p>{t_with("managed-guardians", &[("names", guardian_names.join(", "))])}</p>
            <ul class="guardian-list" aria-label=t_with("managed-guardians-label", &[("name", m.name.clone())])>{guardians}</ul>
            {m.mine.then(|| add_guardian(&m, candidates, household_id, actions))}
            {m.mine.then(|| pending(&m, actions))}
            {m.mine.then(|| handover(&m, household_id, actions))}
            {may_remove.then(|| remove(&m, household_id, actions))}
        </li>
    }
    .into_any()
}

fn add_guardian(m: &ManagedView, candidates: Vec<PersonView>, household_id: &str, actions: Actions) -> AnyView {
    if candidates.is_empty() {
        return view! { <p>{t("managed-no-adults")}</p> }.into_any();
    }
    let select_id = format!("field-guardian-{}", m.id);
    let options = candidates.into_iter().map(|a| view! { <option value=a.id>{a.name}</option> }).collect_view();
    let (hid, mid, label) = (household_id.to_owned(), m.id.clone(), t_with("managed-guardian-add-label", &[("name", m.name.clone())]));
    view! {
        <ActionForm action=actions.add attr:class="form inline-form">
            <PageField/>
            <input type="hidden" name="household_id" value=hid/>
            <input type="hidden" name="managed_id" value=mid/>
            <div class="field">
                <label for=select_id.clone()>{label}</label>
                <select id=select_id name="guardian_id">{options}</select>
            </div>
            <button type="submit">{t("managed-guardian-add-submit")}</button>
        </ActionForm>
    }
    .into_any()
}

fn pending(m: &ManagedView, actions: Actions) -> AnyView {
    let items = m
        .pending
        .iter()
        .map(|p| {
            let by = match &p.brand {
                Some(brand) => t_with("managed-pending-brand", &[("brand", brand.clone())]),
                None => t("managed-pending-group"),
            };
            let channels = (!p.channels.is_empty()).then(|| format!(" ({})", p.channels.join(", ")));
            let (mid, pid, title, label) = (m.id.clone(), p.purpose_id.clone(), p.title.clone(), t_with("managed-pending-approve", &[("title", p.title.clone())]));
            view! {
                <li>
                    <strong>{title}</strong> " — " {by} {channels}
                    <ActionForm action=actions.approve attr:class="inline-form">
                        <PageField/>
                        <input type="hidden" name="managed_id" value=mid/>
                        <input type="hidden" name="purpose_id" value=pid/>
                        <button type="submit">{label}</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    let empty = m.pending.is_empty();
    view! {
        <h4>{t("managed-pending-heading")}</h4>
        {if empty { Some(view! { <p>{t("managed-pending-none")}</p> }) } else { None }}
        <ul class="pending-list">{items}</ul>
    }
    .into_any()
}

fn handover(m: &ManagedView, household_id: &str, actions: Actions) -> AnyView {
    let Some(opens) = m.claim_opens.clone() else { return ().into_any() };
    if !m.claim_open {
        return view! { <p>{t_with("managed-handover-from", &[("date", opens), ("name", m.name.clone())])}</p> }.into_any();
    }
    let (hid, mid) = (household_id.to_owned(), m.id.clone());
    let (intro, label) = (t_with("managed-handover-intro", &[("name", m.name.clone())]), t_with("managed-handover-submit", &[("name", m.name.clone())]));
    view! {
        <h4>{t("managed-handover-heading")}</h4>
        <p>{intro}</p>
        <ActionForm action=actions.claim attr:class="inline-form">
            <PageField/>
            <input type="hidden" name="household_id" value=hid/>
            <input type="hidden" name="managed_id" value=mid/>
            <button type="submit">{label}</button>
        </ActionForm>
    }
    .into_any()
}

/// Removing erases the profile: the button sits behind a disclosure that says so.
fn remove(m: &ManagedView, household_id: &str, actions: Actions) -> AnyView {
    let name = [("name", m.name.clone())];
    let (hid, mid, label) = (household_id.to_owned(), m.id.clone(), t_with("managed-remove-submit", &name));
    view! {
        <details class="danger-zone">
            <summary>{t_with("managed-remove-summary", &name)}</summary>
            <p>{t_with("managed-remove-explain", &name)}</p>
            <ActionForm action=actions.remove attr:class="inline-form">
                <PageField/>
                <input type="hidden" name="household_id" value=hid/>
                <input type="hidden" name="managed_id" value=mid/>
                <button type="submit" class="danger">{label}</button>
            </ActionForm>
        </details>
    }
    .into_any()
}
