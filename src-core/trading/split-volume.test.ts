import { describe, expect, it } from 'vitest';
import { splitVolume } from './split-volume';

const FX = { volumeMin: 0.01, volumeMax: 100, volumeStep: 0.01 };
const volumes = (r: ReturnType<typeof splitVolume>): number[] =>
  r.ok ? r.value.map((p) => p.volume) : [Number.NaN];

describe('splitVolume', () => {
  it.each([
    [1, [50, 30, 20], [0.5, 0.3, 0.2]],
    [0.1, [50, 30, 20], [0.05, 0.03, 0.02]],
    // 0.07 × 50/30/20 = 3.5/2.1/1.4 steps → 3/2/1 + the one left to the largest remainder (part 1).
    [0.07, [50, 30, 20], [0.04, 0.02, 0.01]],
    // Thirds: 0.1 → 3.33 steps each, one left over goes to the first part.
    [0.1, [100 / 3, 100 / 3, 100 / 3], [0.04, 0.03, 0.03]],
    // A volume off the step is rounded down first (0.105 → 0.10), never up.
    [0.105, [50, 50], [0.05, 0.05]],
    [2.5, [25, 25, 25, 25], [0.63, 0.63, 0.62, 0.62]],
  ])('%s lots as %j → %j', (volume, percents, expected) => {
    const r = splitVolume(volume, percents, FX);
    expect(volumes(r)).toEqual(expected);
  });

  it('never totals more than the volume asked, over many volumes and splits', () => {
    for (let steps = 3; steps <= 400; steps += 7) {
      const volume = steps / 100;
      for (const percents of [
        [50, 30, 20],
        [60, 40],
        [10, 20, 30, 40],
        [33.3, 33.3, 33.4],
      ]) {
        const r = splitVolume(volume, percents, FX);
        if (!r.ok) continue;
        const total = r.value.reduce((a, p) => a + p.volume, 0);
        expect(total).toBeLessThanOrEqual(volume + 1e-9);
        expect(Math.round(total * 100)).toBe(steps);
      }
    }
  });

  it('refuses a part below the minimum volume instead of dropping or enlarging it', () => {
    const r = splitVolume(0.02, [50, 30, 20], FX);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VOLUME_BELOW_MIN');
      expect(r.error.message).toMatch(/Part 3 \(20%\) would be 0 lots/);
    }
    const lotStep = splitVolume(1, [50, 50], { volumeMin: 1, volumeMax: 100, volumeStep: 1 });
    expect(lotStep.ok).toBe(false);
  });

  it('refuses parts that do not add up to 100%, too few or too many parts, bad numbers', () => {
    expect(splitVolume(1, [50, 40], FX).ok).toBe(false);
    expect(splitVolume(1, [100], FX).ok).toBe(false);
    expect(splitVolume(1, Array<number>(11).fill(100 / 11), FX).ok).toBe(false);
    expect(splitVolume(1, [50, Number.NaN], FX).ok).toBe(false);
    expect(splitVolume(1, [150, -50], FX).ok).toBe(false);
    expect(splitVolume(1e308, [50, 50], FX).ok).toBe(false);
    expect(splitVolume(0, [50, 50], FX).ok).toBe(false);
  });

  it('refuses a part above the maximum volume', () => {
    const r = splitVolume(150, [80, 20], FX);
    expect(r.ok ? null : r.error.code).toBe('VOLUME_ABOVE_MAX');
  });
});
