/** What `npm run screenshots:docs` does with the screenshots the specs saved for the docs. */
export interface DocsScreenshotPlan {
  /** Names (`chart.png`) to copy from e2e/screenshots/docs to docs/screenshots. */
  readonly copy: readonly string[];
  /** Names asked for on the command line that no spec has saved (run the spec that takes it first). */
  readonly missing: readonly string[];
  /** Pictures in docs/screenshots that no spec saved in this checkout: left as they are. */
  readonly stale: readonly string[];
}

/** A screenshot's file name: letters, digits, dots, dashes and underscores, ending in .png; no folder. */
export const SCREENSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.png$/;

/**
 * `taken`: the PNG names in e2e/screenshots/docs; `published`: those in docs/screenshots; `asked`: the names on the
 * command line (with or without `.png`), or none for every one taken. Throws on a name that is not a plain PNG
 * file name, so a typo cannot write outside docs/screenshots.
 */
export function planDocsScreenshots(
  taken: readonly string[],
  published: readonly string[],
  asked: readonly string[],
): DocsScreenshotPlan {
  const wanted = asked.map((name) => (name.endsWith('.png') ? name : `${name}.png`));
  const bad = wanted.filter((name) => !SCREENSHOT_NAME.test(name));
  if (bad.length > 0) throw new Error(`not a screenshot name: ${bad.join(', ')}`);
  const takenSet = new Set(taken.filter((name) => SCREENSHOT_NAME.test(name)));
  const chosen = wanted.length === 0 ? [...takenSet] : [...new Set(wanted)];
  return {
    copy: chosen.filter((name) => takenSet.has(name)).sort(),
    missing: chosen.filter((name) => !takenSet.has(name)).sort(),
    stale: published.filter((name) => SCREENSHOT_NAME.test(name) && !takenSet.has(name)).sort(),
  };
}
