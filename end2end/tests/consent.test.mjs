// The consent ledger as a customer meets it with `foyer demo`: the privacy page gives
// and withdraws consent one channel at a time (with and without the page's JavaScript),
// lists every decision and hands out a signed receipt; a material new version of a demo
// brand's required purpose brings that brand's interstitial at the next sign-in.
// Elements are found by role and label, never by CSS class.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  TIMEOUT,
  browser,
  describePage,
  expectVisible,
  foyer,
  setupFoyerAndBrowser,
  waitForHydration,
  withPage,
} from '../support/browser.mjs';
import { PASSWORD, confirmedAccount, signInWithPassword, watchErrors } from '../support/accounts.mjs';
import { site, waitForPlace } from '../support/demo.mjs';

setupFoyerAndBrowser({ server: { demo: true } });

const AIR = 'Northwind Air';
const HOTELS = 'Northwind Hotels';

/** From a demo site, signed in at Foyer already: "Sign in with Northwind ID". The site's
 * own session (its cookie on 127.0.0.1) is dropped first, so the site asks Foyer again;
 * Foyer's session (on localhost) stays. */
async function signInAt(page, key) {
  await page.context().clearCookies({ domain: '127.0.0.1' });
  await page.goto(`${site(key)}/`);
  await page.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();
}

/** On the consent page: "Allow" (and "Skip for now" where the brand asks for details
 * at sign-in: Northwind Air's seat), then back at the site signed in. */
async function allow(page, key, brand) {
  await waitForPlace(page, new URL(foyer.baseUrl).origin, '/oauth2/consent', `signing in at ${brand}`);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Allow', exact: true }).click();
  await skipDetails(page, key);
  await waitForPlace(page, new URL(site(key)).origin, '/', `"Allow" at ${brand}`);
  await expectVisible(page.getByText('Signed in as'), `signed in at ${brand}`);
}

/** Northwind Air asks for a seat preference at its first sign-in: skipped here. */
async function skipDetails(page, key) {
  if (key !== 'air') return;
  await waitForPlace(page, new URL(foyer.baseUrl).origin, '/oauth2/profile', 'the short form of Northwind Air');
  await page.getByRole('button', { name: 'Skip for now', exact: true }).click();
}

test('privacy page: consent per channel, given and withdrawn, the history and a signed receipt', { timeout: 240_000 }, async () => {
  const email = await confirmedAccount('consent');
  await withPage(async (page) => {
    const errors = watchErrors(page);
    await signInWithPassword(page, email);
    await signInAt(page, 'air');
    await allow(page, 'air', AIR);
    // The site received the consents claim for Air (the group's terms, accepted at sign-up).
    await expectVisible(page.getByRole('rowheader', { name: 'consents' }), 'the consents claim at the demo site');

    await page.goto(`${foyer.baseUrl}/account`);
    await waitForHydration(page);
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Privacy', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Privacy and consent' }), 'the privacy page');
    await expectVisible(page.getByRole('heading', { level: 2, name: 'Northwind ID (all brands)' }), 'the group section');
    const terms = page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3, name: /Terms of use/ }) });
    await expectVisible(terms.getByText('Given', { exact: false }), 'the terms accepted at sign-up');
    assert.equal(await terms.getByRole('button').count(), 0, 'a contract is shown, not switched');

    const deals = 'Flight deals and news';
    await page.getByRole('button', { name: `Give consent: ${deals} – Email`, exact: true }).click();
    await expectVisible(page.getByRole('status').getByText('Your choice is saved.'), 'the saved message');
    await expectVisible(page.getByRole('button', { name: `Withdraw consent: ${deals} – Email`, exact: true }), 'the email switch on');
    await expectVisible(page.getByRole('button', { name: `Give consent: ${deals} – Text messages`, exact: true }), 'text messages still off');
    await page.getByRole('button', { name: `Withdraw consent: ${deals} – Email`, exact: true }).click();
    await expectVisible(page.getByRole('button', { name: `Give consent: ${deals} – Email`, exact: true }), 'the email switch off again');

    // The history: newest first, the withdrawal above the grant, each with its receipt.
    const history = page.getByRole('table');
    const rows = history.getByRole('row');
    await expectVisible(rows.nth(1).getByRole('cell', { name: 'Withdrawn', exact: true }), 'the withdrawal first');
    await expectVisible(rows.nth(2).getByRole('cell', { name: 'Given', exact: true }), 'then the grant');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      rows.nth(1).getByRole('link', { name: new RegExp(`^Download the receipt: ${deals}`) }).click(),
    ]);
    const file = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(file.receipt.decision, 'withdrawn');
    assert.equal(file.receipt.purposeKey, 'newsletter');
    assert.equal(file.receipt.channel, 'email');
    assert.equal(file.receipt.piiControllers[0].piiController, AIR);
    assert.match(file.jws, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a compact JWS');
    const keys = await (await fetch(file.verify_with)).json();
    const kid = JSON.parse(Buffer.from(file.jws.split('.')[0], 'base64url')).kid;
    assert.ok(keys.keys.some((k) => k.kid === kid && k.alg === 'EdDSA'), 'its key is published');
    assert.deepEqual(errors, [], `no page or console errors: ${errors.join('\n')}`);
  });
});

test('the privacy page works before the wasm: a switch is a plain form post', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('consent-nojs');
  const context = await browser.newContext({ javaScriptEnabled: false });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  try {
    // Sign in and connect Air without JavaScript too.
    await page.goto(`${foyer.baseUrl}/login`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/account', { timeout: TIMEOUT });
    await signInAt(page, 'air');
    await waitForPlace(page, new URL(foyer.baseUrl).origin, '/oauth2/consent', 'signing in at Air without JavaScript');
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await skipDetails(page, 'air');
    await waitForPlace(page, new URL(site('air')).origin, '/', '"Allow" at Air without JavaScript');

    await page.goto(`${foyer.baseUrl}/account/privacy`);
    const deals = 'Flight deals and news';
    await page.getByRole('button', { name: `Give consent: ${deals} – App notifications`, exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/account/privacy', { timeout: TIMEOUT });
    await expectVisible(page.getByText('Your choice is saved.'), 'the saved message after a plain post');
    await expectVisible(page.getByRole('button', { name: `Withdraw consent: ${deals} – App notifications`, exact: true }), 'the switch on');
  } finally {
    await context.close();
  }
});

test('a material version of a required purpose brings the interstitial at the next sign-in', { timeout: 240_000 }, async () => {
  const email = await confirmedAccount('consent-material');
  await withPage(async (page) => {
    const errors = watchErrors(page);
    await signInWithPassword(page, email);
    // First sign-in at Hotels: its required guest profile is asked with the scopes.
    await signInAt(page, 'hotels');
    await waitForPlace(page, new URL(foyer.baseUrl).origin, '/oauth2/consent', 'the first sign-in at Hotels');
    await expectVisible(page.getByRole('heading', { level: 2, name: 'Before you continue, please agree to' }), 'the purposes to agree to');
    await expectVisible(page.getByText('Your guest profile', { exact: true }), "Hotels' required purpose");
    const offers = page.getByRole('checkbox', { name: 'Hotel offers' });
    await expectVisible(offers, 'the optional purpose offered');
    assert.equal(await offers.isChecked(), false, 'never pre-ticked');
    await allow(page, 'hotels', HOTELS);

    // Signed in again: nothing to ask.
    await signInAt(page, 'hotels');
    await waitForPlace(page, new URL(site('hotels')).origin, '/', 'a second sign-in at Hotels');

    // The brand publishes a material change: the interstitial again, marked as updated.
    const published = await foyer.run(['purpose', 'publish-version', '--brand', 'northwind-hotels', '--key', 'guest-profile',
      '--text', 'We now also use your arrival time to prepare breakfast.', '--material', '--json']);
    assert.equal(published.code, 0, published.stderr);
    assert.equal(JSON.parse(published.stdout).version, 2);
    await signInAt(page, 'hotels');
    await waitForPlace(page, new URL(foyer.baseUrl).origin, '/oauth2/consent', 'a sign-in after the material change');
    await expectVisible(page.getByText('Your guest profile', { exact: true }), 'the changed purpose');
    await expectVisible(page.getByText('updated', { exact: true }), 'marked as updated');
    await expectVisible(page.getByText('(version 2)', { exact: true }), 'the new version');
    await allow(page, 'hotels', HOTELS);
    assert.deepEqual(errors, [], `no page or console errors: ${errors.join('\n')}`);
  });
});

test('the sign-up page says which versions of the group terms it accepts', { timeout: 60_000 }, async () => {
  await withPage(async (page) => {
    await page.goto(`${foyer.baseUrl}/register`);
    await expectVisible(page.getByLabel('I accept the terms of use'), 'the terms checkbox');
    await expectVisible(page.getByText('By creating the account you accept:'), 'what the checkbox accepts');
    await expectVisible(page.getByText('Terms of use (version 1)', { exact: true }), 'the terms with their version');
  });
});
