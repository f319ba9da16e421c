import { useEffect, useRef, useState } from 'react';
import { type CallSummary, formatDuration } from '@switchboard/client';
import { connectionVerdict, routeWords, VERDICT_WORDS } from '../connectionQuality';

export interface CallEndSummaryProps {
  summary: CallSummary;
  /** Sends the rating; the summary's feedback fields say how it went (thanks only after a 200). */
  onRate: (score: 1 | 2 | 3 | 4 | 5, issues: string[]) => Promise<unknown>;
  onClose: () => void;
  closeLabel: string;
  /** Shown as the main action when the call did not take place (the caller's "Call again"). */
  onRetry?: () => void;
  /** Staff see the route's technical name in the quality details. */
  technicalRoute?: boolean;
}

const SCORES = [1, 2, 3, 4, 5] as const;
const SCORE_WORDS = ['', 'Very poor', 'Poor', 'Fair', 'Good', 'Excellent'];
const ISSUES = [
  ['audio', 'Audio'],
  ['video', 'Video'],
  ['connection', 'Connection'],
] as const;

/**
 * The end of a call: what happened, with whom, for how long, how it sounded (in words, with the
 * figures under "Details"), and a 1–5 rating. Keyboard focus starts on its main action: "Call
 * again" when the call did not take place, else the way back.
 */
export function CallEndSummary({
  summary,
  onRate,
  onClose,
  closeLabel,
  onRetry,
  technicalRoute = false,
}: CallEndSummaryProps) {
  const mainRef = useRef<HTMLButtonElement>(null);
  useEffect(() => mainRef.current?.focus(), []);
  const [score, setScore] = useState<number | null>(null);
  const [issues, setIssues] = useState<string[]>([]);
  const sending = summary.feedbackSending;
  const error = summary.feedbackError;
  const took = summary.outcome === 'ended';
  const rtt = summary.quality?.rtt_ms.avg ?? summary.localQuality?.rttAvgMs ?? null;
  const loss = summary.quality?.packet_loss_pct.max ?? summary.localQuality?.lossMaxPct ?? null;
  const candidateType =
    summary.quality?.candidate_type ?? summary.localQuality?.candidateType ?? null;
  const verdict = connectionVerdict(rtt, loss);
  const route = routeWords(candidateType);

  const submit = async (): Promise<void> => {
    if (!score || sending) return;
    await onRate(score as 1 | 2 | 3 | 4 | 5, issues);
  };

  return (
    <section
      className={`card summary summary--${summary.tone}`}
      aria-labelledby="summary-title"
      data-testid="call-summary"
      data-outcome={summary.outcome}
    >
      <h2 id="summary-title" data-testid="summary-headline">
        {summary.headline}
      </h2>
      <p className="muted" data-testid="summary-detail">
        {summary.detail}
      </p>
      {(took || summary.otherParty !== 'someone') && (
        <dl className="facts">
          {
            <div>
              <dt>With</dt>
              <dd data-testid="summary-who">{summary.otherParty}</dd>
            </div>
          }
          {took && (
            <div>
              <dt>Duration</dt>
              <dd data-testid="summary-duration">
                {summary.durationMs !== null ? formatDuration(summary.durationMs) : '–'}
              </dd>
            </div>
          )}
          {took && (
            <div>
              <dt>Quality</dt>
              <dd data-testid="summary-quality" data-verdict={verdict ?? 'none'}>
                {verdict ? VERDICT_WORDS[verdict] : 'Not measured'}
                {verdict && (
                  <details className="quality-details">
                    <summary>Details</summary>
                    <ul data-testid="quality-details">
                      {rtt !== null && <li>Delay: {Math.round(rtt)} ms</li>}
                      {loss !== null && <li>Lost data: {loss} %</li>}
                      {route && (
                        <li>
                          Route: {route}
                          {technicalRoute && candidateType && ` (${candidateType})`}
                        </li>
                      )}
                    </ul>
                  </details>
                )}
              </dd>
            </div>
          )}
        </dl>
      )}

      {took &&
        (summary.feedbackSent ? (
          <p className="thanks" role="status" data-testid="feedback-thanks">
            Thank you for your feedback.
          </p>
        ) : (
          <form
            className="rating"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <fieldset>
              <legend>How was the call?</legend>
              <div className="stars" role="radiogroup" aria-label="Rating from 1 to 5">
                {SCORES.map((n) => (
                  <label
                    key={n}
                    className={`star${score !== null && n <= score ? ' star--on' : ''}`}
                  >
                    <input
                      type="radio"
                      name="score"
                      value={n}
                      checked={score === n}
                      onChange={() => setScore(n)}
                      data-testid={`rate-${n}`}
                    />
                    <span aria-hidden="true">★</span>
                    <span className="sr-only">
                      {n} – {SCORE_WORDS[n]}
                    </span>
                  </label>
                ))}
              </div>
              {score !== null && <p className="muted">{SCORE_WORDS[score]}</p>}
              {score !== null && score <= 3 && (
                <div className="issues">
                  <span>What went wrong?</span>
                  {ISSUES.map(([id, label]) => (
                    <label key={id} className="chip">
                      <input
                        type="checkbox"
                        checked={issues.includes(id)}
                        onChange={(e) =>
                          setIssues((l) =>
                            e.target.checked ? [...l, id] : l.filter((x) => x !== id),
                          )
                        }
                      />
                      {label}
                    </label>
                  ))}
                </div>
              )}
            </fieldset>
            {error && (
              <p className="error" role="alert" data-testid="feedback-error">
                Your rating was not sent. {error}
              </p>
            )}
            <button
              type="submit"
              className="btn btn--primary"
              disabled={!score || sending}
              data-testid="rate-submit"
            >
              {sending ? 'Sending…' : error ? 'Try again' : 'Send rating'}
            </button>
          </form>
        ))}
      {!took && onRetry && (
        <button
          ref={mainRef}
          type="button"
          className="btn btn--call"
          onClick={onRetry}
          data-testid="summary-retry"
        >
          Call again
        </button>
      )}
      <button
        ref={took || !onRetry ? mainRef : undefined}
        type="button"
        className="btn btn--ghost"
        onClick={onClose}
        data-testid="summary-close"
      >
        {closeLabel}
      </button>
    </section>
  );
}
