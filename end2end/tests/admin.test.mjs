// Staff sign-in, as a new support agent meets it: the operator runs the real
// `foyer admin create` against the test server's database, the agent opens the printed
// one-time link, chooses a password and sets up an authenticator app (reading the key
// off the page, as a phone app would from the QR code), signs in at /admin/login with
// password and code, sees their name and role, and signs out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectVisible, foyer, setupFoyerAndBrowser, url, waitForHydration, withPage } from '../support/browser.mjs';
import { watchErrors } from '../support/accounts.mjs';
import { totp } from '../support/totp.mjs';

setupFoyerAndBrowser();

const STAFF_PASSWORD = 'quiet lantern orbit meadow 93';

test('a staff member enrols from the printed link, signs in at /admin/login and signs out', { timeout: 180_000 }, async () => {
  const email = `agent-${Date.now()}@example.com`;
  const created = await foyer.run(['--json', 'admin', 'create', '--email', email, '--name', 'Sam Support', '--role', 'support']);
  assert.equal(created.code, 0, `foyer admin create failed: ${created.stderr}`);
  const link = JSON.parse(created.stdout.trim().split('\n').pop()).enrolment_link;
  assert.ok(link.startsWith(url('/admin/enrol?token=')), `the link points at this server: ${link}`);

  await withPage(async (page) => {
    const errors = watchErrors(page);
    // Without a staff session, /admin is the sign-in page.
    await page.goto(url('/admin'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Staff sign-in' }), '/admin without a session');

    await page.goto(link);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Set up your staff account' }), 'the enrolment page');
    await waitForHydration(page);
    await expectVisible(page.getByRole('img', { name: 'QR code for your authenticator app' }), 'the QR code');
    const secret = (await page.locator('code').filter({ hasText: /^[A-Z2-7]{32}$/ }).first().innerText()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 key is shown as text');
    await page.getByLabel('New password', { exact: true }).fill(STAFF_PASSWORD);
    await page.getByLabel('Code from the app', { exact: true }).fill(totp(secret, Date.now()));
    await page.getByRole('button', { name: 'Finish setup' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'Your account is ready' }), 'enrolment done');

    // The link is spent.
    await page.goto(link);
    await expectVisible(page.getByRole('alert').filter({ hasText: 'invalid, used or expired' }), 'a second use refused');

    await page.goto(url('/admin/login'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Staff sign-in' }), 'the staff sign-in page');
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
    // The code used at set-up was spent; the next time step is valid within the window.
    await page.getByLabel('Authenticator code', { exact: true }).fill(totp(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expectVisible(page.getByRole('heading', { level: 1, name: 'Foyer staff' }), 'the admin shell');
    const who = page.getByRole('region', { name: 'Signed in staff member' });
    await expectVisible(who.getByText('Sam Support'), 'the staff member\'s name');
    await expectVisible(who.getByText('support', { exact: true }), 'the role');
    await waitForHydration(page);
    await who.getByRole('button', { name: 'Sign out' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Staff sign-in' }), 'signed out: back to the sign-in page');

    // Signed out on the server: /admin is the sign-in page again.
    await page.goto(url('/admin'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Staff sign-in' }), '/admin after sign-out');
    assert.deepEqual(errors, [], `no console errors: ${errors.join('\n')}`);
  });
});
