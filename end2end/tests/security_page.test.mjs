// The Security page as a person meets it: the summary at the top, destructive actions
// that ask "Are you sure?" first, recovery codes to download, the wrong current
// password said on its field, and the forms working before (or without) the wasm.
//
// Accounts are made through the server functions the pages call; everything under
// test is done through the page, by label and role. The no-JavaScript tests sign in
// with a normal page and carry its cookies into a context with JavaScript disabled.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  TIMEOUT,
  browser,
  expectHidden,
  expectVisible,
  foyer,
  setupFoyerAndBrowser,
  waitForHydration,
  withPage,
} from '../support/browser.mjs';
import { PASSWORD, confirmedAccount, signInWithPassword, watchErrors } from '../support/accounts.mjs';
import { totp } from '../support/totp.mjs';

setupFoyerAndBrowser();

const NEW_PASSWORD = 'a different horse battery staple 43';

/** Signs `email` in with a normal page, then runs `fn` with a page of a context that
 * has the same cookies and no JavaScript. */
async function withoutJavaScript(email, fn) {
  const state = await withPage(async (page) => {
    await signInWithPassword(page, email);
    return page.context().storageState();
  });
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: state });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  try {
    const page = await context.newPage();
    await page.goto(`${foyer.baseUrl}/account/security`);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Security' }), 'the Security page');
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** The secret key as an authenticator app would read it (shown in groups of four). */
async function secretKey(page) {
  const shown = (await page.locator('code.totp-secret').innerText()).trim();
  assert.match(shown, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, `the secret key in groups of four: ${shown}`);
  return shown.replace(/\s+/g, '');
}

test('the summary counts, recovery codes download, turning off two-step asks first', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('security');
  await withPage(async (page) => {
    const errors = watchErrors(page);
    await signInWithPassword(page, email);
    await page.goto(`${foyer.baseUrl}/account/security`);
    await waitForHydration(page);

    const summary = page.locator('#security-summary');
    await expectVisible(summary, 'the summary line');
    assert.match(await summary.innerText(), /^Two-step verification off · no passkeys · (1 signed-in device|[2-9] signed-in devices)$/);

    // Once interactive, a password field can be shown in clear.
    const current = page.getByLabel('Current password');
    assert.equal(await current.getAttribute('type'), 'password');
    const show = page.locator('button[aria-controls="field-current_password"]');
    assert.equal(await show.innerText(), 'Show password');
    await show.click();
    assert.equal(await current.getAttribute('type'), 'text');
    assert.equal(await show.getAttribute('aria-pressed'), 'true');
    await show.click();
    assert.equal(await current.getAttribute('type'), 'password');

    const twoStep = page.getByRole('region', { name: 'Two-step verification' });
    await twoStep.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expectVisible(twoStep.getByRole('img', { name: 'QR code for your authenticator app' }), 'the QR code');
    const secret = await secretKey(page);
    const code = twoStep.getByLabel('Authentication code', { exact: true });
    assert.equal(await code.getAttribute('inputmode'), 'numeric');
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
    await code.fill(totp(secret, Date.now()));
    await twoStep.getByRole('button', { name: 'Turn on two-step verification' }).click();

    const codes = twoStep.getByRole('status').filter({ has: page.getByRole('heading', { name: 'Your recovery codes' }) });
    await expectVisible(codes, 'the recovery codes');
    const shown = (await codes.getByRole('listitem').allInnerTexts()).map((c) => c.trim());
    assert.equal(shown.length, 10);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      codes.getByRole('link', { name: 'Download as a text file' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'recovery-codes.txt');
    const file = await readFile(await download.path(), 'utf8');
    for (const c of shown) assert.ok(file.includes(c), `the file holds ${c}`);
    await expectVisible(codes.getByRole('button', { name: 'Copy the codes' }), 'the copy button once interactive');
    await expectVisible(summary.filter({ hasText: /^Two-step verification on · no passkeys/ }), 'the summary after turning it on');

    // Turning it off asks first; Cancel leaves it on.
    await twoStep.getByRole('link', { name: 'Turn off two-step verification' }).click();
    const question = twoStep.getByRole('group', { name: 'Turn off two-step verification?' });
    await expectVisible(question, 'the confirmation');
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-labelledby') === 'two-step-off-heading', null, { timeout: TIMEOUT });
    await question.getByRole('link', { name: 'Cancel' }).click();
    await expectHidden(question, 'the confirmation after Cancel');
    await expectVisible(twoStep.getByText('Two-step verification is on'), 'still on after Cancel');

    await twoStep.getByRole('link', { name: 'Turn off two-step verification' }).click();
    await question.getByRole('button', { name: 'Turn off', exact: true }).click();
    await expectVisible(twoStep.getByText('Two-step verification is off.'), 'the status after turning it off');
    await expectVisible(twoStep.getByRole('button', { name: 'Set up an authenticator app' }), 'set-up offered again');
    await expectVisible(summary.filter({ hasText: /^Two-step verification off/ }), 'the summary after turning it off');
    assert.deepEqual(errors, [], `no console errors: ${errors.join('\n')}`);
  });
});

test('a wrong current password is said on its field, then the change works without JavaScript', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('security-nojs');
  await withoutJavaScript(email, async (page) => {
    const form = page.getByRole('region', { name: 'Change your password' });
    await form.getByLabel('Current password').fill('not my password at all');
    await form.getByLabel('New password').fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();

    const current = form.getByLabel('Current password');
    await expectVisible(form.getByText('Your current password is not right.').first(), 'the message for the current password');
    assert.equal(await current.getAttribute('aria-invalid'), 'true', 'the field is marked');
    const described = (await current.getAttribute('aria-describedby')) ?? '';
    assert.ok(described.includes('field-current_password-error'), `the message is tied to the field: ${described}`);
    await expectVisible(form.getByRole('alert').getByRole('link', { name: 'Your current password is not right.' }), 'the summary links the field');
    assert.equal(await page.getByText('Email or password is incorrect').count(), 0, 'not the sign-in message');

    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByLabel('New password').fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await expectVisible(form.getByRole('status').filter({ hasText: 'Your password is changed.' }), 'the success after a plain post');

    const change = page.getByRole('region', { name: 'Change your email' });
    await change.getByLabel('New email').fill(`new-${email}`);
    await change.getByRole('button', { name: 'Change email' }).click();
    await expectVisible(change.getByRole('status').filter({ hasText: 'Check the new address' }), 'the email change started by a plain post');
  });
});

test('two-step verification is set up and turned off without JavaScript; the codes show once', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('security-totp-nojs');
  await withoutJavaScript(email, async (page) => {
    const twoStep = page.getByRole('region', { name: 'Two-step verification' });
    await twoStep.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expectVisible(twoStep.getByRole('img', { name: 'QR code for your authenticator app' }), 'the QR code after a plain post');
    const secret = await secretKey(page);

    // A wrong code first: the set-up stays, the field says why.
    await twoStep.getByLabel('Authentication code', { exact: true }).fill('000000');
    await twoStep.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await expectVisible(twoStep.getByText('That code is not right.').first(), 'the wrong code');
    await twoStep.getByLabel('Authentication code', { exact: true }).fill(totp(secret, Date.now()));
    await twoStep.getByRole('button', { name: 'Turn on two-step verification' }).click();

    const codes = twoStep.getByRole('status').filter({ has: page.getByRole('heading', { name: 'Your recovery codes' }) });
    await expectVisible(codes, 'the recovery codes after a plain post');
    assert.equal(await codes.getByRole('listitem').count(), 10);
    const href = (await codes.getByRole('link', { name: 'Download as a text file' }).getAttribute('href')) ?? '';
    assert.ok(href.startsWith('data:text/plain'), 'the download is made from the page, not served');
    await expectVisible(twoStep.getByText('Two-step verification is on'), 'on');

    // Shown once: the next visit has no codes.
    await page.goto(`${foyer.baseUrl}/account/security`);
    await expectVisible(twoStep.getByText('Two-step verification is on'), 'still on');
    assert.equal(await twoStep.getByRole('heading', { name: 'Your recovery codes' }).count(), 0, 'the codes are not shown again');
    await twoStep.getByRole('button', { name: 'Create new recovery codes' }).click();
    await expectVisible(codes, 'new recovery codes after a plain post');
    assert.equal(await codes.getByRole('listitem').count(), 10);

    await twoStep.getByRole('link', { name: 'Turn off two-step verification' }).click();
    const question = twoStep.getByRole('group', { name: 'Turn off two-step verification?' });
    await expectVisible(question, 'the confirmation without JavaScript');
    await question.getByRole('button', { name: 'Turn off', exact: true }).click();
    await expectVisible(twoStep.getByText('Two-step verification is off.'), 'off after a plain post');
    await expectHidden(question, 'no question after it is done');
  });
});

/** A platform authenticator (CDP WebAuthn) that verifies the user at once. */
async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

test('removing a passkey asks first; the name field is empty after adding', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('security-passkey');
  await withPage(async (page) => {
    const errors = watchErrors(page);
    await virtualAuthenticator(page);
    await signInWithPassword(page, email);
    await page.goto(`${foyer.baseUrl}/account/security`);
    await waitForHydration(page);
    const passkeys = page.getByRole('region', { name: 'Passkeys' });
    await passkeys.getByLabel('Passkey name').fill('Test laptop');
    await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
    await expectVisible(passkeys.getByText('Your passkey was added.'), 'the confirmation');
    await page.waitForFunction(() => document.getElementById('field-passkey_name')?.value === '', null, { timeout: TIMEOUT });
    const item = passkeys.getByRole('listitem').filter({ hasText: 'Test laptop' });
    await expectVisible(item.locator('time'), 'a readable time');
    assert.doesNotMatch(await item.innerText(), /\d{4}-\d\d-\d\dT/, 'no raw ISO time');
    await expectVisible(page.locator('#security-summary').filter({ hasText: /^Two-step verification on · 1 passkey · / }), 'the summary counts the passkey');

    await item.getByRole('link', { name: /^Remove/ }).click();
    const question = passkeys.getByRole('group', { name: 'Remove the passkey "Test laptop"?' });
    await expectVisible(question, 'the confirmation');
    await question.getByRole('button', { name: 'Remove passkey', exact: true }).click();
    await expectVisible(passkeys.getByText('You have no passkeys yet.'), 'the passkey is gone');
    assert.deepEqual(errors, [], `no console errors: ${errors.join('\n')}`);
  });
});

test('without JavaScript, a change the session is too weak for asks to confirm it is you, then goes through', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('security-stepup');
  // This session signed in with the password alone, before two-step verification was
  // turned on elsewhere: turning it off must ask for both steps again.
  await withoutJavaScript(email, async (page) => {
    const secret = await withPage(async (other) => {
      await signInWithPassword(other, email);
      await other.goto(`${foyer.baseUrl}/account/security`);
      await waitForHydration(other);
      const twoStep = other.getByRole('region', { name: 'Two-step verification' });
      await twoStep.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await expectVisible(twoStep.getByRole('img', { name: 'QR code for your authenticator app' }), 'the QR code');
      const key = await secretKey(other);
      await twoStep.getByLabel('Authentication code', { exact: true }).fill(totp(key, Date.now()));
      await twoStep.getByRole('button', { name: 'Turn on two-step verification' }).click();
      await expectVisible(twoStep.getByText('Two-step verification is on'), 'on, in the other session');
      return key;
    });

    await page.goto(`${foyer.baseUrl}/account/security`);
    const twoStep = page.getByRole('region', { name: 'Two-step verification' });
    await twoStep.getByRole('link', { name: 'Turn off two-step verification' }).click();
    await twoStep.getByRole('group', { name: 'Turn off two-step verification?' }).getByRole('button', { name: 'Turn off', exact: true }).click();

    await expectVisible(twoStep.getByText("For your security, confirm it's you to continue."), 'the step-up, inline');
    await twoStep.getByLabel('Password', { exact: true }).fill('not my password at all');
    await twoStep.getByLabel('Authentication code', { exact: true }).fill(totp(secret, Date.now() + 30_000));
    await twoStep.getByRole('button', { name: 'Confirm and continue' }).click();
    await expectVisible(twoStep.getByText('Your current password or the authentication code is not right.').first(), 'a failed step-up says so');

    await twoStep.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await twoStep.getByLabel('Authentication code', { exact: true }).fill(totp(secret, Date.now() + 30_000));
    await twoStep.getByRole('button', { name: 'Confirm and continue' }).click();
    await expectVisible(twoStep.getByText("Thank you, that's confirmed."), 'the step-up passed');
    await twoStep.getByRole('group', { name: 'Turn off two-step verification?' }).getByRole('button', { name: 'Turn off', exact: true }).click();
    await expectVisible(twoStep.getByText('Two-step verification is off.'), 'off after stepping up');
  });
});

test('in German the page has every word translated, before and after the wasm', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('security-de');
  await withPage(async (page) => {
    const errors = watchErrors(page);
    await signInWithPassword(page, email);
    await page.context().addCookies([{ name: 'foyer-lang', value: 'de', url: foyer.baseUrl }]);
    await page.goto(`${foyer.baseUrl}/account/security`);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Sicherheit' }), 'the German heading');
    await waitForHydration(page);
    await expectVisible(page.getByText('Passkey hinzufügen'), 'the passkey form once interactive');
    const text = await page.locator('main').innerText();
    assert.ok(!text.includes('⟦'), `no untranslated message: ${text}`);
    assert.match(await page.locator('#security-summary').innerText(), /^Bestätigung in zwei Schritten aus · keine Passkeys · (1 angemeldetes Gerät|[2-9] angemeldete Geräte)$/);
    assert.deepEqual(errors, [], `no console errors: ${errors.join('\n')}`);
  });
});
