import {
  issueText,
  RATING_SCORES,
  type LowRating,
  type OpsSummary,
  type RatingScore,
} from '@switchboard/client';

export interface OpsFeedbackProps {
  /** Shown until the first answer. */
  pendingText?: string;
  /** null while loading. */
  summary: OpsSummary | null;
}

const SCORE_WORDS: Record<RatingScore, string> = {
  1: 'Very poor',
  2: 'Poor',
  3: 'Fair',
  4: 'Good',
  5: 'Excellent',
};

const FROM_TEXT = { caller: 'the caller', staff: 'the staff member' } as const;

/** 3.6666 → "3.7"; null → "–". */
export function formatScore(avg: number | null): string {
  return avg === null ? '–' : avg.toFixed(1);
}

/** `call_0123456789abcdef01234567` → `01234567`: enough to tell calls apart on one screen. */
export function shortCallId(id: string): string {
  const bare = id.startsWith('call_') ? id.slice(5) : id;
  return bare.slice(0, 8) || id;
}

function tone(score: RatingScore): 'low' | 'mid' | 'high' {
  return score <= 2 ? 'low' : score === 3 ? 'mid' : 'high';
}

function LowRatingItem({ r }: { r: LowRating }) {
  return (
    <li
      className="low-rating"
      data-testid="feedback-low"
      data-call-id={r.callId}
      data-score={r.score}
      data-from={r.from ?? ''}
    >
      <p className="low-rating__head">
        <span className={`pill pill--${r.score === 1 ? 'failed' : 'declined'}`}>
          {r.score} of 5 · {SCORE_WORDS[r.score]}
        </span>{' '}
        <span>from {r.from ? FROM_TEXT[r.from] : 'someone else'}</span>
        <span className="muted small">
          {' '}
          · call{' '}
          <code className="reason-code" title={r.callId}>
            {shortCallId(r.callId)}
          </code>
        </span>
      </p>
      {r.issues.length > 0 && (
        <p className="small low-rating__issues">
          Issues: {r.issues.map((i) => issueText(i)).join(', ')}
        </p>
      )}
      {r.comment ? (
        <blockquote className="low-rating__comment" data-testid="feedback-low-comment">
          {r.comment}
        </blockquote>
      ) : (
        <p className="muted small">No comment.</p>
      )}
    </li>
  );
}

/** The last hour's post-call ratings: how many, their average and spread, issues, low ones. */
export function OpsFeedback({ summary, pendingText = 'Loading…' }: OpsFeedbackProps) {
  const f = summary?.feedback ?? null;
  const most = f ? Math.max(...RATING_SCORES.map((s) => f.byScore[s])) : 0;
  return (
    <section
      className="card ops-card ops__ratings"
      aria-labelledby="ratings-title"
      aria-busy={!summary}
      data-testid="ops-feedback"
      data-count={f?.count ?? ''}
    >
      <h2 id="ratings-title" className="h3">
        Call ratings
      </h2>
      {!summary && <p className="muted">{pendingText}</p>}
      {summary && !f && (
        <p className="empty" data-testid="feedback-unavailable">
          This server does not report call ratings.
        </p>
      )}
      {f?.count === 0 && (
        <p className="empty" data-testid="feedback-empty">
          No ratings in the last hour.
        </p>
      )}
      {f && f.count > 0 && (
        <div className="ratings">
          <div className="ratings__spread">
            <dl className="tiles tiles--two">
              <div className="tile" data-testid="feedback-count" data-value={f.count}>
                <dt>Ratings</dt>
                <dd>
                  <span className="tile__value">{f.count}</span>
                  <span className="tile__share muted small">after calls, last hour</span>
                </dd>
              </div>
              <div className="tile" data-testid="feedback-average" data-value={f.average ?? ''}>
                <dt>Average score</dt>
                <dd>
                  <span className="tile__value">{formatScore(f.average)}</span>
                  <span className="tile__share muted small">out of 5</span>
                </dd>
              </div>
            </dl>

            <h3 className="h4" id="ratings-scores-title">
              By score
            </h3>
            <ul
              className="score-bars"
              aria-labelledby="ratings-scores-title"
              data-testid="feedback-scores"
            >
              {RATING_SCORES.map((s) => {
                const n = f.byScore[s];
                return (
                  <li
                    key={s}
                    className="score-bars__row"
                    data-testid={`feedback-score-${s}`}
                    data-value={n}
                  >
                    <span className="score-bars__label">
                      {s} · {SCORE_WORDS[s]}
                    </span>
                    <span className="score-bars__track" aria-hidden="true">
                      <span
                        className={`score-bars__fill score-bars__fill--${tone(s)}`}
                        style={{ width: most > 0 ? `${(n / most) * 100}%` : '0%' }}
                      />
                    </span>
                    <span className="score-bars__count num">
                      {n}
                      <span className="sr-only">{n === 1 ? ' rating' : ' ratings'}</span>
                    </span>
                  </li>
                );
              })}
            </ul>

            <h3 className="h4" id="ratings-issues-title">
              Issues named
            </h3>
            {f.issues.length === 0 ? (
              <p className="muted small" data-testid="feedback-issues-none">
                No issues named.
              </p>
            ) : (
              <ul
                className="issue-counts"
                aria-labelledby="ratings-issues-title"
                data-testid="feedback-issues"
              >
                {f.issues.map((i) => (
                  <li key={i.issue} data-testid={`feedback-issue-${i.issue}`} data-value={i.count}>
                    {issueText(i.issue)}: <strong>{i.count}</strong>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div className="ratings__low">
            <h3 className="h4" id="ratings-low-title">
              Low ratings (1 or 2), newest first
            </h3>
            {f.lowScores.length === 0 ? (
              <p className="muted small" data-testid="feedback-low-none">
                No ratings of 1 or 2 in the last hour.
              </p>
            ) : (
              <ol
                className="low-ratings"
                aria-labelledby="ratings-low-title"
                data-testid="feedback-low-list"
              >
                {f.lowScores.map((r, i) => (
                  <LowRatingItem key={`${r.callId}-${r.from ?? ''}-${i}`} r={r} />
                ))}
              </ol>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
