# auth: sign-up, sign-in (every step), recovery and the pages mailed links open.

## Errors of the sign-in steps (server functions)
auth-error-sign-in-failed = Email or password is incorrect, or the account cannot sign in right now.
auth-error-code-failed = That code is not right or has expired. Ask for a new one if needed.
auth-error-code-wrong = That code is not right.
auth-error-code-used = That code has already been used.
auth-error-code-expired = That code has expired, ask for a new one.
auth-error-second-step-required = Enter the code from your authenticator app.
auth-error-second-step-not-mail = You signed in with a mailed code: the second step must be another way.

## Shared
auth-email = Email
auth-password = Password
auth-sign-in = Sign in
auth-sign-in-lead = Sign in to continue to
auth-code-six-digits = 6 digits
auth-back-to-sign-in = Back to sign-in

## /login
auth-login-title = Sign in
auth-login-submit = Sign in
auth-login-passkey = Sign in with a passkey
auth-login-code-link = Email me a sign-in code instead
auth-login-forgot-link = Forgot your password?
auth-login-new-here = New here?
auth-login-register-link = Create an account

## /login/code
auth-code-title = Sign in with a code
auth-code-explain = We send a 6-digit code to your email. It works once, for 10 minutes.
auth-code-send = Email me a code
auth-code-sent = If an account uses that address, a code is on its way. Check your inbox.
auth-code-label = Sign-in code
auth-code-submit = Sign in
auth-code-resend = Send a new code
auth-code-other-address = Use another address
auth-code-other-way = Sign in another way

## /login/second-factor
auth-second-title = Two-step verification
auth-second-remember = Remember this device for 30 days
auth-second-remember-hint = Only on your own device. Signing out your other devices makes every device ask again.
auth-second-passkey-explain = Use your passkey to finish signing in.
auth-second-passkey = Use a passkey
auth-second-explain = Enter the 6-digit code from your authenticator app, one of your recovery codes, or a code we send to your email.
auth-second-mail = Email me a code
auth-second-mail-sent = We sent a code to your email. It works once, for 10 minutes.
auth-second-code = Authentication code
auth-second-code-hint = From your authenticator app, or the code we mailed you: 6 digits.
auth-second-recovery-toggle = Use a recovery code instead
auth-second-recovery = Recovery code
auth-second-recovery-hint = One of the codes you saved when you turned on two-step verification, like abcde-fghjk. Each works once.
auth-second-submit = Verify
auth-second-start-again = Start again

## /register
auth-register-title = Create an account
auth-register-lead = Create an account to continue to
auth-register-password-hint = At least 8 characters. A few unrelated words make a strong password.
auth-register-given-name = Given name
auth-register-family-name = Family name
auth-register-terms = I accept the terms of use
auth-register-submit = Create account
auth-register-or-passkey = or, without a password:
auth-register-passkey = Create account with a passkey
auth-register-passkey-hint = Your device keeps the passkey; you unlock it with your fingerprint, face or screen lock. Leave the password empty.
auth-register-have-account = Already have an account?
auth-strength = Password strength: { $label }
auth-strength-weak = weak
auth-strength-checking = checking…
auth-strength-unknown = not checked yet
auth-strength-strong = strong
auth-strength-very-strong = very strong
auth-strength-checked-on-submit = It is checked when you submit.

## Check your email (after registering)
auth-check-title = Check your email
auth-check-explain = If this address can be used, we sent a message to it. Open the link in the message, or enter its 6-digit code below. The code works for 10 minutes.
auth-check-passkey = If you created your account with a passkey, you can sign in with it now.
auth-check-code = Code
auth-check-submit = Confirm email
auth-check-email-hint = Leave it empty to use the address you just registered.
auth-check-no-mail = No message? Check your spam folder, or register again with the right address.
auth-check-start-over = Register again

## Confirmed address
auth-confirmed-title = Your email address is confirmed
auth-confirmed = Your email address is confirmed.
auth-confirmed-password-removed = Because it was confirmed in a different browser from the one that created the account, the password set at sign-up was removed for safety.
auth-confirmed-set-password = Set a password
auth-confirmed-code = Sign in with a code by email

## /verify
auth-verify-title = Confirm your email
auth-verify-explain = Press the button to confirm this address for your account.
auth-verify-submit = Confirm my email

## /unlock
auth-unlock-title = Unlock your account
auth-unlock-explain = Your account was locked after too many failed sign-ins. Press the button to unlock it.
auth-unlock-submit = Unlock my account
auth-unlock-done = Your account is unlocked. You can sign in again.

## /confirm-email and /undo-email
auth-confirm-new-title = Confirm your new email
auth-confirm-new-explain = Press the button to make this address your account's email.
auth-confirm-new-submit = Confirm new email
auth-confirm-new-done = Your new email address is active.
auth-confirm-new-next = Your account
auth-undo-title = Undo the email change
auth-undo-explain = This restores your previous email address and signs everyone out of the account.
auth-undo-submit = Undo the change
auth-undo-done = Your previous email address is restored and all sessions were ended. Consider resetting your password.
auth-undo-next = Reset your password

## /forgot-password
auth-forgot-page-title = Forgot your password
auth-forgot-title = Forgot your password?
auth-forgot-explain = Enter your email address. If it belongs to an account, we will send a link to choose a new password.
auth-forgot-submit = Send reset link
auth-forgot-sent = If an account uses this address, a reset link is on its way. It works once, for 30 minutes.
auth-forgot-resend = Nothing arrived? Check your spam folder, or send the link again.
auth-forgot-again = Send it again

## /reset-password
auth-reset-title = Choose a new password
auth-reset-password = New password
auth-reset-code = Authentication code
auth-reset-code-hint = Only if you use two-step verification: the 6-digit code from your authenticator app.
auth-reset-submit = Set new password
auth-reset-done = Your password is changed and every session of your account was ended.
