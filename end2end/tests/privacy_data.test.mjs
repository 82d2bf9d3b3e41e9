// "Your data" (/account/privacy/data): download the export (a JSON file naming the
// customer), delete the account, then sign in again and cancel the deletion — with the
// wasm, and as plain form posts with JavaScript off.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { TIMEOUT, browser, expectVisible, setupFoyerAndBrowser, url, waitForHydration, withPage } from '../support/browser.mjs';
import { PASSWORD, confirmedAccount, signInWithPassword, watchErrors } from '../support/accounts.mjs';

setupFoyerAndBrowser();

/** Runs `fn` with a page whose context has JavaScript disabled. */
async function withPlainPage(fn) {
  const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const page = await context.newPage();
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** Clicks `trigger` and returns the downloaded file's name and parsed JSON. */
async function downloadJson(page, trigger) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), trigger.click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), archive: JSON.parse(await readFile(file, 'utf8')) };
}

async function plainSignIn(page, email, landing) {
  await page.goto(url('/login'));
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectVisible(page.getByRole('heading', { level: 1, name: landing }), `"${landing}" after signing in`);
}

test('export, delete, then sign in again and cancel', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('data');
  await withPage(async (page) => {
    const errors = watchErrors(page);
    await signInWithPassword(page, email);
    await page.goto(url('/account/privacy/data'));
    await waitForHydration(page);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your data' }), 'the page');

    const exportRegion = page.getByRole('region', { name: 'Download my data' });
    await exportRegion.getByRole('button', { name: 'Prepare my download' }).click();
    const link = exportRegion.getByRole('link', { name: 'Download my data (JSON)' });
    await expectVisible(link, 'the single-use link');
    const { name, archive } = await downloadJson(page, link);
    assert.match(name, /^foyer-export-\d{4}-\d{2}-\d{2}\.json$/);
    assert.equal(archive.profile.email, email, 'the archive names the customer');
    assert.ok(archive.sections.activity.audit_log.length > 0, 'with the account activity');

    const deleteRegion = page.getByRole('region', { name: 'Delete my account' });
    await deleteRegion.getByLabel('Type your email address to confirm').fill('DELETE');
    await deleteRegion.getByRole('button', { name: 'Delete my account' }).click();
    await expectVisible(deleteRegion.getByText('This is not the email address of this account.').first(), 'a word does not confirm');
    await deleteRegion.getByLabel('Type your email address to confirm').fill(email);
    await deleteRegion.getByRole('button', { name: 'Delete my account' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your account will be deleted' }), 'the date, signed out');

    await signInWithPassword(page, email, 'Your account is scheduled for deletion');
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Cancel deletion' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the account, kept');
    assert.deepEqual(errors, []);
  });
});

test('without JavaScript: the download, the deletion and the cancellation are plain posts', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('data-nojs');
  await withPlainPage(async (page) => {
    await plainSignIn(page, email, 'Your profile');
    await page.goto(url('/account/privacy/data'));
    const exportRegion = page.getByRole('region', { name: 'Download my data' });
    const { archive } = await downloadJson(page, exportRegion.getByRole('button', { name: 'Prepare my download' }));
    assert.equal(archive.profile.email, email);

    const deleteRegion = page.getByRole('region', { name: 'Delete my account' });
    await deleteRegion.getByLabel('Type your email address to confirm').fill('someone.else@example.com');
    await deleteRegion.getByRole('button', { name: 'Delete my account' }).click();
    await expectVisible(page.getByRole('alert').filter({ hasText: 'This is not the email address of this account.' }).first(), 'the refusal, after a plain post');
    await page.getByRole('region', { name: 'Delete my account' }).getByLabel('Type your email address to confirm').fill(email);
    await page.getByRole('region', { name: 'Delete my account' }).getByRole('button', { name: 'Delete my account' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your account will be deleted' }), 'the date');

    await plainSignIn(page, email, 'Your account is scheduled for deletion');
    await page.getByRole('button', { name: 'Cancel deletion' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the account, kept');
  });
});
