// Brand data as a person meets it with `foyer demo` (docs/design/consent.md "Brand
// attributes", "Preferences"): signing in at Northwind Air, Foyer asks once for the
// seat preference Air needs (the short form in Air's look); Air then receives it. On
// "Preferences and details" the customer changes Air's language, contact frequency,
// topics and the seat, each found by its label in Air's section; a reload shows what
// was saved and Air's next sign-in carries it.
//
// Elements are found by role, label or text, never by CSS class.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TIMEOUT,
  describePage,
  expectVisible,
  foyer,
  setupFoyerAndBrowser,
  waitForHydration,
  withPage,
} from '../support/browser.mjs';
import { PASSWORD, confirmedAccount, watchErrors } from '../support/accounts.mjs';
import { site, waitForPlace, claim } from '../support/demo.mjs';

setupFoyerAndBrowser({ server: { demo: true } });

const AIR = 'Northwind Air';

test('the seat preference asked once at sign-in, then preferences and the seat edited on the page', { timeout: 300_000 }, async () => {
  const email = await confirmedAccount('brand-data');
  const foyerOrigin = new URL(foyer.baseUrl).origin;
  const airOrigin = new URL(site('air')).origin;
  await withPage(async (page) => {
    const errors = watchErrors(page);

    // --- Sign in at Northwind Air: password, consent, then the one short form ------------
    await page.goto(`${site('air')}/`);
    await page.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();
    await waitForPlace(page, foyerOrigin, '/login', `"Sign in with Northwind ID" at ${AIR}`);
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await waitForPlace(page, foyerOrigin, '/oauth2/consent', `Signing in for ${AIR}`);
    await waitForHydration(page);
    await expectVisible(page.getByText('The details you gave this brand, and those shared across the group'), 'the attributes scope in words');
    await page.getByRole('button', { name: 'Allow', exact: true }).click();

    await waitForPlace(page, foyerOrigin, '/oauth2/profile', `"Allow" for ${AIR}`);
    await waitForHydration(page);
    await expectVisible(page.getByRole('heading', { level: 1, name: `${AIR} would like to know` }), 'the short form naming the brand');
    await expectVisible(page.getByRole('banner').getByRole('img', { name: AIR }), `${AIR}'s logo on the short form`);
    // Nothing chosen is refused beside the field, and the form stays.
    await page.getByRole('button', { name: 'Save and continue', exact: true }).click();
    await expectVisible(page.getByRole('alert').getByText('Seat preference is required.').first(), 'the refusal of an empty answer');
    await page.getByLabel('Seat preference', { exact: true }).selectOption({ label: 'Window' });
    await page.getByRole('button', { name: 'Save and continue', exact: true }).click();
    await waitForPlace(page, airOrigin, '/', `"Save and continue" for ${AIR}`);
    assert.match(await claim(page, 'attributes'), /"seat":"window"/, `${AIR} received the seat`);

    // --- "Preferences and details": Air's section, by label -----------------------------
    await page.goto(`${foyer.baseUrl}/account/privacy/preferences`);
    await waitForHydration(page);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Preferences and details' }), 'the page heading');
    const air = page.getByRole('region', { name: AIR });
    await expectVisible(air.getByRole('group', { name: `What ${AIR} knows about you` }), `"What ${AIR} knows about you"`);
    assert.equal(await air.getByLabel('Seat preference', { exact: true }).inputValue(), 'window', 'the seat given at sign-in');
    await air.getByLabel('Language', { exact: true }).selectOption({ label: 'Deutsch' });
    await air.getByLabel('Contact frequency', { exact: true }).selectOption({ label: 'At most weekly' });
    await air.getByLabel('Deals', { exact: true }).check();
    await air.getByLabel('Seat preference', { exact: true }).selectOption({ label: 'Aisle' });
    await air.getByRole('button', { name: `Save for ${AIR}`, exact: true }).click();
    await expectVisible(air.getByRole('status').getByText('Your choices are saved.'), 'the saved status in Air\'s section');

    // A fresh load shows what the server kept.
    await page.reload();
    await waitForHydration(page);
    const again = page.getByRole('region', { name: AIR });
    assert.equal(await again.getByLabel('Language', { exact: true }).inputValue(), 'de');
    assert.equal(await again.getByLabel('Contact frequency', { exact: true }).inputValue(), 'weekly');
    assert.equal(await again.getByLabel('Deals', { exact: true }).isChecked(), true);
    assert.equal(await again.getByLabel('Seat preference', { exact: true }).inputValue(), 'aisle');

    // --- Air's next sign-in carries it, and asks nothing more ------------------------------
    // "Sign out" at Air ends the Northwind ID session too: the password again, then
    // straight back to Air (consent given, the seat answered: no page in between).
    await page.goto(`${site('air')}/`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectVisible(page.getByText('You are not signed in.', { exact: true }), `signed out at ${AIR}`);
    await page.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();
    await waitForPlace(page, foyerOrigin, '/login', `signing in again at ${AIR}`);
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await waitForPlace(page, airOrigin, '/', `signing in again at ${AIR}: no consent, no form`);
    assert.match(await claim(page, 'attributes'), /"seat":"aisle"/, `${AIR} received the new seat`);
    const preferences = await claim(page, 'preferences');
    assert.match(preferences, /"language":"de"/, preferences);
    assert.match(preferences, /"frequency":"weekly"/, preferences);
    assert.match(preferences, /"topics":\["deals"\]/, preferences);
    assert.deepEqual(errors, [], `no page or console errors: ${errors.join('\n')}`);
  });
});
