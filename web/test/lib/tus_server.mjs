// SPDX-License-Identifier: AGPL-3.0-or-later
// web/test/lib/tus_server.mjs: a tiny tus 1.0 server on 127.0.0.1 (port 0)
// for the client's upload tests (Node and Chromium): core protocol and
// creation only, uploads in memory; it keeps what arrived when it cuts a
// connection, as the real endpoint must. `serve(req, res)` may answer other
// paths first (the Chromium test's page and bundle).
import { createServer } from 'node:http';

// tus 1.0 core + creation, just enough for the client. `cutEvery`: bytes
// a connection (kept alive over several PATCHes or not) may deliver before
// the server destroys it; what arrived is kept, as the real endpoint must.
export function tusServer({ cutEvery, serve = () => false }) {
  const uploads = new Map();
  let next = 0;
  const stats = { cuts: 0, patches: 0 };
  const perSocket = new WeakMap();
  const server = createServer((req, res) => {
    if (serve(req, res)) return undefined;
    res.setHeader('Tus-Resumable', '1.0.0');
    if (req.headers['tus-resumable'] !== '1.0.0') return res.writeHead(412).end();
    if (req.method === 'POST') {
      const length = Number(req.headers['upload-length']);
      if (!Number.isSafeInteger(length) || length < 0) return res.writeHead(400).end();
      const id = String(++next);
      uploads.set(id, { length, chunks: [], offset: 0 });
      return res.writeHead(201, { Location: `/files/${id}` }).end();
    }
    const upload = uploads.get(req.url.split('/').pop());
    if (!upload) return res.writeHead(404).end();
    if (req.method === 'HEAD') {
      return res.writeHead(200, { 'Upload-Offset': upload.offset, 'Upload-Length': upload.length, 'Cache-Control': 'no-store' }).end();
    }
    if (req.method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/offset+octet-stream') return res.writeHead(415).end();
      if (Number(req.headers['upload-offset']) !== upload.offset) return res.writeHead(409).end();
      stats.patches++;
      req.on('data', (chunk) => {
        const received = perSocket.get(req.socket) ?? 0;
        const room = upload.length - upload.offset;
        const take = Math.min(chunk.length, room, cutEvery - received);
        upload.chunks.push(Buffer.from(chunk.subarray(0, take)));
        upload.offset += take;
        perSocket.set(req.socket, received + take);
        if (received + take >= cutEvery && upload.offset < upload.length) {
          stats.cuts++;
          req.socket.destroy();
        }
      });
      req.on('end', () => res.writeHead(204, { 'Upload-Offset': upload.offset }).end());
      return undefined;
    }
    return res.writeHead(405).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    server, uploads, stats, endpoint: `http://127.0.0.1:${server.address().port}/files/`,
  })));
}

export function storedBytes(tus, url) {
  return Buffer.concat(tus.uploads.get(url.split('/').pop()).chunks);
}
