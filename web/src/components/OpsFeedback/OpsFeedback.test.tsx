/** The "Call ratings" card, rendered to HTML from parsed summaries. */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { parseOpsSummary } from '@switchboard/client';
import { formatScore, OpsFeedback, shortCallId } from './OpsFeedback';

const base = {
  window_seconds: 3600,
  generated_at: 1795483094015,
  funnel: { created: 0, accepted: 0, connected: 0, by_state: {}, by_reason: {} },
};

const render = (feedback?: unknown) =>
  renderToStaticMarkup(
    <OpsFeedback
      summary={parseOpsSummary(feedback === undefined ? base : { ...base, feedback })}
    />,
  );

describe('OpsFeedback', () => {
  it('says it is loading until the first summary', () => {
    const html = renderToStaticMarkup(<OpsFeedback summary={null} pendingText="Wait…" />);
    expect(html).toContain('Call ratings');
    expect(html).toContain('aria-busy="true"');
    expect(html).toContain('Wait…');
  });

  it('shows the empty state with no ratings, not a zero average', () => {
    const html = render({
      count: 0,
      average_score: null,
      by_score: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
      issues: {},
      low_scores: [],
    });
    expect(html).toContain('data-testid="feedback-empty"');
    expect(html).toContain('No ratings in the last hour');
    expect(html).not.toContain('feedback-average');
  });

  it('says so when the server does not report ratings', () => {
    const html = render();
    expect(html).toContain('data-testid="feedback-unavailable"');
    expect(html).not.toContain('feedback-empty');
  });

  it('shows count, average, bars per score, issues and the low ratings', () => {
    const html = render({
      count: 3,
      average_score: 3.6666666666666665,
      by_score: { '1': 0, '2': 1, '3': 0, '4': 1, '5': 1 },
      issues: { audio: 1, connection: 1, video: 1 },
      low_scores: [
        {
          call_id: 'call_0123456789abcdef01234567',
          from: 'caller',
          score: 2,
          issues: ['connection'],
          comment: 'Froze twice.',
        },
      ],
    });
    expect(html).toMatch(/data-testid="feedback-count" data-value="3"/);
    expect(html).toContain('>3.7<');
    for (const [s, n] of [
      [1, 0],
      [2, 1],
      [3, 0],
      [4, 1],
      [5, 1],
    ]) {
      expect(html).toContain(`data-testid="feedback-score-${s}" data-value="${n}"`);
    }
    expect(html).toContain('width:100%');
    expect(html).toContain('data-testid="feedback-issue-connection"');
    expect(html).toContain('Connection: <strong>1</strong>');
    expect(html).toContain('data-call-id="call_0123456789abcdef01234567"');
    expect(html).toContain('2 of 5 · Poor');
    expect(html).toContain('from the caller');
    expect(html).toContain('>01234567</code>');
    expect(html).toContain('Issues: Connection');
    expect(html).toContain('Froze twice.');
  });

  it('lists ratings without a comment or low ones plainly', () => {
    const html = render({
      count: 2,
      average_score: 3,
      by_score: { '1': 1, '2': 0, '3': 0, '4': 0, '5': 1 },
      issues: {},
      low_scores: [{ call_id: 'call_x', from: 'staff', score: 1, issues: [], comment: '' }],
    });
    expect(html).toContain('No issues named.');
    expect(html).toContain('from the staff member');
    expect(html).toContain('No comment.');
    expect(html).not.toContain('feedback-low-comment');
  });

  it('formats the average and short call ids', () => {
    expect(formatScore(null)).toBe('–');
    expect(formatScore(4)).toBe('4.0');
    expect(formatScore(3.6666666666666665)).toBe('3.7');
    expect(shortCallId('call_0123456789abcdef01234567')).toBe('01234567');
    expect(shortCallId('other')).toBe('other');
    expect(shortCallId('call_')).toBe('call_');
  });
});
