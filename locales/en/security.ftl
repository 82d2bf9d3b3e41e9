# security: the Security page (app::pages::account::security), step-up, password field tools.
security-title = Security
security-loading = Loading…
security-cancel = Cancel

# The summary line (formatted on the server: selectors).
security-summary-two-step-on = Two-step verification on
security-summary-two-step-off = Two-step verification off
security-summary-passkeys = { $n ->
    [0] no passkeys
    [one] 1 passkey
   *[other] { $n } passkeys
}
security-summary-devices = { $n ->
    [one] 1 signed-in device
   *[other] { $n } signed-in devices
}

# Password
security-password-heading = Password
security-passwordless-before = You sign in with passkeys only. To add a password as well, use
security-passwordless-link = Forgot your password?
security-passwordless-after = to set one by mail.
security-change-password-heading = Change your password
security-current-password = Current password
security-new-password = New password
security-code-label = Authentication code
security-code-hint-if-two-step = Only if you use two-step verification.
security-sign-out-apps = Sign out of connected brands and apps too
security-sign-out-apps-hint = Ends their access, including apps that stay signed in while you are away.
security-change-password-submit = Change password
security-password-changed = Your password is changed. Your other devices were signed out.
security-current-password-wrong = Your current password is not right.
security-password-or-code-wrong = Your current password or the authentication code is not right.
security-password-or-code-wrong-code = Check the authentication code too: it may be wrong, used or expired.
security-code-required = Enter the code from your authenticator app or a recovery code.

# Password field tools (components::password)
security-password-show = Show password
security-password-caps-lock = Caps Lock is on.

# Email
security-email-heading = Change your email
security-email-intro = We send a confirmation to the new address; your email changes once you confirm it. Your current address is told, with a way to undo.
security-new-email = New email
security-email-submit = Change email
security-email-sent = Check the new address: we sent it a confirmation link and code.

# Confirm it's you (components::step_up)
security-step-up-intro = For your security, confirm it's you to continue.
security-step-up-passkey = Confirm with a passkey
security-step-up-or-password = or with your password:
security-step-up-password = Password
security-step-up-code-hint = Only if you use two-step verification: from your app, or a recovery code.
security-step-up-submit = Confirm and continue
security-step-up-done = Thank you, that's confirmed. Now do what you started once more.

# Recovery codes
security-codes-heading = Your recovery codes
security-codes-intro = Store these somewhere safe. Each works once, if you lose your authenticator app. They will not be shown again.
security-codes-intro-passkey = Your passkey now also protects sign-ins with your password. Store these codes somewhere safe: each works once if you lose your passkey. They will not be shown again.
security-codes-download = Download as a text file
security-codes-copy = Copy the codes
security-codes-copied = Copied.
security-codes-file-name = recovery-codes.txt
security-codes-file-heading = Your recovery codes. Each works once.
security-codes-left = Recovery codes left: { $n }
security-codes-regenerate = Create new recovery codes

# Two-step verification
security-two-step-heading = Two-step verification
security-two-step-on-app = Two-step verification is on: signing in with your password asks for a code from your authenticator app.
security-two-step-on-passkey = Two-step verification is on: signing in with your password asks for your passkey.
security-two-step-app-offer = You can also use a code from an authenticator app on your phone as the second step.
security-two-step-turn-off = Turn off two-step verification
security-two-step-off-question = Turn off two-step verification?
security-two-step-off-explain = Signing in with your password will no longer ask for a code, and your recovery codes stop working.
security-two-step-off-confirm = Turn off
security-two-step-turned-off = Two-step verification is off.
security-totp-set-up = Set up an authenticator app
security-totp-scan = Scan this code with your authenticator app:
security-totp-qr-label = QR code for your authenticator app
security-totp-or-type = Or type this secret key:
security-totp-code-hint = The 6 digits your app shows now.
security-totp-turn-on = Turn on two-step verification
security-totp-code-wrong = That code is not right. Enter the 6 digits your app shows now.

# Passkeys
security-passkeys-heading = Passkeys
security-passkeys-intro = Sign in with your fingerprint, face or screen lock instead of a password. Passkeys cannot be phished or guessed.
security-passkeys-none = You have no passkeys yet.
security-passkeys-need-js = Adding a passkey needs your browser's passkey support: it appears here once the page has finished loading.
security-passkeys-unsupported = This browser cannot create passkeys.
security-passkey-name = Passkey name
security-passkey-name-hint = So you can tell your passkeys apart, e.g. "Work laptop".
security-passkey-add = Add a passkey
security-passkey-added = Your passkey was added.
security-passkey-synced = synced
security-passkey-created = Added
security-passkey-last-used = last used
security-passkey-never-used = never used
security-passkey-flagged = Blocked: this passkey answered like a copy of itself. Remove it and add it again.
security-passkey-rename = Rename
security-passkey-new-name = New name for { $name }
security-passkey-save-name = Save name
security-passkey-remove = Remove
security-passkey-remove-question = Remove the passkey "{ $name }"?
security-passkey-remove-explain = You can no longer sign in with it. The device keeps it until you delete it there too.
security-passkey-remove-confirm = Remove passkey

# Passkey ceremonies in the browser (components::passkey)
security-passkey-replaced = The passkey request was replaced by another one.
security-passkey-cancelled = The passkey request was cancelled or timed out.
security-passkey-already-registered = This passkey is already registered with your account.
security-passkey-insecure = Passkeys are not available on this address.
security-passkey-failed = Your browser could not use a passkey.
security-passkey-needs-js = Passkeys need a browser with JavaScript.
