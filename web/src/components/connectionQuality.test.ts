import { describe, expect, it } from 'vitest';
import { connectionVerdict, routeWords } from './connectionQuality';

describe('connectionVerdict', () => {
  it('is good, fair or poor by delay and loss, and null when nothing was measured', () => {
    expect(connectionVerdict(null, null)).toBeNull();
    expect(connectionVerdict(2, 0)).toBe('good');
    expect(connectionVerdict(250, null)).toBe('fair');
    expect(connectionVerdict(20, 3)).toBe('fair');
    expect(connectionVerdict(450, 0)).toBe('poor');
    expect(connectionVerdict(null, 8)).toBe('poor');
  });

  it('says the route in words, never as a candidate type', () => {
    expect(routeWords('relay')).toBe('Through a relay server');
    expect(routeWords('host')).toBe('Direct');
    expect(routeWords('srflx')).toBe('Direct');
    expect(routeWords(null)).toBeNull();
  });
});
