import { describe, expect, it } from 'vitest';
import { locationHintOf } from '../../../worker/documents/room-location.ts';

describe('room location hints', () => {
  it("places a new room in the creating member's region", () => {
    expect(locationHintOf({ continent: 'OC', country: 'AU', longitude: '151.2' })).toBe('oc');
    expect(locationHintOf({ continent: 'NA', country: 'US', longitude: '-122.4' })).toBe('wnam');
    expect(locationHintOf({ continent: 'NA', country: 'US', longitude: '-74.0' })).toBe('enam');
    expect(locationHintOf({ continent: 'EU', country: 'FR', longitude: '2.35' })).toBe('weur');
    expect(locationHintOf({ continent: 'EU', country: 'PL', longitude: '21.0' })).toBe('eeur');
    expect(locationHintOf({ continent: 'AS', country: 'AE', longitude: '55.3' })).toBe('me');
    expect(locationHintOf({ continent: 'AS', country: 'JP', longitude: '139.7' })).toBe('apac');
    expect(locationHintOf({ continent: 'SA', country: 'BR' })).toBe('sam');
    expect(locationHintOf({ continent: 'AF', country: 'ZA' })).toBe('afr');
  });

  it('gives no hint when the request says nothing about where it came from', () => {
    expect(locationHintOf(undefined)).toBeUndefined();
    expect(locationHintOf({})).toBeUndefined();
    expect(locationHintOf({ continent: 'AN' })).toBeUndefined();
  });
});
