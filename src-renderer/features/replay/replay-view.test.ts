import { describe, expect, it } from 'vitest';
import { formatFileSize, formatReplayTime, parseJumpInput, replayProgress, toJumpInput } from './replay-view';

const T = Date.UTC(2024, 0, 2, 10, 0, 5);

describe('replay bar helpers', () => {
  it('shows replay times as the file has them', () => {
    expect(formatReplayTime(T)).toBe('2024-01-02 10:00:05');
    expect(formatReplayTime(null)).toBe('—');
    expect(toJumpInput(T)).toBe('2024-01-02T10:00:05');
  });

  it('reads a jump time with or without seconds, and refuses anything else', () => {
    expect(parseJumpInput('2024-01-02T10:00:05')).toBe(T);
    expect(parseJumpInput('2024-01-02 10:00')).toBe(T - 5000);
    for (const bad of ['', 'tomorrow', '2024-01-02', '10:00', '2024/01/02 10:00']) {
      expect(parseJumpInput(bad)).toBeNull();
    }
  });

  it('measures progress by time, within 0 and 1', () => {
    expect(replayProgress({ timeMs: 150, startMs: 100, endMs: 200 })).toBe(0.5);
    expect(replayProgress({ timeMs: 300, startMs: 100, endMs: 200 })).toBe(1);
    expect(replayProgress({ timeMs: null, startMs: null, endMs: null })).toBe(0);
    expect(replayProgress({ timeMs: 100, startMs: 100, endMs: 100 })).toBe(1);
  });

  it('says file sizes in words', () => {
    expect(formatFileSize(512)).toBe('512 B');
    expect(formatFileSize(812 * 1024)).toBe('812 KB');
    expect(formatFileSize(14.2 * 1048576)).toBe('14.2 MB');
  });
});
