/** Held and replayed signals: what a new or rebuilt peer connection is given. */
import { describe, expect, it } from 'vitest';
import type { HeldSignal } from './SignalLog';
import { SignalLog } from './SignalLog';

const offer = (sdp: string): HeldSignal => ({ kind: 'offer', data: { type: 'offer', sdp } });
const candidate = (c: string): HeldSignal => ({ kind: 'candidate', data: { candidate: c } });

describe('SignalLog', () => {
  it('holds early signals per call and hands them over once, in order', () => {
    const log = new SignalLog();
    log.hold('call-1', offer('o1'));
    log.hold('call-2', offer('x'));
    log.hold('call-1', candidate('c1'));
    expect(log.takeHeld('call-1')).toEqual([offer('o1'), candidate('c1')]);
    expect(log.takeHeld('call-1')).toEqual([]);
    expect(log.takeHeld('call-2')).toEqual([offer('x')]);
  });

  it('holds at most 200 signals for a call', () => {
    const log = new SignalLog();
    for (let i = 0; i < 250; i++) log.hold('call-1', candidate(`c${i}`));
    const held = log.takeHeld('call-1');
    expect(held).toHaveLength(200);
    expect(held.at(-1)).toEqual(candidate('c199'));
  });

  it('replays from the last offer; a restart starts afresh too', () => {
    const log = new SignalLog();
    log.record(offer('o1'));
    log.record(candidate('c1'));
    log.record({ kind: 'restart', data: { type: 'offer', sdp: 'o2' } });
    log.record(candidate('c2'));
    expect(log.replay(offer('fallback'))).toEqual([
      { kind: 'restart', data: { type: 'offer', sdp: 'o2' } },
      candidate('c2'),
    ]);
  });

  it('replays the signal that broke the connection when nothing was logged', () => {
    const log = new SignalLog();
    expect(log.replay(offer('o9'))).toEqual([offer('o9')]);
    log.restart([offer('o9')]);
    log.record(candidate('c1'));
    expect(log.replay(offer('other'))).toEqual([offer('o9'), candidate('c1')]);
  });
});
