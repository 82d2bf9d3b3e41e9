# Delegations and acting for another member (identity::households::delegation, app pages/account/household/delegations.rs).

## The household page's section
delegation-section-title = Permissions between members
delegation-section-intro = You can let another adult of your household do named things in your account for a limited time, at most one year. They never reach your password, sign-in methods, devices, sessions or security settings, and everything they do appears in your activity. You can revoke a permission at any time.
delegation-given-title = Permissions you gave
delegation-received-title = Permissions you hold
delegation-none-given = You have not given anyone permissions.
delegation-none-received = Nobody has given you permissions.
delegation-to = To { $name }
delegation-from = From { $name }
delegation-until = Until { $date }
delegation-permission-view-profile = See the profile (names, birth date, address)
delegation-permission-manage-consents = Manage consents and preferences
delegation-permission-manage-loyalty = Manage loyalty memberships
delegation-permission-manage-profile = Change the profile
delegation-permission-approve-consents = Approve consents waiting for a guardian
delegation-permission-act-at-brand = Sign in at { $brand } on your behalf
delegation-permission-act-at-brand-any = Sign in at a brand on your behalf (choose the brand below)
delegation-renew = Renew until
delegation-renew-submit = Renew
delegation-revoke = Revoke
delegation-revoke-label = Revoke the permissions you gave { $name }
delegation-decline = Decline
delegation-decline-label = Decline the permissions { $name } gave you
delegation-grant-title = Give permissions
delegation-grant-member = Member
delegation-grant-permissions = What they may do
delegation-grant-brand = Brand (only for signing in on your behalf)
delegation-grant-brand-none = No brand
delegation-grant-until = Last day (at most one year from today)
delegation-grant-submit = Give permissions
delegation-grant-no-members = There is no other adult in your household yet.
delegation-done = Saved.

## Acting for someone
delegation-act-title = Act for someone
delegation-act-for = Act for { $name }
delegation-act-via-guardian = You are { $name }'s guardian.
delegation-act-via-delegation = Allowed until { $date }.
delegation-banner-label = Acting for someone else
delegation-banner = You are acting for { $name }. What you change here changes their account.
delegation-banner-back = Back to my account

## The consent screen's chooser (a brand that accepts delegated sign-ins)
delegation-chooser-heading = Sign in to { $brand }
delegation-chooser-question = Whom are you signing in as?
delegation-chooser-self = As myself ({ $me })
delegation-chooser-self-hint = { $brand } sees your own account.
delegation-chooser-for = On behalf of { $name }
delegation-chooser-for-hint = { $brand } sees { $name }'s account and is told that you ({ $me }) are acting for them. { $name } gave you this permission and can end it at any time.

## The activity page
delegation-activity-by = by { $name } on your behalf
delegation-activity-for = on behalf of { $name }
delegation-activity-someone = a former household member
delegation-activity-granted = Permissions were given between household members
delegation-activity-renewed = Permissions between household members were renewed
delegation-activity-revoked = Permissions between household members ended
delegation-activity-signed-in-on-behalf = Signed in at a brand on someone's behalf
delegation-activity-token-exchanged = A brand received access on someone's behalf
