// The demo brand sites of `foyer demo`, as the browser tests meet them: where each site
// is, waiting for a place after redirects, and reading the claims table a site shows.

import assert from 'node:assert/strict';
import { TIMEOUT, describePage, expectVisible, foyer } from './browser.mjs';

/** The caption of the table in which a demo site shows the claims it received. */
/** The demo household's password (`foyer demo` prints it). */
export const DEMO_PASSWORD = 'analytical-engine-1843';

export const CLAIMS_TABLE = 'What Northwind ID shared with this site';

/** A demo site's address (`air` or `hotels`), from what `foyer demo` printed. */
export function site(key) {
  const found = foyer.demo?.sites?.[key];
  assert.ok(found, `foyer demo did not report the ${key} site: ${JSON.stringify(foyer.demo)}`);
  return found.url;
}

/**
 * Waits until the browser is on `origin` at `pathname` (after redirects or a client-side
 * navigation), failing with where it is instead.
 */
export async function waitForPlace(page, origin, pathname, why) {
  try {
    await page.waitForURL((u) => u.origin === origin && u.pathname === pathname, { timeout: TIMEOUT });
  } catch {
    assert.fail(`${why} should reach ${origin}${pathname}, but the page is at ${page.url()}.\n${await describePage(page)}`);
  }
}

/** The value of the claim `name` in a demo site's claims table. */
export async function claim(page, name) {
  const table = page.getByRole('table', { name: CLAIMS_TABLE });
  await expectVisible(table, `the table "${CLAIMS_TABLE}"`);
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await expectVisible(row, `the row of the claim "${name}"`);
  return (await row.getByRole('cell').first().innerText()).trim();
}
