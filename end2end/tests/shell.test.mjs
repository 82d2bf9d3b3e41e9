// The application shell, seen as a person sees it: pages that render on the
// server, hydrate in the browser, answer 404 kindly, list brands and show mail; the
// home page tells a customer what to do (the service status is the operator's).
//
// Elements are found by role, label or text, never by CSS class.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TIMEOUT,
  foyer,
  setupFoyerAndBrowser,
  withPage,
  url,
  expectVisible,
  waitForHydration,
} from '../support/browser.mjs';

setupFoyerAndBrowser({ serverLogOnFailure: false });

test('home page is server-rendered and hydrates', async () => {
  // Before any JavaScript: the HTML itself carries the content and the security headers.
  const res = await fetch(url('/'));
  const html = await res.text();
  assert.equal(res.status, 200, `GET / should answer 200, got ${res.status}`);
  assert.match(html, /<h1[\s>]/, 'the server-rendered HTML of / should contain an <h1>');
  assert.ok(html.includes('Welcome'), 'the server-rendered HTML of / should contain "Welcome"');
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, 'GET / should send a Content-Security-Policy header');
  assert.ok(
    csp.includes("frame-ancestors 'none'"),
    `the Content-Security-Policy should forbid framing with frame-ancestors 'none', got: ${csp}`,
  );
  assert.equal(
    res.headers.get('x-content-type-options'),
    'nosniff',
    'GET / should send X-Content-Type-Options: nosniff',
  );

  // In the browser: the same heading, what to do next, and no operator widget.
  await withPage(async (page) => {
    const response = await page.goto(url('/'));
    assert.equal(response?.status(), 200, 'the browser should get 200 for /');
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Welcome' }), 'the level-1 heading "Welcome"');
    await waitForHydration(page);
    const text = await page.locator('body').innerText();
    assert.ok(!text.includes('Foyer'), `customers are never told the software's name ("Foyer"):\n${text}`);
    assert.equal(await page.title(), 'Customer ID', 'the title is the product name (FOYER_PRODUCT_NAME)');
    const main = page.getByRole('main');
    await expectVisible(main.getByRole('link', { name: 'Sign in', exact: true }), 'a "Sign in" link on the home page');
    await expectVisible(main.getByRole('link', { name: 'Create account', exact: true }), 'a "Create account" link on the home page');
    await expectVisible(page.getByRole('contentinfo').getByRole('link', { name: 'Help' }), 'a "Help" link in the footer');
    assert.equal(await page.getByRole('button', { name: 'Check status' }).count(), 0, 'no service-status widget for customers');
    // The service status answers staff only.
    const status = await fetch(url('/admin/api/service_status'), {
      method: 'POST',
      headers: { Origin: foyer.baseUrl, 'Sec-Fetch-Site': 'same-origin', Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    await status.arrayBuffer();
    assert.notEqual(status.status, 200, 'the service status needs a staff session');
  });
});

test('the help page answers the common questions', async () => {
  await withPage(async (page) => {
    await page.goto(url('/'));
    await page.getByRole('contentinfo').getByRole('link', { name: 'Help' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Help' }), 'the level-1 heading "Help"');
    await expectVisible(page.getByRole('heading', { level: 2, name: 'I forgot my password' }), 'the question "I forgot my password"');
    await expectVisible(page.getByRole('link', { name: 'Reset your password' }), 'the link "Reset your password"');
  });
});

test('the demo brand is listed', async () => {
  const created = await foyer.run(['brand', 'create', '--slug', 'northwind-air', '--name', 'Northwind Air']);
  assert.equal(
    created.code,
    0,
    `foyer brand create should exit 0, got ${created.code} (signal ${created.signal}).\n` +
      `stdout:\n${created.stdout}\nstderr:\n${created.stderr}`,
  );

  await withPage(async (page) => {
    await page.goto(url('/'));
    const brandsHeading = page.getByRole('heading', { name: 'Brands', exact: true });
    await expectVisible(brandsHeading, 'a heading "Brands"');

    // The section that this heading titles: a named region (<section aria-labelledby>),
    // or at least a <section> element that contains the heading.
    const brands = page
      .getByRole('region', { name: 'Brands' })
      .or(page.locator('section').filter({ has: brandsHeading }));
    await expectVisible(brands, 'a region or section headed "Brands"');
    await expectVisible(
      brands.getByRole('listitem').filter({ hasText: 'Northwind Air' }),
      'a list item "Northwind Air" in the "Brands" section',
    );
  });
});

test('unknown pages answer 404 with a helpful page', async () => {
  const res = await fetch(url('/no/such/page'));
  await res.arrayBuffer();
  assert.equal(res.status, 404, `GET /no/such/page should answer 404, got ${res.status}`);

  await withPage(async (page) => {
    const response = await page.goto(url('/no/such/page'));
    assert.equal(response?.status(), 404, 'the browser should get 404 for /no/such/page');
    await expectVisible(page.getByRole('heading', { name: 'Page not found' }), 'the heading "Page not found"');
    await waitForHydration(page);

    const home = page.getByRole('link', { name: 'Go to the home page' });
    await expectVisible(home, 'the link "Go to the home page"');

    // As a keyboard user: focus the link and press Enter.
    await home.focus();
    await page.keyboard.press('Enter');
    try {
      await page.waitForURL((u) => u.pathname === '/', { timeout: TIMEOUT });
    } catch {
      assert.fail(`Pressing Enter on "Go to the home page" should go to /, but the page is at ${page.url()}`);
    }
    await expectVisible(
      page.getByRole('heading', { level: 1, name: 'Welcome' }),
      'the home page heading "Welcome" after following the link',
    );
  });
});

test('mail appears in the development mailbox', async () => {
  const sent = await foyer.run(['mail', 'test', '--to', 'e2e@example.com']);
  assert.equal(
    sent.code,
    0,
    `foyer mail test should exit 0, got ${sent.code} (signal ${sent.signal}).\n` +
      `stdout:\n${sent.stdout}\nstderr:\n${sent.stderr}`,
  );

  await withPage(async (page) => {
    const response = await page.goto(url('/dev/mail'));
    assert.equal(response?.status(), 200, 'the browser should get 200 for /dev/mail in --dev mode');
    await expectVisible(
      page.getByRole('heading', { level: 1, name: 'Development mailbox' }),
      'the level-1 heading "Development mailbox"',
    );

    // Delivery may go through the outbox, so give it time: reload every 500 ms for up to 15 s.
    const message = page
      .getByRole('heading', { level: 2, name: 'Customer ID test message' })
      .or(page.getByRole('listitem').filter({ hasText: 'Customer ID test message' }));
    const deadline = Date.now() + TIMEOUT;
    while ((await message.count()) === 0) {
      if (Date.now() > deadline) {
        const body = (await page.locator('body').innerText()).slice(0, 2_000);
        const { stderr } = foyer.output();
        assert.fail(
          `"Customer ID test message" did not appear in /dev/mail within ${TIMEOUT} ms.\n` +
            `Visible text of the page:\n${body}\nServer stderr (tail):\n${stderr.slice(-2_000)}`,
        );
      }
      await sleep(500);
      await page.reload();
    }

    await expectVisible(message, 'the message "Customer ID test message"');
    await expectVisible(page.getByText('e2e@example.com'), 'the recipient "e2e@example.com"');
  });
});

test('no console errors during hydration', async () => {
  await withPage(async (page) => {
    const errors = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        const where = msg.location()?.url;
        errors.push(`console.error: ${msg.text()}${where ? ` (at ${where})` : ''}`);
      }
    });
    page.on('pageerror', (err) => {
      errors.push(`uncaught: ${err.stack || err.message}`);
    });

    await page.goto(url('/'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Welcome' }), 'the level-1 heading "Welcome"');
    await waitForHydration(page);
    // Let late work (effects, resources, the favicon) finish and report.
    await page.waitForLoadState('networkidle', { timeout: TIMEOUT }).catch(() => {});
    await sleep(250);

    assert.deepEqual(errors, [], `the home page logged errors while loading and hydrating:\n${errors.join('\n')}`);
  });
});
