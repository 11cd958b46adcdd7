import { join } from 'node:path';

/** Where specs save their screenshots: e2e/screenshots is git-ignored, so a test run never writes a tracked file. */
export const SCREENSHOT_DIR = join(import.meta.dirname, 'screenshots');

/**
 * The screenshots the docs show, saved by the specs under their names in docs/screenshots and kept here until
 * `npm run screenshots:docs` copies them there on purpose (docs/testing.md, Screenshots).
 */
export const DOCS_SCREENSHOT_DIR = join(SCREENSHOT_DIR, 'docs');
