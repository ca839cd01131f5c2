// The static server under hostile requests, sent as raw bytes over a socket
// (an HTTP client would refuse to send most of them): every one gets an
// answer, and the server keeps serving afterwards.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic, type StaticServer } from '../sim/node/static-server.js';

/** Sends raw request bytes; resolves with the status code of the answer (0: closed without one). */
function raw(server: StaticServer, request: string): Promise<{ status: number; text: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text });
    });
  });
}

const get = (path: string, method = 'GET'): string => `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;

describe('static server', () => {
  let server: StaticServer;
  let root: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'fms-static-'));
    mkdirSync(join(root, 'site'));
    writeFileSync(join(root, 'site', 'index.html'), '<p>hi</p>');
    writeFileSync(join(root, 'secret.txt'), 'secret');
    server = await serveStatic({ '/': join(root, 'site') });
  });

  after(async () => {
    await server?.close();
  });

  it('serves a file and a directory index', async () => {
    assert.equal((await raw(server, get('/index.html'))).status, 200);
    assert.equal((await raw(server, get('/'))).status, 200);
    assert.equal((await raw(server, get('/nope'))).status, 404);
  });

  const hostile: Array<[string, string, number]> = [
    ['a truncated percent-encoding', get('/%E0%A4%A'), 400],
    ['an invalid UTF-8 percent-encoding', get('/%FF%FE'), 400],
    ['a lone percent sign', get('/%'), 400],
    ['a NUL byte', get('/index.html%00.png'), 400],
    ['an encoded traversal', get('/..%2f..%2fsecret.txt'), 403],
    ['a raw traversal', get('/../secret.txt'), 404],
    ['a backslash traversal', get('/..%5c..%5csecret.txt'), 404],
    ['an odd method', get('/index.html', 'BREW'), 400],
    ['a method it does not serve', get('/index.html', 'DELETE'), 405],
    ['a very long URL', get('/' + 'a'.repeat(100_000)), 431],
    ['an absolute-form URL', get('http://evil.example/index.html'), 200],
    ['an asterisk', get('*', 'OPTIONS'), 405],
    ['garbage instead of a request', 'not http at all\r\n\r\n', 400],
  ];
  for (const [what, request, status] of hostile) {
    it(`answers ${status} to ${what} and keeps serving`, async () => {
      assert.equal((await raw(server, request)).status, status);
      assert.equal((await raw(server, get('/index.html'))).status, 200);
    });
  }

  const ranged = (range: string): string => `GET /index.html HTTP/1.1\r\nHost: x\r\nRange: ${range}\r\nConnection: close\r\n\r\n`;

  it('serves one byte range of a file (206), as v86 reads the guest disk', async () => {
    const r = await raw(server, ranged('bytes=3-4'));
    assert.equal(r.status, 206);
    assert.match(r.text, /content-range: bytes 3-4\/9/i);
    assert.ok(r.text.endsWith('\r\n\r\nhi'), r.text);
    const tail = await raw(server, ranged('bytes=-2'));
    assert.ok(tail.text.endsWith('\r\n\r\np>'), tail.text);
  });

  it('answers 416 to a range outside the file or to several ranges', async () => {
    assert.equal((await raw(server, ranged('bytes=20-30'))).status, 416);
    assert.equal((await raw(server, ranged('bytes=0-1,3-4'))).status, 416);
    assert.equal((await raw(server, get('/index.html'))).status, 200);
  });

  it('answers 400 with a reason a person can read', async () => {
    const r = await raw(server, get('/%E0%A4%A'));
    assert.match(r.text, /cannot decode the URL path/);
  });
});
