/** What each phase change causes, decided in one place (phaseEffects). */
import { describe, expect, it } from 'vitest';
import {
  CALLER_PHASES,
  CallPhase,
  PhaseEffect,
  PhaseEvent,
  phaseEffects,
  STAFF_PHASES,
} from './phases';

describe('phaseEffects', () => {
  it('connects media on entering connecting, for both roles', () => {
    expect(
      phaseEffects(CallPhase.Ringing, CallPhase.Connecting, PhaseEvent.ServerAccepted),
    ).toEqual([PhaseEffect.ConnectMedia]);
    expect(
      phaseEffects(
        CallPhase.RequestingPermission,
        CallPhase.Connecting,
        PhaseEvent.PermissionGranted,
      ),
    ).toEqual([PhaseEffect.ConnectMedia]);
    expect(phaseEffects(CallPhase.Idle, CallPhase.Connecting, PhaseEvent.ResumeCall)).toEqual([
      PhaseEffect.ConnectMedia,
    ]);
  });

  it('ends the call on entering ended, from any phase', () => {
    for (const from of [CallPhase.Ringing, CallPhase.Connected, CallPhase.PermissionDenied])
      expect(phaseEffects(from, CallPhase.Ended, PhaseEvent.ServerTerminal)).toEqual([
        PhaseEffect.EndCall,
      ]);
  });

  it('closes the peer when a create or an accept failed', () => {
    expect(phaseEffects(CallPhase.Placing, CallPhase.Idle, PhaseEvent.CreateFailed)).toEqual([
      PhaseEffect.ClosePeer,
    ]);
    expect(phaseEffects(CallPhase.Accepting, CallPhase.Idle, PhaseEvent.AcceptFailed)).toEqual([
      PhaseEffect.ClosePeer,
    ]);
  });

  it('closes the connection but keeps the devices on a transfer', () => {
    expect(phaseEffects(CallPhase.Connected, CallPhase.Ringing, PhaseEvent.Transferred)).toEqual([
      PhaseEffect.ClosePeer,
    ]);
  });

  it('causes nothing on the other transitions of either table', () => {
    let quiet = 0;
    for (const table of [CALLER_PHASES, STAFF_PHASES])
      for (const [from, row] of Object.entries(table) as [CallPhase, typeof table.idle][])
        for (const [event, to] of Object.entries(row) as [PhaseEvent, CallPhase][]) {
          const expected =
            to === CallPhase.Connecting ||
            to === CallPhase.Ended ||
            event === PhaseEvent.CreateFailed ||
            event === PhaseEvent.AcceptFailed ||
            event === PhaseEvent.Transferred;
          expect(phaseEffects(from, to, event).length > 0).toBe(expected);
          if (!expected) quiet++;
        }
    expect(quiet).toBeGreaterThan(10);
  });
});
