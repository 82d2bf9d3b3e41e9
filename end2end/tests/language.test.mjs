// Languages, as a person meets them: the switcher in the header changes every string
// on the page (with and without JavaScript), no page shows an untranslated message id
// (`⟦id⟧`), and the switch goes back only to our own pages.
//
// Every text node of a page in English is compared with the same page in German: none
// of ours may be equal (names, emails and the languages' own names are allowed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, confirmedAccount } from '../support/accounts.mjs';
import {
  TIMEOUT,
  browser,
  foyer,
  expectVisible,
  setupFoyerAndBrowser,
  url,
  waitForHydration,
} from '../support/browser.mjs';

setupFoyerAndBrowser();

/** Text that is the same in every language: names, not words. */
// Words German shares with English, and names: the product, a person, time zones.
const SAME_IN_EVERY_LANGUAGE = new Set(['English', 'Deutsch', 'Customer ID', 'Mira', 'Name', 'Passkeys', '·', '—', '–', '*']);
const ZONE = /^(UTC|[A-Z][A-Za-z]+\/[A-Za-z_ /+-]+)$/;

/** A context with or without JavaScript, asking for English (with `cookies`, signed in). */
async function withContext(javaScriptEnabled, fn, cookies = []) {
  const context = await browser.newContext({ javaScriptEnabled, locale: 'en-US' });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  if (cookies.length) await context.addCookies(cookies);
  const page = await context.newPage();
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** The page's visible text nodes (trimmed, non-empty) and its title. */
async function texts(page) {
  return page.evaluate(() => {
    const out = [document.title.trim()];
    // No filter callback: with JavaScript off, the page's world cannot run one.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const parent = node.parentElement;
      const text = node.textContent.trim();
      if (text && parent && !parent.closest('script, style, template, noscript')) out.push(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [alt], [title]')) {
      for (const attr of ['aria-label', 'placeholder', 'alt', 'title']) {
        const v = el.getAttribute(attr)?.trim();
        if (v) out.push(v);
      }
    }
    return out;
  });
}

/** Whether a text is only a name, an address, a number or punctuation. */
function neutral(text) {
  return SAME_IN_EVERY_LANGUAGE.has(text) || ZONE.test(text) || /^[^\p{L}]*$/u.test(text) || /@/.test(text) || /^Northwind /.test(text);
}

/** Loads `path` in English, switches to German with the header's link, compares. */
async function compare(page, path, javaScript) {
  await page.goto(url(path));
  if (javaScript) await waitForHydration(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'en', `${path} starts in English`);
  const english = await texts(page);
  const switcher = page.getByRole('navigation', { name: 'Language' });
  await expectVisible(switcher.getByRole('link', { name: 'English' }), 'the link "English" in the language switcher');
  assert.equal(await switcher.getByRole('link', { name: 'English' }).getAttribute('aria-current'), 'true', 'English is the current language');
  await switcher.getByRole('link', { name: 'Deutsch' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'de', null, { timeout: TIMEOUT });
  if (javaScript) await waitForHydration(page);
  const back = new URL(page.url());
  assert.equal(back.pathname + back.search, path, `the switch comes back to ${path}`);
  const german = await texts(page);
  const sprache = page.getByRole('navigation', { name: 'Sprache' });
  assert.equal(await sprache.getByRole('link', { name: 'Deutsch' }).getAttribute('aria-current'), 'true', 'Deutsch is now the current language');
  assert.equal(await sprache.getByRole('link', { name: 'Deutsch' }).getAttribute('lang'), 'de', 'each language is named in itself');

  const untranslated = [...english, ...german].filter((t) => t.includes('⟦'));
  assert.deepEqual(untranslated, [], `${path} shows message ids instead of text`);
  const germanSet = new Set(german);
  const same = [...new Set(english)].filter((t) => germanSet.has(t) && !neutral(t));
  assert.deepEqual(same, [], `${path}: these strings stayed English after switching to German`);

  // And back: English again.
  await sprache.getByRole('link', { name: 'English' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: TIMEOUT });
}

const PAGES = ['/', '/help', '/login', '/register', '/login/code', '/forgot-password', '/no/such/page'];

for (const path of PAGES) {
  test(`switching to German without JavaScript changes every string on ${path}`, async () => {
    await withContext(false, (page) => compare(page, path, false));
  });
}

test('switching to German with JavaScript changes every string on the help page, and the choice stays', async () => {
  await withContext(true, async (page) => {
    await compare(page, '/help', true);
    await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Deutsch' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'de', null, { timeout: TIMEOUT });
    await page.goto(url('/'));
    await waitForHydration(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'de', 'the choice is remembered for the next page');
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Willkommen' }), 'the German home page');
  });
});

test('signed in, switching to German changes every string on the home and account pages', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('lang');
  const r = await fetch(url('/api/login'), {
    method: 'POST',
    headers: { Origin: foyer.baseUrl, 'Sec-Fetch-Site': 'same-origin', Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: PASSWORD }).toString(),
  });
  assert.equal(r.status, 200, await r.text());
  const cookies = r.headers.getSetCookie().map((line) => {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), url: foyer.baseUrl };
  });
  const failures = [];
  for (const path of ['/', '/account', '/account/security', '/account/devices', '/account/activity', '/account/brands', '/account/privacy']) {
    await withContext(false, (page) => compare(page, path, false), cookies).catch((e) => failures.push(e.message));
  }
  assert.deepEqual(failures, [], failures.join('\n\n'));
});

test('the switch sets a long-lived cookie and goes back to our own pages only', async () => {
  const ask = (path) => fetch(url(path), { redirect: 'manual' });
  const ok = await ask('/language/de?return_to=%2Flogin%3Freturn_to%3D%252Faccount');
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/login?return_to=%2Faccount');
  const cookie = ok.headers.get('set-cookie');
  assert.match(cookie, /^foyer-lang=de; /, 'plain http: foyer-lang (the __Host- name needs https)');
  for (const part of ['Path=/', 'Max-Age=31536000', 'SameSite=Lax', 'HttpOnly']) {
    assert.ok(cookie.includes(part), `the cookie has ${part}: ${cookie}`);
  }
  for (const evil of ['//evil.example', '/\\evil.example', 'https://evil.example', '/%09/evil.example', 'javascript:alert(1)']) {
    const r = await ask(`/language/de?return_to=${encodeURIComponent(evil)}`);
    assert.equal(r.status, 303, evil);
    assert.equal(r.headers.get('location'), '/', `return_to=${evil} must not leave the site`);
  }
  const unknown = await ask('/language/xx?return_to=%2F');
  assert.equal(unknown.status, 404, 'only the languages we ship');
});
