// A small static file server for the browser pages (tests, playground):
// URL prefixes map to folders; only GET/HEAD; nothing outside the folders;
// every request gets an answer (400 when it cannot be decoded). A file with
// a precompressed twin (file.br, file.gz, as playground:build writes them)
// is sent as that twin when the client accepts its encoding. A request with
// one byte range (`Range: bytes=A-B`, as v86 sends for the guest's disk)
// gets those bytes of the file itself (206).
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(`${text}\n`);
}

/**
 * The decoded path of a request target, or null when it cannot be decoded:
 * a malformed percent-encoding, bytes that are not UTF-8, or a NUL (which no
 * file name holds and the file system calls refuse).
 */
function decodePath(target: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(target, 'http://localhost').pathname);
  } catch {
    return null;
  }
  return path.includes('\0') ? null : path;
}

/**
 * One byte range of a file, never a compressed twin (a range counts the
 * file's own bytes). Several ranges in one request are refused: nothing
 * served here asks for them.
 */
function serveRange(req: IncomingMessage, res: ServerResponse, file: string, size: number, type: string, range: string): void {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  let start = m && m[1] !== '' ? Number(m[1]) : NaN;
  let end = m && m[2] !== '' ? Number(m[2]) : size - 1;
  // bytes=-N: the last N bytes.
  if (m && m[1] === '' && m[2] !== '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  }
  end = Math.min(end, size - 1);
  if (!m || Number.isNaN(start) || start > end) {
    reply(res, 416, `cannot serve the range ${range} of a ${size}-byte file: give one range bytes=START-END within it`, { 'content-range': `bytes */${size}` });
    return;
  }
  res.writeHead(206, {
    'content-type': type,
    'content-length': end - start + 1,
    'content-range': `bytes ${start}-${end}/${size}`,
    'accept-ranges': 'bytes',
    'cache-control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file, { start, end })
    .on('error', () => res.destroy())
    .pipe(res);
}

export interface StaticServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Serves mounts ({'/': dir, '/image/': dir2}) on 127.0.0.1:port (0 picks one). */
export function serveStatic(mounts: Record<string, string>, port = 0, host = '127.0.0.1'): Promise<StaticServer> {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, `method ${req.method} not allowed: this server only reads files (GET, HEAD)`, { allow: 'GET, HEAD' });
      return;
    }
    const path = decodePath(req.url ?? '/');
    if (path === null) {
      reply(res, 400, 'cannot decode the URL path: it holds a malformed percent-encoding, invalid UTF-8 or a NUL byte');
      return;
    }
    const prefix = prefixes.find((p) => path.startsWith(p));
    if (!prefix) {
      reply(res, 404, `not found: ${path}`);
      return;
    }
    const root = mounts[prefix];
    let file = normalize(join(root, path.slice(prefix.length)));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      reply(res, 403, 'outside the served folders');
      return;
    }
    let st = statSync(file, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      file = join(file, 'index.html');
      st = statSync(file, { throwIfNoEntry: false });
    }
    if (!st?.isFile()) {
      reply(res, 404, `not found: ${path}`);
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const range = req.headers.range;
    if (range !== undefined) {
      serveRange(req, res, file, st.size, type, range);
      return;
    }
    const accepts = String(req.headers['accept-encoding'] ?? '');
    for (const [enc, ext] of [
      ['br', '.br'],
      ['gzip', '.gz'],
    ] as const) {
      if (!new RegExp(`\\b${enc}\\b`).test(accepts)) continue;
      const twin = statSync(file + ext, { throwIfNoEntry: false });
      if (twin?.isFile()) {
        file += ext;
        st = twin;
        res.setHeader('content-encoding', enc);
        break;
      }
    }
    res.writeHead(200, {
      'content-type': type,
      'content-length': st.size,
      'cache-control': 'no-cache',
      'accept-ranges': 'bytes',
      vary: 'accept-encoding',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // A file that vanishes or turns unreadable after stat ends this response only.
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };
  // Whatever a request does, it gets an answer and the server keeps serving.
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      if (!res.headersSent) reply(res, 500, `cannot serve ${req.url}: ${(err as Error).message}`);
      else res.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      resolve({
        server,
        url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}/`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
