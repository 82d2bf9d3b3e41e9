# Your data: export and account deletion (app pages/account/privacy/data.rs, identity::privacy).
account-nav-data = Your data
data-title = Your data
data-intro = Download a copy of everything we hold about you, or delete your account.

data-export-heading = Download my data
data-export-intro = One file (JSON) with your profile, your sign-in methods (never passwords, keys or codes), your devices and sessions, the brands you connected, your consents with their full history, and your account activity.
data-export-submit = Prepare my download
data-export-ready = Your download is ready. The link works once, for 15 minutes.
data-export-link = Download my data (JSON)
data-export-mailed = We have emailed you that a download was prepared.
data-export-expired = This download link was already used, has expired or belongs to another account. Prepare a new download below.
data-export-failed = The download could not be prepared. Please try again.

data-delete-heading = Delete my account
data-delete-intro = Your account and everything in it will be deleted { $days } days after you ask. Until then you can change your mind: sign in and choose “Cancel deletion”.
data-delete-ends = You will be signed out everywhere at once, and the brands you use with this account are told.
data-delete-kept = What stays: the record of your consent decisions and the security log, under a code that no longer leads to you, because the law asks us to be able to prove them.
data-delete-confirm-label = Type your email address to confirm
data-delete-confirm-hint = The address you sign in with. We ask for it so that the right account goes.
data-delete-submit = Delete my account

error-reason-deletion-confirmation = This is not the email address of this account. Type it exactly to confirm.

data-held-title = Your account is scheduled for deletion
data-held-body = Your account will be deleted on { $when }. Do you want to keep it?
data-held-cancel = Cancel deletion
data-held-sign-out = Sign out
data-scheduled-title = Your account will be deleted
data-scheduled-body = We have signed you out everywhere. Your account will be deleted on { $when }; we have emailed you this date.
data-scheduled-cancel-hint = Changed your mind? Sign in before then and choose “Cancel deletion”.
data-scheduled-sign-in = Sign in
data-held-none = No deletion is waiting for your decision here.

data-activity-export-created = Data download prepared
data-activity-export-downloaded = Data downloaded
data-activity-deletion-requested = Account deletion requested
data-activity-deletion-cancelled = Account deletion cancelled

mail-data-export-subject = A copy of your data was prepared
mail-data-export-body = A download of your {$product} data was prepared on {$when} from {$device}.
mail-data-export-expiry = The download link works once, for 15 minutes, and only while signed in.
mail-data-export-not-you = If this was not you, change your password and review your devices now.
mail-data-export-link = Review your data
mail-data-deletion-subject = Your account will be deleted
mail-data-deletion-body = You asked us to delete your {$product} account. It will be deleted on {$when}.
mail-data-deletion-signed-out = You have been signed out everywhere, and the brands you used it with were told.
mail-data-deletion-cancel = Changed your mind? Sign in before then and choose “Cancel deletion”.
mail-data-deletion-link = Sign in to cancel
mail-data-cancelled-subject = Your account will not be deleted
mail-data-cancelled-body = You cancelled the deletion of your {$product} account. Everything stays as it was.
mail-data-cancelled-link = Open your account
mail-data-erased-subject = Your account was deleted
mail-data-erased-body = Your {$product} account was deleted as you asked: your profile, sign-in methods, devices and connections are gone, and the brands were told.
mail-data-erased-kept = The record of your consent decisions and the security log remain under a code that no longer leads to you. This is the last message we send to this address.
