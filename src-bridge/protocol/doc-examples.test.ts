import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Auth, Challenge, Hello, Refused, Welcome } from './messages';
import { RatesRequest, RatesResult } from './rates';

/**
 * The examples in docs/bridge-protocol.md are checked by the schemas the app uses: each JSON block after a
 * `<!-- example: Name -->` marker must parse with the schema of that name, so the spec and the code cannot drift.
 */
const SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  Hello,
  Challenge,
  Auth,
  Welcome,
  Refused,
  RatesRequest,
  RatesResult,
};

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'bridge-protocol.md');

function markedExamples(text: string): { name: string; json: string; line: number }[] {
  const found: { name: string; json: string; line: number }[] = [];
  const marker = /<!-- example: (\w+) -->\s*```json\n([\s\S]*?)\n```/g;
  for (const m of text.matchAll(marker)) {
    found.push({ name: m[1] ?? '', json: m[2] ?? '', line: text.slice(0, m.index).split('\n').length });
  }
  return found;
}

describe('docs/bridge-protocol.md examples', () => {
  const examples = markedExamples(readFileSync(DOC, 'utf8'));

  it('marks the handshake and rates examples', () => {
    expect(new Set(examples.map((e) => e.name))).toEqual(new Set(Object.keys(SCHEMAS)));
  });

  it.each(examples.map((e) => [`${e.name} at line ${String(e.line)}`, e] as const))(
    '%s parses with its schema',
    (_label, example) => {
      const schema = SCHEMAS[example.name];
      if (schema === undefined) throw new Error(`no schema named ${example.name}`);
      const result = schema.safeParse(JSON.parse(example.json));
      expect(result.error?.issues ?? []).toEqual([]);
    },
  );

  it('would catch a drifted example', () => {
    const drifted = markedExamples(
      '<!-- example: RatesRequest -->\n```json\n{"type":"rates","timeframe":"M7"}\n```',
    );
    expect(drifted).toHaveLength(1);
    expect(RatesRequest.safeParse(JSON.parse(drifted[0]?.json ?? '{}')).success).toBe(false);
  });
});
