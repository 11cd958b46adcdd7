import { describe, expect, it } from 'vitest';
import { planDocsScreenshots } from './plan';

describe('planDocsScreenshots', () => {
  it('copies every screenshot taken for the docs when none is named, and lists the published ones not retaken', () => {
    const plan = planDocsScreenshots(
      ['chart.png', 'desktop-journal.png', 'notes.txt'],
      ['chart.png', 'desktop-cloud.png', 'desktop-journal.png'],
      [],
    );
    expect(plan).toEqual({
      copy: ['chart.png', 'desktop-journal.png'],
      missing: [],
      stale: ['desktop-cloud.png'],
    });
  });

  it('copies only the named ones, with or without .png, and names those no spec has taken', () => {
    const plan = planDocsScreenshots(
      ['chart.png', 'ticket-split.png'],
      [],
      ['ticket-split', 'chart-refused.png'],
    );
    expect(plan.copy).toEqual(['ticket-split.png']);
    expect(plan.missing).toEqual(['chart-refused.png']);
  });

  it('refuses a name that is not a plain PNG file name, so nothing is written outside docs/screenshots', () => {
    expect(() => planDocsScreenshots(['a.png'], [], ['../README'])).toThrow(
      /not a screenshot name: \.\.\/README/,
    );
    expect(() => planDocsScreenshots(['a.png'], [], ['sub/a.png'])).toThrow(/sub\/a\.png/);
    expect(() => planDocsScreenshots(['a.png'], [], ['.hidden.png'])).toThrow(/\.hidden\.png/);
  });
});
