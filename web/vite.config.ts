import { defineConfig, defaultClientConditions } from 'vite';

/**
 * The app builds @switchboard/client and @switchboard/react from their sources (the
 * "switchboard-source" condition of their exports), not from their dist/: one copy of the code,
 * and no package build before the app's.
 */
export const sourceConditions = ['switchboard-source', ...defaultClientConditions];

// No @vitejs/plugin-react: esbuild compiles TSX with the automatic JSX runtime.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  resolve: { conditions: sourceConditions },
  build: { outDir: 'dist', sourcemap: true, target: 'es2022' },
  server: {
    // `npm run dev` against a local server: `SWITCHBOARD_URL=http://127.0.0.1:8080 npx vite`.
    proxy: {
      '/v1': { target: process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:8080', ws: true },
      // The sign-in page reads `dev_sign_in` here.
      '/healthz': { target: process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:8080' },
    },
    fs: { allow: ['..'] }, // spec/call-fsm.json lives one level up.
  },
});
