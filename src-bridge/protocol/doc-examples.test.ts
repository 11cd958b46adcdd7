import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AccountEvent,
  Auth,
  Bye,
  Challenge,
  EaError,
  Heartbeat,
  Hello,
  ProtocolError,
  Refused,
  REQUEST_TYPES,
  RequestId,
  RequestSchemas,
  ResultSchemas,
  TickEvent,
  TradeEvent,
  TxnEvent,
  Welcome,
  WireAccount,
  WireDeal,
  WireOrder,
  WirePosition,
} from './messages';
import { handshakeProof } from './handshake';
import { RatesRequest, RatesResult } from './rates';

/**
 * The examples in docs/bridge-protocol.md are checked by the schemas the app uses, so the spec and the code cannot
 * drift. Every ```json block must follow a `<!-- example: Name -->` marker. With one name the block is one JSON
 * value; with several (`<!-- example: Request.quote Response.quote -->`) it holds one frame per line, in order.
 * Names: the message schemas, `Request.<type>`, `Result.<type>` and `Response.<type>` (a success response whose
 * result is checked against that type's result schema) for every request type, and `Failure` (an ok:false one).
 */
const SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  Hello,
  Challenge,
  Auth,
  Welcome,
  Refused,
  Bye,
  Heartbeat,
  ProtocolError,
  TickEvent,
  AccountEvent,
  TxnEvent,
  TradeEvent,
  WireAccount,
  WirePosition,
  WireOrder,
  WireDeal,
  RatesRequest,
  RatesResult,
  Failure: z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(false), error: EaError }),
  ...Object.fromEntries(
    REQUEST_TYPES.flatMap((t): [string, z.ZodType][] => [
      [`Request.${t}`, RequestSchemas[t]],
      [`Result.${t}`, ResultSchemas[t]],
      [
        `Response.${t}`,
        z.object({
          type: z.literal('response'),
          id: RequestId,
          ok: z.literal(true),
          result: ResultSchemas[t],
        }),
      ],
    ]),
  ),
};

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'bridge-protocol.md');

interface Example {
  readonly names: readonly string[];
  readonly json: string;
  readonly line: number;
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

function markedExamples(text: string): Example[] {
  const found: Example[] = [];
  const marker = /<!-- example: ([\w. ]+?) -->\s*```json\n([\s\S]*?)\n```/g;
  for (const m of text.matchAll(marker)) {
    found.push({ names: (m[1] ?? '').split(' '), json: m[2] ?? '', line: lineOf(text, m.index) });
  }
  return found;
}

/** Lines of ```json fences that no marker names. */
function unmarkedJsonBlocks(text: string): number[] {
  const marked = new Set<number>();
  const marker = /<!-- example: [\w. ]+? -->\s*(```json\n)/g;
  for (const m of text.matchAll(marker)) marked.add(m.index + m[0].length - '```json\n'.length);
  return [...text.matchAll(/^```json$/gm)]
    .filter((m) => !marked.has(m.index))
    .map((m) => lineOf(text, m.index));
}

/** The frames of an example: the whole block for one name, else one per line. */
function framesOf(example: Example): unknown[] {
  if (example.names.length === 1) return [JSON.parse(example.json)];
  return example.json.split('\n').map((l) => JSON.parse(l) as unknown);
}

/**
 * Paths of keys the example has and the parsed value lacks. zod objects drop unknown keys, so without this a
 * misspelt or renamed field in the doc would still "parse".
 */
function droppedKeys(input: unknown, output: unknown, path = ''): string[] {
  if (Array.isArray(input)) {
    return input.flatMap((v, i) =>
      droppedKeys(v, Array.isArray(output) ? output[i] : undefined, `${path}[${i}]`),
    );
  }
  if (typeof input !== 'object' || input === null) return [];
  const out = (typeof output === 'object' && output !== null ? output : {}) as Record<string, unknown>;
  return Object.entries(input).flatMap(([k, v]) =>
    k in out ? droppedKeys(v, out[k], `${path}.${k}`) : [`${path}.${k}`],
  );
}

function problems(example: Example): string[] {
  const frames = framesOf(example);
  if (frames.length !== example.names.length) {
    return [`${String(example.names.length)} names for ${String(frames.length)} frames`];
  }
  return frames.flatMap((frame, i) => {
    const name = example.names[i] ?? '';
    const schema = SCHEMAS[name];
    if (schema === undefined) return [`no schema named ${name}`];
    const result = schema.safeParse(frame);
    if (!result.success)
      return result.error.issues.map((issue) => `${name}: ${issue.path.join('.')}: ${issue.message}`);
    return droppedKeys(frame, result.data).map((p) => `${name}: unknown field ${p}`);
  });
}

describe('docs/bridge-protocol.md examples', () => {
  const text = readFileSync(DOC, 'utf8');
  const examples = markedExamples(text);

  it('marks every JSON block with the schema it shows', () => {
    expect(unmarkedJsonBlocks(text)).toEqual([]);
  });

  it('shows every message the EA and the app exchange', () => {
    const shown = new Set(examples.flatMap((e) => e.names));
    const expected = [
      'Hello',
      'Challenge',
      'Auth',
      'Welcome',
      'Refused',
      'Bye',
      'Heartbeat',
      'ProtocolError',
      'TickEvent',
      'AccountEvent',
      'TxnEvent',
      'TradeEvent',
      'Failure',
      ...REQUEST_TYPES.map((t) => `Request.${t}`),
      ...REQUEST_TYPES.filter((t) => t !== 'rates').map((t) => `Response.${t}`),
    ];
    expect(expected.filter((n) => !shown.has(n))).toEqual([]);
  });

  it.each(examples.map((e) => [`${e.names.join(' ')} at line ${String(e.line)}`, e] as const))(
    '%s parses with its schema',
    (_label, example) => {
      expect(problems(example)).toEqual([]);
    },
  );

  it('gives the handshake examples the proofs of the test vector', () => {
    const row = (name: string): string =>
      new RegExp(`^\\| ${name} +\\| \`([^\`]+)\``, 'm').exec(text)?.[1] ?? '';
    const frame = (name: string): Record<string, unknown> =>
      framesOf(examples.find((e) => e.names[0] === name) ?? { names: [], json: '{}', line: 0 })[0] as Record<
        string,
        unknown
      >;
    const hello = frame('Hello');
    const challenge = frame('Challenge');
    const proof = (role: 'app' | 'ea'): string =>
      handshakeProof(row('token'), role, row('endpoint'), String(hello['nonce']), String(challenge['nonce']));
    expect(row('appProof')).toBe(proof('app'));
    expect(challenge['proof']).toBe(proof('app'));
    expect(frame('Auth')['proof']).toBe(proof('ea'));
  });

  it('would catch a drifted example, a misspelt field, a wrong count of frames and an unmarked block', () => {
    const drifted = markedExamples(
      '<!-- example: RatesRequest -->\n```json\n{"type":"rates","timeframe":"M7"}\n```',
    );
    expect(drifted.map(problems)).toHaveLength(1);
    expect(drifted.flatMap(problems)).not.toEqual([]);
    const misspelt = markedExamples('<!-- example: Heartbeat -->\n```json\n{"type":"hb","beat":1}\n```');
    expect(misspelt.flatMap(problems)).toEqual(['Heartbeat: unknown field .beat']);
    const short = markedExamples('<!-- example: Heartbeat Heartbeat -->\n```json\n{"type":"hb"}\n```');
    expect(short.flatMap(problems)).toEqual(['2 names for 1 frames']);
    expect(unmarkedJsonBlocks('text\n\n```json\n{"type":"hb"}\n```\n')).toEqual([3]);
  });
});
