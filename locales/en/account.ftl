# account: the signed-in customer's pages (profile, devices, activity, connected brands)
# and the account navigation (app/src/pages/account/, app/src/api/settings.rs).
account-nav-label = Account
account-nav-profile = Profile
account-nav-security = Security
account-nav-devices = Your devices
account-nav-activity = Activity
account-nav-brands = Connected brands
account-nav-privacy = Privacy
account-loading = Loading…
account-signed-out = Please sign in to see your account.
account-sign-in = Sign in
account-cancel = Cancel

# Profile
account-profile-title = Your profile
account-verify-heading = Confirm your email address
account-verify-sent-to = We sent a confirmation link to { $email }. Brands can use your account once the address is confirmed.
account-verify-resend = Send the email again
account-verify-resent = Sent. Check your inbox.
account-profile-name = Name
account-profile-given-name = Given name
account-profile-family-name = Family name
account-profile-display-name = Display name
account-profile-display-name-hint = How brands greet you.
account-profile-preferences = Contact and preferences
account-profile-language = Language
account-profile-language-hint = The language of these pages and of our emails.
account-profile-language-browser = As my browser is set
account-profile-zone = Time zone
account-profile-zone-hint = Times on these pages are shown in this zone.
account-profile-zone-browser = As my device is set
account-profile-phone = Phone
account-profile-phone-hint = International format, starting with +.
account-profile-birth-date = Birth date
account-profile-address = Address
account-profile-street = Street address
account-profile-city = City
account-profile-region = Region
account-profile-postal-code = Postal code
account-profile-country = Country
account-profile-country-hint = Two-letter code, like GB or DE.
account-profile-save = Save profile
account-profile-saved = Profile saved.

# Devices
account-devices-title = Your devices
account-devices-intro = These browsers are signed in to your account. Sign out any you do not recognise, then change your password.
account-device-on = {$browser} on {$os}
account-devices-unknown = Unknown browser
account-devices-this = This device
account-devices-signed-in = Signed in
account-devices-last-seen = last seen
account-devices-sign-out = Sign out
account-devices-sign-out-label = Sign out { $device } (last seen { $when })
account-devices-ended = That device was signed out.
account-devices-end-others = Sign out all other devices
account-devices-end-others-heading = Sign out all other devices?
account-devices-end-others-text = Every other browser signed in to your account is signed out at once. This device stays signed in.
account-devices-end-others-confirm = Yes, sign out the other devices
account-devices-ended-others = All other devices were signed out.
account-devices-ended-others-count = All other devices were signed out (sessions ended: { $n }).

# Activity
account-activity-title = Account activity
account-activity-intro = Sign-ins, failed attempts and changes to your account, newest first.
account-activity-empty = Nothing yet.
account-activity-unknown-device = an unknown device
account-activity-registered = Account created
account-activity-imported = Account imported
account-activity-email-verified = Email address confirmed
account-activity-signed-in = { $how ->
    [mfa] Signed in with two steps
    [passkey] Signed in with a passkey
    [code] Signed in with a code sent by email
   *[password] Signed in
}{ $new ->
    [yes] {" "}from a new device
   *[no] {""}
}: { $device }
account-activity-login-failed = Failed sign-in attempt: { $device }
account-activity-locked = Account locked after too many failed sign-ins
account-activity-unlocked = Account unlocked
account-activity-reauthenticated = Password confirmed
account-activity-reauthenticated-passkey = Confirmed it's you with a passkey
account-activity-totp-enabled = Authenticator app turned on
account-activity-totp-disabled = Authenticator app removed
account-activity-recovery-codes-regenerated = New recovery codes created
account-activity-recovery-code-used = A recovery code was used
account-activity-mfa-failed = A wrong two-step code was entered
account-activity-passkey-added = Passkey added
account-activity-passkey-renamed = Passkey renamed
account-activity-passkey-removed = Passkey removed
account-activity-passkey-flagged = Passkey blocked: it answered like a copy
account-activity-device-remembered = Device remembered for 30 days: { $device }
account-activity-password-reset-requested = Password reset requested
account-activity-password-reset = Password reset
account-activity-password-changed = Password changed
account-activity-provisional-cleared = Everything set up before the address was confirmed was removed
account-activity-email-change-requested = Email change requested
account-activity-email-changed = Email address changed
account-activity-email-change-undone = Email change undone
account-activity-profile-updated = Profile updated
account-activity-session-ended = Signed out a device
account-activity-sessions-ended-others = Signed out all other devices
account-activity-brand-connected = Shared your details with a brand
account-activity-brand-declined = Declined to share your details with a brand
account-activity-brand-disconnected = Disconnected a brand
account-activity-brands-signed-out = Signed out of the brands' sites
account-activity-token-reused = A brand's sign-in was used twice and was stopped to protect you
account-activity-token-retried = A brand's app renewed its sign-in again because the first answer did not reach it
account-activity-support-locked = Our support team locked your account
account-activity-support-unlocked = Our support team unlocked your account
account-activity-support-reset-link-sent = Our support team sent you a password reset link
account-activity-support-verification-resent = Our support team sent the address confirmation again
account-activity-support-sessions-ended = Our support team signed you out everywhere
account-activity-support-profile-corrected = Our support team corrected a detail of your profile
account-activity-support-phone-consent = Our support team recorded a choice you gave by phone
account-activity-support-second-factors-reset = Our support team reset your two-step verification
account-activity-support-loyalty-decided = Our support team decided on a loyalty membership
account-activity-other = Other account change

# Connected brands
account-brands-title = Connected brands
account-brands-intro = These brands can see some of your details because you allowed it when you signed in on one of their sites. Disconnect a brand to stop sharing: it will ask again the next time you sign in there.
account-brands-none = No brands are connected to your account yet.
account-brands-website = { $brand } website
account-brands-receives = Receives:
account-brands-connected-since = Connected since
account-brands-last-used = Last used
account-brands-disconnect = Disconnect
account-brands-disconnect-label = Disconnect { $brand }
account-brands-disconnect-heading = Disconnect { $brand }?
account-brands-disconnect-text = { $brand } will no longer see your details, and you will be signed out on its sites. It asks again the next time you sign in there.
account-brands-disconnect-confirm = Yes, disconnect { $brand }
account-brands-disconnected = { $brand } was disconnected. It can no longer see your details, and you were signed out there.
account-brands-disconnected-plain = The brand was disconnected. It can no longer see your details, and you were signed out there.
account-scope-openid = Know who you are (an account identifier)
account-scope-profile = Your name, birth date, language and time zone
account-scope-email = Your email address
account-scope-phone = Your phone number
account-scope-address = Your postal address
account-scope-offline-access = Stay connected while you are not using their site
account-scope-consents = Your consent choices for them (what you agreed to)
account-scope-other = Access on your behalf
