// `npm run screenshots:docs [name ...]`: copies the screenshots the specs saved for the docs
// (e2e/screenshots/docs/<name>.png) into docs/screenshots, every one or only the named ones. Tests never write
// docs/screenshots themselves; refreshing the docs' pictures is this deliberate step (docs/testing.md).
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DOCS_SCREENSHOT_DIR } from '../e2e/screenshot-dirs';
import { planDocsScreenshots } from './screenshots/plan';

const PUBLISHED = join(import.meta.dirname, '..', 'docs', 'screenshots');
const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

let plan;
try {
  plan = planDocsScreenshots(list(DOCS_SCREENSHOT_DIR), list(PUBLISHED), process.argv.slice(2));
} catch (error) {
  console.error(`screenshots:docs: ${(error as Error).message}`);
  process.exit(2);
}
mkdirSync(PUBLISHED, { recursive: true });
for (const name of plan.copy) copyFileSync(join(DOCS_SCREENSHOT_DIR, name), join(PUBLISHED, name));
console.log(
  `screenshots:docs: copied ${plan.copy.length} to docs/screenshots${plan.copy.length > 0 ? `: ${plan.copy.join(', ')}` : ''}`,
);
if (plan.stale.length > 0) {
  console.log(`not retaken (run their specs first to refresh them): ${plan.stale.join(', ')}`);
}
if (plan.missing.length > 0) {
  console.error(`no spec saved: ${plan.missing.join(', ')}`);
  process.exit(1);
}
