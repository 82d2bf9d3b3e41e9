// After sign-in the page goes where the server says; a `return_to` in the sign-in link
// that a browser would read as another site (it strips tabs and newlines, so `/\t/x` is
// `//x`) must leave the person on Foyer, at their account.
//
// Elements are found by role, label or text, never by CSS class.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, describePage, expectVisible, foyer, setupFoyerAndBrowser, waitForHydration, withPage } from '../support/browser.mjs';
import { PASSWORD, confirmedAccount } from '../support/accounts.mjs';

setupFoyerAndBrowser();

/** `return_to` values that would leave Foyer if followed as given. */
const HOSTILE = ['/\t/evil.example', '/\n/evil.example', '/%09/evil.example', '/%5C/evil.example', '//evil.example', 'https://evil.example/'];

test('signing in with a return_to that points elsewhere stays on Foyer', { timeout: 120_000 }, async () => {
  const email = await confirmedAccount('return-to');
  const foyerOrigin = new URL(foyer.baseUrl).origin;
  for (const hostile of HOSTILE) {
    await withPage(async (page) => {
      // Any request that leaves Foyer is recorded and answered here, so it cannot hang.
      const elsewhere = [];
      await page.context().route(
        (u) => u.origin !== foyerOrigin,
        (route) => {
          elsewhere.push(route.request().url());
          return route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Elsewhere</h1>' });
        },
      );
      await page.goto(`${foyer.baseUrl}/login?return_to=${encodeURIComponent(hostile)}`);
      await waitForHydration(page);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), `the account page after signing in with return_to ${JSON.stringify(hostile)}`);
      try {
        await page.waitForURL((u) => u.origin === foyerOrigin && u.pathname === '/account', { timeout: TIMEOUT });
      } catch {
        assert.fail(`return_to ${JSON.stringify(hostile)} should end at ${foyerOrigin}/account, but the page is at ${page.url()}.\n${await describePage(page)}`);
      }
      assert.deepEqual(elsewhere, [], `return_to ${JSON.stringify(hostile)} made the browser ask another site`);
    });
  }
});
