// Two-step verification, as a person meets it: set up an authenticator app from the
// Security page (reading the secret key off the page, as a phone app would from the QR
// code), see the recovery codes, then sign in with the password and a fresh code.
//
// The account itself is created through the same server functions the pages call;
// the behaviour under test is done through the pages, by label and role.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  expectVisible,
  setupFoyerAndBrowser,
  waitForHydration,
  withPage,
} from '../support/browser.mjs';
import { confirmedAccount, signInWithPassword, watchErrors } from '../support/accounts.mjs';
import { totp } from '../support/totp.mjs';

setupFoyerAndBrowser();

test('a customer turns on two-step verification and signs in with password and code', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount();
  await withPage(async (page) => {
    const errors = watchErrors(page);
    await signInWithPassword(page, email);

    // Security → set up an authenticator app.
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Security', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Security' }), 'the Security page');
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expectVisible(page.getByRole('img', { name: 'QR code for your authenticator app' }), 'the QR code');
    // The key is shown in groups of four (easier to type, and it wraps on a phone).
    const secret = (await page.locator('code.totp-secret').innerText()).replace(/\s+/g, '');
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
    await signInWithPassword(page, email, 'Two-step verification');
    await waitForHydration(page);

    // The code used at set-up was spent; the next time step is valid within the window.
    await page.getByLabel('Authentication code', { exact: true }).fill(totp(secret, Date.now() + 30_000));
    await page.getByLabel('Authentication code', { exact: true }).press('Enter');
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the profile page after the second step');
    await expectVisible(page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }), 'the signed-in header');
    assert.deepEqual(errors, [], `no console errors: ${errors.join('\n')}`);
  });
});
