// The account pages as a customer meets them, with and without the page's JavaScript:
// a signed-out visit goes to the sign-in page and would come back; the profile saves
// before the wasm arrives (success and refusal, values kept); choosing German turns the
// pages German; times read as words ("just now", "gerade eben"), never ISO strings;
// one other device signs out at once; "Sign out all other devices" asks first and then
// ends the other sessions only.
// Elements are found by role and label, never by CSS class.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TIMEOUT,
  browser,
  describePage,
  expectVisible,
  foyer,
  setupFoyerAndBrowser,
  url,
  waitForHydration,
} from '../support/browser.mjs';
import { PASSWORD, confirmedAccount, serverFn } from '../support/accounts.mjs';

setupFoyerAndBrowser();

/** An ISO 8601 instant as a person should never have to read it. */
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** Runs `fn` with a page in a fresh context; `javaScriptEnabled: false` for the plain posts. */
async function withContext(options, fn) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const page = await context.newPage();
  try {
    return await fn(page, context);
  } finally {
    await context.close();
  }
}

/** Signs `email` in through the server function and gives the context its cookies. */
async function signIn(context, email) {
  const jar = new Map();
  await serverFn('login', { email, password: PASSWORD }, jar);
  await context.addCookies([...jar].map(([name, value]) => ({ name, value, url: foyer.baseUrl })));
  return jar;
}

/** Whether the session in `jar` is still signed in (`me` answers the customer). */
async function signedIn(jar) {
  const response = await fetch(url('/api/me'), {
    method: 'POST',
    headers: {
      Origin: foyer.baseUrl,
      'Sec-Fetch-Site': 'same-origin',
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
    },
    body: '',
  });
  assert.equal(response.status, 200);
  return (await response.json()) !== null;
}

/** Waits until `locator` matches `n` elements (a list re-rendered after an action). */
async function expectCount(locator, n, what) {
  const deadline = Date.now() + TIMEOUT;
  let count = await locator.count();
  while (count !== n && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    count = await locator.count();
  }
  assert.equal(count, n, `${what}:\n${await describePage(locator.page())}`);
}

/** The main landmark's visible text. */
async function mainText(page) {
  return page.getByRole('main').innerText();
}

test('a signed-out visit to an account page goes to sign-in, with the way back', { timeout: 60_000 }, async () => {
  for (const javaScriptEnabled of [false, true]) {
    await withContext({ javaScriptEnabled }, async (page) => {
      await page.goto(url('/account/devices'));
      const here = new URL(page.url());
      assert.equal(`${here.pathname}${here.search}`, '/login?return_to=%2Faccount%2Fdevices', `JavaScript ${javaScriptEnabled ? 'on' : 'off'}`);
      await expectVisible(page.getByRole('heading', { level: 1 }), 'the sign-in page');
    });
  }
});

test('the profile saves without JavaScript: refused with the field named, then saved, values kept', { timeout: 90_000 }, async () => {
  const email = await confirmedAccount('nojs-profile');
  await withContext({ javaScriptEnabled: false }, async (page, context) => {
    await signIn(context, email);
    await page.goto(url('/account'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the profile page');

    // A wrong phone number: the page comes back with the summary and what was typed.
    await page.getByLabel('Display name', { exact: true }).fill('Mira M.');
    await page.getByLabel('Phone', { exact: true }).fill('12345');
    await page.getByRole('button', { name: 'Save profile' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await expectVisible(summary, 'the error summary after a refused save');
    await expectVisible(summary.getByRole('link', { name: /Phone/ }), 'the summary linking the Phone field');
    assert.equal(await page.getByLabel('Display name', { exact: true }).inputValue(), 'Mira M.', 'the typed name comes back');
    assert.equal(await page.getByLabel('Phone', { exact: true }).inputValue(), '12345', 'the typed phone comes back');

    // Corrected and saved: the success state, the values as saved.
    await page.getByLabel('Phone', { exact: true }).fill('+44 20 7946 0958');
    await page.getByLabel('Time zone', { exact: true }).selectOption('Europe/Berlin');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'Profile saved.' }), '"Profile saved." after a plain post');
    assert.equal(await page.getByLabel('Display name', { exact: true }).inputValue(), 'Mira M.');
    assert.equal(await page.getByLabel('Phone', { exact: true }).inputValue(), '+442079460958');
    assert.equal(await page.getByLabel('Time zone', { exact: true }).inputValue(), 'Europe/Berlin');
    await page.goto(url('/account/devices'));
    const text = await mainText(page);
    assert.ok(text.includes('just now') && !ISO.test(text), `times in words on the devices page:\n${text}`);
    const datetime = await page.getByRole('main').locator('time').first().getAttribute('datetime');
    assert.ok(datetime?.endsWith('+01:00'), `the machine-readable time in the chosen zone: ${datetime}`);
  });
});

test('choosing German in the profile turns the account pages German', { timeout: 90_000 }, async () => {
  const email = await confirmedAccount('deutsch');
  await withContext({}, async (page, context) => {
    await signIn(context, email);
    await page.goto(url('/account'));
    await waitForHydration(page);
    await page.getByRole('combobox', { name: 'Language', exact: true }).selectOption('de');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Ihr Profil' }), 'the German heading after saving');
    await expectVisible(page.getByRole('status').filter({ hasText: 'Profil gespeichert.' }), 'the German success message');
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    assert.equal(await page.getByRole('combobox', { name: 'Sprache', exact: true }).inputValue(), 'de', 'the language kept');

    for (const [path, heading] of [
      ['/account/devices', 'Ihre Geräte'],
      ['/account/activity', 'Kontoaktivität'],
      ['/account/brands', 'Verbundene Marken'],
      ['/account/privacy', 'Datenschutz und Einwilligungen'],
    ]) {
      await page.goto(url(path));
      await expectVisible(page.getByRole('heading', { level: 1, name: heading }), `"${heading}" on ${path}`);
      const text = await mainText(page);
      assert.ok(!text.includes('⟦') && !ISO.test(text), `${path} reads:\n${text}`);
      const nav = page.getByRole('navigation', { name: 'Konto' });
      await expectVisible(nav.getByRole('link', { name: 'Ihre Geräte' }), `the German account navigation on ${path}`);
    }
    await page.goto(url('/account/devices'));
    await expectVisible(page.getByRole('main').locator('time', { hasText: 'gerade eben' }), '"gerade eben" on the devices page');
    await page.goto(url('/account/activity'));
    await expectVisible(page.getByRole('listitem').filter({ hasText: 'Angemeldet' }), 'a German activity entry');
  });
});

test('signing out the other devices asks first, with and without JavaScript', { timeout: 120_000 }, async () => {
  for (const javaScriptEnabled of [true, false]) {
    const email = await confirmedAccount(javaScriptEnabled ? 'others-js' : 'others-nojs');
    const other = new Map();
    await serverFn('login', { email, password: PASSWORD }, other);
    const third = new Map();
    await serverFn('login', { email, password: PASSWORD }, third);
    await withContext({ javaScriptEnabled }, async (page, context) => {
      await signIn(context, email);
      await page.goto(url('/account/devices'));
      if (javaScriptEnabled) await waitForHydration(page);
      const items = page.getByRole('main').getByRole('listitem');
      await expectVisible(items.filter({ hasText: 'This device' }), 'this device on the list');
      assert.equal(await items.count(), 3, 'this device and the two others on the list');

      // One device at a time needs no confirmation.
      await items.filter({ hasNotText: 'This device' }).first().getByRole('button', { name: /^Sign out / }).click();
      await expectVisible(page.getByRole('status').filter({ hasText: 'That device was signed out.' }), 'the one device signed out');
      await expectVisible(items.filter({ hasText: 'This device' }), 'this device on the list');
      await expectCount(items, 2, 'one other device left');
      assert.equal([await signedIn(other), await signedIn(third)].filter(Boolean).length, 1, 'exactly one other session ended');
      const remaining = (await signedIn(other)) ? other : third;

      await page.getByRole('button', { name: 'Sign out all other devices' }).click();
      await expectVisible(page.getByRole('heading', { name: 'Sign out all other devices?' }), 'the confirmation');
      assert.ok(await signedIn(remaining), 'nothing ended before confirming');
      // "Cancel" leaves everything as it was.
      await page.getByRole('link', { name: 'Cancel' }).click();
      await expectVisible(page.getByRole('button', { name: 'Sign out all other devices' }), 'the page again after Cancel');
      assert.ok(await signedIn(remaining), 'nothing ended after Cancel');

      await page.getByRole('button', { name: 'Sign out all other devices' }).click();
      await page.getByRole('button', { name: 'Yes, sign out the other devices' }).click();
      await expectVisible(page.getByRole('status').filter({ hasText: 'All other devices were signed out' }), 'the success message');
      assert.equal(await signedIn(remaining), false, 'the other session ended');
      await expectVisible(items.filter({ hasText: 'This device' }), 'this device still signed in');
      await expectCount(items, 1, 'only this device left');
    });
  }
});
