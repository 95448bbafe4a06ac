// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/browser/lib/browser.mjs: opens a browser session the way a source at
// Tor Browser's "Safest" level browses: Debian's Chromium, JavaScript off, a
// fresh profile, no name resolution, and every request it makes recorded.
// Knows nothing about Safehouse's pages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const kChromium = '/usr/bin/chromium';

// Nothing may reach out: no QUIC, no background or component fetches, and
// every host name but 127.0.0.1 resolves to nothing (the network namespace
// run.sh makes has only loopback anyway).
export const kChromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

// openSession({origin, locale, javaScript}): a new Chromium with its own
// temporary profile (so its own cookie jar); JavaScript off unless
// `javaScript` is true. Returns {context, page, requests, close}.
// `requests` collects the URL of every request any page of it makes.
export async function openSession({ origin, locale = 'en-US', javaScript = false }) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'safehouse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: kChromium,
    headless: true,
    args: kChromiumArgs,
    javaScriptEnabled: javaScript,
    baseURL: origin,
    locale,
    viewport: { width: 1000, height: 800 },
  });
  const requests = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    requests,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

