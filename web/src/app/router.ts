import { useEffect, useState } from 'react';

/** A tiny history router: the server answers index.html for every non-/v1 path. */
export function navigate(path: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const on = (): void => setPath(window.location.pathname);
    window.addEventListener('popstate', on);
    // A child's effect (a <Redirect>) may have navigated before this listener existed.
    on();
    return () => window.removeEventListener('popstate', on);
  }, []);
  return path;
}
