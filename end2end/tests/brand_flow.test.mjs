// A brand's flow, as a person meets it with `foyer demo`: "Sign in with Northwind ID" at
// a demo brand site leads to pages that show the brand's logo and name in the header,
// its links in the footer and its colours, through sign-up, the second step and consent,
// and the header's links keep the flow (no "Create account" that drops `return_to`).
//
// Elements are found by role, label or text, never by CSS class.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
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
import { PASSWORD, confirmedAccount, watchErrors, withTwoStep } from '../support/accounts.mjs';
import { totp } from '../support/totp.mjs';
import { site, waitForPlace } from '../support/demo.mjs';

setupFoyerAndBrowser({ server: { demo: true } });

const AIR = 'Northwind Air';
const HOTELS = 'Northwind Hotels';

/** The brand's logo and name in the header, its theme loaded, the flow in the URL. */
async function expectBrandHeader(page, brand, where) {
  await waitForHydration(page);
  const header = page.getByRole('banner');
  await expectVisible(header.getByRole('img', { name: brand }), `${brand}'s logo in the header of ${where}`);
  // Reached by the router (no new document), the theme's <link> follows the page's data:
  // wait for it rather than count once.
  const theme = page.locator('link[rel="stylesheet"][href^="/brands/"][href$="/theme.css"]');
  await theme.first().waitFor({ state: 'attached', timeout: TIMEOUT }).catch(() => {});
  assert.ok((await theme.count()) > 0, `${where} loads ${brand}'s theme`);
  await expectVisible(
    page.getByRole('contentinfo').getByRole('link', { name: `${brand} website` }),
    `${brand}'s website link in the footer of ${where}`,
  );
}

/** Starts at a demo site signed out and follows "Sign in with Northwind ID". */
async function startAt(page, key, brand) {
  const foyerOrigin = new URL(foyer.baseUrl).origin;
  await page.goto(`${site(key)}/`);
  await expectVisible(page.getByRole('heading', { level: 1, name: brand }), `the heading "${brand}"`);
  await page.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();
  await waitForPlace(page, foyerOrigin, '/login', `"Sign in with Northwind ID" at ${brand}`);
  const returnTo = new URL(page.url()).searchParams.get('return_to');
  assert.match(returnTo ?? '', /^\/oauth2\/continue\?r=/, 'the sign-in page continues the authorization request');
  return returnTo;
}

/** The 6-digit code of the newest mail to `email`, from the development mailbox. */
async function mailedCode(email) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const html = await (await fetch(`${foyer.baseUrl}/dev/mail`)).text();
    const at = html.indexOf(email);
    const match = at >= 0 ? html.slice(at, at + 3000).match(/\b(\d{6})\b/) : null;
    if (match) return match[1];
    assert.ok(Date.now() < deadline, `no mail with a code for ${email} within ${TIMEOUT} ms`);
    await sleep(300);
  }
}

/** On the consent page for `brand`: the brand's header, then "Allow", back at the site. */
async function allowAt(page, key, brand) {
  const foyerOrigin = new URL(foyer.baseUrl).origin;
  await waitForPlace(page, foyerOrigin, '/oauth2/consent', `Signing in for ${brand}`);
  await expectBrandHeader(page, brand, 'the consent page');
  await expectVisible(page.getByRole('heading', { level: 1, name: `${brand} wants to access your account` }), 'the consent heading');
  await expectVisible(page.getByText('Northwind ID', { exact: false }).first(), 'the product name on the consent page');
  await page.getByRole('button', { name: 'Allow', exact: true }).click();
  if (key === 'air') {
    // Northwind Air asks for a seat preference at sign-in (progressive profiling), themed too.
    await waitForPlace(page, foyerOrigin, '/oauth2/profile', `"Allow" for ${brand}`);
    await expectBrandHeader(page, brand, 'the profile form');
    await page.getByRole('button', { name: 'Skip for now', exact: true }).click();
  }
  await waitForPlace(page, new URL(site(key)).origin, '/', `"Allow" for ${brand}`);
  await expectVisible(page.getByText('Signed in as'), `signed in at ${brand}`);
}

test('sign-up from a brand keeps the brand: logo, links and flow through sign-up and consent', { timeout: 240_000 }, async () => {
  await withPage(async (page) => {
    const errors = watchErrors(page);
    const returnTo = await startAt(page, 'air', AIR);
    await expectBrandHeader(page, AIR, 'the sign-in page');

    // The header's "Create account" keeps the flow.
    const create = page.getByRole('banner').getByRole('link', { name: 'Create account', exact: true });
    const href = new URL(await create.getAttribute('href'), foyer.baseUrl);
    assert.equal(href.searchParams.get('return_to'), returnTo, 'the header\'s "Create account" carries return_to');
    await create.click();
    await page.waitForURL((u) => u.pathname === '/register', { timeout: TIMEOUT });
    await expectBrandHeader(page, AIR, 'the sign-up page');

    const email = `brand-flow-${Date.now()}@example.com`;
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('I accept the terms of use').check();
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Check your email' }), 'the "Check your email" step');
    await expectBrandHeader(page, AIR, 'the "Check your email" step');

    // Go on with the same request: the consent page asks for the mailed code first.
    await page.goto(`${foyer.baseUrl}/login?return_to=${encodeURIComponent(returnTo)}`);
    await waitForHydration(page);
    if (new URL(page.url()).pathname === '/login') {
      await expectBrandHeader(page, AIR, 'the sign-in page after signing up');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    }
    await page.waitForURL((u) => u.pathname === '/oauth2/consent', { timeout: TIMEOUT });
    await expectVisible(page.getByRole('heading', { level: 1, name: `Confirm your email to continue to ${AIR}` }), 'the confirm-email step');
    await expectBrandHeader(page, AIR, 'the confirm-email step');
    await page.getByLabel('Code', { exact: true }).fill(await mailedCode(email));
    await page.getByRole('button', { name: 'Confirm email', exact: true }).click();
    await allowAt(page, 'air', AIR);
    assert.deepEqual(errors, [], `no page or console errors: ${errors.join('\n')}`);
  });
});

test('the second step and consent show the brand too', { timeout: 240_000 }, async () => {
  const email = await confirmedAccount('brand-2fa');
  // Two-step verification on, through the server functions the security page calls.
  const jar = new Map();
  const secret = await withTwoStep(email, jar);

  await withPage(async (page) => {
    const errors = watchErrors(page);
    await startAt(page, 'hotels', HOTELS);
    await expectBrandHeader(page, HOTELS, 'the sign-in page');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/login/second-factor', { timeout: TIMEOUT }).catch(async () => {
      assert.fail(`the password should lead to the second step, but the page is at ${page.url()}\n${await describePage(page)}`);
    });
    await expectBrandHeader(page, HOTELS, 'the second-step page');
    await page.getByLabel('Authentication code', { exact: true }).fill(totp(secret, Date.now() + 30_000));
    await page.getByLabel('Authentication code', { exact: true }).press('Enter');
    await allowAt(page, 'hotels', HOTELS);
    assert.deepEqual(errors, [], `no page or console errors: ${errors.join('\n')}`);
  });
});

test('the consent page works before the wasm (Allow is a plain form post), and a brand site retries a refresh whose answer it lost', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('brand-nojs');
  const jar = new Map();
  const r = await fetch(`${foyer.baseUrl}/api/login`, {
    method: 'POST',
    headers: { Origin: foyer.baseUrl, 'Sec-Fetch-Site': 'same-origin', Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: PASSWORD }).toString(),
  });
  assert.equal(r.status, 200, await r.text());
  for (const line of r.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  const context = await browser.newContext({ javaScriptEnabled: false });
  context.setDefaultTimeout(TIMEOUT);
  await context.addCookies([...jar].map(([name, value]) => ({ name, value, url: foyer.baseUrl })));
  const page = await context.newPage();
  try {
    const foyerOrigin = new URL(foyer.baseUrl).origin;
    await page.goto(`${site('air')}/`);
    await page.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();
    await waitForPlace(page, foyerOrigin, '/oauth2/consent', `"Sign in with Northwind ID" at ${AIR}, signed in, without JavaScript`);
    await expectVisible(page.getByRole('banner').getByRole('img', { name: AIR }), `${AIR}'s logo in the header`);
    await expectVisible(page.getByRole('heading', { level: 1, name: `${AIR} wants to access your account` }), 'the consent heading');
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    // The profile form (Air's seat preference) is a plain form post too.
    await waitForPlace(page, foyerOrigin, '/oauth2/profile', `"Allow" for ${AIR} without JavaScript`);
    await page.getByRole('button', { name: 'Skip for now', exact: true }).click();
    await waitForPlace(page, new URL(site('air')).origin, '/', `"Skip for now" for ${AIR} without JavaScript`);
    await expectVisible(page.getByText('Signed in as'), `signed in at ${AIR}`);

    // A refresh whose answer is lost (the site throws it away, as a phone losing its
    // connection would), then the same refresh token again: `foyer demo` runs with a
    // 30 s retry window, so the retry is answered, and the customer's activity says so.
    await page.getByRole('button', { name: 'Refresh, losing the answer', exact: true }).click();
    await expectVisible(page.getByText('this site threw the answer away', { exact: false }), 'the notice of the lost answer');
    await page.getByRole('button', { name: 'Refresh tokens', exact: true }).click();
    await expectVisible(page.getByText('Tokens refreshed', { exact: true }), 'the retry answered');
    await page.goto(`${foyer.baseUrl}/account/activity`);
    await expectVisible(
      page.getByRole('listitem').filter({ hasText: "A brand's app renewed its sign-in again because the first answer did not reach it" }),
      'the retry in the activity, without JavaScript',
    );
  } finally {
    await context.close();
  }
});
