import { CallPhase } from '@switchboard/client';
import { Icon } from '../Icon/Icon';

export interface CallButtonProps {
  phase: CallPhase;
  onCall: () => void;
  onHangUp: () => void;
  label?: string;
}

/** The caller's one big button: Call, then Cancel while it rings, then Hang up. */
export function CallButton({ phase, onCall, onHangUp, label = 'Call' }: CallButtonProps) {
  const busy = phase === CallPhase.RequestingPermission || phase === CallPhase.Placing;
  const inCall =
    phase === CallPhase.Ringing ||
    phase === CallPhase.Connecting ||
    phase === CallPhase.Connected ||
    phase === CallPhase.Reconnecting;
  if (inCall) {
    return (
      <button
        type="button"
        className="btn btn--danger btn--big"
        onClick={onHangUp}
        data-testid="hangup-button"
      >
        <Icon name="hangup" /> {phase === CallPhase.Ringing ? 'Cancel call' : 'Hang up'}
      </button>
    );
  }
  return (
    <button
      type="button"
      className="btn btn--call btn--big"
      onClick={onCall}
      disabled={busy}
      aria-busy={busy}
      data-testid="call-button"
    >
      <Icon name="phone" /> {busy ? 'Starting…' : label}
    </button>
  );
}
