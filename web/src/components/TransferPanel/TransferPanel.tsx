import { useEffect, useState } from 'react';
import type { StaffEntry, TransferTarget } from '@switchboard/client';

export interface TransferPanelProps {
  /** Reads the org's staff when the picker opens; the staff member transferring is left out. */
  loadStaff: () => Promise<StaffEntry[]>;
  selfId: string | null;
  onTransfer: (to: TransferTarget) => Promise<unknown>;
}

/** Staff: passes the call on to a colleague or a topic (docs/queue.md#transfer). */
export function TransferPanel({ loadStaff, selfId, onTransfer }: TransferPanelProps) {
  const [open, setOpen] = useState(false);
  const [staff, setStaff] = useState<StaffEntry[]>([]);
  useEffect(() => {
    if (!open) return;
    let live = true;
    loadStaff().then(
      (list) => live && setStaff(list),
      () => live && setStaff([]),
    );
    return () => {
      live = false;
    };
  }, [open, loadStaff]);
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const others = staff.filter((s) => s.id !== selfId && s.status === 'available');
  const topics = [...new Set(staff.flatMap((s) => s.skills ?? []))].sort();

  if (!open) {
    return (
      <button
        type="button"
        className="btn btn--ghost transfer__open"
        data-testid="transfer-open"
        onClick={() => setOpen(true)}
      >
        Transfer…
      </button>
    );
  }
  const submit = async () => {
    const [kind, id] = target.split(':', 2);
    if (!id) return;
    setBusy(true);
    setError(null);
    try {
      await onTransfer(kind === 'topic' ? { topic: id } : { staff_id: id });
    } catch (e) {
      setError(e instanceof Error && 'friendly' in e ? String(e.friendly) : 'The transfer failed.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="card transfer"
      data-testid="transfer-panel"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label htmlFor="transfer-target">Transfer to</label>
      <select
        id="transfer-target"
        value={target}
        onChange={(e) => setTarget(e.target.value)}
        data-testid="transfer-target"
      >
        <option value="">Choose…</option>
        {others.length > 0 && (
          <optgroup label="Staff">
            {others.map((s) => (
              <option key={s.id} value={`staff:${s.id}`}>
                {s.name ?? s.id} ({s.state.replace('_', ' ')})
              </option>
            ))}
          </optgroup>
        )}
        {topics.length > 0 && (
          <optgroup label="Topics">
            {topics.map((t) => (
              <option key={t} value={`topic:${t}`}>
                {t}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      <button
        type="submit"
        className="btn btn--primary"
        disabled={!target || busy}
        data-testid="transfer-go"
      >
        {busy ? 'Transferring…' : 'Transfer'}
      </button>
      <button type="button" className="btn btn--ghost" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error && (
        <p role="alert" className="error" data-testid="transfer-error">
          {error}
        </p>
      )}
    </form>
  );
}
