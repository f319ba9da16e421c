/** The rating part of the summary, rendered to HTML: thanks only after the server took it. */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { type CallSummary } from '@switchboard/client';
import { CallEndSummary } from './CallEndSummary';

const base: CallSummary = {
  callId: 'call-1',
  outcome: 'ended',
  endReason: 'hangup',
  headline: 'Call ended',
  detail: 'You talked with Ana.',
  tone: 'neutral',
  otherParty: 'Ana',
  durationMs: 61_000,
  endedAt: null,
  quality: null,
  localQuality: null,
  feedbackSent: false,
  feedbackSending: false,
  feedbackError: null,
};

const render = (patch: Partial<CallSummary>) =>
  renderToStaticMarkup(
    <CallEndSummary
      summary={{ ...base, ...patch }}
      onRate={() => Promise.resolve()}
      onClose={() => undefined}
      closeLabel="Back"
    />,
  );

describe('CallEndSummary rating', () => {
  it('offers the rating form before anything is sent', () => {
    const html = render({});
    expect(html).toContain('data-testid="rate-submit"');
    expect(html).toContain('Send rating');
    expect(html).not.toContain('feedback-thanks');
  });

  it('says "Sending…" and no thanks while the request is out', () => {
    const html = render({ feedbackSending: true });
    expect(html).toContain('Sending…');
    expect(html).not.toContain('feedback-thanks');
  });

  it('thanks once the server answered', () => {
    const html = render({ feedbackSent: true });
    expect(html).toContain('data-testid="feedback-thanks"');
    expect(html).not.toContain('rate-submit');
  });

  it('shows the error and lets the person try again when it failed', () => {
    const html = render({ feedbackError: 'We could not reach the server.' });
    expect(html).toContain('data-testid="feedback-error"');
    expect(html).toContain('Your rating was not sent. We could not reach the server.');
    expect(html).toContain('Try again');
    expect(html).not.toContain('feedback-thanks');
  });
});

describe('CallEndSummary quality', () => {
  const local = { samples: 5, rttAvgMs: 2.4, lossMaxPct: 0, candidateType: 'host' };

  it('says how the connection was in words, the figures under Details, never a candidate type', () => {
    const html = render({ localQuality: local });
    expect(html).toContain('Good connection');
    expect(html).toContain('<summary>Details</summary>');
    expect(html).toContain('Delay: 2 ms');
    expect(html).toContain('Route: Direct');
    expect(html).not.toContain('(host)');
    expect(html).not.toContain('ms delay');
  });

  it('names the candidate type for staff', () => {
    const html = renderToStaticMarkup(
      <CallEndSummary
        summary={{ ...base, localQuality: local }}
        onRate={() => Promise.resolve()}
        onClose={() => undefined}
        closeLabel="Back to the console"
        technicalRoute
      />,
    );
    expect(html).toContain('Route: Direct (host)');
  });

  it('says "Not measured" without samples', () => {
    expect(render({})).toContain('Not measured');
  });
});
