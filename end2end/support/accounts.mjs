// Accounts for browser tests, made the way the pages make them: through the same
// server functions, confirmed from the development mailbox.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TIMEOUT, expectVisible, foyer, waitForHydration } from './browser.mjs';
import { totp } from './totp.mjs';

export const PASSWORD = 'correct horse battery staple 42';

/** Calls a server function the way the pages do (same origin) and returns its JSON
 * answer. With `jar` (a Map of cookie names to values) the calls share cookies, as one
 * browser's would. `base` is the
 * server (the test file's by default; the benchmarks start their own). */
export async function serverFn(endpoint, fields, jar = null, base = foyer.baseUrl) {
  const headers = {
    Origin: base,
    'Sec-Fetch-Site': 'same-origin',
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded',
  };
  if (jar?.size) headers.Cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const response = await fetch(`${base}/api/${endpoint}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(fields).toString(),
  });
  for (const line of jar ? response.headers.getSetCookie() : []) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  const text = await response.text();
  assert.equal(response.status, 200, `${endpoint}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Signs `email` in through the server functions (cookies kept in `jar`) and turns on
 * two-step verification with an authenticator app, as the security page does; returns
 * the app's secret. */
export async function withTwoStep(email, jar) {
  await serverFn('login', { email, password: PASSWORD }, jar);
  const { secret } = await serverFn('start_totp', {}, jar);
  await serverFn('confirm_totp', { code: totp(secret, Date.now()) }, jar);
  return secret;
}

/** A confirmed account, created like the registration page does, confirmed from the
 * mailbox in the same browser (a confirmation from another browser would remove the
 * sign-up's password: docs/design/accounts.md, "Unconfirmed accounts"). */
export async function confirmedAccount(prefix = 'user', base = foyer.baseUrl) {
  const email = `${prefix}-${randomBytes(6).toString('hex')}@example.com`;
  const jar = new Map();
  await serverFn('register', { email, password: PASSWORD, given_name: 'Mira', accept_terms: 'on' }, jar, base);
  const deadline = Date.now() + TIMEOUT;
  let token;
  while (!token) {
    assert.ok(Date.now() < deadline, `no verification mail for ${email} within ${TIMEOUT} ms`);
    const html = await (await fetch(`${base}/dev/mail`)).text();
    const at = html.indexOf(email);
    const match = at >= 0 ? html.slice(Math.max(0, at - 2000), at + 2000).match(/\/verify\?token=([A-Za-z0-9_-]{40,})/) : null;
    token = match?.[1];
    if (!token) await sleep(300);
  }
  await serverFn('verify_email_link', { token }, jar, base);
  return email;
}


/** Collects page errors and console errors, to assert there were none. A refused
 * request (a 4xx the page shows as a message) is expected behaviour, not an error. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

/** Signs in on /login with email and password; `landing` is the heading expected next. */
export async function signInWithPassword(page, email, landing = 'Your profile', password = PASSWORD) {
  await page.goto(`${foyer.baseUrl}/login`);
  await waitForHydration(page);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectVisible(page.getByRole('heading', { level: 1, name: landing }), `the "${landing}" page after the password`);
}
