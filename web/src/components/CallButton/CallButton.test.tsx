/** The caller's one button, through every phase. */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CallPhase } from '@switchboard/client';
import { CallButton } from './CallButton';

const html = (phase: CallPhase, label?: string) =>
  renderToStaticMarkup(
    <CallButton phase={phase} onCall={() => undefined} onHangUp={() => undefined} label={label} />,
  );

describe('CallButton', () => {
  it('calls from idle, with the page’s label', () => {
    const out = html(CallPhase.Idle, 'Call support');
    expect(out).toContain('data-testid="call-button"');
    expect(out).toContain('Call support');
    expect(out).not.toContain('disabled');
  });

  it('is busy, and cannot be pressed twice, while the call starts', () => {
    for (const phase of [CallPhase.RequestingPermission, CallPhase.Placing]) {
      const out = html(phase);
      expect(out).toContain('Starting…');
      expect(out).toContain('disabled=""');
      expect(out).toContain('aria-busy="true"');
    }
  });

  it('cancels while it rings, hangs up once answered', () => {
    expect(html(CallPhase.Ringing)).toContain('Cancel call');
    for (const phase of [CallPhase.Connecting, CallPhase.Connected, CallPhase.Reconnecting]) {
      const out = html(phase);
      expect(out).toContain('data-testid="hangup-button"');
      expect(out).toContain('Hang up');
    }
  });

  it('offers to call again after the summary or a refusal', () => {
    for (const phase of [CallPhase.Ended, CallPhase.PermissionDenied])
      expect(html(phase)).toContain('data-testid="call-button"');
  });
});
