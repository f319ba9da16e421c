/** One optimistic server action on a call: shown at once, committed or rolled back on the answer. */
import { ErrorCode, SwitchboardError } from '../errors';
import type { CallStore } from '../call/CallStore';
import type { RestClient } from '../rest/RestClient';
import type { Call } from '../types';

/**
 * Runs `run` as the spec event `event` on `callId`. Null when the spec refused it locally or the
 * server refused it; a refusal because the call moved on fetches where it is instead of a toast.
 */
export async function serverAction(
  store: CallStore,
  rest: RestClient,
  callId: string,
  event: string,
  run: () => Promise<Call>,
): Promise<Call | null> {
  const action = store.beginAction(callId, event);
  if (!action) return null;
  try {
    const call = await run();
    store.commitAction(action, call);
    return call;
  } catch (e) {
    const err = e instanceof SwitchboardError ? e : SwitchboardError.network(e);
    store.rollbackAction(action, err);
    if (err.code === ErrorCode.InvalidTransition) {
      // The call moved on without us: fetch where it is.
      void rest.getCall(callId).then(
        (c) => store.applyServerCall(c),
        () => undefined,
      );
    } else store.notify('error', err.friendly, callId);
    return null;
  }
}
