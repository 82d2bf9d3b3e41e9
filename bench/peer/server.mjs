// The peer Foyer is measured against (`./dev.sh bench --peer`): node `oidc-provider`
// (pinned in package.json) as shipped, with its in-memory adapter, started the way a
// small deployment would configure it for the paths the benchmark loads:
//   - K confidential clients (client_secret_basic; authorization_code, refresh_token,
//     client_credentials; one redirect URI),
//   - rotating refresh tokens (every use consumes the old one), RS256 signing key made at
//     start, opaque access tokens, introspection, UserInfo and client credentials on.
// It seeds, without a browser, what the load needs through the provider's own models
// (a Grant per chain, access and refresh tokens for `openid profile email`), prints ONE
// JSON line on stdout and serves until killed:
//   {"issuer", "discovery", "pid", "clients": [{"id", "secret"}],
//    "refresh_tokens": [{"client", "token"}], "access_tokens": [...], "access_client"}
// Access tokens all belong to clients[access_client] (the introspection caller).
//
//   node server.mjs [PORT] [CLIENTS] [CHAINS] [ACCESS_TOKENS]
// or PORT / PEER_CLIENTS / PEER_CHAINS / PEER_ACCESS_TOKENS in the environment.
// Defaults: a free port, 20 clients, 40 refresh chains (spread over the clients round
// robin), 50 access tokens.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const arg = (i, name, fallback) => Number(process.argv[i] ?? process.env[name] ?? fallback);
const port = arg(2, 'PORT', 0);
const clientCount = arg(3, 'PEER_CLIENTS', 20);
const chainCount = arg(4, 'PEER_CHAINS', 40);
const accessCount = arg(5, 'PEER_ACCESS_TOKENS', 50);
const REDIRECT = 'http://127.0.0.1:9/cb';
const SCOPE = 'openid profile email';

const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const jwks = { keys: [{ ...key, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }] };

const clients = Array.from({ length: clientCount }, (_, n) => ({
  client_id: `peer-${n}`,
  client_secret: randomBytes(24).toString('base64url'),
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code'],
  redirect_uris: [REDIRECT],
}));

// One customer, as Foyer's seeding has: the claims UserInfo and the ID token carry.
const accounts = new Map([['customer-1', {
  sub: 'customer-1', email: 'bench0@example.com', email_verified: true, name: 'Bench', given_name: 'Bench',
}]]);

// Bind first so the issuer names the real port (0: the system picks one).
const http = createServer();
await new Promise((resolve) => { http.listen(port, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${http.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks,
  scopes: ['openid', 'offline_access'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name'],
    email: ['email', 'email_verified'],
  },
  features: {
    introspection: { enabled: true },
    userinfo: { enabled: true },
    clientCredentials: { enabled: true },
    // A development convenience page; nothing here signs in through a browser.
    devInteractions: { enabled: false },
  },
  rotateRefreshToken: true,
  // The defaults, said out loud (the provider prints a notice for each one left unset).
  ttl: {
    AccessToken: 60 * 60,
    ClientCredentials: 10 * 60,
    Grant: 14 * 24 * 60 * 60,
    IdToken: 60 * 60,
    RefreshToken: 14 * 24 * 60 * 60,
  },
  async findAccount(_ctx, sub) {
    const claims = accounts.get(sub);
    if (!claims) return undefined;
    return { accountId: sub, async claims() { return claims; } };
  },
});
http.on('request', provider.callback());

// What an authorization-code exchange would have left behind: a grant for the client
// and customer, with its scopes and claims.
async function grantFor(client) {
  const grant = new provider.Grant({ accountId: 'customer-1', clientId: client.clientId });
  grant.addOIDCScope(`${SCOPE} offline_access`);
  grant.addOIDCClaims(['sub', 'name', 'given_name', 'email', 'email_verified']);
  return grant.save();
}

const found = await Promise.all(clients.map((c) => provider.Client.find(c.client_id)));
const authTime = Math.floor(Date.now() / 1000);

const refreshTokens = [];
for (let n = 0; n < chainCount; n += 1) {
  const client = found[n % found.length];
  const grantId = await grantFor(client);
  const token = new provider.RefreshToken({
    accountId: 'customer-1', client, grantId, gty: 'authorization_code', scope: SCOPE, authTime,
    nonce: randomBytes(8).toString('hex'), rotations: 0,
  });
  refreshTokens.push({ client: n % found.length, token: await token.save() });
}

const accessClient = 0;
const accessGrant = await grantFor(found[accessClient]);
const accessTokens = [];
for (let n = 0; n < accessCount; n += 1) {
  const token = new provider.AccessToken({
    accountId: 'customer-1', client: found[accessClient], grantId: accessGrant, gty: 'authorization_code', scope: SCOPE,
  });
  accessTokens.push(await token.save());
}

process.stdout.write(`${JSON.stringify({
  issuer,
  discovery: `${issuer}/.well-known/openid-configuration`,
  pid: process.pid,
  clients: clients.map((c) => ({ id: c.client_id, secret: c.client_secret })),
  refresh_tokens: refreshTokens,
  access_tokens: accessTokens,
  access_client: accessClient,
})}\n`);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
