/**
 * Turns the EA's terminal-independent MQL5 (Json.mqh, Pipe.mqh) into C++ that compiles against mql5-shim.h.
 * MQL5 is close to C++; the differences these files use are dynamic arrays (`T name[]`, `T &name[]`) and
 * `#property` lines; the main file also needs its `input` keywords dropped, its includes pointed at the translated
 * headers and prototypes for functions it calls before defining them (MQL5 allows that, C++ does not). Anything
 * else is left alone, so a construct the shims do not cover fails to compile rather than being rewritten.
 */
export function translateMql(source: string): string {
  return (
    source
      // includes of the EA's own headers -> the translated copies next to the driver
      .replace(/^#include\s+<Pipdesk\/(\w+)\.mqh>/gm, '#include "$1.gen.h"')
      // `input` variables are plain globals here
      .replace(/^input\s+/gm, '')
      // parameters: `const uchar &buf[]` -> `const MqlArray<uchar> &buf`
      .replace(/\b(const\s+)?(\w+)\s*&\s*(\w+)\s*\[\s*\]/g, '$1MqlArray<$2> &$3')
      // declarations: `string m_keys[];` -> `MqlArray<string> m_keys;`
      .replace(/^(\s*)(\w+)(\s+)(\w+)\s*\[\s*\]\s*;/gm, '$1MqlArray<$2>$3$4;')
      .replace(/^#property\b.*$/gm, '')
  );
}

/**
 * Prototypes of the top-level functions a translated main file defines (`type Name(params)` at column 0 followed by
 * `{`), inserted after its last `#include` so calls before the definition compile.
 */
export function withPrototypes(translated: string): string {
  const prototypes = [
    ...translated.matchAll(
      /^([A-Za-z_]\w*(?:[ \t]+[A-Za-z_]\w*)*)[ \t]+&?([A-Za-z_]\w*)\(([^;{}()]*)\)\s*\n\s*\{/gm,
    ),
  ].map((m) => `${m[1] ?? ''} ${m[2] ?? ''}(${(m[3] ?? '').replace(/\s+/g, ' ')});`);
  const lastInclude = [...translated.matchAll(/^#include .*$/gm)].pop();
  const at = lastInclude === undefined ? 0 : lastInclude.index + lastInclude[0].length;
  return `${translated.slice(0, at)}\n${prototypes.join('\n')}\n${translated.slice(at)}`;
}
