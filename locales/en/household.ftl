# Households: the page, invitations and their mails (identity::households::household, app pages/account/household/).
mail-household-invite-subject = { $inviter } invites you to the household “{ $household }”
mail-household-invite-body = { $inviter } invites you to join the household “{ $household }” with your { $product } account. Members of a household can look after children's profiles together and let each other act for them where they choose to.
mail-household-invite-expiry = The link works once, for 7 days. Sign in (or create an account) with this email address to accept.
mail-household-invite-ignore = If you do not know { $inviter }, ignore this email: nothing happens unless you accept.
mail-household-invite-link = See the invitation
mail-household-removed-subject = You are no longer in the household “{ $household }”
mail-household-removed-body = The owner of the household “{ $household }” removed you from it. Your own account, its sign-in methods and your data are unchanged.
mail-household-removed-delegations = Any permissions you and the other members had given each other have ended, and so has anything signed in with them on someone's behalf.
mail-household-removed-link = Open your household page
