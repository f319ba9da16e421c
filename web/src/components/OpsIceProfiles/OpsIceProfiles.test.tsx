// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { IceProfileFigures } from '@switchboard/client';
import { get, render } from '../../testing/render';
import { opsSummary } from '../opsSummaryFixture';
import { OpsIceProfiles } from './OpsIceProfiles';

const figures = (patch: Partial<IceProfileFigures>): IceProfileFigures => ({
  profile: 'default',
  accepted: 0,
  connected: 0,
  failed: 0,
  successRate: null,
  connect: { count: 0, p50: null, p90: null, p99: null },
  turnShare: null,
  ...patch,
});

const card = (iceProfiles: IceProfileFigures[]) =>
  render(<OpsIceProfiles summary={opsSummary({ iceProfiles })} />).container;

describe('OpsIceProfiles', () => {
  it('is hidden without profiles to compare', () => {
    expect(card([]).textContent).toBe('');
    expect(card([figures({ accepted: 3 })]).textContent).toBe('');
    expect(render(<OpsIceProfiles summary={null} />).container.textContent).toBe('');
  });

  it('puts each profile’s success, connect time and TURN share side by side', () => {
    const root = card([
      figures({
        profile: 'tls443',
        accepted: 4,
        connected: 4,
        successRate: 1,
        turnShare: 0.5,
        connect: { count: 4, p50: 1.25, p90: 2.5, p99: 2.5 },
      }),
      figures({
        profile: 'udp',
        accepted: 3,
        connected: 1,
        failed: 2,
        successRate: 1 / 3,
        turnShare: 0,
        connect: { count: 1, p50: 0.8, p90: 0.8, p99: 0.8 },
      }),
    ]);
    const cells = (name: string) =>
      [...get(root, `[data-testid=ice-profile-${name}]`).querySelectorAll('th, td')].map(
        (c) => c.textContent,
      );
    expect(cells('tls443')).toEqual([
      'tls443',
      '4',
      '100 %4 connected, 0 failed',
      '1.3 s',
      '2.5 s',
      '50 %',
    ]);
    expect(cells('udp')).toEqual([
      'udp',
      '3',
      '33 %1 connected, 2 failed',
      '0.80 s',
      '0.80 s',
      '0 %',
    ]);
  });
});
