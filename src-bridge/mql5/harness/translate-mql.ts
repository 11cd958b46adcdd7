/**
 * Turns the EA's terminal-independent MQL5 (Json.mqh, Pipe.mqh) into C++ that compiles against mql5-shim.h.
 * MQL5 is close to C++; the differences these files use are dynamic arrays (`T name[]`, `T &name[]`) and
 * `#property` lines. Anything else is left alone, so a construct the shim does not cover fails to compile
 * rather than being silently rewritten.
 */
export function translateMql(source: string): string {
  return (
    source
      // parameters: `const uchar &buf[]` -> `const MqlArray<uchar> &buf`
      .replace(/\b(const\s+)?(\w+)\s*&\s*(\w+)\s*\[\s*\]/g, '$1MqlArray<$2> &$3')
      // declarations: `string m_keys[];` -> `MqlArray<string> m_keys;`
      .replace(/^(\s*)(\w+)(\s+)(\w+)\s*\[\s*\]\s*;/gm, '$1MqlArray<$2>$3$4;')
      .replace(/^#property\b.*$/gm, '')
  );
}
