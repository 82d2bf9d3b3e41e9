// Accounts for browser tests, made the way the pages make them: through the same
// server functions, confirmed from the development mailbox.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TIMEOUT, expectVisible, foyer, waitForHydration } from './browser.mjs';

export const PASSWORD = 'correct horse battery staple 42';

/** Calls a server function the way the pages do (same origin). */
export async function serverFn(endpoint, fields) {
  const response = await fetch(`${foyer.baseUrl}/api/${endpoint}`, {
    method: 'POST',
    headers: {
      Origin: foyer.baseUrl,
      'Sec-Fetch-Site': 'same-origin',
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
  });
  assert.equal(response.status, 200, `${endpoint}: ${await response.text()}`);
}

/** A confirmed account, created like the registration page does, confirmed from the mailbox. */
export async function confirmedAccount(prefix = 'user') {
  const email = `${prefix}-${randomBytes(6).toString('hex')}@example.com`;
  await serverFn('register', { email, password: PASSWORD, given_name: 'Mira', accept_terms: 'on' });
  const deadline = Date.now() + TIMEOUT;
  let token;
  while (!token) {
    assert.ok(Date.now() < deadline, `no verification mail for ${email} within ${TIMEOUT} ms`);
    const html = await (await fetch(`${foyer.baseUrl}/dev/mail`)).text();
    const at = html.indexOf(email);
    const match = at >= 0 ? html.slice(Math.max(0, at - 2000), at + 2000).match(/\/verify\?token=([A-Za-z0-9_-]{40,})/) : null;
    token = match?.[1];
    if (!token) await sleep(300);
  }
  await serverFn('verify_email_link', { token });
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
export async function signInWithPassword(page, email, landing = 'Your profile') {
  await page.goto(`${foyer.baseUrl}/login`);
  await waitForHydration(page);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectVisible(page.getByRole('heading', { level: 1, name: landing }), `the "${landing}" page after the password`);
}
