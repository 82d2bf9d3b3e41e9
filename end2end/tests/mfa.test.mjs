// Two-step verification, as a person meets it: set up an authenticator app from the
// Security page (reading the secret key off the page, as a phone app would from the QR
// code), see the recovery codes, then sign in with the password and a fresh code.
//
// The account itself is created through the same server functions the pages call;
// the behaviour under test is done through the pages, by label and role.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TIMEOUT,
  expectVisible,
  foyer,
  setupFoyerAndBrowser,
  waitForHydration,
  withPage,
} from '../support/browser.mjs';

setupFoyerAndBrowser();

const PASSWORD = 'correct horse battery staple 42';

/** RFC 4648 base32 (no padding) to bytes. */
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    assert.ok(v >= 0, `not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) at `millis`, as an authenticator app computes it. */
function totp(secret, millis) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(millis / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** Calls a server function the way the pages do (same origin). */
async function serverFn(endpoint, fields) {
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
async function confirmedAccount() {
  const email = `mfa-${randomBytes(6).toString('hex')}@example.com`;
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

test('a customer turns on two-step verification and signs in with password and code', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount();
  await withPage(async (page) => {
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    // Sign in with the password.
    await page.goto(`${foyer.baseUrl}/login`);
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the profile page after sign-in');

    // Security → set up an authenticator app.
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Security', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Security' }), 'the Security page');
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expectVisible(page.getByRole('img', { name: 'QR code for your authenticator app' }), 'the QR code');
    const secret = (await page.locator('code').filter({ hasText: /^[A-Z2-7]{32}$/ }).first().innerText()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 secret key is shown as text');

    const twoStep = page.getByRole('region', { name: 'Two-step verification' });
    await twoStep.getByLabel('Authentication code', { exact: true }).fill(totp(secret, Date.now()));
    await twoStep.getByRole('button', { name: 'Turn on two-step verification' }).click();
    const codes = page.getByRole('status').filter({ has: page.getByRole('heading', { name: 'Your recovery codes' }) });
    await expectVisible(codes, 'the recovery codes, shown once');
    assert.equal(await codes.getByRole('listitem').count(), 10, 'ten recovery codes');
    await expectVisible(page.getByText('Two-step verification is on'), 'the status after turning it on');

    // Sign out, then sign in again: the password alone is not enough.
    await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectVisible(page.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true }), 'the signed-out header');
    await page.goto(`${foyer.baseUrl}/login`);
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Two-step verification' }), 'the second-factor step');
    await waitForHydration(page);

    // The code used at set-up was spent; the next time step is valid within the window.
    await page.getByLabel('Authentication code', { exact: true }).fill(totp(secret, Date.now() + 30_000));
    await page.getByLabel('Authentication code', { exact: true }).press('Enter');
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the profile page after the second step');
    await expectVisible(page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }), 'the signed-in header');
    assert.deepEqual(errors, [], `no console errors: ${errors.join('\n')}`);
  });
});
