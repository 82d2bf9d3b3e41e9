# Managed household members, guardians and the hand-over (identity::households::managed, app pages/account/household/managed.rs, pages/claim.rs).
