// The layer table of docs/architecture.md ("Layers"), enforced. Do not relax these rules: they are how the
// project keeps src-core platform-free, the renderer out of Node, the cloud deployable alone and test fakes out
// of the product.
// test/layers.test.ts lints deliberate violations with exactly these blocks to prove each rule bites.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules.filter((m) => !m.startsWith('_')), 'node:*'];

const folder = (name) => ({
  regex: `(^|/)${name}(/|$)`,
  message: `Bad layering: this folder may not import ${name} (see docs/architecture.md, "Layers").`,
});
const pkg = (name, why) => ({ group: [name, `${name}/*`], message: `Bad layering: ${why}` });
const node = {
  group: nodeBuiltins,
  message:
    'Bad layering: Node built-ins do not exist where this folder runs (see docs/architecture.md, "Layers").',
};

const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

/** @type {import('eslint').Linter.Config[]} */
export const layerConfigs = [
  {
    name: 'layers/src-core',
    files: ['src-core/**/*.{ts,tsx}'],
    rules: rule([
      node,
      pkg('electron', 'src-core is platform-free.'),
      pkg('react', 'src-core is platform-free.'),
      pkg('react-dom', 'src-core is platform-free.'),
      folder('src-bridge'),
      folder('src-main'),
      folder('src-renderer'),
      folder('cloud'),
    ]),
  },
  {
    name: 'layers/src-bridge',
    files: ['src-bridge/**/*.{ts,tsx}'],
    rules: rule([
      pkg('electron', 'the bridge runs in plain Node.'),
      pkg('react', 'the bridge has no UI.'),
      folder('src-main'),
      folder('src-renderer'),
      folder('cloud'),
    ]),
  },
  {
    name: 'layers/src-main',
    files: ['src-main/**/*.{ts,tsx}'],
    ignores: ['src-main/electron/**'],
    rules: rule([
      pkg('electron', 'only src-main/electron/ may import electron; services stay plain Node.'),
      pkg('react', 'the main process has no React.'),
      folder('src-renderer'),
      folder('cloud'),
    ]),
  },
  {
    name: 'layers/src-main-electron',
    files: ['src-main/electron/**/*.{ts,tsx}'],
    rules: rule([pkg('react', 'the main process has no React.'), folder('src-renderer'), folder('cloud')]),
  },
  {
    name: 'layers/src-renderer',
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: rule([
      node,
      pkg('electron', 'the renderer reaches main only through window.pipdesk.'),
      folder('src-main'),
      folder('src-bridge'),
      folder('cloud'),
    ]),
  },
  {
    name: 'layers/cloud',
    files: ['cloud/**/*.{ts,tsx}'],
    rules: rule([
      pkg('electron', 'the cloud is a server.'),
      folder('src-main'),
      folder('src-renderer'),
      folder('src-bridge'),
    ]),
  },
  {
    // Test fakes and kits live in testing/ folders beside the code they fake (docs/architecture.md). Product code
    // must never reach them: a fake bridge wired in by mistake would "trade" without a terminal. A separate rule
    // (the typescript-eslint twin of no-restricted-imports) so it adds to the layer patterns above instead of
    // replacing them. Do not relax this rule.
    name: 'layers/no-testing-in-product',
    files: [
      'src-core/**/*.{ts,tsx}',
      'src-bridge/**/*.{ts,tsx}',
      'src-main/**/*.{ts,tsx}',
      'src-renderer/**/*.{ts,tsx}',
      'cloud/**/*.{ts,tsx}',
    ],
    ignores: ['**/*.test.{ts,tsx}', '**/testing/**', '**/test/**', 'src-bridge/mql5/harness/**'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(testing|test)(/|$)',
              message:
                'Bad layering: product code may not import test fakes and kits (testing/ folders are for tests only; see docs/architecture.md).',
            },
          ],
        },
      ],
    },
  },
];
