/** How a call ended, in words, for each side. */
import { describe, expect, it } from 'vitest';
import { makeCall } from '../test/fakes';
import { describeEnd } from './describe';

describe('describeEnd', () => {
  const staff = { id: 'st-sam', name: 'Sam' };

  it('tells the staff member that their own devices failed, and the caller who could not', () => {
    const call = makeCall({ state: 'failed', end_reason: 'media_failed', staff });
    expect(describeEnd(call, 'staff').detail).toMatch(/Your camera or microphone could not start/);
    expect(describeEnd(call, 'client').detail).toBe(
      "Sam's camera or microphone could not start. Please call again.",
    );
  });

  it('keeps the network wording for other failures', () => {
    const call = makeCall({ state: 'failed', end_reason: 'connect_timeout', staff });
    expect(describeEnd(call, 'client').detail).toMatch(/network/);
    expect(describeEnd({ ...call, end_reason: 'ice_failed' }, 'staff').detail).toBe(
      'The audio and video connection failed. Please try again.',
    );
  });

  it('tells the one who stayed that the other side left', () => {
    const call = makeCall({ state: 'ended', end_reason: 'caller_left', staff });
    expect(describeEnd(call, 'staff')).toMatchObject({
      headline: 'The caller left',
      detail: 'Carla closed the call window, so the call has ended.',
    });
    expect(describeEnd({ ...call, end_reason: 'staff_left' }, 'client').headline).toBe(
      'Sam left the call',
    );
  });
});
