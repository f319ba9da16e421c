// Flat config: typescript-eslint with type-aware rules for src/ and the packages' sources, plain
// rules for the node scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'packages/*/dist/'] },
  js.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}', 'packages/*/src/**/*.{ts,tsx}'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { attributes: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['packages/client/src/**/*.ts'],
    rules: {
      // The SDK is framework-free (STYLE.md 3.3): no React in here.
      'no-restricted-imports': [
        'error',
        { patterns: ['react', 'react-dom', 'react/*', 'react-dom/*'] },
      ],
    },
  },
  {
    // The app and the hooks see the packages through their public entries only, as an integrator
    // would; only tests reach for the client's test doubles (packages/client/src/test).
    files: [
      'src/{app,pages,components,providers}/**/*.{ts,tsx}',
      'src/main.tsx',
      'packages/react/src/**/*.{ts,tsx}',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '(^|/)packages/client/src/(?!test/)|(^|/)client/src/(?!test/)|(^|/)packages/react/src/',
              message:
                "Import '@switchboard/client' or '@switchboard/react'; add an export there if needed.",
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      '{src,packages/*/src}/**/*.test.{ts,tsx}',
      'packages/client/src/test/**',
      'src/testing/**',
    ],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.mjs', 'vite.config.ts', 'vitest.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Functions passed to page.evaluate() run in the browser.
    files: ['tests/e2e/**/*.mjs', 'tests/pack/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
