// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/source.js: the entry point of the source's browser bundle
// (npm run build → dist/source.js, one self-contained script exposing
// `SafehouseClient`), served as /static/source.js. On the JavaScript page
// (/{lang}/app) page.js starts the page itself (docs/web-client.md).
export { Codename, CodenameError } from './codename.js';
export { normalise, foldKey } from './normalise.js';
export { deriveSourceKeys } from './source_keys.js';
export { openNote, parseVerifierKey, recipientsFromSignedNote, NoteError } from './signed_note.js';
export { decodeFrame, fileFrameSource, messageFrame, sanitizeFileName } from './item.js';
export {
  beginSeal, exportSealState, importSealState, sealBytes, SeekableEncryptor, wipeSealState,
} from './seal.js';
export { openReply } from './reply.js';
export { pendingUploads, startUpload, sessionUrlStorage, wipeUploads } from './upload.js';
export {
  SourceClient, PageError, verifiedRecipients, localDigits, toBase64, fromBase64,
} from './page.js';
