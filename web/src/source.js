// SPDX-License-Identifier: AGPL-3.0-or-later
// web/src/source.js: the entry point of the source's browser bundle
// (npm run build → dist/source.js, one self-contained script exposing
// `SafehouseClient`). The pages that use it come with the server's tus
// endpoint (docs/web-client.md).
export { Codename, CodenameError } from './codename.js';
export { normalise, foldKey } from './normalise.js';
export { deriveSourceKeys } from './source_keys.js';
export { openNote, parseVerifierKey, recipientsFromSignedNote, NoteError } from './signed_note.js';
export { decodeFrame, fileFrameSource, messageFrame, sanitizeFileName } from './item.js';
export {
  beginSeal, exportSealState, importSealState, sealBytes, SeekableEncryptor, wipeSealState,
} from './seal.js';
export { openReply } from './reply.js';
export { startUpload, sessionUrlStorage, wipeUploads } from './upload.js';
