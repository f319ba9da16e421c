// Builds the workspace package in the current directory (npm runs it there): dist/index.js, one
// ES module bundled by esbuild with the JSON it imports inlined (the spec files live outside the
// package; the tarball must not reach for them), the .d.ts files from tsc, and for the client the
// spec files themselves, exported for integrators who want to read the state machine, and the
// project's LICENSE.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  jsx: 'automatic',
  // react/jsx-runtime and the client's own entry stay imports, resolved by the app's bundler.
  external: external.flatMap((name) => [name, `${name}/*`]),
  logLevel: 'warning',
});

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

const repo = resolve(import.meta.dirname, '..', '..');
copyFileSync(join(repo, 'LICENSE'), join('dist', 'LICENSE'));
if (pkg.name === '@switchboard/client') {
  const spec = join(repo, 'spec');
  for (const file of ['call-fsm.json', 'errors.json'])
    copyFileSync(join(spec, file), join('dist', file));
}
console.log(`${pkg.name}: built dist/`);
