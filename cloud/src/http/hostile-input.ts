/**
 * Checks on decoded input that schemas cannot express well: a NUL character (PostgreSQL text and jsonb refuse
 * U+0000, so it would surface as a 500 there while SQLite stores it) and nesting deep enough to overflow the
 * stack of `JSON.stringify` or a recursive schema. Both are refused at the boundary, on every database alike.
 */

/** Deepest nesting of arrays and objects accepted in any request body or connector message. */
export const MAX_DEPTH = 64;

export interface InputProblem {
  /** Dotted path of the offending value (`entries.1.id`), `''` for the root. */
  readonly path: string;
  readonly message: string;
}

const NUL = '\u0000';

/**
 * The first problem in `value`, or null. Iterative (an explicit stack), so input nested 100,000 levels deep is
 * measured without recursion; it stops at the first problem and never looks below {@link MAX_DEPTH}.
 */
export function findInputProblem(value: unknown, maxDepth = MAX_DEPTH): InputProblem | null {
  const stack: { value: unknown; path: readonly (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: readonly (string | number)[] };
    if (typeof current === 'string') {
      if (current.includes(NUL))
        return { path: path.join('.'), message: 'must not contain a NUL character (U+0000)' };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth) {
      return { path: path.join('.'), message: `is nested deeper than ${maxDepth} levels` };
    }
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push({ value: current[i], path: [...path, i] });
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (key.includes(NUL))
        return {
          path: [...path, key.replaceAll(NUL, '\\0')].join('.'),
          message: 'a key must not contain a NUL character (U+0000)',
        };
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return null;
}
