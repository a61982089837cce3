// A small static server for the playground: serves wasm/ (the playground,
// the package sources and the built pkg/) on 127.0.0.1, with the right
// MIME type for .wasm (WebAssembly.instantiateStreaming needs it).
//
//   node wasm/playground/serve.mjs [--port 8080]     (or: npm run playground)
//
// Also imported by the browser test: serve({ port: 0 }) → { url, close }.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const ALLOWED = ['playground', 'src', 'pkg'];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.d.ts': 'text/plain; charset=utf-8',
};

function handler(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let path = decodeURIComponent(url.pathname);
  if (path === '/' || path === '/playground') {
    res.writeHead(302, { Location: '/playground/' });
    res.end();
    return;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(ROOT, path));
  const top = file.slice(ROOT.length + 1).split(sep)[0];
  if (!file.startsWith(ROOT + sep) || !ALLOWED.includes(top)) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
    return;
  }
  let st;
  try {
    st = statSync(file);
  } catch {
    st = null;
  }
  if (!st?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end(top === 'pkg' ? 'not found: build the package first (npm run build)' : 'not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

/** Starts the server; resolves to { url, close() }. */
export function serve({ port = 8080, host = '127.0.0.1' } = {}) {
  return new Promise((resolvePromise, reject) => {
    const server = createServer(handler);
    server.on('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolvePromise({
        url: `http://${host}:${addr.port}/playground/`,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : Number(process.env.PORT ?? 8080);
  const { url } = await serve({ port });
  console.log(`idguard playground: ${url}  (Ctrl-C to stop)`);
}
