// Reads a MetaEditor compile log (`metaeditor64.exe /compile:… /log:…`) and decides whether the EA built clean.
// MetaEditor writes the log in UTF-16LE with a byte-order mark and ends it with a line like
// `Result: 0 errors, 0 warnings, 812 msec elapsed, cpu='X64 Regular'`; its exit code is not a reliable verdict,
// so the CI job (.github/workflows/windows.yml) goes by this line and by the .ex5 being there. See docs/mql5-ci.md.

export interface MetaEditorResult {
  errors: number;
  warnings: number;
  /** The log's error and warning lines, for the CI output. */
  problems: string[];
}

/** Decodes the log: UTF-16LE when it starts with its BOM (MetaEditor's own), else UTF-8. */
export function decodeLog(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  }
  return new TextDecoder('utf-8').decode(bytes);
}

const RESULT = /result:?\s*(\d+)\s+errors?,\s*(\d+)\s+warnings?/i;
const PROBLEM = /\b(error|warning)\b/i;

/** The last "Result: N errors, M warnings" line, or undefined when the log has none (MetaEditor did not finish). */
export function parseLog(text: string): MetaEditorResult | undefined {
  const lines = text.split(/\r?\n/);
  let result: MetaEditorResult | undefined;
  for (const line of lines) {
    const m = RESULT.exec(line);
    if (m !== null) result = { errors: Number(m[1]), warnings: Number(m[2]), problems: [] };
  }
  if (result === undefined) return undefined;
  result.problems = lines.filter((l) => PROBLEM.test(l) && !RESULT.test(l)).map((l) => l.trim());
  return result;
}

export type Verdict = { ok: true; line: string } | { ok: false; line: string };

/** Any error, any warning, no result line or no .ex5: the job fails, with one line saying which. */
export function judge(result: MetaEditorResult | undefined, hasEx5: boolean): Verdict {
  if (result === undefined)
    return { ok: false, line: 'MetaEditor left no "Result:" line in its log (did it run?)' };
  const counts = `${result.errors} errors, ${result.warnings} warnings`;
  if (result.errors > 0 || result.warnings > 0)
    return { ok: false, line: `MetaEditor: ${counts} (none allowed)` };
  if (!hasEx5) return { ok: false, line: `MetaEditor: ${counts}, but no .ex5 was written` };
  return { ok: true, line: `MetaEditor: ${counts}, .ex5 written` };
}
