// What the staff tests share: the staff password they enrol with, and the staff server
// functions called as the admin pages call them.

import assert from 'node:assert/strict';
import { expectVisible, foyer, url, waitForHydration } from './browser.mjs';
import { totp } from './totp.mjs';

export const STAFF_PASSWORD = 'quiet lantern orbit meadow 93';

/** POSTs a staff server function (`/admin/api/<name>`) as the pages do; its JSON answer. */
export async function staffFn(name, fields) {
  const response = await fetch(url(`/admin/api/${name}`), {
    method: 'POST',
    headers: { Origin: foyer.baseUrl, 'Sec-Fetch-Site': 'same-origin', Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${name}: ${text}`);
  return JSON.parse(text);
}

/**
 * Signs in on the staff sign-in page `page` shows (by label, as a person does) with the
 * staff password and the authenticator's next code (the one used at enrolment is spent),
 * and waits for the admin shell.
 */
export async function signInOnPage(page, email, secret) {
  await waitForHydration(page);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
  await page.getByLabel('Authenticator code', { exact: true }).fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectVisible(page.getByRole('heading', { level: 1, name: 'Foyer staff' }), 'the admin shell');
}
