import { type Notice } from '@switchboard/client';

export interface CallToastProps {
  notices: Notice[];
  onDismiss: (id: number) => void;
}

const ICON: Record<Notice['kind'], string> = {
  answered: '✓',
  answered_elsewhere: '↪',
  missed: '!',
  declined: '✕',
  cancelled: '✕',
  error: '!',
  info: 'i',
};

/** Short messages about calls ("Answered by Ana", "Missed call", errors); read out politely. */
export function CallToast({ notices, onDismiss }: CallToastProps) {
  return (
    <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
      {notices.map((n) => (
        <div key={n.id} className={`toast toast--${n.kind}`} data-testid={`toast-${n.kind}`}>
          <span className="toast__icon" aria-hidden="true">
            {ICON[n.kind]}
          </span>
          <span className="toast__text">{n.text}</span>
          <button
            type="button"
            className="toast__close"
            onClick={() => onDismiss(n.id)}
            aria-label="Dismiss message"
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
