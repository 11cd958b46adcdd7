import { readFile, stat } from 'node:fs/promises';
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

/**
 * Resolves a URL path inside `root`, refusing anything that would leave it (`..`, encoded separators, NUL).
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
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  if (relative.split(/[/\\]/).includes('..')) return null;
  const wanted = relative === '' ? 'index.html' : relative;
  const candidates = extname(wanted) === '' ? [wanted, 'index.html'] : [wanted];
  for (const candidate of candidates) {
    const full = join(root, candidate);
    if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
    try {
      const info = await stat(full);
      if (!info.isFile()) continue;
      const ext = extname(full).toLowerCase();
      return {
        body: await readFile(full),
        contentType: TYPES[ext] ?? 'application/octet-stream',
        isImmutable: candidate.startsWith('assets/'),
      };
    } catch {
      continue;
    }
  }
  return null;
}
