// coturn (Debian's turnserver) on loopback with a throwaway shared secret: the STUN/TURN server the
// main test server hands to the pages.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoggedProcess, freeUdpPort } from './process.mjs';

export class Coturn {
  #proc;

  constructor(proc, port, secret) {
    this.#proc = proc;
    this.port = port;
    this.secret = secret;
  }

  /** Starts coturn with its config, database, pid and log files in `dir`. */
  static async start(dir) {
    const port = await freeUdpPort();
    const secret = `e2e-${Math.random().toString(36).slice(2)}`;
    const minPort = 40000 + Math.floor(Math.random() * 20000);
    const conf = [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${port}`,
      `min-port=${minPort}`,
      `max-port=${minPort + 100}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      'realm=switchboard.test',
      'fingerprint',
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-multicast-peers',
      // Test only: loopback peers. Production configs keep loopback and private ranges denied.
      'allow-loopback-peers',
      `userdb=${join(dir, 'turndb')}`,
      `pidfile=${join(dir, 'turnserver.pid')}`,
      `log-file=${join(dir, 'turn.log')}`,
      'simple-log',
    ].join('\n');
    const confFile = join(dir, 'turnserver.conf');
    writeFileSync(confFile, `${conf}\n`);
    const proc = new LoggedProcess('/usr/bin/turnserver', ['-c', confFile], join(dir, 'turn.out'));
    // coturn has no health endpoint: give it time to bind, then make sure it is still there.
    await sleep(700);
    if (!proc.running) throw new Error(`coturn exited early (${proc.exitedWith})`);
    return new Coturn(proc, port, secret);
  }

  /** The server's flags that offer this coturn as STUN and TURN. */
  serverArgs() {
    return [
      '--stun-urls',
      `stun:127.0.0.1:${this.port}`,
      '--turn-urls',
      `turn:127.0.0.1:${this.port}?transport=udp`,
      '--turn-secret',
      this.secret,
    ];
  }

  /** The relay stops answering until resume(): media of a relay-only call stops meanwhile. */
  pause() {
    this.#proc.pause();
  }

  resume() {
    this.#proc.resume();
  }

  output() {
    return this.#proc.output();
  }

  async stop() {
    await this.#proc.stop();
  }
}
