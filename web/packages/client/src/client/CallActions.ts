/**
 * What a person does to a call: place it, allow the devices, accept or decline it, hang up, rate
 * it; and rejoining a call the server still has (after a reload, or a create refused because one
 * is in progress). Each action reports to the store and talks to the server; the store decides
 * the phase.
 */
import { ErrorCode, SwitchboardError } from '../errors';
import type { CallStore, CallSummary, Role } from '../call/CallStore';
import { isTerminal } from '../call/callFsm';
import { partyName } from '../call/describe';
import { CallPhase, PhaseEvent } from '../call/phases';
import { stopStream, type DeviceManager } from '../devices/DeviceManager';
import type { RestClient } from '../rest/RestClient';
import type { Call, Feedback } from '../types';
import { getLogger } from '../util/logger';
import type { MediaController } from './MediaController';
import type { PeerController } from './PeerController';
import { serverAction } from './serverAction';

const log = getLogger('actions');

export interface CallActionsOptions {
  role: Role;
  store: CallStore;
  rest: RestClient;
  devices: DeviceManager;
  media: MediaController;
  peers: PeerController;
  /** The call's media, as `POST /calls` asks for it. */
  callMedia?: { audio: boolean; video: boolean };
  metadata?: Record<string, string>;
  /** Camera, screen and connection released (a create that failed for good). */
  release: () => void;
}

function uuid(): string {
  return (
    globalThis.crypto?.randomUUID?.() ??
    `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  );
}

const asError = (e: unknown): SwitchboardError =>
  e instanceof SwitchboardError ? e : SwitchboardError.network(e);

export class CallActions {
  constructor(private readonly opts: CallActionsOptions) {}

  /** Caller: the Call button. Asks for devices first (explained by the UI when a prompt will show). */
  async placeCall(): Promise<void> {
    const { store, devices, media } = this.opts;
    if (this.opts.role !== 'client') return;
    store.setError(null);
    if (!store.can(PhaseEvent.Start)) return;
    // Ask first, so the UI explains only when the browser will actually prompt. Already denied:
    // no prompt will come, so ask at once and go straight to the help (or audio-only, when only
    // the camera is refused).
    const permission = await devices.permission();
    media.update({ permission });
    if (!store.dispatch(PhaseEvent.Start)) return;
    if (permission === 'granted' || permission === 'denied') await this.allowMedia();
  }

  /** The "Allow camera and microphone" button (or automatic when already granted). */
  async allowMedia(): Promise<void> {
    const { store, media } = this.opts;
    if (store.phase === CallPhase.PermissionDenied) store.dispatch(PhaseEvent.Retry);
    if (store.phase !== CallPhase.RequestingPermission) return;
    if (!media.snapshot.local) {
      let stream: MediaStream;
      try {
        stream = await media.acquire();
      } catch (e) {
        store.setError(e instanceof SwitchboardError ? e : SwitchboardError.fromMediaError(e));
        store.dispatch(PhaseEvent.PermissionDenied);
        if (this.opts.role === 'staff') await this.failCurrentCall('media_failed');
        return;
      }
      if (store.phase !== CallPhase.RequestingPermission) {
        stopStream(stream); // Cancelled meanwhile.
        return;
      }
      media.setLocalStream(stream);
    }
    store.dispatch(PhaseEvent.PermissionGranted);
    if (this.opts.role === 'client') await this.createCall();
  }

  /** Leaves the permission prompt or the summary. */
  dismiss(): void {
    const { store } = this.opts;
    store.setError(null);
    if (store.dispatch(PhaseEvent.Dismiss) && store.phase === CallPhase.Idle) this.opts.release();
  }

  /**
   * Asks for the devices ahead of time (staff "Go available"), so accepting is instant. A
   * microphone without a camera is enough: calls are then audio-only.
   */
  async checkDevices(): Promise<boolean> {
    const { store, devices } = this.opts;
    try {
      stopStream(await devices.getUserMedia({ audio: true, video: true }));
      store.setError(null);
      return true;
    } catch (e) {
      try {
        stopStream(await devices.getUserMedia({ audio: true, video: false }));
        store.setError(null);
        return true;
      } catch {
        store.setError(e instanceof SwitchboardError ? e : SwitchboardError.fromMediaError(e));
        return false;
      }
    }
  }

  async accept(callId: string): Promise<void> {
    const { store, rest } = this.opts;
    const rec = store.record(callId);
    if (!rec) return;
    if (!store.can(PhaseEvent.Accept)) {
      log.warn(`accept ${callId} ignored in phase ${store.phase}`);
      return;
    }
    store.dispatch(PhaseEvent.Accept);
    store.setCurrent(rec.confirmed as Call);
    const action = store.beginAction(callId, 'accept');
    if (!action) {
      store.dispatch(PhaseEvent.AcceptFailed);
      return;
    }
    try {
      store.commitAction(action, await rest.accept(callId));
    } catch (e) {
      const err = asError(e);
      store.rollbackAction(action, err);
      store.dispatch(PhaseEvent.AcceptFailed);
      store.dismissIncoming(callId);
      const view = store.record(callId)?.view;
      if (err.code === ErrorCode.CallAlreadyTaken && view?.staff) {
        store.notify('answered_elsewhere', `Answered by ${partyName(view.staff)}`, callId);
      } else if (
        err.code === ErrorCode.InvalidTransition &&
        typeof err.details?.ring === 'string'
      ) {
        // The call still rings for others, not for us (we declined it, took another call, or
        // were offline): a late ring, nothing went wrong.
        store.notify('info', 'That call is no longer ringing for you.', callId);
      } else store.notify('error', err.friendly, callId);
      return;
    }
    store.dispatch(PhaseEvent.AcceptOk);
    await this.allowMedia();
  }

  async decline(callId: string): Promise<void> {
    this.opts.store.dismissIncoming(callId); // Optimistic: the modal closes at once.
    try {
      await this.opts.rest.decline(callId);
    } catch (e) {
      const err = asError(e);
      if (err.retryable) this.opts.store.notify('error', err.friendly, callId);
    }
  }

  /** Hang up: cancels a ringing call (caller), ends an accepted or active one. */
  async hangUp(): Promise<void> {
    const { store, rest } = this.opts;
    const first = store.getSnapshot().current;
    if (!first) return;
    // A call takes one action at a time, so a hang-up while another waits for the server (say
    // "connected", sent the moment media flows) would be ignored: wait for that one to settle.
    if (store.hasPendingAction(first.id)) await untilNoPendingAction(store, first.id);
    const call = store.getSnapshot().current;
    if (!call || call.id !== first.id) return;
    const waiting = call.state === 'ringing' || call.state === 'queued';
    if (waiting && this.opts.role === 'client') {
      await serverAction(store, rest, call.id, 'cancel', () => rest.cancel(call.id));
    } else if (call.state === 'accepted' || call.state === 'active') {
      await serverAction(store, rest, call.id, 'hangup', () => rest.end(call.id));
    } else log.warn(`hang up ignored: call is ${call.state}`);
  }

  /** Media could not be (re)established: tell the server, which ends or fails the call. */
  async failCurrentCall(reason: string): Promise<void> {
    const { store, rest } = this.opts;
    const call = store.getSnapshot().current;
    if (!call) return;
    if (call.state === 'accepted') {
      await serverAction(store, rest, call.id, 'media_failed', () => rest.end(call.id, reason));
    } else if (call.state === 'active') {
      await serverAction(store, rest, call.id, 'hangup', () => rest.end(call.id, reason));
    }
  }

  /** The other side closed their page and did not come back: the call ends, saying why. */
  async endBecauseOtherLeft(reason: string): Promise<void> {
    const { store, rest } = this.opts;
    const call = store.getSnapshot().current;
    if (!call || (call.state !== 'accepted' && call.state !== 'active')) return;
    await serverAction(store, rest, call.id, 'hangup', () => rest.end(call.id, reason));
  }

  /**
   * Sends the rating. The summary says "sent" only once the server answered 200; meanwhile it is
   * `feedbackSending`, and after a refusal or a network error `feedbackError` holds a friendly
   * sentence and the rating can be sent again. Resolves true when the server took it.
   */
  async sendFeedback(feedback: Feedback): Promise<boolean> {
    const { store } = this.opts;
    const summary = store.getSnapshot().summary;
    if (!summary || summary.feedbackSent || summary.feedbackSending) return false;
    const { callId } = summary;
    // Only the summary of that call: the person may have moved on while the request was out.
    const update = (patch: Partial<CallSummary>): void => {
      if (store.getSnapshot().summary?.callId === callId) store.updateSummary(patch);
    };
    update({ feedbackSending: true, feedbackError: null });
    try {
      await this.opts.rest.feedback(callId, feedback);
    } catch (e) {
      const err = asError(e);
      log.warn(`call ${callId}: feedback not sent`, { code: err.code });
      update({ feedbackSending: false, feedbackError: err.friendly });
      return false;
    }
    update({ feedbackSending: false, feedbackSent: true, feedbackError: null });
    return true;
  }

  /** After a reload: carry on with a call the server says is still live. */
  async resume(call: Call): Promise<void> {
    const { store, media } = this.opts;
    if (isTerminal(call.state)) return;
    log.info(`resuming call ${call.id} (${call.state})`);
    const waiting = call.state === 'ringing' || call.state === 'queued';
    if (!waiting) this.opts.peers.markResumed(call.id);
    store.setCurrent(call);
    store.applyServerCall(call);
    if (this.opts.role === 'client') {
      if (!media.snapshot.local) {
        try {
          media.setLocalStream(await media.acquire());
        } catch (e) {
          store.setError(SwitchboardError.fromMediaError(e));
        }
      }
      store.dispatch(waiting ? PhaseEvent.ResumeRinging : PhaseEvent.ResumeCall);
    } else {
      store.dispatch(PhaseEvent.ResumeCall);
      await this.allowMedia();
    }
  }

  private async createCall(): Promise<void> {
    const { store, rest } = this.opts;
    const key = uuid();
    const body = {
      media: this.opts.callMedia ?? { audio: true, video: true },
      metadata: this.opts.metadata,
    };
    let call: Call;
    try {
      try {
        call = await rest.createCall(body, key);
      } catch (e) {
        // One retry on a lost answer: the same Idempotency-Key returns the same call.
        const lost =
          e instanceof SwitchboardError &&
          (e.code === ErrorCode.Network || e.code === ErrorCode.Timeout);
        if (!lost) throw e;
        call = await rest.createCall(body, key);
      }
    } catch (e) {
      const err = asError(e);
      const inProgress =
        err.code === ErrorCode.CallInProgress
          ? (err.details?.call_id as string | undefined)
          : undefined;
      store.dispatch(PhaseEvent.CreateFailed); // Roll back "placing".
      if (inProgress) {
        log.info(`a call is already in progress (${inProgress}); rejoining it`);
        try {
          await this.resume(await rest.getCall(inProgress));
          return;
        } catch {
          /* fall through to the error */
        }
      }
      this.opts.release();
      store.setError(err); // Shown where the Call button is; no toast on top of it.
      return;
    }
    store.setCurrent(call);
    store.dispatch(PhaseEvent.CreateOk);
    store.applyServerCall(call);
    store.reevaluateCurrent();
  }
}

/** Resolves once no action of the call waits for the server, or after `limitMs`. */
async function untilNoPendingAction(
  store: CallStore,
  callId: string,
  limitMs = 15_000,
): Promise<void> {
  const pollMs = 20;
  for (let waited = 0; store.hasPendingAction(callId) && waited < limitMs; waited += pollMs) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
