/**
 * Rendering for hook and component tests in a DOM (test files opt in with
 * `// @vitest-environment happy-dom`): React's own createRoot and act, nothing more.
 */
import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach } from 'vitest';

// Tells React that updates are wrapped in act() here (no "not wrapped in act" warnings).
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface Rendered {
  container: HTMLElement;
  rerender: (ui: ReactNode) => void;
  unmount: () => void;
}

const mounted = new Set<() => void>();

/** Unmounts whatever is still mounted (after each test, and wherever a test needs it first). */
export function cleanup(): void {
  for (const unmount of [...mounted]) unmount();
}
afterEach(cleanup);

/** Mounts `ui` in a fresh container in the document. */
export function render(ui: ReactNode): Rendered {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root: Root = createRoot(container);
  act(() => root.render(ui));
  const unmount = (): void => {
    if (!mounted.delete(unmount)) return;
    act(() => root.unmount());
    container.remove();
  };
  mounted.add(unmount);
  return { container, rerender: (next) => act(() => root.render(next)), unmount };
}

export interface RenderedHook<P, R> {
  /** The hook's latest return value. */
  result: { current: R };
  rerender: (props: P) => void;
  unmount: () => void;
}

/** Calls `hook(props)` inside a component that renders nothing. */
export function renderHook<P, R>(hook: (props: P) => R, props: P): RenderedHook<P, R> {
  const result = { current: undefined as R };
  function Probe({ args }: { args: P }): null {
    result.current = hook(args);
    return null;
  }
  const view = render(<Probe args={props} />);
  return {
    result,
    rerender: (next) => view.rerender(<Probe args={next} />),
    unmount: view.unmount,
  };
}

/** Runs `fn` (timers, emitted events) and lets React apply what it caused. */
export function update(fn: () => void): void {
  act(fn);
}

/** Awaits `fn` and lets React apply what it caused. */
export async function updateAsync(fn: () => Promise<unknown>): Promise<void> {
  await act(async () => {
    await fn();
  });
}

/** A click on `el`, as the browser dispatches it. */
export function click(el: Element | null): void {
  if (!el) throw new Error('nothing to click');
  act(() => {
    el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  });
}

/** `selector` in `root`, or a failure that says which was missing. */
export function get(root: ParentNode, selector: string): HTMLElement {
  const el = root.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`no ${selector}`);
  return el;
}
