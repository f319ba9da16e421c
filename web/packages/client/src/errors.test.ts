import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  errorsSpec,
  friendlyMessage,
  isErrorCode,
  SwitchboardError,
  WIRE_ERROR_CODES,
  wireErrorSpec,
} from './errors';

const specCodes = errorsSpec.codes.map((c) => c.code);

describe('error codes from spec/errors.json', () => {
  it('has every code of the spec once, as a known ErrorCode', () => {
    expect(new Set(specCodes).size).toBe(specCodes.length);
    for (const code of specCodes) expect(isErrorCode(code), code).toBe(true);
    expect(WIRE_ERROR_CODES).toEqual(specCodes);
  });

  it('gives every spec entry a 4xx or 5xx status, a retryable flag and a sentence', () => {
    for (const c of errorsSpec.codes) {
      expect(c.status, c.code).toBeGreaterThanOrEqual(400);
      expect(c.status, c.code).toBeLessThan(600);
      expect(typeof c.retryable, c.code).toBe('boolean');
      expect(c.message, c.code).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('shows the spec message for a wire code and its own message for a browser-side one', () => {
    for (const c of errorsSpec.codes) expect(friendlyMessage(c.code)).toBe(c.message);
    const unknown = friendlyMessage(ErrorCode.Unknown);
    for (const code of Object.values(ErrorCode)) {
      if (wireErrorSpec(code) || code === ErrorCode.Unknown) continue;
      expect(friendlyMessage(code), code).not.toBe(unknown);
    }
    expect(friendlyMessage('no_such_code')).toBe(unknown);
  });

  it('takes status and retryable from the spec when the answer does not say', () => {
    for (const c of errorsSpec.codes) {
      const e = SwitchboardError.fromResponse(c.status, { error: { code: c.code, message: 'm' } });
      expect(e.code).toBe(c.code);
      expect(e.status).toBe(c.status);
      expect(e.retryable, c.code).toBe(c.retryable);
      expect(e.friendly).toBe(c.message);
    }
  });

  it('guesses from a bare status only a code the spec gives that status', () => {
    for (const status of new Set(errorsSpec.codes.map((c) => c.status))) {
      const e = SwitchboardError.fromResponse(status, 'not the contract shape');
      expect(wireErrorSpec(e.code)?.status, `status ${status}`).toBe(status);
    }
  });
});
