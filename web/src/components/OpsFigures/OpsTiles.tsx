import { formatPercent, share } from '@switchboard/client';

export interface OpsTile {
  key: string;
  label: string;
  value: number;
  /** Shown under the number: its share of this many created calls. */
  of?: number;
}

export interface OpsTilesProps {
  tiles: OpsTile[];
  /** Each tile's test id is this, a dash and its key. */
  testIdPrefix: string;
}

/** The ops cards' figures: a label and a number each, with its share of created calls if any. */
export function OpsTiles({ tiles, testIdPrefix }: OpsTilesProps) {
  return (
    <dl className="tiles">
      {tiles.map((t) => (
        <div
          key={t.key}
          className={`tile tile--${t.key}`}
          data-testid={`${testIdPrefix}-${t.key}`}
          data-value={t.value}
        >
          <dt>{t.label}</dt>
          <dd>
            <span className="tile__value">{t.value}</span>
            {t.of !== undefined && (
              <span className="tile__share muted small">
                {formatPercent(share(t.value, t.of))}
                <span className="sr-only"> of created calls</span>
              </span>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
