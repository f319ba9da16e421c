import { describe, expect, it } from 'vitest';
import { makeCall } from '../test/fakes';
import { CallRecord } from './CallRecord';

describe('CallRecord optimistic actions', () => {
  it('predicts the state at once and keeps it when the server agrees', () => {
    const rec = new CallRecord(makeCall());
    const a = rec.begin('accept');
    expect(a).not.toBeNull();
    expect(rec.view.state).toBe('accepted');
    expect(rec.confirmed.state).toBe('ringing');
    rec.commit(a!, makeCall({ state: 'accepted', version: 2, staff: { id: 'st-1', name: 'Ana' } }));
    expect(rec.pending).toBeNull();
    expect(rec.view.state).toBe('accepted');
    expect(rec.view.staff?.name).toBe('Ana');
  });

  it('rolls back to the confirmed state when the server refuses', () => {
    const rec = new CallRecord(makeCall());
    const a = rec.begin('accept')!;
    rec.rollback(a, 'call_already_taken');
    expect(rec.view.state).toBe('ringing');
    expect(rec.pending).toBeNull();
  });

  it('keeps a newer server snapshot that arrived before the refusal', () => {
    const rec = new CallRecord(makeCall());
    const a = rec.begin('accept')!;
    // Another staff member won: call.updated arrives before our 409.
    rec.applyServer(
      makeCall({ state: 'accepted', version: 2, staff: { id: 'st-2', name: 'Ana' } }),
    );
    rec.rollback(a, 'call_already_taken');
    expect(rec.view.state).toBe('accepted');
    expect(rec.view.staff?.id).toBe('st-2');
    expect(rec.view.version).toBe(2);
  });

  it('guards: an action the spec does not allow starts nothing', () => {
    const rec = new CallRecord(makeCall());
    expect(rec.begin('hangup')).toBeNull();
    expect(rec.view.state).toBe('ringing');
    expect(rec.pending).toBeNull();
  });

  it('allows one pending action at a time', () => {
    const rec = new CallRecord(makeCall({ state: 'accepted', version: 2 }));
    expect(rec.begin('hangup')).not.toBeNull();
    expect(rec.begin('connected')).toBeNull();
    expect(rec.view.state).toBe('ended');
  });

  it('re-predicts a pending hangup on top of a newer state', () => {
    const rec = new CallRecord(makeCall({ state: 'accepted', version: 2 }));
    rec.begin('hangup');
    rec.applyServer(makeCall({ state: 'active', version: 3 }));
    expect(rec.confirmed.state).toBe('active');
    expect(rec.view.state).toBe('ended');
  });

  it('drops a prediction the server made impossible', () => {
    const rec = new CallRecord(makeCall());
    const a = rec.begin('cancel')!;
    rec.applyServer(makeCall({ state: 'missed', version: 2, end_reason: 'timeout' }));
    expect(rec.view.state).toBe('missed');
    rec.rollback(a, 'invalid_transition');
    expect(rec.view.state).toBe('missed');
  });
});
