// Single sign-on across sibling brands, as a person meets it, with `foyer demo` serving
// Foyer and the two demo brand sites (real OpenID Connect relying parties): sign in at
// Northwind Air with the password and allow it; open Northwind Hotels and get in with
// the consent page only, no password; disconnect Northwind Hotels on "Connected brands"
// and watch its session end through back-channel logout, while Northwind Air stays
// signed in and Hotels asks for consent again. Separately: "Sign out" at Northwind Air
// comes back there signed out and ends the Northwind ID session too.
//
// Foyer is at http://localhost:PORT and the sites at http://127.0.0.1:PORT, so their
// cookies are on different hosts, as they would be in production. Elements are found by
// role, label or text, never by CSS class.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TIMEOUT,
  describePage,
  expectHidden,
  expectVisible,
  foyer,
  setupFoyerAndBrowser,
  waitForHydration,
  withPage,
} from '../support/browser.mjs';
import { PASSWORD, confirmedAccount, watchErrors } from '../support/accounts.mjs';
import { site, waitForPlace, claim } from '../support/demo.mjs';

// This file's shared server is `foyer demo`, with both demo sites on free ports.
setupFoyerAndBrowser({ server: { demo: true } });

/** Back-channel logout goes through the outbox worker, which polls: allow it time. */
const BACKCHANNEL_DEADLINE_MS = 60_000;
const BACKCHANNEL_POLL_MS = 500;

const AIR = 'Northwind Air';
const HOTELS = 'Northwind Hotels';

/** Checks that a demo site's home page shows the customer signed in; returns the greeting. */
async function expectSignedInAt(page, brand, email) {
  await expectVisible(page.getByRole('heading', { level: 1, name: brand }), `the heading "${brand}"`);
  const greeting = page.getByText('Signed in as');
  await expectVisible(greeting, `"Signed in as …" at ${brand}`);
  assert.equal(await claim(page, 'email'), email, `${brand} received the customer's email`);
  await expectVisible(page.getByRole('button', { name: 'Sign out', exact: true }), `the button "Sign out" at ${brand}`);
  return (await greeting.innerText()).trim();
}

/** Reloads a demo site's home page until it shows "You are not signed in.". */
async function waitUntilSignedOutAt(page, brand, why) {
  const signedOut = page.getByText('You are not signed in.', { exact: true });
  const deadline = Date.now() + BACKCHANNEL_DEADLINE_MS;
  let reloads = 0;
  for (;;) {
    if ((await signedOut.count()) > 0) return reloads;
    if (Date.now() > deadline) {
      const { stderr } = foyer.output();
      const body = await page.locator('body').innerText().catch(() => '');
      assert.fail(
        `${why}: ${brand} at ${page.url()} still did not show "You are not signed in." after ` +
          `${BACKCHANNEL_DEADLINE_MS / 1000} s and ${reloads} reloads.\nVisible text of the page:\n` +
          `${body.slice(0, 2_000)}\nServer stderr (tail):\n${stderr.slice(-4_000)}`,
      );
    }
    await sleep(BACKCHANNEL_POLL_MS);
    await page.reload();
    reloads += 1;
  }
}

/**
 * Records the address of every document the page's main frame asks for, redirects
 * included (each hop is its own request), so a test can tell which pages a flow passed.
 */
function recordNavigations(page) {
  const visited = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) visited.push(request.url());
  });
  return visited;
}

/** On a Foyer consent page: checks it names `brand` and signs in as `email`. */
async function expectConsentFor(page, brand, email) {
  await waitForHydration(page);
  await expectVisible(
    page.getByRole('heading', { level: 1, name: `${brand} wants to access your account` }),
    `the consent heading naming ${brand}`,
  );
  await expectVisible(page.getByText(email, { exact: true }), `"Signed in as ${email}" on the consent page`);
  await expectVisible(page.getByRole('button', { name: 'Allow', exact: true }), 'the button "Allow"');
  await expectVisible(page.getByRole('button', { name: 'Deny', exact: true }), 'the button "Deny"');
}

/**
 * At Northwind Air, signed out of everything: "Sign in with Northwind ID", the password
 * on Foyer's sign-in page, "Allow" on the consent page, and back at Air signed in.
 * Returns Air's greeting.
 */
async function signInAtAir(air, email) {
  const foyerOrigin = new URL(foyer.baseUrl).origin;
  const airUrl = site('air');
  await air.goto(`${airUrl}/`);
  await expectVisible(air.getByRole('heading', { level: 1, name: AIR }), `the heading "${AIR}"`);
  await expectVisible(air.getByText('You are not signed in.', { exact: true }), `"You are not signed in." at ${AIR}`);
  await air.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();

  await waitForPlace(air, foyerOrigin, '/login', `"Sign in with Northwind ID" at ${AIR}`);
  await waitForHydration(air);
  await expectVisible(air.getByText(`Sign in to continue to ${AIR}`, { exact: true }), `the sign-in page naming ${AIR}`);
  await air.getByLabel('Email', { exact: true }).fill(email);
  await air.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await air.getByRole('button', { name: 'Sign in', exact: true }).click();

  await waitForPlace(air, foyerOrigin, '/oauth2/consent', `Signing in for ${AIR}`);
  await expectConsentFor(air, AIR, email);
  await air.getByRole('button', { name: 'Allow', exact: true }).click();

  // Northwind Air asks for a seat preference at sign-in (progressive profiling): skip it.
  await waitForPlace(air, foyerOrigin, '/oauth2/profile', `"Allow" for ${AIR}`);
  await air.getByRole('button', { name: 'Skip for now', exact: true }).click();
  await waitForPlace(air, new URL(airUrl).origin, '/', `"Skip for now" for ${AIR}`);
  return expectSignedInAt(air, AIR, email);
}

test(
  'signed in at Northwind Air, a customer gets into Northwind Hotels with consent only, and disconnecting Hotels ends its session',
  { timeout: 300_000 },
  async () => {
    const foyerOrigin = new URL(foyer.baseUrl).origin;
    const hotelsUrl = site('hotels');
    const hotelsOrigin = new URL(hotelsUrl).origin;
    const email = await confirmedAccount('brands');

    await withPage(async (air) => {
      // One browser (one context) with a tab per site, as a person would have.
      const context = air.context();
      const errors = { [AIR]: watchErrors(air) };

      // --- 1. Northwind Air: the password, then consent ----------------------------------
      const airGreeting = await signInAtAir(air, email);
      const airSubject = await claim(air, 'sub');

      // --- 2. Northwind Hotels: the same Northwind ID session, consent only ---------------
      const hotels = await context.newPage();
      errors[HOTELS] = watchErrors(hotels);
      const hotelsVisited = recordNavigations(hotels);
      await hotels.goto(`${hotelsUrl}/`);
      await expectVisible(hotels.getByRole('heading', { level: 1, name: HOTELS }), `the heading "${HOTELS}"`);
      await expectVisible(hotels.getByText('You are not signed in.', { exact: true }), `"You are not signed in." at ${HOTELS}`);
      await hotels.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();

      await waitForPlace(hotels, foyerOrigin, '/oauth2/consent', `"Sign in with Northwind ID" at ${HOTELS}, already signed in`);
      await expectConsentFor(hotels, HOTELS, email);
      await hotels.getByRole('button', { name: 'Allow', exact: true }).click();

      await waitForPlace(hotels, hotelsOrigin, '/', `"Allow" for ${HOTELS}`);
      await expectSignedInAt(hotels, HOTELS, email);
      const onFoyer = hotelsVisited.filter((u) => new URL(u).origin === foyerOrigin).map((u) => new URL(u).pathname);
      assert.ok(
        onFoyer.includes('/oauth2/consent'),
        `the way into ${HOTELS} passed the consent page; Foyer pages seen: ${onFoyer.join(', ')}`,
      );
      const prompts = onFoyer.filter((p) => p === '/login' || p.startsWith('/login/'));
      assert.deepEqual(
        prompts,
        [],
        `already signed in at Northwind ID, the way into ${HOTELS} must not ask to sign in again; ` +
          `pages seen: ${hotelsVisited.join('\n  ')}`,
      );
      // Northwind Hotels is registered with pairwise subjects: it cannot match Air's id.
      const hotelsSubject = await claim(hotels, 'sub');
      assert.notEqual(hotelsSubject, airSubject, `${HOTELS} (pairwise) must get another subject than ${AIR}`);

      // --- 3. Connected brands: both listed; disconnect Northwind Hotels ------------------
      const account = await context.newPage();
      errors['Connected brands'] = watchErrors(account);
      await account.goto(`${foyer.baseUrl}/account/brands`);
      await waitForHydration(account);
      await expectVisible(account.getByRole('heading', { level: 1, name: 'Connected brands' }), 'the heading "Connected brands"');
      const brandHeading = (name) => account.getByRole('main').getByRole('heading', { level: 2, name, exact: true });
      await expectVisible(brandHeading(AIR), `${AIR} among the connected brands`);
      await expectVisible(brandHeading(HOTELS), `${HOTELS} among the connected brands`);

      // Destructive: it asks first.
      await account.getByRole('button', { name: `Disconnect ${HOTELS}`, exact: true }).click();
      await account.getByRole('button', { name: `Yes, disconnect ${HOTELS}`, exact: true }).click();
      await expectVisible(
        account.getByRole('status').getByText(`${HOTELS} was disconnected.`),
        `the status message that ${HOTELS} was disconnected`,
      );
      await expectHidden(brandHeading(HOTELS), `${HOTELS} on the list of connected brands after disconnecting it`);
      await expectVisible(brandHeading(AIR), `${AIR}, still connected`);
      await expectVisible(account.getByRole('button', { name: `Disconnect ${AIR}`, exact: true }), `the button "Disconnect ${AIR}"`);
      // A fresh load agrees: the list comes from the server, not from the page's memory.
      await account.reload();
      await waitForHydration(account);
      await expectVisible(brandHeading(AIR), `${AIR} among the connected brands after a reload`);
      await expectHidden(brandHeading(HOTELS), `${HOTELS} on the list of connected brands after a reload`);

      // --- 4. Back-channel logout ends the Hotels session; Air stays signed in ------------
      await waitUntilSignedOutAt(hotels, HOTELS, `After disconnecting ${HOTELS}`);
      await expectVisible(
        hotels.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }),
        `the button "Sign in with Northwind ID" at ${HOTELS} after its session ended`,
      );
      await air.reload();
      assert.equal(await expectSignedInAt(air, AIR, email), airGreeting, `${AIR} still greets the same customer`);

      // Disconnected means asked again: the next sign-in at Hotels shows the consent page.
      await hotels.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();
      await waitForPlace(hotels, foyerOrigin, '/oauth2/consent', `Signing in again at ${HOTELS} after disconnecting it`);
      await expectConsentFor(hotels, HOTELS, email);
      await hotels.getByRole('button', { name: 'Deny', exact: true }).click();
      await waitForPlace(hotels, hotelsOrigin, '/callback', `"Deny" for ${HOTELS}`);
      await expectVisible(hotels.getByRole('alert'), `the message at ${HOTELS} that the sign-in did not complete`);
      await expectVisible(hotels.getByText('You are not signed in.', { exact: true }), `"You are not signed in." at ${HOTELS} after "Deny"`);

      for (const [where, list] of Object.entries(errors)) {
        assert.deepEqual(list, [], `no page or console errors on the ${where} tab`);
      }
    });
  },
);

test('signing out at Northwind Air returns there signed out and ends the Northwind ID session', { timeout: 180_000 }, async () => {
  const airOrigin = new URL(site('air')).origin;
  const email = await confirmedAccount('brands-out');
  await withPage(async (air) => {
    const errors = watchErrors(air);
    await signInAtAir(air, email);

    // The page is at Air's "/" already, so the notice (only shown when Foyer sends the
    // browser back with the logout's state) is what tells that the round trip happened.
    await air.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectVisible(air.getByRole('status').getByText('You signed out of Northwind ID.'), `the notice at ${AIR} after signing out`);
    await waitForPlace(air, airOrigin, '/', `"Sign out" at ${AIR}`);
    await expectVisible(air.getByText('You are not signed in.', { exact: true }), `"You are not signed in." at ${AIR} after "Sign out"`);

    // Foyer's own session ended with it: the account pages send to the sign-in page.
    await air.goto(`${foyer.baseUrl}/account`);
    await waitForPlace(air, foyer.baseUrl, '/login', 'Visiting /account after signing out at the brand');

    assert.deepEqual(errors, [], 'no page or console errors');
  });
});
