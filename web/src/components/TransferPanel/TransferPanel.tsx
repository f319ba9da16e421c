import { useEffect, useRef, useState } from 'react';
import type { StaffEntry, TransferTarget } from '@switchboard/client';
import { STAFF_STATE_TEXT } from '../staffStateText';

export interface TransferPanelProps {
  /** Reads the org's staff when the picker opens; the staff member transferring is left out. */
  loadStaff: () => Promise<StaffEntry[]>;
  selfId: string | null;
  onTransfer: (to: TransferTarget) => Promise<unknown>;
}

/**
 * Staff: passes the call on to a colleague or a topic (docs/queue.md#transfer). Opening the picker puts
 * the focus on its list; Escape or Cancel closes it and gives the focus back to "Transfer…".
 */
export function TransferPanel({ loadStaff, selfId, onTransfer }: TransferPanelProps) {
  const [open, setOpen] = useState(false);
  const [staff, setStaff] = useState<StaffEntry[] | null>(null);
  const openButton = useRef<HTMLButtonElement>(null);
  const targetList = useRef<HTMLSelectElement>(null);
  // Set by a close, so that the first render (closed) does not take the focus.
  const focusOpenButton = useRef(false);
  useEffect(() => {
    if (open) {
      targetList.current?.focus();
    } else if (focusOpenButton.current) {
      focusOpenButton.current = false;
      openButton.current?.focus();
    }
  }, [open]);
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
  const others = (staff ?? []).filter((s) => s.id !== selfId && s.status === 'available');
  const topics = [...new Set((staff ?? []).flatMap((s) => s.skills ?? []))].sort();
  const close = () => {
    focusOpenButton.current = true;
    setOpen(false);
    setError(null);
  };

  if (!open) {
    return (
      <button
        ref={openButton}
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
      aria-label="Transfer the call"
      data-testid="transfer-panel"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || busy) return;
        e.preventDefault();
        close();
      }}
    >
      <label htmlFor="transfer-target">Transfer to</label>
      <select
        ref={targetList}
        id="transfer-target"
        aria-describedby={
          staff && others.length + topics.length === 0 ? 'transfer-none' : undefined
        }
        value={target}
        onChange={(e) => setTarget(e.target.value)}
        data-testid="transfer-target"
      >
        <option value="">Choose…</option>
        {others.length > 0 && (
          <optgroup label="Staff">
            {others.map((s) => (
              <option key={s.id} value={`staff:${s.id}`}>
                {s.name ?? s.id} · {STAFF_STATE_TEXT[s.state] ?? s.state}
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
      <button
        type="button"
        className="btn btn--ghost"
        data-testid="transfer-cancel"
        disabled={busy}
        onClick={close}
      >
        Cancel
      </button>
      {staff && others.length + topics.length === 0 && (
        <p id="transfer-none" className="muted small transfer__note" data-testid="transfer-none">
          Nobody else is available, and no team takes calls by topic.
        </p>
      )}
      {error && (
        <p role="alert" className="error" data-testid="transfer-error">
          {error}
        </p>
      )}
    </form>
  );
}
