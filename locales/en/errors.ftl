# Errors shown to customers (app::error). Plain patterns: the browser formats these.
error-fields = Please correct the fields marked below.
error-sign-in-required = Please sign in to continue.
error-reauth-required = Please confirm your password to continue.
error-second-factor-required = Enter the code from your authenticator app or a recovery code.
error-throttled = Too many attempts. Try again in {$seconds} seconds.
error-forbidden = You are not allowed to do that.
error-busy = We are busy right now. Please try again in a moment.
error-internal = Something went wrong on our side. Please try again.
error-bad-request = That request could not be read. Please reload the page and try again.
error-summary-title = There is a problem
error-network = We could not reach the server. Check your connection and try again.
error-token-invalid = This link or code is invalid or has expired.
error-login-failed = Email or password is incorrect, or the account cannot sign in right now.
error-code-failed = That code is not right or has expired. Ask for a new one if needed.
error-not-found = That no longer exists. Please reload the page.
error-not-found-passkey = That passkey was not found. Please reload the page.
error-conflict = That exists already.
error-conflict-passkey = That passkey is already registered.

# Field errors from the core (app::error::field_message); $field is a name below.
error-missing = {$field} is required.
error-too-long = {$field} is too long (at most {$max} characters).
error-malformed = {$field} is not valid.
error-reason-control-characters = {$field} is not valid: it contains control characters
error-reason-email-spaces = {$field} is not valid: it contains spaces or control characters
error-reason-email-shape = {$field} is not valid: it should look like name@example.com
error-reason-email-domain = {$field} is not valid: the domain needs a dot, like example.com
error-reason-terms = Please accept the terms to create an account.
error-reason-password-too-short = Use at least 8 characters.
error-reason-password-too-long = Use at most 1024 characters.
error-reason-password-personal = Don't use your name or email address in your password.
error-reason-password-weak = This password is too easy to guess. Add another word or two; uncommon words are better.
error-reason-same-email = This is already your email address.
error-reason-email-unusable = This address cannot be used. Choose another one.
error-reason-totp-already-set = An authenticator app is already set up.
error-reason-passkey-name = Give the passkey a name of 1 to 60 characters.
error-reason-phone = {$field} is not valid: use the international format, like +44 20 7946 0958
error-reason-language-tag = {$field} is not valid: choose one of the languages offered
error-reason-time-zone = {$field} is not valid: choose a time zone from the list, like Europe/Berlin
error-reason-date = {$field} is not valid: use a real date as YYYY-MM-DD
error-reason-date-in-future = {$field} is not valid: it is in the future
error-reason-date-too-old = {$field} is not valid: it is more than 130 years ago
error-reason-country = {$field} is not valid: use the two-letter code, like GB or DE
error-reason-postal-code = {$field} is not valid: use letters, digits, spaces and dashes

# Why an action cannot be done (identity::Refusal).
error-refused-confirm-email-first = Confirm your email address first: use the link or code we mailed you when you signed up (your profile page can send a new one). Until then nothing can be added to the account.
error-refused-passkey-not-verified = The passkey could not be verified. Please try again.
error-refused-too-many-passkeys = An account can have at most {$max} passkeys.
error-refused-last-passkey = This is your only way to sign in. Add another passkey first, or set a password with “Forgot your password?” on the sign-in page.

# Field names as the messages above name them.
error-field-email = Email
error-field-password = Password
error-field-new-password = New password
error-field-new-email = New email
error-field-given-name = Given name
error-field-family-name = Family name
error-field-display-name = Display name
error-field-terms = Terms
error-field-code = Code
error-field-name = Name
error-field-phone = Phone
error-field-time-zone = Time zone
error-field-language = Preferred language
error-field-birth-date = Birth date
error-field-country = Country
error-field-postal-code = Postal code
error-field-street = Street address
error-field-city = City
error-field-region = Region
error-sessions-unavailable = Sign-in is unavailable right now. Please try again in a moment.
error-sign-in-timed-out = Your sign-in timed out. Please start again.
error-passkey-expired = The passkey request expired. Please try again.
