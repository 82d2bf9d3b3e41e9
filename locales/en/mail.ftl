# Mails (identity::email). $product is the identity's name for customers (FOYER_PRODUCT_NAME).
mail-footer = Sent by {$product}. You receive this because of an account at this address.
mail-brand-header = {$brand} uses {$product} for your account.
mail-code-line = Or enter this code: {$code}. It works once, for 10 minutes.

mail-test-subject = {$product} test message
mail-test-body = This message confirms that {$product} can deliver email with its current settings.
mail-test-link = Open {$product}

mail-staff-subject = Your staff account for {$product}
mail-staff-body = An account for {$product} with the {$role} role was created for this address.
mail-staff-enrol = The operator who created it will give you a one-time enrolment link, where you choose your password and set up an authenticator app. If you did not expect this, tell your security team.
mail-staff-link = Sign in to {$product}

mail-verify-subject = Confirm your email address
mail-verify-body = Confirm this address to finish creating your {$product} account.
mail-verify-link = Confirm my email
mail-verify-ignore = If you did not create an account, ignore this message.

mail-attempt-subject = Someone tried to create an account with your address
mail-attempt-body = Someone tried to create a {$product} account with this email address, which already has one. Nothing was changed.
mail-attempt-login = Sign in
mail-attempt-reset = Forgot your password? Reset it
mail-attempt-ignore = If this was not you, you can ignore this message.

mail-code-subject = Your sign-in code: {$code}
mail-code-body = Enter this code to sign in to {$product}: {$code}
mail-code-expiry = It works once, for 10 minutes. Nobody from {$product} will ever ask you for it.
mail-code-ignore = If you did not try to sign in, ignore this message: without the code nobody can use it.

mail-unlock-subject = Your account was locked
mail-unlock-body = There were too many failed attempts to sign in to your {$product} account, so we locked it to protect you.
mail-unlock-link = Unlock my account
mail-unlock-expiry = The link works once, for 30 minutes. If the attempts were not yours, consider changing your password after you unlock.

mail-reset-subject = Reset your password
mail-reset-body = We received a request to reset the password of your {$product} account.
mail-reset-link = Choose a new password
mail-reset-expiry = The link works once, for 30 minutes. If you did not ask for it, ignore this message; your password stays as it is.

mail-password-changed-subject = Your password was changed
mail-password-changed-body = The password of your {$product} account was just changed, and you were signed out everywhere else.
mail-password-changed-link = Not you? Reset your password now

mail-change-confirm-subject = Confirm your new email address
mail-change-confirm-body = Confirm this address to make it the email of your {$product} account.
mail-change-confirm-link = Confirm my new email

mail-changed-subject = Your email address was changed
mail-changed-body = The email address of your {$product} account was changed to a new one. Mail will no longer come here.
mail-changed-link = Not you? Undo the change
mail-changed-expiry = The undo link works for 7 days and signs everyone out of the account.

mail-new-sign-in-subject = New sign-in to your account
mail-new-sign-in-body = Your {$product} account was signed in to from a device we have not seen before: {$device}, on {$when}.
mail-new-sign-in-fine = If this was you, there is nothing to do.
mail-new-sign-in-link = Not you? Review your devices

mail-factor-subject = A change to how you sign in
mail-factor-totp-added = An authenticator app was added to your {$product} account as a second step for signing in.
mail-factor-totp-removed = The authenticator app was removed from your {$product} account: signing in needs only your password now.
mail-factor-recovery-renewed = New recovery codes were created for your {$product} account; the old ones no longer work.
mail-factor-passkey-added = A passkey named “{$name}” was added to your {$product} account.
mail-factor-passkey-removed = The passkey “{$name}” was removed from your {$product} account.
mail-factor-passkey-flagged = Your passkey “{$name}” for {$product} answered in a way that suggests it was copied, so we blocked it. Remove it and add it again.
mail-factor-link = Not you? Review your security settings

mail-cleared-subject = We removed what was set up before your address was confirmed
mail-cleared-why-reset = The password of your {$product} account was reset before its email address was confirmed.
mail-cleared-why-confirmed = Your email address is confirmed. It was confirmed in a different browser from the one that created the account.
mail-cleared-what = Until an address is confirmed, anyone could have set the account up, so we removed what it held: {$what}.
mail-cleared-password = Because of that, the password set at sign-up was removed for safety: set a password, or sign in with a code by email.
mail-cleared-again = If that was you, sign in and set it up again.
mail-cleared-set-password = Set a password
mail-cleared-code = Sign in with a code by email
mail-cleared-sign-in = Sign in
mail-cleared-no-password = No password yet, or one you did not choose? Set a new one:
mail-cleared-new-password = Set a new password
mail-removed-nothing = nothing
mail-removed-password = the password set at sign-up
mail-removed-app = the authenticator app
mail-removed-passkeys = { $n ->
    [one] 1 passkey
   *[other] {$n} passkeys
}
mail-removed-recovery-codes = { $n ->
    [one] 1 recovery code
   *[other] {$n} recovery codes
}
mail-removed-sessions = { $n ->
    [one] 1 signed-in session
   *[other] {$n} signed-in sessions
}
mail-removed-devices = { $n ->
    [one] 1 remembered device
   *[other] {$n} remembered devices
}
mail-removed-grants = { $n ->
    [one] 1 sign-in at a brand or app
   *[other] {$n} sign-ins at brands and apps
}
mail-removed-email-changes = { $n ->
    [one] 1 pending change of the email address
   *[other] {$n} pending changes of the email address
}
mail-list-and = {$rest} and {$last}

# Support actions (identity::admin::actions): what the customer is told.
mail-support-locked-subject = Your account was locked by our support team
mail-support-locked-body = Our support team locked your {$product} account and signed it out everywhere, the brands and apps connected to it included. Nobody can sign in to it until support unlocks it.
mail-support-locked-contact = If you did not expect this, contact support: the links in earlier unlock mails no longer work.
mail-support-unlocked-subject = Your account was unlocked
mail-support-unlocked-body = Our support team unlocked your {$product} account. You can sign in again.
mail-support-sign-in-link = Sign in
mail-support-signed-out-subject = You were signed out everywhere
mail-support-signed-out-body = Our support team signed your {$product} account out on every device and ended the access of the brands and apps connected to it. Sign in again to continue; the brands and apps will ask you to sign in again too.
mail-support-signed-out-not-you = If you did not ask for this, change your password after you sign in.
mail-support-profile-subject = A detail of your profile was corrected
mail-support-profile-body = Our support team corrected this detail of your {$product} profile: {$field}.
mail-support-profile-check = You can see and change your profile at any time. If you did not ask for this, contact support.
mail-support-profile-link = Open my profile
mail-support-consent-subject = We recorded your choice
mail-support-consent-body = Our support team recorded the choice you gave by phone for “{$purpose}” ({$controller}): { $decision ->
    [granted] you agreed.
    [pending] you agreed; it takes effect once a guardian approves.
    [withdrawn] you withdrew your agreement.
   *[other] you declined.
}
mail-support-consent-change = You can change it at any time on your privacy page.
mail-support-consent-link = Open my privacy page
mail-support-factors-subject = Your two-step verification was reset
mail-support-factors-body = After checking your identity, our support team removed the authenticator app, the recovery codes and the remembered devices from your {$product} account, and signed it out everywhere. Your password and your passkeys are unchanged.
mail-support-factors-next = Sign in, then set up two-step verification again on your security page.
mail-support-factors-not-you = If you did not ask for this, contact support at once.
mail-support-factors-link = Open my security page
