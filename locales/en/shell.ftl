# shell: the page shell (header, footer, language switcher), home, help, 404, the consent page.
shell-skip-to-content = Skip to content
shell-session-nav = Your session
shell-language-nav = Language
shell-your-account = Your account
shell-sign-in = Sign in
shell-sign-out = Sign out
shell-create-account = Create account
shell-mark-home = {$product} home page
shell-brand-with-product = with {$product}
shell-brand-website = {$brand} website
shell-brand-support = Help and support
shell-brand-support-email = Support: {$email}
shell-brand-terms = Terms of use
shell-brand-privacy = Privacy policy
shell-brand-links = {$brand} links
shell-footer-nav = Help and information
shell-footer-help = Help
shell-footer-home = {$product} home
shell-footer-note = {$product}: one account for every brand of the group.

# Home
shell-home-welcome = Welcome
shell-home-lead = {$product} is one account for every brand of the group: sign in once, and decide what each brand may see.
shell-home-what = What your account does
shell-home-what-one = Sign in to every brand of the group with the same email and password, or a passkey.
shell-home-what-share = Choose what each brand receives, see who you share with, and disconnect a brand at any time.
shell-home-what-secure = Protect your account with two-step verification and see where you are signed in.
shell-home-brands-heading = Brands
shell-home-no-brands = No brands use this account yet.
shell-home-hello = Hello
shell-home-hello-name = Hello, {$name}
shell-home-signed-in-lead = Everything about your {$product} account in one place.
shell-home-shortcuts = Your account
shell-home-profile = Profile
shell-home-profile-text = Your name, email address, language and time zone.
shell-home-security = Security
shell-home-security-text = Your password, two-step verification, passkeys and recovery codes.
shell-home-devices = Devices
shell-home-devices-text = Where you are signed in, and signing out elsewhere.
shell-home-brands = Connected brands
shell-home-brands-text = The brands you share details with, and what each receives.
shell-home-activity = Activity
shell-home-activity-text = Recent sign-ins and changes to your account.

# Help
shell-help-title = Help
shell-help-lead = Answers to the questions people ask most about their {$product} account.
shell-help-sign-in-q = How do I sign in?
shell-help-sign-in-a = Use the email address and password of your {$product} account, or a passkey if you added one. On a brand’s site, choose its sign-in button: it brings you here and back.
shell-help-password-q = I forgot my password
shell-help-password-a = Ask for a reset link: we send it to your email address. The link works once and for a short time. If you use two-step verification, you still need your code after the reset.
shell-help-password-link = Reset your password
shell-help-code-q = Can I sign in without a password?
shell-help-code-a = Yes: ask for a one-time code by email, or use a passkey on this device.
shell-help-code-link = Sign in with a code by email
shell-help-two-step-q = What is two-step verification?
shell-help-two-step-a = After your password, you also enter a code from an authenticator app. Someone who learns your password still cannot sign in. Turn it on under Security.
shell-help-lost-q = I lost the phone with my authenticator app
shell-help-lost-a = Sign in with one of the recovery codes you saved when you turned on two-step verification. Each code works once. Then set up the app again on your new phone and make new recovery codes.
shell-help-brands-q = What do the brands see?
shell-help-brands-a = A brand receives only the details you allowed when you first signed in there. Under Connected brands you see what each receives and can disconnect it; {$product} then ends its access.
shell-help-language-q = How do I change the language?
shell-help-language-a = Choose your language at the top of any page. We remember the choice on this device.

# 404
shell-not-found-title = Page not found
shell-not-found-text = There is nothing at this address. It may have moved, or the link may be mistyped.

# Development mailbox
shell-dev-mail-title = Development mailbox
shell-dev-mail-lead = Mail sent while no mail server is configured, newest first. Reload to see new messages.
shell-dev-mail-empty = No mail yet.
shell-dev-mail-to = To {$to}
shell-dev-mail-unavailable = Mail unavailable

# Service status (operator view)
shell-status-title = Service status
shell-status-lead = Ask the server whether its database is reachable.
shell-status-check = Check status
shell-status-checking = Checking…
shell-status-ready = ready
shell-status-not-reachable = not reachable
shell-status-database = Database: {$backend}, {$state}
shell-status-backlog = Outbox backlog: {$count}
shell-status-unavailable = Status unavailable: {$reason}

# Consent
shell-consent-title = Share your details
shell-consent-sign-in-title = Please sign in
shell-consent-session-ended = Your session ended. Sign in again to continue.
shell-consent-cannot-continue = This sign-in cannot continue
shell-consent-too-long = This sign-in took too long. Please go back to the site and start again.
shell-consent-heading = {$brand} wants to access your account
shell-consent-will-be-able = What {$brand} will receive from {$product}
shell-consent-requested-by = Requested by {$client}. You can disconnect {$brand} at any time in
shell-consent-already-shared = already shared
shell-consent-allow = Allow
shell-consent-deny = Deny
shell-consent-signed-in-as = Signed in as
shell-consent-not-you = — not you?
shell-consent-switch = Use another account
shell-scope-openid = Who you are (an account identifier)
shell-scope-profile = Your name, birth date and language
shell-scope-email = Your email address
shell-scope-phone = Your phone number
shell-scope-address = Your postal address
shell-scope-offline-access = Stay connected while you are not signed in
shell-scope-other = Access on your behalf

# Confirming the email during a brand's sign-in
shell-confirm-title = Confirm your email to continue to {$brand}
shell-confirm-text = {$brand} can only use a confirmed address. We sent a message to {$email}: open the link in it, or enter its 6-digit code here.
shell-confirm-code = Code
shell-confirm-code-hint = 6 digits
shell-confirm-submit = Confirm email
shell-confirm-no-message = No message? Check your spam folder, or ask for a new one.
shell-confirm-resend = Send the email again
shell-confirm-sent-again = We sent a new message to {$email}.
shell-confirm-have-confirmed = I have confirmed it — continue
shell-confirm-cancel = Cancel and go back to {$brand}
shell-confirm-done-title = Email confirmed
shell-confirm-done-text = Your address is confirmed. {$brand} can now receive it.
shell-confirm-continue-to = Continue to {$brand}
shell-footer-privacy = Privacy notice
shell-footer-terms = Terms of use
