import { describe, expect, it } from 'vitest';
import { planUpdates, type UpdateContext } from './update-policy';

const installed: UpdateContext = {
  isPackaged: true,
  platform: 'win32',
  hasFeedFile: true,
  envSetting: undefined,
};

describe('planUpdates', () => {
  it('is on for an installed Windows build made with a release feed', () => {
    expect(planUpdates(installed)).toEqual({ isOn: true });
  });

  it('is off while no feed is configured (the installer today: publish is null)', () => {
    expect(planUpdates({ ...installed, hasFeedFile: false })).toEqual({
      isOn: false,
      reason: 'no release feed configured (electron-builder publish: null)',
    });
  });

  it('is off in a development run, even with a feed file lying around', () => {
    expect(planUpdates({ ...installed, isPackaged: false })).toEqual({
      isOn: false,
      reason: 'not an installed build (development run)',
    });
  });

  it('is off where no installer is built', () => {
    expect(planUpdates({ ...installed, platform: 'linux' })).toEqual({
      isOn: false,
      reason: 'no installer is built for linux',
    });
  });

  it('can be turned off on a desk with PIPDESK_UPDATES=off (any case), and only with "off"', () => {
    expect(planUpdates({ ...installed, envSetting: 'OFF' })).toEqual({
      isOn: false,
      reason: 'PIPDESK_UPDATES=off',
    });
    expect(planUpdates({ ...installed, envSetting: 'on' })).toEqual({ isOn: true });
  });
});
