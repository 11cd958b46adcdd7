import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file to send. */
export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** Hashed build assets never change under the same name; index.html must always be fresh. */
  readonly isImmutable: boolean;
}

function isInside(root: string, full: string): boolean {
  return full === root || full.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves a URL path inside `root`, refusing anything that would leave it (`..`, encoded separators, NUL).
 * The file's real path (symlinks resolved) must also lie inside the real root: a link planted in the build
 * folder must not serve the trader's other files (docs/security.md, local web host).
 * Paths without an extension fall back to `index.html` so client-side routes load the app.
 */
export async function readStatic(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  // Raw `..` segments are refused before normalisation too: `normalize` would fold `/a/../../x` into `../x` only
  // sometimes, and a path that asks to climb is never a renderer asset.
  if (decoded.split('/').includes('..')) return null;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return null;
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  if (relative.split(/[/\\]/).includes('..')) return null;
  const wanted = relative === '' ? 'index.html' : relative;
  const candidates = extname(wanted) === '' ? [wanted, 'index.html'] : [wanted];
  for (const candidate of candidates) {
    const full = join(root, candidate);
    if (!isInside(root, full)) return null;
    try {
      const real = await realpath(full);
      if (!isInside(realRoot, real)) return null;
      const info = await stat(real);
      if (!info.isFile()) continue;
      const ext = extname(full).toLowerCase();
      return {
        body: await readFile(real),
        contentType: TYPES[ext] ?? 'application/octet-stream',
        isImmutable: candidate.startsWith('assets/'),
      };
    } catch {
      continue;
    }
  }
  return null;
}
