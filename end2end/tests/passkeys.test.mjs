// Passkeys, as a person meets them, with Chromium's virtual authenticator standing in
// for the phone or laptop (CDP WebAuthn domain: CTAP2, internal, resident keys, user
// verification). Everything is done through the pages, by label and role: adding a
// passkey, signing in with the button and through the Email field's autofill, signing
// up without a password, and the last way in that cannot be removed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { expectVisible, foyer, setupFoyerAndBrowser, waitForHydration, withPage } from '../support/browser.mjs';
import { confirmedAccount, signInWithPassword, watchErrors } from '../support/accounts.mjs';

setupFoyerAndBrowser();

/** A platform authenticator that holds discoverable credentials and verifies the user.
 * It answers every request at once, including the quiet autofill request the sign-in
 * page makes. */
async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    async credentials() {
      return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    },
  };
}

async function signOut(page) {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
  await expectVisible(page.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true }), 'the signed-out header');
}

/** Passkey autofill: the sign-in page asks quietly (conditional mediation) as soon as it
 * is interactive, and the authenticator answers with the one passkey it holds. */
async function signInByAutofill(page) {
  await page.goto(`${foyer.baseUrl}/login`);
  await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the profile page after passkey autofill');
}

/** Makes this page's browser one without passkey autofill (as some still are), so the
 * button is the way in; it applies to every later navigation of the page. */
async function withoutAutofill(page) {
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
}

/** The "Sign in with a passkey" button. */
async function signInWithButton(page) {
  await page.goto(`${foyer.baseUrl}/login`);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the profile page after the passkey button');
}

test('a customer adds a passkey, signs out, and signs in with the passkey alone', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('passkey');
  await withPage(async (page) => {
    const errors = watchErrors(page);
    const authenticator = await virtualAuthenticator(page);

    await signInWithPassword(page, email);

    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Security', exact: true }).click();
    await waitForHydration(page);
    const passkeys = page.getByRole('region', { name: 'Passkeys' });
    await expectVisible(passkeys.getByText('You have no passkeys yet.'), 'the empty passkey list');
    await passkeys.getByLabel('Passkey name').fill('Test laptop');
    await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
    await expectVisible(passkeys.getByText('Your passkey was added.'), 'the confirmation');
    await expectVisible(passkeys.getByRole('listitem').filter({ hasText: 'Test laptop' }), 'the new passkey in the list');
    const codes = passkeys.getByRole('status').filter({ has: page.getByRole('heading', { name: 'Your recovery codes' }) });
    assert.equal(await codes.getByRole('listitem').count(), 10, 'the first second factor comes with ten recovery codes');
    const held = await authenticator.credentials();
    assert.equal(held.length, 1);
    assert.equal(held[0].isResidentCredential, true, 'a discoverable credential');

    await signOut(page);
    await signInByAutofill(page);
    await expectVisible(page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }), 'the signed-in header');
    await signOut(page);
    await withoutAutofill(page);
    await signInWithButton(page);
    assert.deepEqual(errors, [], `no console errors: ${errors.join('\n')}`);
  });
});

test('a new customer signs up with a passkey and no password', { timeout: 180_000 }, async () => {
  const email = `nopassword-${randomBytes(6).toString('hex')}@example.com`;
  await withPage(async (page) => {
    const errors = watchErrors(page);
    await virtualAuthenticator(page);
    await withoutAutofill(page);
    await page.goto(`${foyer.baseUrl}/register`);
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Given name').fill('Noor');
    await page.getByRole('button', { name: 'Create account with a passkey' }).click();
    await expectVisible(page.getByText('Please accept the terms to create an account.'), 'the terms are still required');
    await page.getByLabel('I accept the terms of use').check();
    await page.getByRole('button', { name: 'Create account with a passkey' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Check your email' }), 'the check-your-email step');

    await signInWithButton(page);
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Security', exact: true }).click();
    await waitForHydration(page);
    const passkeys = page.getByRole('region', { name: 'Passkeys' });
    await expectVisible(passkeys.getByRole('listitem'), 'the passkey made at sign-up');
    // Removing asks first ("Are you sure?"), then the rule answers.
    await passkeys.getByRole('link', { name: /^Remove/ }).click();
    await passkeys.getByRole('button', { name: 'Remove passkey', exact: true }).click();
    await expectVisible(passkeys.getByRole('alert').filter({ hasText: 'only way to sign in' }), 'the last way in cannot be removed');
    assert.deepEqual(errors, [], `no console errors: ${errors.join('\n')}`);
  });
});
