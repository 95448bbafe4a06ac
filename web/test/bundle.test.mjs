// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/bundle.test.mjs: `node build.mjs` makes one self-contained script
// (no import, require or dynamic load left; nothing fetched from elsewhere),
// which runs in a bare context with only what a browser page provides and
// gives the same codename words and keys as the modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';

test('the bundle is one self-contained script exposing SafehouseClient', async () => {
  const out = mkdtempSync(join(tmpdir(), 'safehouse-bundle-'));
  try {
    execFileSync(process.execPath, [new URL('../build.mjs', import.meta.url).pathname, out]);
    assert.deepEqual(readdirSync(out).sort(), ['source.js', 'staff.js']);
    const code = readFileSync(join(out, 'source.js'), 'utf8');
    assert.doesNotMatch(code, /\bimport\s*\(|\brequire\s*\(|importScripts|\bimport\s*[{*"']/);
    const context = vm.createContext({
      crypto: globalThis.crypto, TextEncoder, TextDecoder, setTimeout, clearTimeout,
      Uint8Array, console, Promise, queueMicrotask,
    });
    vm.runInContext(code, context);
    const client = context.SafehouseClient;
    const secret = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]);
    const typed = vm.runInContext('(s) => SafehouseClient.Codename.fromSecret(Uint8Array.from(s)).render("fa")', context)(secret);
    assert.equal(typed.split(' ').length, 9);
    const codename = client.Codename.parse(typed);
    const keys = await client.deriveSourceKeys(codename);
    assert.equal(keys.sourceIdHex, '87c1c4acc18bbb189b1be14f2bd0416c18db4252ed91c563ee3b77bd39396ccc');
    for (const name of ['recipientsFromSignedNote', 'beginSeal', 'SeekableEncryptor', 'fileFrameSource',
      'messageFrame', 'sealBytes', 'openReply', 'startUpload', 'wipeUploads']) {
      assert.equal(typeof client[name], 'function', name);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
