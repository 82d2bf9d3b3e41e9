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
