# auth
