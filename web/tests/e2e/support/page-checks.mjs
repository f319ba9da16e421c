// What the scenarios look for on a page: elements by test id, the call phase, screenshots kept on
// purpose, accessibility (axe) and sideways scrolling, and polling for a condition.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from '@playwright/test';
import { A11Y, SCREENS } from './env.mjs';

export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

export async function waitPhase(page, phase, ms = 15_000) {
  await page.locator(`[data-testid$="-page"][data-phase="${phase}"]`).waitFor({ timeout: ms });
}

/**
 * Saves a screenshot as test-results/screens/<name>.png (the screens a reviewer looks at) and
 * attaches it to the test's report.
 */
export async function shot(page, name, { fullPage = false } = {}) {
  mkdirSync(SCREENS, { recursive: true });
  const path = join(SCREENS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  await test.info().attach(name, { path, contentType: 'image/png' });
}

/** Polls `fn` every 200 ms until it returns a truthy value (which it returns) or `ms` pass. */
export async function eventually(fn, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(
    `timed out after ${ms} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
  );
}

/** Fails if the page scrolls sideways (its content is wider than the viewport). */
export async function expectNoSidewaysScroll(page, what) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(
    scrollWidth,
    `${what}: no sideways scrolling at ${innerWidth} px (content is ${scrollWidth} px wide)`,
  ).toBeLessThanOrEqual(innerWidth);
}

let axeSource;

/**
 * Runs axe-core (injected from node_modules, no network) on what `page` shows now and fails on
 * any violation of impact serious or critical, listing rule, target and axe's summary. Every
 * violation, minor ones included, and what axe could not decide ("incomplete": to look at by
 * hand) are written to test-results/a11y/<screen>.json.
 * No rule is disabled: a finding is fixed in the components.
 */
export async function checkA11y(page, screen) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object')))
    await page.addScriptTag({ content: axeSource });
  const { violations, incomplete } = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    const brief = (list) =>
      list.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({
          impact: n.impact ?? v.impact,
          target: n.target.map(String).join(' '),
          summary: n.failureSummary,
        })),
      }));
    return { violations: brief(r.violations), incomplete: brief(r.incomplete) };
  });
  mkdirSync(A11Y, { recursive: true });
  writeFileSync(join(A11Y, `${screen}.json`), JSON.stringify({ violations, incomplete }, null, 2));
  const serious = [];
  for (const v of violations) {
    for (const n of v.nodes) {
      if (n.impact !== 'serious' && n.impact !== 'critical') continue;
      serious.push(
        `[${n.impact}] ${v.id} (${v.help}) at ${n.target}: ${String(n.summary).replace(/\s+/g, ' ')}`,
      );
    }
  }
  expect(serious, `axe findings of impact serious or critical on "${screen}"`).toEqual([]);
}
