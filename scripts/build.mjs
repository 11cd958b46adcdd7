// Builds what tests and `npm start` serve. Each step is added by the piece that needs it; a missing piece
// is reported, not faked.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const steps = [
  { name: 'renderer', config: 'src-renderer/vite.config.ts' },
  { name: 'portal', config: 'cloud/portal/vite.config.ts' },
];
for (const step of steps) {
  if (!existsSync(step.config)) {
    console.log(`build: ${step.name} not present yet (${step.config}), skipped`);
    continue;
  }
  execFileSync('npx', ['vite', 'build', '--config', step.config, '--logLevel', 'warn'], { stdio: 'inherit' });
}
