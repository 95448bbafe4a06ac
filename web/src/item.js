// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/item.js: the plaintext item frame inside every item's age file,
// exactly as src/intake/frame.cpp, frame_header.cpp and padme.cpp build it
// (docs/formats.md "Item frame"):
//   [u32 BE header_len][JSON header][content][zero padding][u64 BE content_len]
// with the whole document a Padmé bucket. Builds frames for messages and
// files (a file's frame is read piece by piece, never held whole: seal.js
// encrypts any range of it), and decodes reply frames, as strictly as the
// C++ FrameDecoder. Knows nothing of age or HTTP.

export const FRAME_VERSION = 1;
export const MAX_FRAME_HEADER_BYTES = 16 * 1024;
export const MAX_FRAME_FIELD_BYTES = 1024;
export const MAX_FILE_NAME_BYTES = 200; // src/http/multipart.h
export const PREFIX_BYTES = 4;
export const TRAILER_BYTES = 8;
export const TEXT_MEDIA_TYPE = 'text/plain; charset=utf-8';
export const KINDS = Object.freeze(['message', 'file', 'reply']);
export const BRANCHES = Object.freeze(['army', 'police', 'intelligence', 'other', '']);
const LANGUAGES = ['en', 'fa'];

export class FrameError extends Error {
  // code: 'malformed', 'invalid_argument', 'too_large' or 'unsupported'.
  constructor(code, message) {
    super(message);
    this.name = 'FrameError';
    this.code = code;
  }
}

const encoder = new TextEncoder();
const utf8Length = (s) => encoder.encode(s).length;

// Padmé (docs/formats.md): with E = floor(log2 L), S = floor(log2 E) + 1,
// the low E − S bits of L are rounded up. Integer arithmetic only (BigInt),
// as padme.cpp; lengths are Numbers up to 2^53.
export function padme(length) {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('padme: bad length');
  if (length <= 2) return length;
  const n = BigInt(length);
  const e = n.toString(2).length - 1;
  const s = Math.floor(Math.log2(e)) + 1; // e < 64: exact
  const mask = (1n << BigInt(e - s)) - 1n;
  return Number((n + mask) & ~mask);
}

// As src/http/multipart.cpp sanitize_file_name: the last path component,
// without control characters or the bidi marks that disguise an extension,
// no leading dots or spaces, no trailing ones, at most 200 bytes; "file"
// if nothing is left.
export function sanitizeFileName(raw) {
  const last = raw.slice(Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\')) + 1);
  let out = '';
  let bytes = 0;
  for (const ch of last) {
    const c = ch.codePointAt(0);
    if (c >= 0xd800 && c <= 0xdfff) continue; // lone surrogate: invalid UTF-8, dropped
    const unwanted = c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f;
    const leading = out.length === 0 && (ch === '.' || ch === ' ');
    if (leading || unwanted) continue;
    const length = utf8Length(ch);
    if (bytes + length > MAX_FILE_NAME_BYTES) break;
    out += ch;
    bytes += length;
  }
  out = out.replace(/[ .]+$/u, '');
  return out === '' ? 'file' : out;
}

function checkField(value, where, key) {
  if (typeof value !== 'string') throw new FrameError('invalid_argument', `${where}: "${key}" is not a string`);
  if (!value.isWellFormed()) throw new FrameError('invalid_argument', `${where}: "${key}" is not UTF-8`);
  if (utf8Length(value) > MAX_FRAME_FIELD_BYTES) {
    throw new FrameError('too_large', `${where}: "${key}" is longer than ${MAX_FRAME_FIELD_BYTES} bytes`);
  }
}

// The JSON header text, keys in the order Boost.JSON writes them
// (serialize_frame_header): version, kind, file_name and media_type when not
// empty, language, claims when given. header: { kind, fileName, mediaType,
// language, claims?: { branch, unit, rank, region } }.
export function serializeFrameHeader(header) {
  const { kind, fileName = '', mediaType = '', language, claims } = header;
  if (!KINDS.includes(kind)) throw new FrameError('invalid_argument', 'frame header: unknown kind');
  if (!LANGUAGES.includes(language)) throw new FrameError('invalid_argument', 'frame header: language is not en or fa');
  checkField(fileName, 'frame header', 'file_name');
  checkField(mediaType, 'frame header', 'media_type');
  const object = { version: FRAME_VERSION, kind };
  if (fileName !== '') object.file_name = fileName;
  if (mediaType !== '') object.media_type = mediaType;
  object.language = language;
  if (claims !== undefined && claims !== null) {
    const c = { branch: claims.branch ?? '', unit: claims.unit ?? '', rank: claims.rank ?? '', region: claims.region ?? '' };
    for (const key of Object.keys(claims)) {
      if (!(key in c)) throw new FrameError('invalid_argument', 'frame header: claims: unknown key');
    }
    for (const [key, value] of Object.entries(c)) checkField(value, 'frame header: claims', key);
    if (!BRANCHES.includes(c.branch)) throw new FrameError('invalid_argument', 'frame header: claims: unknown branch');
    object.claims = c;
  }
  const text = JSON.stringify(object);
  if (utf8Length(text) > MAX_FRAME_HEADER_BYTES) {
    throw new FrameError('invalid_argument', `frame header: longer than ${MAX_FRAME_HEADER_BYTES} bytes`);
  }
  return text;
}

function u64be(value) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

// The fixed parts of a frame for a header and a content length:
// { head (prefix + JSON), contentLength, padding, trailer, size }.
export function frameLayout(header, contentLength) {
  const json = encoder.encode(serializeFrameHeader(header));
  const head = new Uint8Array(PREFIX_BYTES + json.length);
  new DataView(head.buffer).setUint32(0, json.length);
  head.set(json, PREFIX_BYTES);
  const minimum = head.length + contentLength + TRAILER_BYTES;
  const size = padme(minimum);
  return { head, contentLength, padding: size - minimum, trailer: u64be(contentLength), size };
}

// A whole frame in memory (messages: content is the UTF-8 text).
export function encodeFrame(header, content) {
  const layout = frameLayout(header, content.length);
  const out = new Uint8Array(layout.size);
  out.set(layout.head);
  out.set(content, layout.head.length);
  out.set(layout.trailer, layout.size - TRAILER_BYTES);
  return out;
}

// The frame of a message typed by the source.
export function messageFrame(text, language, claims) {
  return encodeFrame({ kind: 'message', mediaType: TEXT_MEDIA_TYPE, language, claims },
    encoder.encode(text));
}

// A file's frame as a random-access source: { size, read(start, end) →
// Promise<Uint8Array> } over a Blob (File), reading only the bytes asked for.
export function fileFrameSource(file, language) {
  const layout = frameLayout({
    kind: 'file', fileName: sanitizeFileName(file.name ?? 'file'),
    mediaType: file.type || 'application/octet-stream', language,
  }, file.size);
  const contentStart = layout.head.length;
  const contentEnd = contentStart + file.size;
  const trailerStart = layout.size - TRAILER_BYTES;
  return {
    size: layout.size,
    async read(start, end) {
      if (!(0 <= start && start <= end && end <= layout.size)) throw new RangeError('frame: range out of bounds');
      const out = new Uint8Array(end - start); // padding stays zero
      const copy = (bytes, at) => {
        const from = Math.max(start, at);
        const to = Math.min(end, at + bytes.length);
        if (from < to) out.set(bytes.subarray(from - at, to - at), from - start);
      };
      copy(layout.head, 0);
      const from = Math.max(start, contentStart);
      const to = Math.min(end, contentEnd);
      if (from < to) {
        const bytes = new Uint8Array(await file.slice(from - contentStart, to - contentStart).arrayBuffer());
        out.set(bytes, from - start);
      }
      copy(layout.trailer, trailerStart);
      return out;
    },
  };
}

// Strict parse of a header's JSON text (parse_frame_header).
export function parseFrameHeader(text) {
  let root;
  try {
    root = JSON.parse(text);
  } catch {
    throw new FrameError('malformed', 'frame header: not valid JSON');
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new FrameError('malformed', 'frame header: not a JSON object');
  }
  const known = ['version', 'kind', 'file_name', 'media_type', 'language', 'claims'];
  if (Object.keys(root).some((k) => !known.includes(k))) throw new FrameError('malformed', 'frame header: unknown key');
  if (!Number.isInteger(root.version)) throw new FrameError('malformed', 'frame header: "version" is missing or not an integer');
  if (root.version !== FRAME_VERSION) throw new FrameError('unsupported', `frame header: unsupported version ${root.version}`);
  if (typeof root.kind !== 'string') throw new FrameError('malformed', 'frame header: "kind" is missing or not a string');
  if (!KINDS.includes(root.kind)) throw new FrameError('unsupported', 'frame header: unknown kind');
  const field = (object, key, where) => {
    if (!(key in object)) return '';
    if (typeof object[key] !== 'string') throw new FrameError('malformed', `${where}: "${key}" is not a string`);
    if (utf8Length(object[key]) > MAX_FRAME_FIELD_BYTES) throw new FrameError('too_large', `${where}: "${key}" is longer than ${MAX_FRAME_FIELD_BYTES} bytes`);
    return object[key];
  };
  const header = {
    kind: root.kind,
    fileName: field(root, 'file_name', 'frame header'),
    mediaType: field(root, 'media_type', 'frame header'),
    language: field(root, 'language', 'frame header'),
  };
  if ('claims' in root) {
    const c = root.claims;
    if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new FrameError('malformed', 'frame header: "claims" is not an object');
    if (Object.keys(c).some((k) => !['branch', 'unit', 'rank', 'region'].includes(k))) {
      throw new FrameError('malformed', 'frame header: claims: unknown key');
    }
    header.claims = Object.fromEntries(['branch', 'unit', 'rank', 'region'].map((k) => [k, field(c, k, 'frame header: claims')]));
  }
  return header;
}

// Decodes a whole frame (a reply, after age decryption): { header, content }.
// Refuses what FrameDecoder refuses, with its messages.
export function decodeFrame(bytes) {
  const malformed = (message) => new FrameError('malformed', message);
  if (bytes.length < PREFIX_BYTES) throw malformed('frame: truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getUint32(0);
  if (headerBytes === 0) throw malformed('frame: header length is zero');
  if (headerBytes > MAX_FRAME_HEADER_BYTES) {
    throw malformed(`frame: header length ${headerBytes} exceeds ${MAX_FRAME_HEADER_BYTES}`);
  }
  if (bytes.length < PREFIX_BYTES + headerBytes + TRAILER_BYTES) throw malformed('frame: truncated');
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes));
  } catch {
    throw malformed('frame header: not valid JSON');
  }
  const header = parseFrameHeader(text);
  const bodyStart = PREFIX_BYTES + headerBytes;
  const body = bytes.length - TRAILER_BYTES - bodyStart;
  const length = view.getBigUint64(bytes.length - TRAILER_BYTES);
  if (length > BigInt(body)) throw malformed('frame: content length exceeds the document');
  const contentLength = Number(length);
  for (let i = bodyStart + contentLength; i < bytes.length - TRAILER_BYTES; ++i) {
    if (bytes[i] !== 0) throw malformed('frame: padding is not all zero');
  }
  if (padme(bodyStart + contentLength + TRAILER_BYTES) !== bytes.length) {
    throw malformed('frame: padding does not match the Padmé bucket');
  }
  return { header, content: bytes.slice(bodyStart, bodyStart + contentLength) };
}
