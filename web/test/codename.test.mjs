// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/codename.test.mjs: the JavaScript codename against the C++ one's
// pinned behaviour (tests/codename/{codename,normalise}_test.cpp): the bit
// layout, rendering, parsing with everything the folding key forgives, and
// every error, with the same messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Codename, CodenameError, MAX_TYPED_BYTES, pack, unpack } from '../src/codename.js';
import { foldKey, normalise } from '../src/normalise.js';
import { WORDLISTS } from '../src/wordlists.js';

const repo = new URL('../../', import.meta.url);
const fileWords = (lang) =>
  readFileSync(new URL(`src/codename/wordlists/${lang}.txt`, repo), 'utf8').trimEnd().split('\n');
const key = (typed) => foldKey(normalise(typed));

test('word lists are the C++ library files, 2048 words each', () => {
  assert.deepEqual([...WORDLISTS.en], fileWords('en'));
  assert.deepEqual([...WORDLISTS.fa], fileWords('fa'));
  assert.equal(WORDLISTS.en.length, 2048);
});

test('packs eleven bits a word big-endian (Codename.PacksElevenBitsAWordBigEndian)', () => {
  const bytes = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x60]);
  const indices = [0x091, 0x515, 0x4f1, 0x1ab, 0x66f, 0x3c0, 0x246, 0x456, 0x3c3];
  assert.deepEqual(unpack(bytes), indices);
  assert.deepEqual(pack(indices), bytes);
  const codename = Codename.fromSecret(bytes);
  const expected = indices.map((i) => WORDLISTS.en[i]).join(' ');
  assert.equal(codename.render('en'), expected);
  assert.deepEqual(Codename.parse(expected).reveal(), bytes);
});

test('extremes use the first and last words', () => {
  const first = Codename.fromSecret(new Uint8Array(13));
  assert.deepEqual(first.render('fa').split(' '), Array(9).fill(WORDLISTS.fa[0]));
  const ones = new Uint8Array(13).fill(0xff);
  ones[12] = 0xe0;
  assert.deepEqual(Codename.fromSecret(ones).render('en').split(' '), Array(9).fill(WORDLISTS.en[2047]));
});

test('generate leaves the unused bits zero and differs each time', () => {
  for (let i = 0; i < 64; ++i) assert.equal(Codename.generate().reveal()[12] & 0x1f, 0);
  assert.equal(Codename.generate().equals(Codename.generate()), false);
});

test('parses both renderings and mixed', () => {
  for (let round = 0; round < 20; ++round) {
    const c = Codename.generate();
    const en = c.render('en').split(' ');
    const fa = c.render('fa').split(' ');
    assert.equal(en.length, 9);
    assert.ok(Codename.parse(c.render('en')).equals(c));
    assert.ok(Codename.parse(c.render('fa')).equals(c));
    const mixed = en.map((w, i) => (i % 3 === 0 ? w : fa[i])).join(' ');
    assert.ok(Codename.parse(mixed).equals(c));
    assert.ok(Codename.parse(fa.join('')).equals(c), 'spaces are not needed');
  }
});

test('parse forgives what normalisation removes', () => {
  const c = Codename.fromSecret(Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x80]));
  const en = c.render('en');
  const fa = c.render('fa');
  for (const typed of [
    en.toUpperCase(),
    '  \t' + en.replaceAll(' ', ' \u00a0 ,  ') + '\n',
    en.replaceAll(' ', '-'),
    fa.replaceAll('ی', 'ي').replaceAll('ک', 'ك'),
    fa.replaceAll('ی', 'ى'),
    '\u200f\u2067' + fa.replaceAll(' ', '\u200e \u202b') + '\u2069',
    fa.slice(0, 1) + '\u200c' + fa.slice(1),
    fa.slice(0, 1) + '\u0640\u064e' + fa.slice(1),
    fa.replaceAll(' ', '، '),
    fa.split(' ').map((w, i) => `${'۰۱۲۳۴۵۶۷۸۹'[i + 1]}. ${w}`).join(' '),
  ]) {
    assert.ok(Codename.parse(typed).equals(c), typed);
  }
});

test('parse forgives Persian spelling slips the fold allows, and only those', () => {
  const slips = [['ت', 'ط'], ['س', 'ص'], ['س', 'ث'], ['ز', 'ذ'], ['ز', 'ژ'], ['ه', 'ح'], ['ق', 'غ'],
    ['ا', 'ع'], ['و', 'ؤ'], ['ی', 'ئ'], ['ک', 'گ'], ['ب', 'پ'], ['ج', 'چ']];
  for (let round = 0; round < 10; ++round) {
    const c = Codename.generate();
    const fa = c.render('fa');
    for (const [from, to] of slips) {
      assert.ok(Codename.parse(fa.replaceAll(from, to)).equals(c), `${from}→${to}`);
      assert.ok(Codename.parse(fa.replaceAll(to, from)).equals(c), `${to}→${from}`);
    }
  }
  // A slip outside the fold (ر for د) never gives the same codename.
  for (let round = 0; round < 20; ++round) {
    const c = Codename.generate();
    const fa = c.render('fa');
    if (!fa.includes('د')) continue;
    try {
      assert.equal(Codename.parse(fa.replaceAll('د', 'ر')).equals(c), false);
    } catch (e) {
      assert.ok(e instanceof CodenameError);
    }
  }
});

test('normalise matches the C++ pinned cases (tests/codename/normalise_test.cpp)', () => {
  const cases = [
    ['', ''], ['   ', ''], ['AbAcUs', 'abacus'], ['ＡＢＣ', 'abc'], ['ﬁsh', 'fish'],
    ['cafe\u0301', 'caf\u00e9'], ['\uFEDB\uFE98\uFE8E\uFE8F', 'کتاب'],
    ['۰۱۲۳۴۵۶۷۸۹', '0123456789'], ['٠١٢٣٤٥٦٧٨٩', '0123456789'],
    ['كتاب', 'کتاب'], ['ماهي', 'ماهی'], ['ماهى', 'ماهی'], ['كيك', 'کیک'],
    ['کت\u200cاب', 'کتاب'], ['کت\u200dاب', 'کتاب'], ['\u200fکتاب\u200e', 'کتاب'],
    ['\u202bکتاب\u202c', 'کتاب'], ['\u2067کتاب\u2069 \u202eab', 'کتاب ab'], ['ab\u061Ccd', 'abcd'],
    ['کـــتاب', 'کتاب'], ['کِتابْ', 'کتاب'], ['اصلاً', 'اصلا'], ['بنّا', 'بنا'], ['هٰذا', 'هذا'], ['آب', 'آب'],
    ['  one   two\t\nthree  ', 'one two three'], ['one\u00a0two\u2007three\u202ffour', 'one two three four'],
    ['one,two-three', 'one two three'], ['یک، دو،سه؛ چهار', 'یک دو سه چهار'],
    ['one \u2014 two\u2010three\u2212four', 'one two three four'], ['one \u200c two', 'one two'],
    ['a\0b', 'a\0b'], ['ß', 'ss'],
  ];
  for (const [typed, want] of cases) assert.equal(normalise(typed), want, JSON.stringify(typed));
  for (const text of ['  AbC ＡＢＣ ۱۲ كيك  \u200f', 'e\u0640\u0301x', '\uFC5E a', 'x\uFE77\u0301', 'ß İ ǅ', 'a\u200c\u0301']) {
    const once = normalise(text);
    assert.equal(normalise(once), once, text);
  }
  assert.equal(normalise('a'.repeat(4096)), 'a'.repeat(4096));
  assert.throws(() => normalise('a'.repeat(4097)), { code: 'too_large' });
  assert.throws(() => normalise('ab\ud800'), { code: 'malformed', message: 'normalise: input is not valid UTF-8' });
});

test('fold key classes, drops and fixed points (FoldKey.*)', () => {
  const classes = [['ت', 'ط'], ['س', 'ص', 'ث'], ['ز', 'ذ', 'ض', 'ظ', 'ژ'], ['ه', 'ح', 'ة', 'ە', 'ھ', 'ہ'],
    ['ق', 'غ'], ['ا', 'آ', 'ع', 'أ', 'إ', 'ٱ'], ['و', 'ؤ'], ['ی', 'ئ', 'ي', 'ى'], ['ک', 'ك', 'گ'], ['ب', 'پ'], ['ج', 'چ']];
  const keys = new Set();
  for (const members of classes) {
    const first = key(`م${members[0]}ن`);
    assert.ok(!keys.has(first));
    keys.add(first);
    for (const m of members) assert.equal(key(`م${m}ن`), first, m);
  }
  for (const other of ['ر', 'د', 'ل', 'م', 'ن', 'ف', 'ش', 'خ']) {
    const k = key(`م${other}ن`);
    assert.ok(!keys.has(k), other);
    keys.add(k);
  }
  assert.equal(key('جزء'), key('جز'));
  assert.equal(key('ارتقاء'), key('ارتقا'));
  assert.equal(key('مدیر عامل'), key('مدیرعامل'));
  assert.equal(key('۱. کتاب ٢) دریا 3- abide'), key('کتابدریاabide'));
  assert.equal(key('«کتاب»! abide?'), key('کتاب abide'));
  assert.equal(key('AB-ide'), 'abide');
  assert.equal(key('a+b'), 'a+b');
  for (const text of ['آئین پاییز', 'مسئول ثروت', 'ABIDE zoology', 'ژاله']) {
    const once = key(text);
    assert.equal(foldKey(once), once);
    assert.equal(normalise(once), once);
  }
});

test('every list word is its own normal form and is found by its key', () => {
  for (const lang of ['en', 'fa']) {
    WORDLISTS[lang].forEach((word, i) => {
      assert.equal(normalise(word), word);
      const nine = Array(9).fill(word).join(' ');
      assert.deepEqual(unpack(Codename.parse(nine).reveal()), Array(9).fill(i));
    });
  }
});

test('parse errors name positions, never the input', () => {
  const c = Codename.generate();
  const words = c.render('en').split(' ');
  assert.throws(() => Codename.parse(words.slice(0, 5).join(' ')),
    { code: 'malformed', message: 'codename: expected 9 words, got 5' });
  assert.throws(() => Codename.parse([...words, words[0]].join(' ')),
    { code: 'malformed', message: 'codename: expected 9 words, got 10' });
  const bad = [...words];
  bad[2] = 'qqqq';
  assert.throws(() => Codename.parse(bad.join(' ')),
    { code: 'malformed', message: 'codename: word 3 is not in the word list' });
  assert.throws(() => Codename.parse(' '.repeat(MAX_TYPED_BYTES + 1)),
    { code: 'too_large', message: 'codename: longer than 1024 bytes' });
  assert.throws(() => Codename.parse('abide \udc00'),
    { code: 'malformed', message: 'codename: normalise: input is not valid UTF-8' });
  assert.throws(() => Codename.parse(''), { message: 'codename: expected 9 words, got 0' });
});

test('fromSecret checks the size and the unused bits', () => {
  assert.throws(() => Codename.fromSecret(new Uint8Array(12)), { code: 'invalid_argument' });
  const bits = new Uint8Array(13);
  bits[12] = 0x01;
  assert.throws(() => Codename.fromSecret(bits), { code: 'invalid_argument' });
  const c = Codename.generate();
  c.wipe();
  assert.deepEqual(c.reveal(), new Uint8Array(13));
});
