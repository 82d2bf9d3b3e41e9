## Loyalty memberships (docs/design/loyalty.md): errors and mails

error-reason-loyalty-number = {$field} is not valid: check the number on your card

mail-loyalty-code-subject = Your code to link your { $programme } membership
mail-loyalty-code-body = Someone asked to link the { $programme } membership registered to this address to a { $product } account. To confirm it, enter this code: { $code }
mail-loyalty-code-expiry = The code is valid for 10 minutes.
mail-loyalty-code-ignore = If you did not ask for this, ignore this message: nothing is linked without the code.
mail-loyalty-taken-subject = Someone tried to link your { $programme } membership
mail-loyalty-taken-body = Someone tried to link the { $programme } membership ending in { $last4 } to another { $product } account. It stays linked to yours only.
mail-loyalty-taken-action = If that was you with a second account, you can ignore this message. Otherwise nothing needs doing, but keep your card number to yourself.
mail-loyalty-linked-subject = Your { $programme } membership is linked
mail-loyalty-linked-body = { $brand } confirmed the { $programme } membership ending in { $last4 }. It is now linked to your { $product } account.
mail-loyalty-rejected-subject = Your { $programme } membership was not linked
mail-loyalty-rejected-body = { $brand } did not confirm the { $programme } membership ending in { $last4 }, so it is not linked to your { $product } account. If you think this is wrong, contact { $brand }.

## The page /account/loyalty

account-nav-loyalty = Loyalty
loyalty-title = Loyalty memberships
loyalty-intro = Link your loyalty cards once: the brands you use see the memberships you proved are yours, with the tier and balance the programme reports.
loyalty-list-heading = Your memberships
loyalty-none = No membership is linked yet.
loyalty-membership = { $programme } ({ $brand })
loyalty-number = Number { $number }
loyalty-status-pending = Pending
loyalty-status-verified = Verified
loyalty-status-rejected = Not confirmed
loyalty-since = since
loyalty-pooled = pooled with your household
loyalty-tier = Tier: { $tier }
loyalty-points = Balance: { $points } points
loyalty-reported = As reported by the programme
loyalty-rejected-note = { $brand } did not confirm this membership. If you think this is wrong, contact { $brand }.
loyalty-unlink = Unlink { $programme }
loyalty-code-label = Code from the email
loyalty-code-hint = We sent a six-digit code to the address the programme has on file for this card.
loyalty-code-submit = Confirm membership
loyalty-code-expired = The code has expired or was used up.
loyalty-resend = Send a new code
loyalty-waiting-brand = Waiting for { $brand } to confirm that this card is yours.
loyalty-waiting-support = Waiting for our support team to confirm that this card is yours.
loyalty-link-heading = Link a membership
loyalty-link-intro = Choose the programme and enter the number on your card. We check that the card is yours before any brand sees it.
loyalty-no-programmes = No loyalty programme can be linked yet.
loyalty-programme-label = Programme
loyalty-number-label = Member number
loyalty-card-code-label = Code on the card
loyalty-card-code-hint = Only for programmes that print a code on the card.
loyalty-link-submit = Link membership
loyalty-done-verified = Linked and verified.
loyalty-done-code-sent = We sent a code to the address the programme has on file for this card. Enter it below.
loyalty-done-pending = Requested. The programme will confirm it.
loyalty-done-confirmed = Verified: the membership is linked.
loyalty-done-resent = We sent a new code.
loyalty-done-unlinked = Unlinked.
loyalty-done-pooling = Pooling saved.
loyalty-pool-title = Household pooling
loyalty-pool-intro = As the household owner, you decide whose memberships pool in programmes that allow it.
loyalty-pool-heading = { $programme } in { $household }
loyalty-pool-in = pooled
loyalty-pool-out = not pooled
loyalty-pool-start = Pool { $name }'s membership
loyalty-pool-stop = Stop pooling { $name }'s membership
