/**
 * The trading core in one import: symbol specifications and the catalog, number helpers, conversion, margin,
 * profit, position sizing, filling modes, order rules, risk limits and trade retcodes. Importing a module by
 * its own path works as well; docs/trading-core.md describes the rules.
 */
export * from './symbol-spec';
export * from './outcome';
export * from './numbers';
export * from './catalog';
export * from './retcodes';
export * from './conversion';
export * from './margin';
export * from './profit';
export * from './sizing';
export * from './filling';
export * from './order-rules';
export * from './risk-limits';
export * from './margin-capacity';
export * from './stop-distance';
export * from './risk-input';
export * from './portfolio-risk';
