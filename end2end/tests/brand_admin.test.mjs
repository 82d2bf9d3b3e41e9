// Brand administration as a brand administrator meets it (docs/design/admin.md "Brand
// administration"): the operator creates a brand and a brand administrator with the
// real CLI; the administrator signs in at /admin, opens their brand, types theme
// colours and watches the preview follow, saves them, uploads a logo and sees it in the
// preview, and registers a client with a non-default option under "More options" —
// by keyboard — seeing its secret once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectHidden, expectVisible, foyer, setupFoyerAndBrowser, url, waitForHydration, withPage } from '../support/browser.mjs';
import { watchErrors } from '../support/accounts.mjs';
import { totp } from '../support/totp.mjs';
import { STAFF_PASSWORD, signInOnPage, staffFn } from '../support/staff.mjs';

setupFoyerAndBrowser();

/** A real 1×1 PNG, so the preview's image decodes. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Runs the CLI; its last JSON line. */
async function cli(args) {
  const out = await foyer.run(['--json', ...args]);
  assert.equal(out.code, 0, `foyer ${args.join(' ')} failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop());
}

/** The computed colour of `property` on the element `locator` finds. */
async function colour(locator, property) {
  return locator.evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);
}

test('a brand administrator themes their brand, uploads a logo and registers a client, by keyboard where it counts', { timeout: 240_000 }, async () => {
  await cli(['brand', 'create', '--slug', 'air', '--name', 'Northwind Air']);
  const email = `brand-admin-${Date.now()}@example.com`;
  const created = await cli(['admin', 'create', '--email', email, '--name', 'Bea Brand', '--role', 'brand_admin', '--brand', 'air']);
  const token = new URL(created.enrolment_link).searchParams.get('token');
  const { secret } = await staffFn('enrolment', { token });
  await staffFn('enrol', { token, password: STAFF_PASSWORD, code: totp(secret, Date.now()) });

  await withPage(async (page) => {
    const errors = watchErrors(page);
    await page.goto(url('/admin'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Staff sign-in' }), 'the staff sign-in');
    await signInOnPage(page, email, secret);

    // Their brand, from the shell's link.
    await page.getByRole('link', { name: 'Brands' }).first().click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Brands' }), 'the brands list');
    await page.getByRole('link', { name: 'Northwind Air' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Northwind Air' }), 'the brand page');
    await waitForHydration(page);

    // The preview follows what is typed, before anything is saved.
    const theme = page.getByRole('region', { name: 'Theme' });
    const sample = theme.getByRole('group', { name: 'Preview' }).getByRole('button', { name: 'A sample button' });
    const before = await colour(sample, 'background-color');
    await theme.getByLabel('Primary (buttons)', { exact: true }).fill('#0b3d91');
    await theme.getByLabel('Text on primary', { exact: true }).fill('#ffffff');
    await page.waitForFunction(
      (el) => getComputedStyle(el).backgroundColor === 'rgb(11, 61, 145)',
      await sample.elementHandle(),
      { timeout: 5_000 },
    ).catch(() => {});
    assert.equal(await colour(sample, 'background-color'), 'rgb(11, 61, 145)', `the preview follows the typed primary (was ${before})`);
    assert.equal(await colour(sample, 'color'), 'rgb(255, 255, 255)', 'and the typed text colour');
    await theme.getByRole('button', { name: 'Save theme' }).click();
    await expectVisible(theme.getByRole('status').filter({ hasText: 'Theme saved.' }), 'the theme saved');

    // A logo: a plain multipart post; back on the page, it is in the preview.
    await expectVisible(theme.getByText('No logo yet.'), 'no logo at first');
    await theme.getByLabel('Logo file', { exact: true }).setInputFiles({ name: 'air.png', mimeType: 'image/png', buffer: PNG });
    await theme.getByRole('button', { name: 'Upload logo' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'Logo saved.' }), 'the logo saved');
    const logo = page.getByRole('region', { name: 'Theme' }).getByRole('img', { name: 'The saved logo' });
    await expectVisible(logo, 'the logo in the preview');
    await page.waitForFunction((el) => el.complete, await logo.elementHandle());
    assert.equal(await logo.evaluate((img) => img.naturalWidth), 1, 'the uploaded PNG is what the preview shows');
    await waitForHydration(page);

    // Register a client by keyboard: name, redirect URI, "More options" opened with
    // Enter, a non-default lifetime, then Enter on "Register".
    const clients = page.getByRole('region', { name: 'Clients' });
    const form = clients.locator('form').filter({ has: page.getByRole('heading', { name: 'Register a client' }) });
    await form.getByLabel('Name', { exact: true }).focus();
    await page.keyboard.type('Air web');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'new-client-redirects', 'Tab reaches the redirect URIs');
    await page.keyboard.type('https://air.example/cb');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'kind-confidential', 'then the kind');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SUMMARY', 'then "More options"');
    const more = form.locator('details.more-options');
    assert.equal(await more.evaluate((d) => d.open), false, 'closed: the simple case stays simple');
    await page.keyboard.press('Enter');
    assert.equal(await more.evaluate((d) => d.open), true, 'Enter opens it');
    await form.getByLabel('Access token lifetime', { exact: true }).focus();
    await page.keyboard.type('5m');
    await form.getByRole('button', { name: 'Register' }).focus();
    await page.keyboard.press('Enter');

    const shown = clients.getByRole('status').filter({ hasText: 'shown once' });
    await expectVisible(shown, 'the new secret');
    const clientSecret = (await shown.locator('code.client-secret').innerText()).trim();
    assert.match(clientSecret, /^fcs_[A-Za-z0-9_-]{43}$/, 'the secret as issued');
    await expectVisible(clients.getByText('access token 5m, ID token 10m, refresh token 30d'), 'the option stored, the rest at their defaults');
    assert.ok(!page.url().includes(clientSecret), 'never in the address bar');

    // Shown once: a reload no longer has it.
    await page.reload();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Northwind Air' }), 'the brand page again');
    await expectVisible(page.getByRole('cell', { name: /Air web/ }), 'the client listed');
    assert.ok(!(await page.content()).includes(clientSecret), 'the secret is not shown again');
    await expectHidden(page.getByText('Copy it now'), 'no secret banner');
    assert.deepEqual(errors, [], `no console errors: ${errors.join('\n')}`);
  });
});
