import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { sourceConditions } from './vite.config';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  resolve: { conditions: sourceConditions },
  // Tests without a DOM environment resolve as server code.
  ssr: { resolve: { conditions: ['switchboard-source', ...defaultServerConditions] } },
  test: {
    include: [
      'src/**/*.test.ts',
      'src/**/*.test.tsx',
      'packages/*/src/**/*.test.ts',
      'packages/*/src/**/*.test.tsx',
    ],
    setupFiles: ['src/test-setup.ts'],
    environment: 'node',
    pool: 'threads',
    poolOptions: { threads: { maxThreads: 2, minThreads: 1 } },
  },
});
