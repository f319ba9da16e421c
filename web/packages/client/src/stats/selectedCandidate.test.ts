/** The route for POST /connected: read from getStats(), asked again briefly, never waited on long. */
import { describe, expect, it } from 'vitest';
import type { StatsEntry } from './computeSample';
import { waitForCandidateType } from './selectedCandidate';

const report = (entries: StatsEntry[]) =>
  new Map(entries.map((e) => [e.id, e])) as unknown as RTCStatsReport;

const connected = (candidateType: string) =>
  report([
    { id: 'T1', type: 'transport', timestamp: 1, selectedCandidatePairId: 'CP1' },
    {
      id: 'CP1',
      type: 'candidate-pair',
      timestamp: 1,
      localCandidateId: 'L1',
      remoteCandidateId: 'R1',
      state: 'succeeded',
    },
    { id: 'L1', type: 'local-candidate', timestamp: 1, candidateType },
    { id: 'R1', type: 'remote-candidate', timestamp: 1, candidateType: 'host' },
  ]);

/** No selected pair yet: a transport without one and a pair still being checked. */
const notYet = () =>
  report([
    { id: 'T1', type: 'transport', timestamp: 1 },
    {
      id: 'CP1',
      type: 'candidate-pair',
      timestamp: 1,
      localCandidateId: 'L1',
      state: 'in-progress',
    },
    { id: 'L1', type: 'local-candidate', timestamp: 1, candidateType: 'relay' },
  ]);

describe('waitForCandidateType', () => {
  it('reads our side of the selected pair at once when it is known', async () => {
    let calls = 0;
    const type = await waitForCandidateType({
      getStats: () => {
        calls++;
        return Promise.resolve(connected('relay'));
      },
    });
    expect(type).toBe('relay');
    expect(calls).toBe(1);
  });

  it('asks again until the selected pair shows up', async () => {
    const answers = [notYet(), notYet(), connected('srflx')];
    let calls = 0;
    const type = await waitForCandidateType(
      { getStats: () => Promise.resolve(answers[Math.min(calls++, answers.length - 1)]) },
      { timeoutMs: 1000, retryMs: 5 },
    );
    expect(type).toBe('srflx');
    expect(calls).toBe(3);
  });

  it('gives up with null after the bound, whether getStats answers or hangs', async () => {
    const started = Date.now();
    expect(
      await waitForCandidateType(
        { getStats: () => Promise.resolve(notYet()) },
        { timeoutMs: 60, retryMs: 10 },
      ),
    ).toBeNull();
    expect(
      await waitForCandidateType(
        { getStats: () => new Promise<RTCStatsReport>(() => undefined) },
        { timeoutMs: 60 },
      ),
    ).toBeNull();
    expect(
      await waitForCandidateType(
        { getStats: () => Promise.reject(new Error('closed')) },
        { timeoutMs: 60, retryMs: 10 },
      ),
    ).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
