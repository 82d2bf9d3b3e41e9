# Brand data: per-brand preferences and profile attributes (docs/design/consent.md
# "Brand attributes", "Preferences"): the preferences page, the sign-in's short form.

branddata-nav = Preferences
branddata-page-title = Preferences and details
branddata-page-intro = What each brand knows about you beyond your profile, and how it may write to you. Each brand sees only its own part and the details shared across the group.
branddata-nothing = No brand keeps preferences or extra details about you yet.
branddata-saved = Your choices are saved.
branddata-preferences = Preferences
branddata-language = Language
branddata-language-profile = As in my profile
branddata-frequency = Contact frequency
branddata-frequency-default = The brand's usual
branddata-frequency-as-it-happens = As it happens
branddata-frequency-weekly = At most weekly
branddata-frequency-monthly = At most monthly
branddata-frequency-never = Never
branddata-topics = Topics
branddata-knows = What { $brand } knows about you
branddata-knows-nothing = { $brand } keeps no extra details about you.
branddata-save-for = Save for { $brand }
branddata-group-heading = Shared with every brand
branddata-group-intro = Every brand of the group can read these details.
branddata-save-group = Save shared details
branddata-optional = { $field } (optional)
branddata-choose = Choose…
branddata-brand-not-found = That brand is not one you use. Please reload the page.

# The sign-in's short form.
branddata-profile-title = A detail for the brand
branddata-profile-heading = { $brand } would like to know
branddata-profile-intro = { $brand } needs this to serve you. You can give it now or skip it for this sign-in.
branddata-profile-form-heading = Your details
branddata-profile-where = You can change this at any time on
branddata-profile-save = Save and continue
branddata-profile-skip = Skip for now
branddata-profile-done-title = Nothing more to add
branddata-profile-continue-to = Continue to { $brand }

# Scopes: the consent page and Connected brands.
shell-scope-attributes = The details you gave this brand, and those shared across the group
shell-scope-preferences = Your language, contact frequency and topics for this brand
account-scope-attributes = The details you gave them, and those shared across the group
account-scope-preferences = Your language, contact frequency and topics for them

# Why a value was refused ($field: the field's label; $limit: the limit it names).
branddata-error-missing = { $field } is required.
branddata-error-too-long = { $field } is too long (at most { $limit } characters).
branddata-error-control-characters = { $field } contains characters that cannot be used.
branddata-error-pattern = { $field } is not in the expected form.
branddata-error-not-a-number = { $field } must be a number.
branddata-error-not-a-whole-number = { $field } must be a whole number.
branddata-error-too-small = { $field } must be at least { $limit }.
branddata-error-too-large = { $field } must be at most { $limit }.
branddata-error-not-a-date = { $field } must be a date (YYYY-MM-DD).
branddata-error-too-early = { $field } must be on or after { $limit }.
branddata-error-too-late = { $field } must be on or before { $limit }.
branddata-error-not-a-choice = { $field }: choose one of the options offered.
branddata-error-unknown-attribute = { $field } is not something this brand asks for.
branddata-error-unknown-language = { $field }: choose one of the languages offered.
branddata-error-unknown-frequency = { $field }: choose one of the options offered.
branddata-error-unknown-topic = { $field }: choose among the topics offered.
