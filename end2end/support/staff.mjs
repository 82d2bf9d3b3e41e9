// What the staff tests share: the staff password they enrol with, and the staff server
// functions called as the admin pages call them.

import assert from 'node:assert/strict';
import { foyer, url } from './browser.mjs';

export const STAFF_PASSWORD = 'quiet lantern orbit meadow 93';

/** POSTs a staff server function (`/admin/api/<name>`) as the pages do; its JSON answer. */
export async function staffFn(name, fields) {
  const response = await fetch(url(`/admin/api/${name}`), {
    method: 'POST',
    headers: { Origin: foyer.baseUrl, 'Sec-Fetch-Site': 'same-origin', Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${name}: ${text}`);
  return JSON.parse(text);
}
