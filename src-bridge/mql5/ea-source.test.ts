/**
 * Static checks of the MQL5 Expert Advisor. MetaEditor does not run here, so these tests read the EA's source
 * and hold it to the protocol and to its documentation: no DLL imports, every request type handled, every
 * include present, every MQL5 function/structure/enumeration/constant documented in docs/mql5-functions.md
 * with its page, the JSON keys the EA writes matching the protocol schemas, and the EA's retcode classes
 * matching src-core's table.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ALL_RETCODES, retcodeInfo } from '../../src-core/trading/retcodes';
import {
  AccountEvent,
  Auth,
  Bye,
  ByeReason,
  CheckResultWire,
  EaErrorCode,
  Hello,
  HelloAccount,
  HelloTerminal,
  HEARTBEAT_INTERVAL_MS,
  LookupResult,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  ProtocolError,
  ProtocolErrorCode,
  RefusalReason,
  REQUEST_TYPES,
  Response,
  ResultSchemas,
  SILENCE_TIMEOUT_MS,
  TradeResultWire,
  TxnEvent,
  TradeEvent,
  WireAccount,
  WireDeal,
  WireOrder,
  WirePosition,
  WireSymbolEntry,
  WireSymbolSpec,
  WireTick,
} from '../protocol/messages';

const HERE = dirname(fileURLToPath(import.meta.url));
const MAIN_FILE = join(HERE, 'PipdeskBridge.mq5');
const INCLUDE_DIR = join(HERE, 'Include');
const DOC_FILE = join(HERE, '..', '..', 'docs', 'mql5-functions.md');

// ---------------------------------------------------------------------------------------------------------
// A small MQL5 scanner: comments removed, string and character literals blanked to the same length (so
// offsets stay valid and nothing inside a literal is mistaken for code).

interface Scanned {
  /** Comments replaced by spaces; literals kept. */
  readonly code: string;
  /** Comments and the contents of literals replaced by spaces. */
  readonly bare: string;
}

/** Removes comments and blanks literals, keeping every offset. */
function scanMql(source: string): Scanned {
  let code = '';
  let bare = '';
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    const next = source.charAt(i + 1);
    if (c === '/' && next === '/') {
      while (i < source.length && source.charAt(i) !== '\n') {
        code += ' ';
        bare += ' ';
        i++;
      }
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      for (; i < stop; i++) {
        const keep = source.charAt(i) === '\n' ? '\n' : ' ';
        code += keep;
        bare += keep;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      code += c;
      bare += c;
      i++;
      while (i < source.length && source.charAt(i) !== c && source.charAt(i) !== '\n') {
        const step = source.charAt(i) === '\\' ? 2 : 1;
        code += source.slice(i, i + step);
        bare += ' '.repeat(step);
        i += step;
      }
      if (i < source.length) {
        code += source.charAt(i);
        bare += source.charAt(i);
        i++;
      }
      continue;
    }
    code += c;
    bare += c;
    i++;
  }
  return { code, bare };
}

const KEYWORDS = new Set([
  'if',
  'else',
  'for',
  'while',
  'do',
  'switch',
  'case',
  'return',
  'sizeof',
  'new',
  'delete',
  'operator',
  'template',
  'typename',
]);

/** Names our own sources define: functions, methods, constructors and classes. */
function definedNames(bare: string): Set<string> {
  const names = new Set<string>();
  for (const m of bare.matchAll(/^[ \t]*(?:[A-Za-z_]\w*[ \t]+)+&?([A-Za-z_]\w*)[ \t]*\(/gm)) {
    if (m[1] !== undefined) names.add(m[1]);
  }
  for (const m of bare.matchAll(/\b(?:class|struct)\s+([A-Za-z_]\w*)/g)) {
    if (m[1] !== undefined) names.add(m[1]);
  }
  for (const m of bare.matchAll(/^[ \t]*([A-Za-z_]\w*)\(\)[ \t]*\{/gm)) {
    if (m[1] !== undefined) names.add(m[1]); // constructors
  }
  return names;
}

/** Identifiers called as functions (`Name(`), except method calls (`x.Name(`) and keywords. */
function calledNames(bare: string): Set<string> {
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![.\w])([A-Za-z_]\w*)\s*\(/g)) {
    const name = m[1];
    if (name !== undefined && !KEYWORDS.has(name)) names.add(name);
  }
  return names;
}

/** The body (braces included) of the function `name` defined in `scanned`, searching the literal-free text. */
function functionBody(scanned: Scanned, name: string): string {
  const def = new RegExp(`^[ \\t]*(?:[A-Za-z_]\\w*[ \\t]+)+&?${name}[ \\t]*\\(`, 'm').exec(scanned.bare);
  if (def === null) throw new Error(`no definition of ${name}`);
  const open = scanned.bare.indexOf('{', def.index);
  let depth = 0;
  for (let i = open; i < scanned.bare.length; i++) {
    const c = scanned.bare.charAt(i);
    if (c === '{') depth++;
    if (c === '}') {
      depth--;
      if (depth === 0) return scanned.code.slice(open, i + 1);
    }
  }
  throw new Error(`unbalanced braces in ${name}`);
}

/** JSON keys written by PdJsonWriter calls inside a piece of source. */
function writtenKeys(body: string): Set<string> {
  const keys = new Set<string>();
  for (const m of body.matchAll(
    /\.(?:Str|Num|Int|U64|Bool|Null|Raw|BeginObject|BeginArray)\(\s*"([A-Za-z]+)"/g,
  )) {
    if (m[1] !== undefined) keys.add(m[1]);
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------------------
// The sources

interface SourceFile {
  readonly path: string;
  readonly text: string;
  readonly scanned: Scanned;
}

function listMqh(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listMqh(join(dir, e.name)) : e.name.endsWith('.mqh') ? [join(dir, e.name)] : [],
  );
}

const SOURCES: readonly SourceFile[] = [MAIN_FILE, ...listMqh(INCLUDE_DIR)].map((path) => {
  const text = readFileSync(path, 'utf8');
  return { path, text, scanned: scanMql(text) };
});
const ALL_CODE = SOURCES.map((s) => s.scanned.code).join('\n');
const ALL_BARE = SOURCES.map((s) => s.scanned.bare).join('\n');
const ALL_SCANNED: Scanned = { code: ALL_CODE, bare: ALL_BARE };
const DOC = readFileSync(DOC_FILE, 'utf8');

function mainSource(): SourceFile {
  const main = SOURCES.find((s) => s.path === MAIN_FILE);
  if (main === undefined) throw new Error('PipdeskBridge.mq5 missing');
  return main;
}

/** Value of `#define NAME value` in the sources. */
function defineValue(name: string): string {
  const m = new RegExp(`^#define\\s+${name}\\s+(.+?)\\s*$`, 'm').exec(ALL_CODE);
  if (m?.[1] === undefined) throw new Error(`no #define ${name}`);
  return m[1];
}

/** Lines of the doc that name `symbol` in backticks and link an MQL5 documentation page. */
function documentedWithPage(symbol: string): boolean {
  return DOC.split('\n').some(
    (line) => line.includes(`\`${symbol}\``) && line.includes('https://www.mql5.com/en/docs/'),
  );
}

// ---------------------------------------------------------------------------------------------------------

describe('the MQL5 scanner used by these checks', () => {
  it('ignores calls inside comments and literals and keeps offsets', () => {
    const src = 'int a=Foo(1); // Bar(2)\nstring s="Baz(3) // not a comment";\n/* Qux(4) */ Quux(5);';
    const scanned = scanMql(src);
    expect(scanned.code.length).toBe(src.length);
    expect(scanned.bare.length).toBe(src.length);
    expect([...calledNames(scanned.bare)].sort()).toEqual(['Foo', 'Quux']);
    expect(scanned.code).toContain('"Baz(3) // not a comment"');
  });

  it('finds definitions, bodies and written keys', () => {
    const src =
      'bool PdThing(const string a)\n  {\n   w.Str("alpha",a);\n   if(x) { w.Int("beta",1); }\n  }\nvoid Other() { w.Str("gamma","}"); }';
    const scanned = scanMql(src);
    expect(definedNames(scanned.bare).has('PdThing')).toBe(true);
    const body = functionBody(scanned, 'PdThing');
    expect([...writtenKeys(body)]).toEqual(['alpha', 'beta']);
    expect([...writtenKeys(functionBody(scanned, 'Other'))]).toEqual(['gamma']);
  });
});

describe('EA source: structure', () => {
  it('has the main file and at least one include', () => {
    expect(existsSync(MAIN_FILE)).toBe(true);
    expect(SOURCES.length).toBeGreaterThan(1);
  });

  it('imports no DLL (#import)', () => {
    for (const s of SOURCES) {
      expect(/^\s*#import\b/m.test(s.scanned.code), relative(HERE, s.path)).toBe(false);
    }
  });

  it('resolves every #include inside src-bridge/mql5, and includes every .mqh it ships', () => {
    const included = new Set<string>();
    for (const s of SOURCES) {
      for (const m of s.scanned.code.matchAll(/^\s*#include\s+([<"])([^>"]+)[>"]/gm)) {
        const [, bracket, name] = m;
        if (name === undefined) continue;
        // <x>: MQL5\Include; "x": the directory of the main source file (MQL5 reference, #include).
        const base = bracket === '<' ? INCLUDE_DIR : HERE;
        const target = join(base, ...name.split(/[\\/]/));
        expect(existsSync(target), `${relative(HERE, s.path)} includes ${name}`).toBe(true);
        included.add(target);
      }
    }
    for (const mqh of listMqh(INCLUDE_DIR)) {
      expect(included.has(mqh), `${relative(HERE, mqh)} is never included`).toBe(true);
    }
  });

  it('calls, inside each class, only methods declared above the call', () => {
    // MQL5 reads class bodies top-down more strictly than C++; the g++ harness would not notice a later one.
    for (const src of SOURCES) {
      const bare = src.scanned.bare;
      for (const cls of bare.matchAll(/\bclass\s+(\w+)\s*\{/g)) {
        const open = cls.index + cls[0].length - 1;
        let depth = 0;
        let close = open;
        for (let i = open; i < bare.length; i++) {
          if (bare.charAt(i) === '{') depth++;
          if (bare.charAt(i) === '}' && --depth === 0) {
            close = i;
            break;
          }
        }
        const body = bare.slice(open, close);
        const declared = new Map<string, number>();
        for (const m of body.matchAll(/^[ \t]*(?:[A-Za-z_]\w*[ \t]+)+&?([A-Za-z_]\w*)[ \t]*\(/gm)) {
          const name = m[1];
          const at = m.index + m[0].length - 1;
          if (name !== undefined && !KEYWORDS.has(name) && !declared.has(name)) declared.set(name, at);
        }
        const late: string[] = [];
        for (const m of body.matchAll(/(?<![.\w])([A-Za-z_]\w*)\s*\(/g)) {
          const at = m.index + m[0].length - 1;
          const decl = m[1] === undefined ? undefined : declared.get(m[1]);
          if (decl !== undefined && decl > at) late.push(`${cls[1] ?? ''}::${m[1] ?? ''}`);
        }
        expect(late, relative(HERE, src.path)).toEqual([]);
      }
    }
  });

  it('handles every request type of the protocol', () => {
    const dispatch = functionBody(mainSource().scanned, 'HandleRequest');
    const known = functionBody(mainSource().scanned, 'IsRequestType');
    for (const type of REQUEST_TYPES) {
      expect(dispatch, `HandleRequest handles ${type}`).toContain(`type=="${type}"`);
      expect(known, `IsRequestType knows ${type}`).toContain(`type=="${type}"`);
    }
    const handled = [...dispatch.matchAll(/type=="(\w+)"/g)].map((m) => m[1]);
    expect(handled.filter((t) => !(REQUEST_TYPES as readonly (string | undefined)[]).includes(t))).toEqual(
      [],
    );
  });

  it('never puts the pairing token in a frame: it is only assigned, or the key of PdHandshakeProof', () => {
    const uses = ALL_CODE.split('\n').filter((l) => /\bg_token\b/.test(l));
    expect(uses.length).toBeGreaterThan(3);
    for (const line of uses)
      expect(line, line).toMatch(/^\s*(?:string\s+)?g_token\s*=|PdHandshakeProof\(g_token,/);
    const tokenReads = ALL_CODE.split('\n').filter((l) => l.includes('PD_TOKEN_FILE,'));
    expect(tokenReads.every((l) => l.includes('ReadCommonLine(PD_TOKEN_FILE,token)'))).toBe(true);
  });

  it('uses the protocol constants', () => {
    expect(Number(defineValue('PD_PROTOCOL_VERSION'))).toBe(PROTOCOL_VERSION);
    expect(Number(defineValue('PD_MAX_FRAME_BYTES'))).toBe(MAX_FRAME_BYTES);
    expect(Number(defineValue('PD_DEDUP_SIZE'))).toBeGreaterThanOrEqual(1000);
    expect(Number(defineValue('PD_PIPE_BACKOFF_MIN_MS'))).toBe(1000);
    expect(Number(defineValue('PD_PIPE_BACKOFF_MAX_MS'))).toBe(30000);
    expect(Number(defineValue('PD_REFUSED_WAIT_MS'))).toBeGreaterThanOrEqual(10000);
    expect(defineValue('PD_TOKEN_FILE')).toBe('"Pipdesk\\\\token.txt"');
    expect(ALL_CODE).toContain(`g_heartbeatMs=${HEARTBEAT_INTERVAL_MS};`);
    expect(ALL_CODE).toContain(`g_silenceMs=${SILENCE_TIMEOUT_MS};`);
    expect(defineValue('PD_PIPE_FILE')).toBe('"Pipdesk\\\\pipe.txt"');
    // Empty: the pipe name comes from pipe.txt, which the app writes with its random per-install name.
    expect(ALL_CODE).toMatch(/input\s+string\s+InpPipeName\s*=\s*""/);
  });
});

describe('EA source: protocol names', () => {
  it('answers only with error codes the protocol defines', () => {
    const used = new Set<string>();
    for (const m of ALL_CODE.matchAll(/errCode="(\w+)"/g)) if (m[1] !== undefined) used.add(m[1]);
    for (const m of ALL_CODE.matchAll(/SendFailure\(\w+,"(\w+)"/g)) if (m[1] !== undefined) used.add(m[1]);
    expect(used.size).toBeGreaterThan(5);
    for (const code of used) expect(EaErrorCode.options, code).toContain(code);
  });

  it('sends only protocol error codes, bye reasons, and knows the refusal reasons it compares', () => {
    for (const m of ALL_CODE.matchAll(/SendError\("(\w+)"/g)) {
      expect(ProtocolErrorCode.options).toContain(m[1]);
    }
    for (const m of ALL_CODE.matchAll(/SendBye\("(\w+)"/g)) expect(ByeReason.options).toContain(m[1]);
    for (const m of functionBody(mainSource().scanned, 'HandleRefused').matchAll(/reason=="(\w+)"/g)) {
      expect(RefusalReason.options).toContain(m[1]);
    }
    for (const m of functionBody(mainSource().scanned, 'HandleBye').matchAll(/reason=="(\w+)"/g)) {
      expect(ByeReason.options).toContain(m[1]);
    }
  });

  it('classifies retcodes exactly as src-core/trading/retcodes.ts (used for the dedup table)', () => {
    const body = functionBody(ALL_SCANNED, 'PdOutcome');
    const eaClass = new Map<number, string>();
    let pending: number[] = [];
    for (const line of body.split('\n')) {
      const c = /case\s+(\d+)\s*:/.exec(line);
      if (c?.[1] !== undefined) pending.push(Number(c[1]));
      const r = /return\("(\w+)"\)/.exec(line);
      if (r?.[1] !== undefined) {
        for (const code of pending) eaClass.set(code, r[1]);
        pending = [];
      }
    }
    const fallback = /return\("(\w+)"\);\s*\}\s*$/.exec(body)?.[1];
    expect(fallback).toBe('unknown');
    expect(eaClass.size).toBeGreaterThan(30);
    for (const info of ALL_RETCODES) {
      expect(eaClass.get(info.code) ?? fallback, `${info.code} ${info.name}`).toBe(info.outcome);
    }
    for (const code of eaClass.keys()) expect(retcodeInfo(code).name, String(code)).not.toBe('UNKNOWN');
  });
});

describe('EA source: JSON keys match the protocol schemas', () => {
  type Shaped = { readonly shape: Readonly<Record<string, z.ZodType>> };
  const keysOf = (...schemas: Shaped[]) => {
    const all = new Set<string>();
    const required = new Set<string>();
    for (const s of schemas) {
      for (const [key, field] of Object.entries(s.shape)) {
        all.add(key);
        if (!field.safeParse(undefined).success) required.add(key);
      }
    }
    return { all, required };
  };
  const symbolsResult = ResultSchemas.symbols;
  const subscribeResult = ResultSchemas.subscribe;
  const calcMarginResult = ResultSchemas.calc_margin;
  const tradeEventsResult = ResultSchemas.trade_events;

  const cases: readonly { fn: string; schemas: Shaped[]; extra?: string[] }[] = [
    { fn: 'SendHello', schemas: [Hello, HelloTerminal, HelloAccount] },
    { fn: 'HandleChallenge', schemas: [Auth] },
    { fn: 'PdWriteAccountFields', schemas: [WireAccount] },
    { fn: 'PdWriteTickFields', schemas: [WireTick] },
    { fn: 'PdSelectedPositionJson', schemas: [WirePosition] },
    { fn: 'PdSelectedOrderJson', schemas: [WireOrder] },
    { fn: 'PdDealJson', schemas: [WireDeal] },
    { fn: 'PdHandleSymbolSpec', schemas: [WireSymbolSpec] },
    { fn: 'PdHandleSymbols', schemas: [symbolsResult, WireSymbolEntry], extra: ['truncated'] },
    { fn: 'PdHandleCalcMargin', schemas: [calcMarginResult] },
    { fn: 'HandleSubscribe', schemas: [subscribeResult] },
    { fn: 'HandleUnsubscribe', schemas: [subscribeResult] },
    { fn: 'PdTradeResultJson', schemas: [TradeResultWire] },
    { fn: 'PdCheckResultJson', schemas: [CheckResultWire] },
    { fn: 'PdHandleLookup', schemas: [LookupResult], extra: ['truncated'] },
    { fn: 'PumpAccount', schemas: [AccountEvent] },
    { fn: 'OnTradeTransaction', schemas: [TxnEvent] },
    { fn: 'FlushTradeEvent', schemas: [TradeEvent] },
    { fn: 'HandleTradeEvents', schemas: [tradeEventsResult] },
    { fn: 'SendResult', schemas: [Response.options[0]] },
    { fn: 'SendFailure', schemas: [Response.options[1], Response.options[1].shape.error] },
    { fn: 'SendError', schemas: [ProtocolError] },
    { fn: 'SendBye', schemas: [Bye] },
  ];

  for (const { fn, schemas, extra = [] } of cases) {
    it(`${fn} writes the schema's keys and no others`, () => {
      const written = writtenKeys(functionBody(ALL_SCANNED, fn));
      const { all, required } = keysOf(...schemas);
      for (const key of required) expect(written, `${fn} misses "${key}"`).toContain(key);
      for (const key of written) {
        expect(all.has(key) || extra.includes(key), `${fn} writes unknown "${key}"`).toBe(true);
      }
    });
  }

  it('writes every optional key of the data it reports', () => {
    const optionalWanted: readonly [string, Shaped][] = [
      ['PdWriteTickFields', WireTick],
      ['PdHandleSymbolSpec', WireSymbolSpec],
      ['PdWriteAccountFields', WireAccount],
      ['OnTradeTransaction', TxnEvent],
    ];
    for (const [fn, schema] of optionalWanted) {
      const written = writtenKeys(functionBody(ALL_SCANNED, fn));
      for (const key of Object.keys(schema.shape)) expect(written, `${fn} → ${key}`).toContain(key);
    }
  });
});

describe('docs/mql5-functions.md lists everything the EA uses, with its page', () => {
  const ours = definedNames(ALL_BARE);
  const macros = new Set([...ALL_CODE.matchAll(/^#define\s+(\w+)/gm)].map((m) => m[1]));

  it('every MQL5 function called', () => {
    const api = [...calledNames(ALL_BARE)].filter((n) => !ours.has(n) && !macros.has(n));
    expect(api.length).toBeGreaterThan(50);
    expect(api.filter((n) => !documentedWithPage(n))).toEqual([]);
  });

  it('every event handler the EA implements', () => {
    for (const handler of ['OnInit', 'OnDeinit', 'OnTimer', 'OnTick', 'OnTradeTransaction']) {
      expect(ours.has(handler), handler).toBe(true);
      expect(documentedWithPage(handler), handler).toBe(true);
    }
  });

  it('every structure and enumeration type', () => {
    const types = new Set([...ALL_BARE.matchAll(/\b(Mql\w+|ENUM_\w+)\b/g)].map((m) => m[1] ?? ''));
    expect(types.size).toBeGreaterThan(5);
    expect([...types].filter((t) => !documentedWithPage(t))).toEqual([]);
  });

  it('every predefined constant', () => {
    const constants = new Set(
      [...ALL_BARE.matchAll(/\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b/g)]
        .map((m) => m[1] ?? '')
        .filter((c) => !macros.has(c) && !c.startsWith('ENUM_') && !c.startsWith('PIPDESK_')),
    );
    expect(constants.size).toBeGreaterThan(100);
    expect([...constants].filter((c) => !documentedWithPage(c))).toEqual([]);
  });
});
