import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { translateMql, withPrototypes } from './translate-mql';

const HERE = dirname(fileURLToPath(import.meta.url));
const MQL5 = join(HERE, '..');
const HEADERS = ['Json', 'Util', 'Pipe', 'Auth', 'Market', 'Trade', 'Rates'] as const;

/**
 * How long a test file's `beforeAll` may spend compiling its harness program. g++ on the whole EA takes a few
 * seconds on an idle machine and over a minute on a loaded 2-core one; a compile is work, not a wait, so the hook
 * gets room for it instead of vitest's default.
 */
export const BUILD_TIMEOUT_MS = 300_000;

/** A compiled harness program and the temporary directory that holds it. */
export interface BuiltHarness {
  readonly dir: string;
  readonly binary: string;
}

/**
 * Translates the EA's sources to C++ in a fresh temporary directory and compiles one harness program with g++:
 * `driver` (Json.mqh and Pipe.mqh alone), `ea-driver` (the whole EA against the fake terminal and a scripted fake
 * pipe) or `ea-live` (the same EA in real time over a real Unix socket). Throws with g++'s output when the EA's
 * code does not compile.
 */
export function buildHarness(program: 'driver' | 'ea-driver' | 'ea-live'): BuiltHarness {
  const dir = mkdtempSync(join(tmpdir(), `pipdesk-${program}-`));
  for (const name of HEADERS) {
    const source = readFileSync(join(MQL5, 'Include', 'Pipdesk', `${name}.mqh`), 'utf8');
    writeFileSync(join(dir, `${name}.gen.h`), translateMql(source));
  }
  const main = readFileSync(join(MQL5, 'PipdeskBridge.mq5'), 'utf8');
  writeFileSync(join(dir, 'PipdeskBridge.gen.h'), withPrototypes(translateMql(main)));
  for (const file of ['mql5-shim.h', 'sha256.h', 'mql5-terminal.h', 'driver.cpp', 'ea-driver.cpp']) {
    copyFileSync(join(HERE, file), join(dir, file));
  }
  const binary = join(dir, program);
  // -Werror: a warning in the EA's code (sign mix-up, uninitialised use) deserves a look before MetaEditor sees it.
  // Unused parameters are allowed: every request handler has the same signature whether it needs `rq` or not.
  const flags = ['-std=c++17', '-O0', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror'];
  const entry = program === 'driver' ? 'driver.cpp' : 'ea-driver.cpp';
  const live = program === 'ea-live' ? ['-DPD_REAL_SOCKET'] : [];
  execFileSync('g++', [...flags, ...live, '-o', binary, entry], { cwd: dir, stdio: 'pipe' });
  return { dir, binary };
}
