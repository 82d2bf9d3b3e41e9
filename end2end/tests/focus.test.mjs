// After a failed submit (with the wasm running), focus moves to the error summary, so a
// screen reader announces it and the keyboard continues from there; the terms
// checkbox's error is tied to it and linked from the summary.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { expectVisible, setupFoyerAndBrowser, url, waitForHydration, withPage } from '../support/browser.mjs';
import { PASSWORD, confirmedAccount } from '../support/accounts.mjs';

setupFoyerAndBrowser();

const summary = (page) => page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'There is a problem' }) });
const focusedIsSummary = (page) => page.evaluate(() => document.activeElement?.classList.contains('error-summary') ?? false);

test('a wrong password moves focus to the error summary, and it clears on the next try', { timeout: 90_000 }, async () => {
  const email = await confirmedAccount('focus');
  await withPage(async (page) => {
    await page.goto(url('/login'));
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(summary(page), 'the error summary');
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
    assert.ok(await focusedIsSummary(page), 'focus is on the summary');

    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the account');
  });
});

test('registering without accepting the terms: the summary takes focus and links the checkbox', { timeout: 90_000 }, async () => {
  await withPage(async (page) => {
    await page.goto(url('/register'));
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill(`focus-${randomBytes(6).toString('hex')}@example.com`);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await expectVisible(summary(page), 'the error summary');
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
    const link = summary(page).getByRole('link');
    assert.equal(await link.count(), 1, 'one linked problem');
    assert.equal(await link.getAttribute('href'), '#accept_terms', 'the summary links the checkbox');
    const terms = page.getByLabel('I accept the terms of use');
    assert.equal(await terms.getAttribute('aria-invalid'), 'true');
    assert.equal(await terms.getAttribute('aria-describedby'), 'accept_terms-error');
    await expectVisible(page.locator('#accept_terms-error'), 'the checkbox\'s own error');
  });
});
