// A login storm, as the customer sees it (docs/design/peaks.md "Login storms"): the
// sign-in call answers "busy" (503 with Retry-After), the page says so and tries again
// by itself after the wait, the fields stay as typed, and the sign-in goes through. The
// first answer is made busy in the browser (the real server answers the second), so the
// test needs no saturated server and no timing: it waits for what the page shows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectVisible, setupFoyerAndBrowser, url, waitForHydration, withPage } from '../support/browser.mjs';
import { PASSWORD, confirmedAccount } from '../support/accounts.mjs';

setupFoyerAndBrowser();

test('a busy sign-in says so, keeps the fields and goes through by itself', { timeout: 90_000 }, async () => {
  const email = await confirmedAccount('storm');
  await withPage(async (page) => {
    let calls = 0;
    await page.route('**/api/login', async (route) => {
      calls += 1;
      if (calls === 1) {
        await route.fulfill({ status: 503, headers: { 'Retry-After': '2', 'Content-Type': 'application/json' }, body: '{"Busy":2}' });
      } else {
        await route.continue();
      }
    });
    await page.goto(url('/login'));
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    const status = page.getByRole('status').filter({ hasText: 'We are busy right now. Trying again by itself in 2 seconds' });
    await expectVisible(status, 'the busy status line');
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), email, 'the address is kept');
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), PASSWORD, 'the password is kept in the field');
    assert.equal(await page.getByRole('heading', { name: 'There is a problem' }).count(), 0, 'no error summary while retrying');

    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the account, after the retry');
    assert.equal(calls, 2, 'one busy answer, then one retry');
  });
});

test('auf Deutsch: ausgelastet, mit Wiederholung', { timeout: 90_000 }, async () => {
  await withPage(async (page) => {
    await page.context().addCookies([{ name: 'foyer-lang', value: 'de', url: url('/') }]);
    await page.route('**/api/login', (route) =>
      route.fulfill({ status: 503, headers: { 'Retry-After': '30', 'Content-Type': 'application/json' }, body: '{"Busy":30}' }),
    );
    await page.goto(url('/login'));
    await waitForHydration(page);
    await page.getByLabel('E-Mail-Adresse', { exact: true }).fill('sturm@example.com');
    await page.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
    await page.locator('form button[type=submit]').first().click();
    await expectVisible(
      page.getByRole('status').filter({ hasText: 'Wir sind gerade ausgelastet. Wir versuchen es in 30 Sekunden von selbst noch einmal' }),
      'the German busy status line',
    );
  });
});
