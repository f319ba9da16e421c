import { useCallback, useEffect, useRef, useState } from 'react';
import { Header } from '../app/Header';
import { getToken, iceTransportPolicy } from '../app/session';
import { CallProvider, useCallClient } from '../providers/CallProvider/CallProvider';
import {
  useCallState,
  useDeviceLists,
  useCurrentUser,
  useMedia,
  useNotices,
  useSignalingState,
  useBoard,
  useRecentCalls,
  useRinger,
} from '@switchboard/react';
import {
  CallPhase,
  partyName,
  SignalingState,
  SwitchboardError,
  type StaffEntry,
  type StaffStatus,
} from '@switchboard/client';
import { IncomingCallModal } from '../components/IncomingCallModal/IncomingCallModal';
import { CallRoom } from '../components/CallRoom/CallRoom';
import { TransferPanel } from '../components/TransferPanel/TransferPanel';
import { CallToast } from '../components/CallToast/CallToast';
import { CallEndSummary } from '../components/CallEndSummary/CallEndSummary';
import { RecentCalls } from '../components/RecentCalls/RecentCalls';
import { QueuePanel } from '../components/QueuePanel/QueuePanel';
import { useQueue } from '../components/QueuePanel/useQueue';
import { STAFF_STATE_TEXT } from '../components/staffStateText';
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
const NO_STAFF: StaffEntry[] = [];

const STATUS_TEXT: Record<StaffStatus, string> = {
  available: 'Available',
  away: 'Away',
  offline: 'Not taking calls',
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
  const board = useBoard(client.board, true);
  const team = board.staff ?? NO_STAFF;
  const { phase, current, summary, incoming, error } = state;
  // A team member's state changing is how this console learns of calls it was not rung for.
  const teamStates = team.map((e) => `${e.id}:${e.state}`).join(',');
  // Each board message (a staff row changed, or a call joined or left the queue) reads it again.
  const queue = useQueue(client, String(board.revision));
  // A call joining or leaving the queue changes no team member's state: the queue's calls do.
  const queuedIds = queue.calls?.map((c) => c.id).join(',') ?? '';
  const recent = useRecentCalls(client, `${phase}-${notices.length}-${teamStates}-${queuedIds}`);
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
                {STAFF_STATE_TEXT[me.state] ?? me.state}
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
          <QueuePanel
            calls={queue.calls}
            error={queue.error}
            clockOffsetMs={client.rest.clockOffsetMs}
          />
          <TeamList team={team} myId={user?.id ?? null} />
        </aside>
        <main className="console__main" id="main">
          {!visibleH1 && <h1 className="sr-only">Staff console</h1>}
          {main}
          <RecentCalls calls={recent.calls} error={recent.error} onRefresh={recent.reload} />
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
                ? ` · ${STAFF_STATE_TEXT[e.state] ?? e.state}`
                : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
