import { useState } from 'react';
import { type CallSummary, formatDuration } from '../../sdk';

export interface CallEndSummaryProps {
  summary: CallSummary;
  /** Sends the rating; the summary's feedback fields say how it went (thanks only after a 200). */
  onRate: (score: 1 | 2 | 3 | 4 | 5, issues: string[]) => Promise<unknown>;
  onClose: () => void;
  closeLabel: string;
  /** Shown as the main action when the call did not take place (the caller's "Call again"). */
  onRetry?: () => void;
}

const SCORES = [1, 2, 3, 4, 5] as const;
const SCORE_WORDS = ['', 'Very poor', 'Poor', 'Fair', 'Good', 'Excellent'];
const ISSUES = [
  ['audio', 'Audio'],
  ['video', 'Video'],
  ['connection', 'Connection'],
] as const;

function qualityWords(s: CallSummary): string {
  const rtt = s.quality?.rtt_ms.avg ?? s.localQuality?.rttAvgMs ?? null;
  const loss = s.quality?.packet_loss_pct.max ?? s.localQuality?.lossMaxPct ?? null;
  if (rtt === null && loss === null) return 'Not measured';
  if ((rtt ?? 0) > 400 || (loss ?? 0) > 5) return 'Poor';
  if ((rtt ?? 0) > 200 || (loss ?? 0) > 2) return 'Fair';
  return 'Good';
}

/** The end of a call: what happened, with whom, for how long, how it sounded, and a 1–5 rating. */
export function CallEndSummary({
  summary,
  onRate,
  onClose,
  closeLabel,
  onRetry,
}: CallEndSummaryProps) {
  const [score, setScore] = useState<number | null>(null);
  const [issues, setIssues] = useState<string[]>([]);
  const sending = summary.feedbackSending;
  const error = summary.feedbackError;
  const took = summary.outcome === 'ended';
  const rtt = summary.quality?.rtt_ms.avg ?? summary.localQuality?.rttAvgMs ?? null;
  const loss = summary.quality?.packet_loss_pct.max ?? summary.localQuality?.lossMaxPct ?? null;
  const route = summary.quality?.candidate_type ?? summary.localQuality?.candidateType ?? null;

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
              <dd data-testid="summary-quality">
                {qualityWords(summary)}
                {rtt !== null && <span className="muted"> · {Math.round(rtt)} ms delay</span>}
                {loss !== null && <span className="muted"> · {loss} % loss</span>}
                {route && (
                  <span className="muted"> · {route === 'relay' ? 'relayed' : 'direct'}</span>
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
          type="button"
          className="btn btn--call"
          onClick={onRetry}
          data-testid="summary-retry"
        >
          Call again
        </button>
      )}
      <button
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
