#!/usr/bin/env node
// Completes package-lock.json with entries for the platform-specific optional packages of our
// dependencies (rollup's native binaries) that the package registry reachable from these machines
// does not serve. `npm install` then leaves them out of the lock, and `npm ci` refuses a lock
// that misses an optional dependency. An entry with `os`/`cpu`/`libc` that do not match this
// machine is skipped by `npm ci` without being fetched, so stub entries are enough.
// Run after every `npm install` that changes the lock: `node scripts/complete-lock.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const lockPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const pkgs = lock.packages;

const OS = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'win32'];
const CPU = {
  'arm-eabi': 'arm',
  arm: 'arm',
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
};

function platformOf(name) {
  const base = name
    .split('/')
    .pop()
    .replace(/^rollup-/, '');
  const parts = base.split('-');
  const os = parts[0];
  if (!OS.includes(os)) return null;
  const rest = parts.slice(1).join('-');
  const cpuKey = Object.keys(CPU)
    .sort((a, b) => b.length - a.length)
    .find((k) => rest === k || rest.startsWith(`${k}-`));
  if (!cpuKey) return null;
  const entry = { os: [os], cpu: [CPU[cpuKey]] };
  if (os === 'linux') entry.libc = [/musl/.test(rest) ? 'musl' : 'glibc'];
  return entry;
}

let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const where = `node_modules/${dep}`;
    if (pkgs[where] || pkgs[`${path}/${where}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    pkgs[where] = { version, ...platform, license: meta.license ?? 'MIT', optional: true };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lock: added ${added} platform entries`);
