// Steps of a call as people take them on the pages, and what the pages show about it.
import { byTestId } from './page-checks.mjs';

/** A short random suffix: each scenario uses its own org, so staff of one are never rung for another's calls. */
export const uid = () => Math.random().toString(36).slice(2, 8);

export async function goAvailable(page) {
  await byTestId(page, 'go-available').click();
  await byTestId(page, 'my-status').filter({ hasText: 'Available' }).waitFor({ timeout: 10_000 });
}

/** Presses Call; clicks through the explanation when the browser would prompt. */
export async function placeCall(page) {
  await byTestId(page, 'call-button').click();
  const explain = byTestId(page, 'permission-explain');
  const calling = byTestId(page, 'calling');
  await Promise.race([explain.waitFor({ timeout: 10_000 }), calling.waitFor({ timeout: 10_000 })]);
  // (The explanation's screenshot is taken in the permission test, under its own name.)
  if (await explain.isVisible()) await byTestId(page, 'permission-allow').click();
  await page.locator('[data-testid="calling"][data-phase="ringing"]').waitFor({ timeout: 10_000 });
}

/** Bytes received so far, as the stats overlay shows them (open it first: openStats). */
export async function bytesIn(page) {
  return Number(await byTestId(page, 'bytes-in').getAttribute('data-bytes'));
}

export async function openStats(page) {
  if (!(await byTestId(page, 'stats-overlay').isVisible()))
    await byTestId(page, 'stats-toggle').click();
}

/** Holds a page's requests matching `pattern` until release() (to see an in-between screen). */
export async function holdRequests(page, pattern) {
  let release;
  const held = new Promise((res) => (release = res));
  const handler = async (route) => {
    await held;
    await route.continue().catch(() => undefined);
  };
  await page.route(pattern, handler);
  return async () => {
    release();
    await page.unroute(pattern, handler);
  };
}

/**
 * Collects the staff board messages (`board`, `board.updated`, docs/asyncapi.yaml) that reach the
 * page's WebSockets from now on.
 */
export function recordBoardFrames(page) {
  const frames = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.includes('"board')) return;
      try {
        const m = JSON.parse(payload);
        if (m.type === 'board' || m.type === 'board.updated') frames.push(m);
      } catch {
        /* not JSON: not a board message */
      }
    }),
  );
  return frames;
}

/** The number a dashboard element shows in its data-value. */
export async function valueOf(page, testId) {
  return page.locator(`[data-testid="${testId}"]`).getAttribute('data-value', { timeout: 2000 });
}
