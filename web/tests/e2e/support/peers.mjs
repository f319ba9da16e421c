// The people in a scenario: each is a browser context of its own (its own storage, permissions and
// fake camera) with one page, signed in as an integrator would sign them in. Their console output
// is kept for the failure report.
const KEPT_CONSOLE_LINES = 400;

export class Peers {
  #browser;
  #server;
  #contexts = [];
  #consoles = new Map(); // page -> { label, lines }

  /** `server` is the default server pages open on. */
  constructor(browser, server) {
    this.#browser = browser;
    this.#server = server;
  }

  /**
   * A new browser context (a separate "person") with one page. `ignoreHTTPSErrors` for a server
   * behind a proxy with a test certificate.
   */
  async newPage({
    viewport = { width: 1280, height: 800 },
    initScript,
    grant = true,
    origin = this.#server.base,
    label = '?',
    ignoreHTTPSErrors = false,
  } = {}) {
    const context = await this.#browser.newContext({ viewport, ignoreHTTPSErrors });
    if (grant) await context.grantPermissions(['camera', 'microphone'], { origin });
    if (initScript) await context.addInitScript(initScript);
    this.#contexts.push(context);
    const page = await context.newPage();
    this.#watch(page, label);
    // Pages the scenario opens later in this context (a second tab) are watched too.
    context.on('page', (p) => this.#watch(p, `${label} (another tab)`));
    return page;
  }

  /**
   * Signs in through `?token=` (as an integrator would) on `server` and opens `path` (the client
   * or staff page by role), then waits until the page is online. `relay` forces relay-only ICE.
   */
  async openAs({ org, sub, role, name, relay = false, path, server = this.#server, ...pageOpts }) {
    const token = await server.token(org, sub, role, name);
    const page = await this.newPage({ ...pageOpts, origin: server.base, label: name });
    const target = path ?? (role === 'client' ? '/client' : '/staff');
    await page.goto(
      `${server.base}${target}?token=${encodeURIComponent(token)}${relay ? '&relay=1' : ''}`,
    );
    await page
      .locator('[data-testid="connection-state"]', { hasText: 'Online' })
      .waitFor({ timeout: 10_000 });
    return page;
  }

  /** Every page's console and uncaught errors, labelled by who it was. */
  consoleReport() {
    const out = [];
    let i = 0;
    for (const [page, { label, lines }] of this.#consoles) {
      i++;
      out.push(`--- page ${i} (${label}) ${page.url()}`, ...lines);
    }
    return out.join('\n');
  }

  /** `page`'s console warnings and errors, and its uncaught errors, so far. */
  problems(page) {
    const lines = this.#consoles.get(page)?.lines ?? [];
    return lines.filter((l) => /^(warning|error|pageerror): /.test(l));
  }

  async close() {
    for (const c of this.#contexts.splice(0)) await c.close().catch(() => undefined);
  }

  #watch(page, label) {
    if (this.#consoles.has(page)) return;
    const lines = [];
    const keep = (line) => {
      lines.push(line);
      if (lines.length > KEPT_CONSOLE_LINES) lines.shift();
    };
    this.#consoles.set(page, { label, lines });
    page.on('console', (m) => keep(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => keep(`pageerror: ${e.message}`));
  }
}
