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
