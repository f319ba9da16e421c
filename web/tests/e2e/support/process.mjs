// Child processes of the suite (the server, coturn) with their output kept for the logs, and free
// loopback ports for them.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from './env.mjs';

const KEPT_CHUNKS = 4000;

export function freeTcpPort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

export async function freeUdpPort() {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const ok = await new Promise((res) => {
      const s = createSocket('udp4');
      s.once('error', () => res(false));
      s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free UDP port');
}

/** A running child process whose stdout and stderr (the last few thousand chunks) are kept. */
export class LoggedProcess {
  #child;
  #chunks;
  #logFile;

  /** `chunks` carries the output of an earlier run of the same program (a restart) on. */
  constructor(cmd, args, logFile, chunks = []) {
    this.#logFile = logFile;
    this.#chunks = chunks;
    this.#child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
    const keep = (b) => {
      this.#chunks.push(b);
      if (this.#chunks.length > KEPT_CHUNKS) this.#chunks.shift();
    };
    this.#child.stdout.on('data', keep);
    this.#child.stderr.on('data', keep);
    this.#child.on('exit', (code, sig) => {
      this.exitedWith = code ?? sig;
      this.writeLog();
    });
  }

  get chunks() {
    return this.#chunks;
  }

  output() {
    return Buffer.concat(this.#chunks).toString('utf8');
  }

  writeLog() {
    writeFileSync(this.#logFile, Buffer.concat(this.#chunks));
  }

  get running() {
    return this.exitedWith === undefined;
  }

  /** Stops answering (SIGSTOP) until resume(): network trouble, as the peers see it. */
  pause() {
    if (!this.running) throw new Error('the process is not running');
    this.#child.kill('SIGSTOP');
  }

  resume() {
    if (this.running) this.#child.kill('SIGCONT');
  }

  /** SIGTERM, then SIGKILL after 5 s. */
  async stop() {
    if (!this.running) return;
    const exited = new Promise((res) => this.#child.once('exit', res));
    this.#child.kill('SIGCONT'); // In case a test paused it and failed before resuming.
    this.#child.kill('SIGTERM');
    const t = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}

/** Waits until `url` answers 2xx, failing early if `proc` exits. */
export async function waitHealthy(proc, url, what, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`${what} exited early (${proc.exitedWith}); see its log`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await sleep(200);
  }
  throw new Error(`${what} did not answer ${url} within ${ms / 1000} s`);
}
