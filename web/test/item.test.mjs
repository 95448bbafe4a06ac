// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/item.test.mjs: item frames built in JavaScript are the frames the
// C++ builds and reads. Padmé and the strict decoder against the C++ tests'
// pinned values (tests/intake/{padme,frame}_test.cpp); then the C++ itself
// (tests/web_client/item_peer.cpp): it re-encodes each JS frame to the same
// bytes, and opens a file item that JS framed and sealed with the seekable
// encryptor, as reviewers' tools do; the stock age CLI gives the frame bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeFrame, encodeFrame, fileFrameSource, FrameError, frameLayout, messageFrame, padme,
  sanitizeFileName, serializeFrameHeader,
} from '../src/item.js';
import { beginSeal, SeekableEncryptor } from '../src/seal.js';

const PEER = process.env.SAFEHOUSE_ITEM_PEER ??
  new URL('../../build/debug/tests/web_client/web_client_item_peer', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'safehouse-item-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const FILE_HEADER = { kind: 'file', fileName: 'report ۱۴۰۲.pdf', mediaType: 'application/pdf', language: 'fa' };
const FIRST_CONTACT = {
  kind: 'message', mediaType: 'text/plain; charset=utf-8', language: 'en',
  claims: { branch: 'police', unit: 'unit 7', rank: 'sergeant', region: 'north' },
};

function contentOf(size, seed) {
  return Uint8Array.from({ length: size }, (_, i) => (seed + i * 31) & 0xff);
}

test('Padmé buckets (PadmeTest)', () => {
  for (let n = 0; n <= 8; ++n) assert.equal(padme(n), n);
  const pinned = [[9, 10], [17, 18], [33, 36], [100, 104], [1000, 1024], [1025, 1088], [1000000, 1015808], [2 ** 40, 2 ** 40]];
  for (const [n, p] of pinned) assert.equal(padme(n), p, `${n}`);
  let previous = 0;
  for (let n = 1; n < 100000; n += 97) {
    const p = padme(n);
    assert.ok(p >= n && p >= previous && padme(p) === p);
    if (n >= 64) assert.ok(p - n <= Math.floor((n * 12) / 100) + 1);
    previous = p;
  }
});

test('the JSON header is written as Boost.JSON writes it', () => {
  assert.equal(serializeFrameHeader(FILE_HEADER),
    '{"version":1,"kind":"file","file_name":"report ۱۴۰۲.pdf","media_type":"application/pdf","language":"fa"}');
  assert.equal(serializeFrameHeader(FIRST_CONTACT),
    '{"version":1,"kind":"message","media_type":"text/plain; charset=utf-8","language":"en",' +
    '"claims":{"branch":"police","unit":"unit 7","rank":"sergeant","region":"north"}}');
  assert.throws(() => serializeFrameHeader({ ...FILE_HEADER, fileName: 'a'.repeat(1025) }), { code: 'too_large' });
  assert.throws(() => serializeFrameHeader({ ...FILE_HEADER, fileName: '\ud800' }), { code: 'invalid_argument' });
  assert.throws(() => serializeFrameHeader({ ...FILE_HEADER, kind: 'video' }), FrameError);
  assert.throws(() => serializeFrameHeader({ ...FILE_HEADER, language: 'de' }), FrameError);
  assert.throws(() => serializeFrameHeader({ ...FIRST_CONTACT, claims: { branch: 'navy' } }), FrameError);
  assert.throws(() => serializeFrameHeader({ ...FIRST_CONTACT, claims: { age: '1' } }), FrameError);
});

test('frames round-trip, fill a Padmé bucket, keep trailing zeros', () => {
  for (const size of [0, 1, 7, 100, 4096, 70000]) {
    const content = contentOf(size, 3);
    const document = encodeFrame(FIRST_CONTACT, content);
    assert.equal(document.length, padme(document.length));
    const frame = decodeFrame(document);
    assert.deepEqual(frame.header, { fileName: '', ...FIRST_CONTACT });
    assert.deepEqual(frame.content, content);
  }
  const zeros = new Uint8Array(5000);
  zeros[0] = 9;
  assert.deepEqual(decodeFrame(encodeFrame(FILE_HEADER, zeros)).content, zeros);
  assert.deepEqual(decodeFrame(messageFrame('سلام', 'fa')).content, new TextEncoder().encode('سلام'));
});

test('malformed frames are refused with the C++ messages (FrameMalformed.*)', () => {
  const error = (bytes) => {
    try {
      decodeFrame(bytes);
      return 'ok';
    } catch (e) {
      assert.ok(e instanceof FrameError);
      return e.message;
    }
  };
  const document = encodeFrame(FILE_HEADER, contentOf(500, 5));
  assert.equal(error(new Uint8Array(0)), 'frame: truncated');
  assert.equal(error(document.slice(0, 3)), 'frame: truncated');
  assert.equal(error(document.slice(0, 30)), 'frame: truncated');
  assert.notEqual(error(document.slice(0, -1)), 'ok');
  assert.equal(error(Uint8Array.of(0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8)), 'frame: header length is zero');
  assert.equal(error(Uint8Array.of(0, 1, 0, 0, 1)), 'frame: header length 65536 exceeds 16384');
  const withHeader = (json, content) => {
    const j = new TextEncoder().encode(json);
    const minimum = 4 + j.length + content + 8;
    const out = new Uint8Array(padme(minimum));
    out[3] = j.length;
    out.set(j, 4);
    new DataView(out.buffer).setBigUint64(out.length - 8, BigInt(content));
    return out;
  };
  const cases = [
    ['{"version":1,"kind":"file","language":"en"}', 'ok'],
    ['{not json', 'frame header: not valid JSON'],
    ['[1]', 'frame header: not a JSON object'],
    ['{"version":2,"kind":"file"}', 'frame header: unsupported version 2'],
    ['{"version":"1","kind":"file"}', 'frame header: "version" is missing or not an integer'],
    ['{"version":1,"kind":"video"}', 'frame header: unknown kind'],
    ['{"version":1,"kind":"file","x":1}', 'frame header: unknown key'],
    ['{"version":1,"kind":"file","file_name":3}', 'frame header: "file_name" is not a string'],
    ['{"version":1,"kind":"message","claims":[]}', 'frame header: "claims" is not an object'],
    ['{"version":1,"kind":"message","claims":{"age":"1"}}', 'frame header: claims: unknown key'],
  ];
  for (const [json, want] of cases) assert.equal(error(withHeader(json, 0)), want, json);
  const big = encodeFrame(FILE_HEADER, contentOf(1000, 7));
  const dirty = big.slice();
  dirty[dirty.length - 9] = 1;
  assert.equal(error(dirty), 'frame: padding is not all zero');
  const longer = big.slice();
  longer[longer.length - 2] ^= 0x40;
  assert.equal(error(longer), 'frame: content length exceeds the document');
  const extra = new Uint8Array(big.length + 1);
  extra.set(big.subarray(0, big.length - 8));
  extra.set(big.subarray(big.length - 8), big.length - 7);
  assert.equal(error(extra), 'frame: padding does not match the Padmé bucket');
});

test('file names are reduced as the no-JavaScript path reduces them', () => {
  assert.equal(sanitizeFileName('C:\\Users\\x\\report.pdf'), 'report.pdf');
  assert.equal(sanitizeFileName('/home/x/../.hidden'), 'hidden');
  assert.equal(sanitizeFileName('invoice\u202Efdp.exe'), 'invoicefdp.exe');
  assert.equal(sanitizeFileName('a\u0000b\u0085c. . '), 'abc');
  assert.equal(sanitizeFileName('...'), 'file');
  assert.equal(sanitizeFileName('ف'.repeat(150)), 'ف'.repeat(100));
});

test('a file frame read by ranges is the whole frame', async () => {
  const content = contentOf(200000, 11);
  const blob = new File([content], 'dir/video.mp4', { type: 'video/mp4' });
  const source = fileFrameSource(blob, 'en');
  const whole = encodeFrame({ kind: 'file', fileName: 'video.mp4', mediaType: 'video/mp4', language: 'en' }, content);
  assert.equal(source.size, whole.length);
  assert.deepEqual(await source.read(0, source.size), whole);
  for (const [a, b] of [[0, 3], [2, 150], [100, 70000], [source.size - 20, source.size], [source.size, source.size]]) {
    assert.deepEqual(await source.read(a, b), whole.slice(a, b));
  }
  const json = '{"version":1,"kind":"file","language":"fa"}';
  assert.equal(frameLayout({ kind: 'file', language: 'fa' }, 0).size, padme(4 + json.length + 8));
  assert.equal(padme(4 + json.length + 8), 56);
});

test('the C++ reads the JavaScript frames (item_peer)', async () => {
  assert.ok(existsSync(PEER), `item_peer not built: ${PEER} (cmake --build build/debug --target web_client_item_peer)`);
  const headers = [FILE_HEADER, FIRST_CONTACT,
    { kind: 'message', mediaType: 'text/plain; charset=utf-8', language: 'fa',
      claims: { branch: '', unit: 'واحد "۷"\n\\ \u0001\u001f\u007f/', rank: '', region: 'شمال' } },
    { kind: 'file', fileName: sanitizeFileName('x\t"q".bin'), language: 'en' }];
  for (const header of headers) {
    for (const size of [0, 1, 1000, 70000]) {
      const document = encodeFrame(header, contentOf(size, size));
      const path = join(dir, 'frame.bin');
      writeFileSync(path, document);
      const printed = execFileSync(PEER, ['frame', path]).toString().trimEnd();
      assert.equal(printed, serializeFrameHeader(header));
    }
  }
  // A frame the C++ refuses makes the peer fail (the check can fail).
  const bad = encodeFrame(FILE_HEADER, contentOf(1000, 1));
  bad[bad.length - 9] = 1;
  writeFileSync(join(dir, 'bad.bin'), bad);
  assert.throws(() => execFileSync(PEER, ['frame', join(dir, 'bad.bin')], { stdio: 'pipe' }), /padding is not all zero/);
});

test('a file item framed and sealed in JavaScript opens with the C++ item reader and age', async () => {
  assert.ok(existsSync(PEER), `item_peer not built: ${PEER}`);
  const key = join(dir, 'reviewer.key');
  execFileSync('age-keygen', ['-o', key], { stdio: 'ignore' });
  const recipient = readFileSync(key, 'utf8').match(/age1\S+/)[0];
  for (const size of [0, 65536, 300000]) {
    const content = contentOf(size, 7);
    const file = new File([content], 'تصویر.jpg', { type: 'image/jpeg' });
    const source = fileFrameSource(file, 'fa');
    const encryptor = new SeekableEncryptor(await beginSeal([recipient]), source);
    const ageFile = join(dir, 'item.age');
    writeFileSync(ageFile, await encryptor.range(0, encryptor.size));
    const out = join(dir, 'content.bin');
    const printed = execFileSync(PEER, ['open', key, ageFile, out]).toString().trimEnd();
    assert.equal(printed, '{"version":1,"kind":"file","file_name":"تصویر.jpg","media_type":"image/jpeg","language":"fa"}');
    assert.deepEqual(new Uint8Array(readFileSync(out)), content);
    const frame = new Uint8Array(execFileSync('age', ['-d', '-i', key, ageFile], { maxBuffer: 1 << 26 }));
    assert.deepEqual(frame, await source.read(0, source.size));
  }
});
