# Delegations and acting for another member (identity::households::delegation, app pages/account/household/delegations.rs).
