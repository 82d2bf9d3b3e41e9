// Delegated sign-in at a brand, with `foyer demo`'s household: Ada (the owner) lets
// Charles sign in at Northwind Air on her behalf; Charles picks "On behalf of Ada" on the
// consent screen, and the demo site receives Ada's account with Charles in `act`
// (RFC 8693). Revoking it ends what Air holds. Elements are found by role and label.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectVisible, foyer, setupFoyerAndBrowser, url, waitForHydration, withPage } from '../support/browser.mjs';
import { DEMO_PASSWORD, claim, site, waitForPlace } from '../support/demo.mjs';
import { signInWithPassword } from '../support/accounts.mjs';

setupFoyerAndBrowser({ server: { demo: true } });

// `server/src/demo/household.rs`: printed by `foyer demo` at every start.
const ADA = 'ada@demo.example';
const CHARLES = 'charles@demo.example';

/** Signs in as a member of the demo household (lands on the profile page). */
async function signIn(page, email) {
  await signInWithPassword(page, email, 'Your profile', DEMO_PASSWORD);
}

/** From Northwind Air: "Sign in with Northwind ID" (Foyer's session stays). */
async function startAtAir(page) {
  await page.context().clearCookies({ domain: '127.0.0.1' });
  await page.goto(`${site('air')}/`);
  await page.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();
  await waitForPlace(page, new URL(foyer.baseUrl).origin, '/oauth2/consent', 'signing in at Northwind Air');
  await waitForHydration(page);
}

test('a household member signs in at a brand on the owner\'s behalf, with act', { timeout: 240_000 }, async () => {
  await withPage(async (page) => {
    await signIn(page, ADA);
    // Ada approves Northwind Air herself once (a delegate never approves for her).
    await startAtAir(page);
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await waitForPlace(page, new URL(foyer.baseUrl).origin, '/oauth2/profile', 'the short form of Northwind Air');
    await page.getByRole('button', { name: 'Skip for now', exact: true }).click();
    await waitForPlace(page, new URL(site('air')).origin, '/', 'back at Air');
    const household = JSON.parse(await claim(page, 'household'));
    assert.equal(household.role, 'owner');
    assert.equal(household.members, 3, 'Ada, Charles and Ada\'s managed child Byron (server/src/demo/loyalty.rs)');

    // Ada lets Charles sign in at Northwind Air for her.
    await page.goto(url('/account/household'));
    await waitForHydration(page);
    const grant = page.getByRole('form', { name: 'Give permissions' });
    await grant.getByLabel('Member', { exact: true }).selectOption({ label: 'Charles Babbage' });
    await grant.getByLabel(/^Sign in at a brand on your behalf/).check();
    await grant.getByLabel('Brand (only for signing in on your behalf)').selectOption({ label: 'Northwind Air' });
    await grant.getByRole('button', { name: 'Give permissions' }).click();
    await expectVisible(page.getByRole('button', { name: 'Revoke the permissions you gave Charles Babbage' }), 'the delegation given');
  });

  await withPage(async (page) => {
    await signIn(page, CHARLES);
    await startAtAir(page);
    await expectVisible(page.getByRole('heading', { level: 2, name: 'Whom are you signing in as?' }), 'the chooser');
    await page.getByRole('button', { name: 'On behalf of Ada Lovelace' }).click();
    await waitForPlace(page, new URL(site('air')).origin, '/', 'Air, on Ada\'s behalf');
    const act = JSON.parse(await claim(page, 'act'));
    assert.ok(act.sub, `act names the delegate: ${JSON.stringify(act)}`);
    assert.equal(await claim(page, 'given_name'), 'Ada', 'the brand sees Ada\'s account');
    assert.notEqual(await claim(page, 'sub'), act.sub, 'sub is Ada, act.sub is Charles');
  });
});
