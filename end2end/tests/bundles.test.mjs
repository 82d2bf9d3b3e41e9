// What a first visit to /login downloads, and what happens next. The sign-in pages
// have a wasm of their own (app/src/bundle.rs), the pages' messages are a file of
// their own (app/src/i18n.rs), and a link from a sign-in page to any other page loads
// that page whole, with every page's bundle.
//
// Elements are found by role, label or text, never by CSS class.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, browser, setupFoyerAndBrowser, withPage, url, expectVisible, waitForHydration } from '../support/browser.mjs';
import { watchErrors } from '../support/accounts.mjs';

setupFoyerAndBrowser();

const HASHED = '[A-Za-z0-9_-]{22}';

/** Paths of the responses the page receives, from now on. */
function recordResponses(page) {
  const paths = [];
  page.on('response', (r) => paths.push({ path: new URL(r.url()).pathname, status: r.status() }));
  return paths;
}

test('the sign-in page hydrates with its own bundle and one messages file', async () => {
  await withPage(async (page) => {
    const errors = watchErrors(page);
    const responses = recordResponses(page);
    await page.goto(url('/login'));
    await waitForHydration(page);
    await page.waitForLoadState('networkidle', { timeout: TIMEOUT }).catch(() => {});

    const wasm = responses.filter((r) => r.path.endsWith('.wasm')).map((r) => r.path);
    assert.equal(wasm.length, 1, `one wasm for /login: ${wasm.join(', ')}`);
    assert.match(wasm[0], new RegExp(`^/pkg/foyer-sign-in\\.${HASHED}\\.wasm$`), 'the sign-in bundle, not every page');
    const messages = responses.filter((r) => r.path.startsWith('/i18n/'));
    // The preload and the wasm's fetch are one request.
    assert.equal(messages.length, 1, `the messages are fetched once: ${JSON.stringify(messages)}`);
    assert.match(messages[0].path, new RegExp(`^/i18n/en\\.${HASHED}\\.json$`));
    assert.equal(messages[0].status, 200);
    const html = await (await fetch(url('/login'))).text();
    assert.ok(!html.includes('"shell-skip-to-content"'), 'the messages are no longer inline in the page');
    assert.deepEqual(errors, [], `errors while loading /login:\n${errors.join('\n')}`);
  });
});

test('in German, what the wasm renders is German', async () => {
  const context = await browser.newContext({ locale: 'de-DE' });
  context.setDefaultTimeout(TIMEOUT);
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(url('/login'));
    await waitForHydration(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    await page.getByLabel('E-Mail-Adresse', { exact: true }).fill('nobody-here@example.com');
    await page.getByLabel('Passwort', { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    // The error summary is drawn by the wasm from the messages file.
    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await expectVisible(alert, 'an alert after a failed sign-in');
    const text = await alert.first().innerText();
    assert.ok(!text.includes('⟦') && !/incorrect/.test(text), `the alert is in German:\n${text}`);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.deepEqual(errors, [], `errors on the German /login:\n${errors.join('\n')}`);
  } finally {
    await context.close();
  }
});

test('sign-in pages link each other in the page; other pages load whole', async () => {
  await withPage(async (page) => {
    const errors = watchErrors(page);
    await page.goto(url('/login'));
    await waitForHydration(page);
    await page.evaluate(() => {
      window.sameDocument = true;
    });

    // Within the sign-in bundle: the router draws the page, the document stays.
    await page.getByRole('link', { name: 'Email me a sign-in code instead' }).click();
    await page.waitForURL((u) => u.pathname === '/login/code');
    await expectVisible(page.getByRole('button', { name: 'Email me a code' }), 'the code sign-in form');
    assert.equal(await page.evaluate(() => window.sameDocument), true, '/login/code is drawn by the sign-in bundle');

    // Outside it: the whole page from the server, with every page's bundle.
    const responses = recordResponses(page);
    await page.getByRole('banner').getByRole('link', { name: 'Create account', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/register');
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Create an account' }), 'the registration page');
    await waitForHydration(page);
    assert.equal(await page.evaluate(() => window.sameDocument), undefined, '/register was loaded whole');
    const wasm = responses.filter((r) => r.path.endsWith('.wasm')).map((r) => r.path);
    assert.ok(wasm.length === 1 && new RegExp(`^/pkg/foyer\\.${HASHED}\\.wasm$`).test(wasm[0]), `every page's bundle for /register: ${wasm}`);

    // Back returns to the sign-in page the customer came from.
    await page.goBack();
    await page.waitForURL((u) => u.pathname === '/login/code');
    await expectVisible(page.getByRole('button', { name: 'Email me a code' }), 'the code sign-in form again');
    assert.deepEqual(errors, [], `errors while moving between pages:\n${errors.join('\n')}`);
  });
});
