import { useEffect, useState } from 'react';
import { Header } from '../app/Header';
import { getToken, iceTransportPolicy } from '../app/session';
import { CallProvider, useCallClient } from '../providers/CallProvider/CallProvider';
import {
  useCallState,
  useDeviceLists,
  useMedia,
  useNotices,
  useSignalingState,
  useRingback,
} from '@switchboard/react';
import { CallPhase, partyName, SignalingState } from '@switchboard/client';
import { RingingStatus } from '../components/RingingStatus/RingingStatus';
import { CallButton } from '../components/CallButton/CallButton';
import {
  DevicePermissionPrompt,
  DevicePickers,
} from '../components/DevicePermissionPrompt/DevicePermissionPrompt';
import { CallRoom } from '../components/CallRoom/CallRoom';
import { CallToast } from '../components/CallToast/CallToast';
import { CallEndSummary } from '../components/CallEndSummary/CallEndSummary';
import { VideoTile } from '../components/VideoTile/VideoTile';
import { Icon } from '../components/Icon/Icon';
import { QueueWait } from '../components/QueueWait/QueueWait';

/** The client demo: what an integrator's customer sees. */
export function ClientPage() {
  return (
    <CallProvider role="client" getToken={getToken} iceTransportPolicy={iceTransportPolicy()}>
      <ClientScreen />
    </CallProvider>
  );
}

function ClientScreen() {
  const client = useCallClient();
  const state = useCallState(client);
  const media = useMedia(client);
  const deviceLists = useDeviceLists(client);
  const signaling = useSignalingState(client);
  const [notices, dismissNotice] = useNotices(client);
  const [checking, setChecking] = useState(false);
  const { phase, current, summary, error } = state;
  const staffName = partyName(current?.staff);
  // A transfer's new call names whom it rings (docs/queue.md#transfer), on its first update only.
  const transferTo = current?.transferred_from ? current.transfer_target?.name : undefined;
  const inRoom =
    phase === CallPhase.Connecting ||
    phase === CallPhase.Connected ||
    phase === CallPhase.Reconnecting;
  const ringback = useRingback(phase === CallPhase.Ringing);

  // While the browser keeps the ringback silent (a reload during the ring), any click or key
  // press turns it on, as on the staff console.
  const { unlock: unlockRingback, state: ringbackState } = ringback;
  useEffect(() => {
    if (ringbackState !== 'blocked') return;
    const gesture = (): void => void unlockRingback();
    document.addEventListener('pointerdown', gesture);
    document.addEventListener('keydown', gesture);
    return () => {
      document.removeEventListener('pointerdown', gesture);
      document.removeEventListener('keydown', gesture);
    };
  }, [unlockRingback, ringbackState]);

  let body;
  // The idle page's visible title is the page's h1; every other screen titles its card with an
  // h2, so the page keeps a level-one heading for screen-reader navigation.
  let visibleH1 = false;
  if (
    phase === CallPhase.RequestingPermission &&
    // Already denied: no prompt will show, the answer (help or audio-only) follows at once.
    (media.acquiring || media.permission === 'granted' || media.permission === 'denied')
  ) {
    body = (
      <section className="card hero" data-testid="permission-waiting" role="status">
        <h2>Starting your camera…</h2>
        <p className="muted">If your browser asks, choose “Allow”.</p>
      </section>
    );
  } else if (phase === CallPhase.RequestingPermission) {
    body = (
      <DevicePermissionPrompt
        client={client}
        mode="explain"
        purpose="start your video call"
        onAllow={() => void client.allowMedia()}
        onCancel={() => client.dismiss()}
      />
    );
  } else if (phase === CallPhase.PermissionDenied) {
    body = (
      <DevicePermissionPrompt
        client={client}
        mode="denied"
        purpose="talk to us by video"
        errorText={error?.friendly}
        onAllow={() => void client.allowMedia()}
        onCancel={() => client.dismiss()}
      />
    );
  } else if (phase === CallPhase.Ringing && current?.state === 'queued') {
    body = (
      <QueueWait
        spot={current.queue}
        queuedAt={current.queued_at}
        clockOffsetMs={client.rest.clockOffsetMs}
        local={media.local}
        onLeave={() => void client.hangUp()}
      />
    );
  } else if (phase === CallPhase.Placing || phase === CallPhase.Ringing) {
    body = (
      <section
        className="card calling"
        aria-labelledby="calling-title"
        data-testid="calling"
        data-phase={phase}
        data-ringback={ringback.state}
      >
        <div className="calling__preview">
          {media.cameraProblem ? (
            <div className="calling__audio-only" data-testid="local-preview-audio-only">
              <Icon name="mic" size={32} />
              <span>Audio only</span>
            </div>
          ) : (
            <VideoTile
              stream={media.local}
              muted
              mirrored
              label="Your camera"
              testId="local-preview"
            />
          )}
        </div>
        <div className="calling__text">
          <div className="pulse pulse--small" aria-hidden="true">
            <span className="avatar">
              <Icon name="phone" size={28} />
            </span>
          </div>
          <h2 id="calling-title">
            {phase === CallPhase.Placing
              ? 'Starting your call…'
              : transferTo
                ? `Transferring you to ${transferTo}…`
                : 'Calling…'}
          </h2>
          <p className="muted" role="status">
            {phase === CallPhase.Placing
              ? 'Connecting you to our team.'
              : transferTo
                ? `We are ringing ${transferTo}. Your camera and microphone stay as they were.`
                : 'We are ringing our team. Someone will answer shortly.'}
          </p>
          {phase === CallPhase.Ringing && current && (
            <RingingStatus
              since={current.created_at}
              clockOffsetMs={client.rest.clockOffsetMs}
              ringback={ringback.state}
              ringbackOn={ringback.on}
              onToggleRingback={ringback.toggle}
              onEnableSound={() => void unlockRingback()}
            />
          )}
          {media.cameraProblem && (
            <p className="note" data-testid="calling-audio-only">
              {media.cameraProblem === 'missing'
                ? 'No camera was found: you are calling with audio only.'
                : 'Your camera is not available: you are calling with audio only.'}
            </p>
          )}
          <CallButton
            phase={phase}
            onCall={() => undefined}
            onHangUp={() => void client.hangUp()}
          />
        </div>
      </section>
    );
  } else if (inRoom && current) {
    body = (
      <CallRoom
        call={current}
        phase={phase}
        media={media}
        otherName={staffName}
        onToggleMute={() => client.toggleMute()}
        onToggleCamera={() => client.toggleCamera()}
        onToggleScreen={() => void client.toggleScreenShare()}
        onHangUp={() => void client.hangUp()}
        devices={<DevicePickers client={client} lists={deviceLists} />}
      />
    );
  } else if (phase === CallPhase.Ended && summary) {
    body = (
      <CallEndSummary
        summary={summary}
        onRate={(score, issues) => client.sendFeedback({ score, issues })}
        onClose={() => client.dismiss()}
        closeLabel="Back"
        onRetry={() => void client.placeCall()}
      />
    );
  } else if (checking) {
    body = (
      <DevicePermissionPrompt
        client={client}
        mode="check"
        purpose="check your devices"
        onAllow={() => undefined}
        onCancel={() => setChecking(false)}
      />
    );
  } else {
    visibleH1 = true;
    body = (
      <section className="card hero" aria-labelledby="hero-title" data-testid="client-idle">
        <h1 id="hero-title">Talk to us face to face</h1>
        <p className="muted">
          Press Call and one of our team will answer by video. You can turn your camera off at any
          time, or call without one: the call is then audio only.
        </p>
        {error && (
          <p className="error" role="alert" data-testid="client-error">
            {error.friendly}
          </p>
        )}
        <CallButton
          phase={phase}
          onCall={() => void client.placeCall()}
          onHangUp={() => undefined}
        />
        {signaling !== SignalingState.Open && (
          <p className="muted small" role="status">
            {signaling === SignalingState.Closed
              ? 'You are offline. Sign in again to call.'
              : 'Connecting to the service…'}
          </p>
        )}
        <button
          type="button"
          className="btn btn--link"
          onClick={() => setChecking(true)}
          data-testid="check-devices"
        >
          Check my camera and microphone first
        </button>
      </section>
    );
  }

  return (
    <div className="page" data-testid="client-page" data-phase={phase}>
      <Header signaling={signaling} />
      <main className={`main ${inRoom ? 'main--wide' : 'main--narrow'}`} id="main">
        {!visibleH1 && <h1 className="sr-only">Video call</h1>}
        {body}
      </main>
      <CallToast notices={notices} onDismiss={dismissNotice} />
    </div>
  );
}
