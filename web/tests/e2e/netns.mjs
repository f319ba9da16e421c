#!/usr/bin/env node
// Runs a command (the Playwright CLI, the stats recorder) in a private network namespace whose
// only interface is loopback, so nothing the suite starts can reach or be reached from outside,
// and exits with its status. Falls back to running it as is when not root or when `unshare` does
// not work here; E2E_NETNS=0 skips the namespace.
// Usage: node tests/e2e/netns.mjs <command> [args...]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: netns.mjs <command> [args...]');
  process.exit(2);
}

function canUnshare() {
  if (process.env.E2E_NETNS === '0') return false;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/unshare')) return false;
  return spawnSync('unshare', ['--net', 'true']).status === 0;
}

const r = canUnshare()
  ? spawnSync(
      'unshare',
      ['--net', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...command],
      {
        stdio: 'inherit',
      },
    )
  : spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
if (r.error) console.error(`netns.mjs: ${r.error.message}`);
process.exit(r.status ?? 1);
