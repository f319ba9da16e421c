import { useCallback, useEffect, useRef, useState } from 'react';
import { Header } from '../app/Header';
import { getToken, iceTransportPolicy } from '../app/session';
import { CallProvider, useCallClient } from '../providers/CallProvider/CallProvider';
import { useCallState } from '../hooks/useCallState/useCallState';
import { useDeviceLists } from '../hooks/useDeviceLists/useDeviceLists';
import { useCurrentUser } from '../hooks/useCurrentUser/useCurrentUser';
import { useMedia } from '../hooks/useMedia/useMedia';
import { useNotices } from '../hooks/useNotices/useNotices';
import { useSignalingState } from '../hooks/useSignalingState/useSignalingState';
import { useTeam } from '../hooks/useTeam/useTeam';
import { useRinger } from '../hooks/useRinger/useRinger';
import {
  CallPhase,
  partyName,
  SignalingState,
  SwitchboardError,
  type Call,
  type StaffEntry,
  type StaffStatus,
  formatDuration,
} from '../sdk';
import { IncomingCallModal } from '../components/IncomingCallModal/IncomingCallModal';
import { CallRoom } from '../components/CallRoom/CallRoom';
import { TransferPanel } from '../components/TransferPanel/TransferPanel';
import { CallToast } from '../components/CallToast/CallToast';
import { CallEndSummary } from '../components/CallEndSummary/CallEndSummary';
import {
  DevicePermissionPrompt,
  DevicePickers,
} from '../components/DevicePermissionPrompt/DevicePermissionPrompt';

/** The staff console: availability, incoming calls, the call itself, recent calls. */
export function StaffPage() {
  return (
    <CallProvider role="staff" getToken={getToken} iceTransportPolicy={iceTransportPolicy()}>
      <StaffConsole />
    </CallProvider>
  );
}

// "offline" is the person's choice, not the connection (the header's "Online"): say what it means.
const STATUS_TEXT: Record<StaffStatus, string> = {
  available: 'Available',
  away: 'Away',
  offline: 'Not taking calls',
};
const STATE_TEXT: Record<string, string> = {
  idle: 'Waiting for calls',
  ringing: 'Ringing',
  in_call: 'In a call',
  wrap_up: 'Wrapping up',
};

function StaffConsole() {
  const client = useCallClient();
  const state = useCallState(client);
  const media = useMedia(client);
  const deviceLists = useDeviceLists(client);
  const loadStaff = useCallback(
    () => client.rest.staffAvailability().then((r) => r.staff),
    [client],
  );
  const signaling = useSignalingState(client);
  const user = useCurrentUser(client);
  const [notices, dismissNotice] = useNotices(client);
  const team = useTeam(client, true);
  const { phase, current, summary, incoming, error } = state;
  const [myEntry, setMyEntry] = useState<StaffEntry | null>(null);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [statusBusy, setStatusBusy] = useState(false);
  const canRing = phase === CallPhase.Idle || phase === CallPhase.Ended;
  const ringer = useRinger(canRing ? incoming : []);

  const me = team.find((e) => e.id === user?.id) ?? myEntry;

  // Any click or key press in the page lets the ringtone play (browsers need one after every
  // load), for as long as sound is not allowed yet.
  const { unlock, soundAllowed } = ringer;
  useEffect(() => {
    if (soundAllowed) return;
    const gesture = (): void => void unlock();
    document.addEventListener('pointerdown', gesture);
    document.addEventListener('keydown', gesture);
    return () => {
      document.removeEventListener('pointerdown', gesture);
      document.removeEventListener('keydown', gesture);
    };
  }, [unlock, soundAllowed]);

  // Back from a call's summary: focus returns to the availability control, not the page.
  const statusButtonRef = useRef<HTMLButtonElement>(null);
  const previousPhase = useRef(phase);
  useEffect(() => {
    if (previousPhase.current === CallPhase.Ended && phase === CallPhase.Idle)
      statusButtonRef.current?.focus();
    previousPhase.current = phase;
  }, [phase]);

  const changeStatus = async (status: StaffStatus): Promise<void> => {
    setStatusBusy(true);
    setStatusError(null);
    if (status === 'available') {
      // This click is the user gesture that lets the ringtone play later.
      void ringer.unlock();
      await client.checkDevices();
    }
    try {
      setMyEntry(await client.setAvailability(status));
    } catch (e) {
      setStatusError(e instanceof SwitchboardError ? e.friendly : 'Could not change your status.');
    } finally {
      setStatusBusy(false);
    }
  };

  const inRoom =
    phase === CallPhase.Connecting ||
    phase === CallPhase.Connected ||
    phase === CallPhase.Reconnecting ||
    phase === CallPhase.RequestingPermission;

  let main;
  // The waiting card's title is the page's h1; the other screens title their card with an h2,
  // so the page keeps a level-one heading for screen-reader navigation.
  let visibleH1 = false;
  if (phase === CallPhase.PermissionDenied) {
    main = (
      <DevicePermissionPrompt
        client={client}
        mode="denied"
        purpose="take calls"
        errorText={error?.friendly}
        onAllow={() => void client.allowMedia()}
        onCancel={() => client.dismiss()}
      />
    );
  } else if (inRoom && current) {
    main = (
      <CallRoom
        call={current}
        phase={phase}
        media={media}
        otherName={partyName(current.caller)}
        onToggleMute={() => client.toggleMute()}
        onToggleCamera={() => client.toggleCamera()}
        onToggleScreen={() => void client.toggleScreenShare()}
        onHangUp={() => void client.hangUp()}
        devices={<DevicePickers client={client} lists={deviceLists} />}
        technicalRoute
      />
    );
    if (current.state === 'active') {
      main = (
        <>
          {main}
          <TransferPanel
            loadStaff={loadStaff}
            selfId={client.currentUser?.id ?? null}
            onTransfer={(to) => client.transfer(to)}
          />
        </>
      );
    }
  } else if (phase === CallPhase.Accepting) {
    main = (
      <section className="card" data-testid="accepting" role="status">
        <h2>Answering…</h2>
      </section>
    );
  } else if (phase === CallPhase.Ended && summary) {
    main = (
      <CallEndSummary
        summary={summary}
        onRate={(score, issues) => client.sendFeedback({ score, issues })}
        onClose={() => client.dismiss()}
        closeLabel="Back to the console"
        technicalRoute
      />
    );
  } else {
    visibleH1 = true;
    main = (
      <section className="card waiting" aria-labelledby="waiting-title" data-testid="staff-idle">
        <h1 id="waiting-title">
          {me?.status === 'available' ? 'Waiting for calls' : 'You are not taking calls'}
        </h1>
        <p className="muted">
          {me?.status === 'available'
            ? 'Incoming calls ring here. Keep this tab open.'
            : 'Go available to start receiving calls. The click also allows the ringtone to play.'}
        </p>
      </section>
    );
  }

  const inCall = inRoom || phase === CallPhase.Accepting;
  const soundOff = me?.status === 'available' && !soundAllowed;
  return (
    <div
      className="page"
      data-testid="staff-page"
      data-phase={phase}
      data-ringtone={ringer.state}
      data-sound={soundAllowed ? 'allowed' : 'blocked'}
    >
      <Header signaling={signaling} />
      <div className={`console${inCall ? ' console--call' : ''}`}>
        {soundOff && !inCall && (
          <div className="console__banner note note--action" data-testid="sound-banner">
            <span>
              <strong>Sound is off.</strong> The browser keeps the ringtone silent until you click
              on this page.
            </span>
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={() => void unlock()}
              data-testid="enable-sound"
            >
              Turn on sound
            </button>
          </div>
        )}
        <aside className="console__side" aria-label="Your availability">
          <section className="card availability" data-testid="availability">
            <h2 className="h3">Your status</h2>
            <p className="status-line">
              <span className={`dot dot--${me?.status ?? 'offline'}`} aria-hidden="true" />
              <strong data-testid="my-status">{STATUS_TEXT[me?.status ?? 'offline']}</strong>
            </p>
            {me && me.status === 'available' && (
              <p className="muted small" data-testid="my-state">
                {STATE_TEXT[me.state] ?? me.state}
              </p>
            )}
            {me?.status === 'available' ? (
              <button
                ref={statusButtonRef}
                type="button"
                className="btn btn--ghost"
                onClick={() => void changeStatus('away')}
                disabled={statusBusy || signaling !== SignalingState.Open}
                data-testid="go-away"
              >
                Go away
              </button>
            ) : (
              <button
                ref={statusButtonRef}
                type="button"
                className="btn btn--call"
                onClick={() => void changeStatus('available')}
                disabled={statusBusy || signaling !== SignalingState.Open}
                data-testid="go-available"
              >
                Go available
              </button>
            )}
            {signaling !== SignalingState.Open && (
              <p className="muted small">You need to be online to take calls.</p>
            )}
            {statusError && (
              <p className="error" role="alert">
                {statusError}
              </p>
            )}
            {error && phase === CallPhase.Idle && (
              <p className="note" role="status">
                {error.friendly} You can still go available, but calls need a camera or microphone.
              </p>
            )}
          </section>
          <TeamList team={team} myId={user?.id ?? null} />
        </aside>
        <main className="console__main" id="main">
          {!visibleH1 && <h1 className="sr-only">Staff console</h1>}
          {main}
          <RecentCalls refreshKey={`${phase}-${notices.length}`} />
        </main>
      </div>
      {canRing && incoming.length > 0 && (
        <IncomingCallModal
          calls={incoming}
          clockOffsetMs={client.rest.clockOffsetMs}
          ringtone={ringer.state}
          busy={false}
          onAccept={(id) => void client.accept(id)}
          onDecline={(id) => void client.decline(id)}
          onEnableSound={() => void unlock()}
        />
      )}
      <CallToast notices={notices} onDismiss={dismissNotice} />
    </div>
  );
}

function TeamList({ team, myId }: { team: StaffEntry[]; myId: string | null }) {
  if (team.length === 0) return null;
  return (
    <section className="card team" aria-labelledby="team-title">
      <h2 id="team-title" className="h3">
        Team
      </h2>
      <ul className="team__list">
        {team.map((e) => (
          <li key={e.id}>
            <span className={`dot dot--${e.connected ? e.status : 'offline'}`} aria-hidden="true" />
            <span>
              {e.name || e.id}
              {e.id === myId && ' (you)'}
            </span>
            <span className="muted small">
              {e.connected ? STATUS_TEXT[e.status] : 'Offline'}
              {e.connected && e.status === 'available'
                ? ` · ${STATE_TEXT[e.state] ?? e.state}`
                : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A call's outcome in a few words, the reason included where it changes the story. */
function outcomeText(c: Call): string {
  if (c.state === 'ended' && c.end_reason === 'caller_left') return 'Caller left';
  if (c.state === 'ended' && c.end_reason === 'staff_left') return 'Staff left';
  if (c.state === 'ended' && c.end_reason === 'participant_lost') return 'Dropped';
  return OUTCOME[c.state] ?? c.state;
}

const OUTCOME: Record<Call['state'], string> = {
  queued: 'Waiting in the queue',
  ringing: 'Ringing',
  accepted: 'Connecting',
  active: 'In progress',
  ended: 'Completed',
  missed: 'Missed',
  declined: 'Declined',
  cancelled: 'Caller hung up',
  failed: 'Failed',
};

function RecentCalls({ refreshKey }: { refreshKey: string }) {
  const client = useCallClient();
  const [calls, setCalls] = useState<Call[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    client.rest.listCalls({ limit: 10 }).then(
      (r) => {
        setCalls(r.calls);
        setError(null);
      },
      (e: unknown) =>
        setError(e instanceof SwitchboardError ? e.friendly : 'Could not load recent calls.'),
    );
  }, [client]);
  useEffect(() => {
    const t = setTimeout(load, 300);
    return () => clearTimeout(t);
  }, [load, refreshKey]);
  return (
    <section className="card recent" aria-labelledby="recent-title" data-testid="recent-calls">
      <div className="recent__head">
        <h2 id="recent-title" className="h3">
          Recent calls
        </h2>
        <button type="button" className="btn btn--ghost btn--small" onClick={load}>
          Refresh
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {calls && calls.length === 0 && <p className="muted">No calls yet.</p>}
      {calls && calls.length > 0 && (
        <div className="table-wrap">
          {/* On phones each call is a card (table--stack) rather than a table wider than the
              screen; the explicit roles keep the table semantics when display changes. */}
          <table className="table--stack" role="table">
            <thead role="rowgroup">
              <tr role="row">
                <th scope="col" role="columnheader">
                  When
                </th>
                <th scope="col" role="columnheader">
                  Caller
                </th>
                <th scope="col" role="columnheader">
                  Outcome
                </th>
                <th scope="col" role="columnheader">
                  Answered by
                </th>
                <th scope="col" role="columnheader">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody role="rowgroup">
              {calls.map((c) => (
                <tr key={c.id} role="row">
                  <td role="cell" data-label="When">
                    {new Date(c.created_at).toLocaleTimeString([], {
                      hour: '2-digit',
                      minute: '2-digit',
                    })}
                  </td>
                  <td role="cell" data-label="Caller">
                    {partyName(c.caller)}
                  </td>
                  <td role="cell" data-label="Outcome">
                    <span className={`pill pill--${c.state}`}>{outcomeText(c)}</span>
                  </td>
                  <td role="cell" data-label="Answered by">
                    {c.staff ? partyName(c.staff) : '–'}
                  </td>
                  <td role="cell" data-label="Duration">
                    {c.active_at && c.ended_at
                      ? formatDuration(Date.parse(c.ended_at) - Date.parse(c.active_at))
                      : '–'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
