// Households (/account/household): create one, invite an adult by mail, accept from the
// invitation link, then remove them — with the wasm; and the same page as plain form
// posts with JavaScript off.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, browser, expectVisible, foyer, setupFoyerAndBrowser, url, waitForHydration, withPage } from '../support/browser.mjs';
import { PASSWORD, confirmedAccount, signInWithPassword, watchErrors } from '../support/accounts.mjs';

setupFoyerAndBrowser();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The newest household invitation link mailed to `email` (the development mailbox). */
async function invitationLink(email) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    assert.ok(Date.now() < deadline, `no invitation mail for ${email} within ${TIMEOUT} ms`);
    const html = await (await fetch(url('/dev/mail'))).text();
    const at = html.indexOf(email);
    const match = at >= 0 ? html.slice(Math.max(0, at - 3000), at + 3000).match(/\/account\/household\/join\?token=([A-Za-z0-9_-]{40,})/) : null;
    if (match) return `/account/household/join?token=${match[1]}`;
    await sleep(300);
  }
}

/** The newest mail to `email` whose text matches `pattern`: the first group. */
async function fromMail(email, pattern) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    assert.ok(Date.now() < deadline, `no mail for ${email} matching ${pattern} within ${TIMEOUT} ms`);
    const html = await (await fetch(url('/dev/mail'))).text();
    const at = html.indexOf(email);
    const match = at >= 0 ? html.slice(Math.max(0, at - 3000), at + 3000).match(pattern) : null;
    if (match) return match[1];
    await sleep(300);
  }
}

/** Moves the development server's clock `days` forward (`/dev/clock`). */
async function advanceClock(days) {
  const response = await fetch(url('/dev/clock'), { method: 'POST', body: new URLSearchParams({ days: String(days) }) });
  assert.equal(response.status, 200, await response.text());
}

/** YYYY-MM-DD of the day someone turning 16 in `days` days was born. */
function bornSixteenYearsBefore(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCFullYear(d.getUTCFullYear() - 16);
  return d.toISOString().slice(0, 10);
}

/** Runs `fn` with a page whose context has JavaScript disabled. */
async function withPlainPage(fn) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

test('create a household, invite by mail, accept, remove', { timeout: 180_000 }, async () => {
  const owner = await confirmedAccount('owner');
  const member = await confirmedAccount('member');
  await withPage(async (page) => {
    const errors = watchErrors(page);
    await signInWithPassword(page, owner);
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Household' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your household' }), 'the household page');
    await waitForHydration(page);

    // A name is required: the error is tied to the field.
    const create = page.getByRole('region', { name: 'Create a household' });
    await create.getByRole('button', { name: 'Create household' }).click();
    await expectVisible(page.getByRole('alert').first(), 'the error summary');
    await create.getByLabel('Household name').fill('The Lovelaces');
    await create.getByRole('button', { name: 'Create household' }).click();
    await expectVisible(page.getByRole('status').getByText('Your household was created.'), 'the confirmation');
    const household = page.getByRole('region', { name: 'The Lovelaces' });
    await expectVisible(household.getByText('You own this household.'), 'the owner line');

    await household.getByLabel('Their email address').fill(member);
    await household.getByRole('button', { name: 'Send invitation' }).click();
    await expectVisible(page.getByRole('status').getByText(`We have emailed an invitation to ${member}.`), 'the invitation message');
    await expectVisible(household.getByRole('button', { name: `Withdraw the invitation to ${member}` }), 'the open invitation');
    assert.deepEqual(errors, [], 'no page errors');
  });

  const link = await invitationLink(member);
  await withPage(async (page) => {
    // Signed out, the link says to sign in with the invited address first.
    await page.goto(url(link));
    await expectVisible(page.getByText('invites you to join the household “The Lovelaces”.'), 'the invitation');
    await expectVisible(page.getByRole('link', { name: 'Sign in to accept' }), 'the way to sign in');
    await signInWithPassword(page, member);
    await page.goto(url(link));
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Join the household' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your household' }), 'the household page');
    await expectVisible(page.getByText('You have joined the household.'), 'the welcome');
    await expectVisible(page.getByText('You are a member of this household.'), 'the member line');
    // The link works once.
    await page.goto(url(link));
    await expectVisible(page.getByRole('alert').getByText('This invitation has already been used.'), 'used once');
  });

  await withPage(async (page) => {
    await signInWithPassword(page, owner);
    await page.goto(url('/account/household'));
    await waitForHydration(page);
    const household = page.getByRole('region', { name: 'The Lovelaces' });
    await household.getByRole('button', { name: /^Remove .* from the household$/ }).click();
    const confirm = page.getByRole('group', { name: /^Remove .* from the household$/ });
    await expectVisible(confirm.getByText('They keep their own account'), 'the confirmation');
    await confirm.getByRole('button', { name: /^Remove / }).click();
    await expectVisible(page.getByRole('status').getByText('The member was removed and has been told by email.'), 'removed');
  });
});

test('the household page works as plain HTML', { timeout: 120_000 }, async () => {
  const owner = await confirmedAccount('plain-owner');
  await withPlainPage(async (page) => {
    await page.goto(url('/login'));
    await page.getByLabel('Email', { exact: true }).fill(owner);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'signed in');
    await page.goto(url('/account/household'));
    const create = page.getByRole('region', { name: 'Create a household' });
    await create.getByLabel('Household name').fill('x'.repeat(81));
    await create.getByRole('button', { name: 'Create household' }).click();
    await expectVisible(page.getByText('at most 80 characters').first(), 'the refusal, without JavaScript');
    await page.getByLabel('Household name').fill('Plain Family');
    await page.getByRole('button', { name: 'Create household' }).click();
    await expectVisible(page.getByRole('region', { name: 'Plain Family' }), 'the household');
    await page.getByRole('button', { name: 'Leave household' }).click();
    await page.getByRole('button', { name: 'Leave “Plain Family”' }).click();
    await expectVisible(page.getByRole('region', { name: 'Create a household' }), 'gone: the household was empty');
  });
});

test('a child: act for them, approve what waits for a guardian, hand over when they come of age', { timeout: 300_000 }, async () => {
  const guardian = await confirmedAccount('guardian');
  // A consent purpose of the group the child's profile can be asked for.
  const created = await foyer.run(['purpose', 'create', '--group', '--key', 'kids-club', '--title', 'en=Kids club news', '--title', 'de=Kinderclub',
    '--description', 'en=News for young members', '--description', 'de=Neuigkeiten', '--basis', 'consent', '--category', 'contact', '--retention', 'P1Y']);
  assert.equal(created.code, 0, created.stderr);
  const published = await foyer.run(['purpose', 'publish-version', '--group', '--key', 'kids-club', '--text', 'We send club news.']);
  assert.equal(published.code, 0, published.stderr);

  await withPage(async (page) => {
    const errors = watchErrors(page);
    await signInWithPassword(page, guardian);
    await page.goto(url('/account/household'));
    await waitForHydration(page);
    await page.getByLabel('Household name').fill('The Byrons');
    await page.getByRole('button', { name: 'Create household' }).click();
    await expectVisible(page.getByRole('region', { name: 'The Byrons' }), 'the household');

    // The child turns 16 in 40 days: the hand-over link is not there yet.
    await page.getByLabel('Given name').fill('Allegra');
    await page.getByLabel('Birth date').fill(bornSixteenYearsBefore(40));
    await page.getByRole('button', { name: 'Add to the household' }).click();
    await expectVisible(page.getByText('Added. You are their guardian.'), 'the child added');
    await page.reload();
    await waitForHydration(page);
    await expectVisible(page.getByText(/you can create the link with which Allegra takes over/), 'the hand-over date');

    // Act for the child: the banner says so; their privacy page asks a guardian.
    await page.getByRole('button', { name: 'Act for Allegra' }).click();
    await expectVisible(page.getByText('You are acting for Allegra.'), 'the banner');
    await page.goto(url('/account/privacy'));
    await waitForHydration(page);
    await page.getByRole('button', { name: /^Give consent: Kids club news/ }).click();
    await expectVisible(page.getByRole('status').getByText('Your choice is saved.'), 'saved as pending');
    // The button's answer navigates to the household page: wait for that navigation, or
    // a goto of ours would race it (net::ERR_ABORTED).
    await page.getByRole('button', { name: 'Back to my account' }).click();
    await page.waitForURL(/\/account\/household/);
    await expect404Free(page);
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Approve “Kids club news”' }).click();
    await expectVisible(page.getByText('Approved. It is recorded with your name.'), 'approved by the guardian');
    assert.deepEqual(errors, [], 'no page errors');
  });

  // Eleven days later the hand-over is 29 days away (sessions from before have ended).
  await advanceClock(11);
  let link;
  await withPage(async (page) => {
    await signInWithPassword(page, guardian);
    await page.goto(url('/account/household'));
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Create a hand-over link for Allegra' }).click();
    const field = page.getByLabel('Hand-over link');
    await expectVisible(field, 'the link to give to the child');
    link = await field.inputValue();
    assert.match(link, /\/claim\?token=[A-Za-z0-9_-]{40,}/);
  });

  const own = `allegra-${Date.now()}@example.com`;
  await withPage(async (page) => {
    const claim = new URL(link);
    await page.goto(url(`${claim.pathname}${claim.search}`));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Take over your account' }), 'the claim page');
    await page.getByRole('textbox', { name: 'Email address' }).fill(own);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    const code = await fromMail(own, /take over Allegra's account: (\d{6})/);
    await page.getByLabel('Code from the email').fill(code);
    await page.getByRole('button', { name: 'Take over my account' }).click();
    await expectVisible(page.getByText('Your account is yours now.'), 'the hand-over done');
  });
  await withPage(async (page) => {
    await signInWithPassword(page, own);
  });
  await withPage(async (page) => {
    await signInWithPassword(page, guardian);
    await page.goto(url('/account/household'));
    await waitForHydration(page);
    await expectVisible(page.getByText('Allegra', { exact: false }).first(), 'Allegra is still in the household');
    assert.equal(await page.getByRole('button', { name: 'Act for Allegra' }).count(), 0, 'the guardian lost every right');
  });
});

/** The page after a plain navigation is not an error page. */
async function expect404Free(page) {
  await expectVisible(page.getByRole('heading', { level: 1 }), 'a page');
}
