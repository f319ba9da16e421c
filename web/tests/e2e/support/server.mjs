// The real Switchboard server (build/switchboard) on a free loopback port with its own SQLite file,
// and what tests ask of it from outside the pages: dev tokens and Prometheus counters.
import { join } from 'node:path';
import { WEB_DIST, serverBinary } from './env.mjs';
import { LoggedProcess, freeTcpPort, waitHealthy } from './process.mjs';

export class SwitchboardServer {
  #args;
  #logFile;
  #proc;

  constructor(name, port, args, logFile) {
    this.name = name;
    this.port = port;
    this.#args = args;
    this.#logFile = logFile;
  }

  /**
   * Starts a server named `name` (its database and log file in `dir`), with `--dev` unless
   * `dev` is false, and `args` after the common ones.
   */
  static async start({ dir, name, dev = true, args = [] }) {
    const port = await freeTcpPort();
    const server = new SwitchboardServer(
      name,
      port,
      [
        '--listen',
        `127.0.0.1:${port}`,
        '--db',
        `sqlite:${join(dir, `${name}.db`)}`,
        '--web-root',
        WEB_DIST,
        '--log-format',
        'text',
        // Overload admission off: on a shared two-core machine a 100 ms scheduling hiccup would
        // refuse a scenario's call with 503. The black-box load test covers admission.
        '--admission-lag',
        '0ms',
        ...(dev ? ['--dev'] : []),
        ...args,
      ],
      join(dir, `${name}.log`),
    );
    await server.#run();
    return server;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async #run() {
    this.#proc = new LoggedProcess(serverBinary(), this.#args, this.#logFile, this.#proc?.chunks);
    await waitHealthy(this.#proc, `${this.base}/healthz`, `server ${this.name}`);
  }

  /** Stops the server and starts it again on the same port and database (a deploy, a crash). */
  async restart() {
    await this.#proc.stop();
    await this.#run();
  }

  async stop() {
    await this.#proc?.stop();
  }

  /** Everything the server printed, restarts included (the last few thousand chunks). */
  output() {
    return this.#proc?.output() ?? '';
  }

  /** A dev sign-in token (the server runs with --dev). */
  async token(org, sub, role, name) {
    const r = await fetch(`${this.base}/v1/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ org, sub, role, name }),
    });
    if (!r.ok) throw new Error(`POST /v1/dev/token -> ${r.status} ${await r.text()}`);
    return (await r.json()).token;
  }

  /** Sum of a Prometheus counter on /metrics over the series matching `labels`. */
  async metric(name, labels = {}) {
    const text = await (await fetch(`${this.base}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      // Label values may hold braces (route="/v1/calls/{id}/feedback"): the value is after the last.
      const m = /^(\w+)\{(.*)\}\s+(\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const got = Object.fromEntries(
        [...m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
      );
      if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
    }
    return sum;
  }
}
