// `npx tsx scripts/check-metaeditor-log.ts <metaeditor.log> <PipdeskBridge.ex5>`: prints the compile log and
// exits non-zero on any error or warning, a missing result line or a missing .ex5 (see scripts/metaeditor/log.ts).
// Run by the Windows workflow after MetaEditor; MetaEditor itself cannot run on the Linux machines.
import { existsSync, readFileSync } from 'node:fs';
import { decodeLog, judge, parseLog } from './metaeditor/log';

const [logPath, ex5Path] = process.argv.slice(2);
if (logPath === undefined || ex5Path === undefined) {
  console.error('usage: check-metaeditor-log.ts <metaeditor.log> <file.ex5>');
  process.exit(2);
}
if (!existsSync(logPath)) {
  console.error(`MetaEditor wrote no log at ${logPath}`);
  process.exit(1);
}
const text = decodeLog(readFileSync(logPath));
console.log(text.trimEnd());
const result = parseLog(text);
for (const problem of result?.problems ?? []) console.log(`::error::${problem}`);
const verdict = judge(result, existsSync(ex5Path));
console.log(verdict.line);
process.exit(verdict.ok ? 0 : 1);
