/**
 * The layers of docs/ARCHITECTURE.md ("Layers and the lint rule that keeps them"), as lint rules:
 * no import cycles in src-main, and no import against the layers. `layers(root)` takes the
 * project's root so tests can run the same rules on a small fixture tree.
 */
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** Feature modules: each reaches another only through ports the core hands it (core/ports.ts). */
export const FEATURES = [
  'agent',
  'backup',
  'billing',
  'contracts',
  'crm',
  'desktop',
  'pdf',
  'setup',
  'telephony',
  'tunnel',
  'whatsapp',
];

/**
 * The few cross-feature imports that are part of a feature's published surface, by importer.
 * Keep this list short: a new entry needs a reason here.
 */
const PUBLISHED = {
  // The phone channel drives the channel-agnostic brain.
  telephony: { agent: ['**'] },
  // Billing and contracts lay out their PDFs on the shared Hebrew PDF engine.
  billing: { pdf: ['engine.ts', 'bidi.ts', 'document.ts', 'document-input.ts'] },
  contracts: { pdf: ['engine.ts', 'bidi.ts'] },
  // First-run checks make one cheap request per key with the services' own clients.
  setup: { agent: ['google-tts.ts'] },
};

/** Foundation: everything may use it; it uses no core, feature or shell. */
const FOUNDATION = ['api', 'platform', 'db', 'server', 'audio'];

/** What the renderer bundle may take from src-main: the API contract and Node-free helpers. */
const RENDERER_MAY_IMPORT = [
  'api/contract',
  'api/client.ts',
  'api/envelope.ts',
  'api/errors.ts',
  'api/field-issues.ts',
  'platform/phone.ts',
  'contracts/text.ts',
  'audio/g711.ts',
];

function zones() {
  const z = [];
  for (const f of FEATURES) {
    for (const g of FEATURES) {
      if (f === g) continue;
      const except = PUBLISHED[f]?.[g];
      if (except?.includes('**')) continue;
      z.push({
        target: `src-main/${f}`,
        from: `src-main/${g}`,
        ...(except ? { except } : {}),
        message: `${f}/ reaches ${g}/ only through a port the core hands it (core/ports.ts).`,
      });
    }
    z.push({
      target: `src-main/${f}`,
      from: [
        'src-main/core/index.ts',
        'src-main/core/recovery.ts',
        'src-main/electron',
        'src-main/headless.ts',
      ],
      message: 'A feature does not import the composition root or the shell.',
    });
  }
  for (const f of FOUNDATION) {
    z.push({
      target: `src-main/${f}`,
      from: [
        'src-main/core',
        'src-main/electron',
        'src-main/headless.ts',
        ...FEATURES.map((g) => `src-main/${g}`),
      ],
      message: `${f}/ is foundation: it imports no core, feature or shell.`,
    });
  }
  z.push({
    target: ['src-main/core/module.ts', 'src-main/core/ports.ts', 'src-main/core/registry.ts'],
    from: FEATURES.map((g) => `src-main/${g}`),
    message: 'The core names no feature: features register what they offer (core/registry.ts).',
  });
  z.push({
    target: 'src-renderer',
    from: 'src-main',
    except: RENDERER_MAY_IMPORT,
    message: 'The renderer takes only the API contract and Node-free helpers from src-main.',
  });
  return z;
}

/** @param {string} root the project's root folder */
export function layers(root) {
  const resolver = createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] });
  return [
    {
      files: ['src-main/**/*.ts', 'src-renderer/**/*.{ts,tsx}'],
      plugins: { 'import-x': importX },
      settings: {
        'import-x/resolver-next': [resolver],
        'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
        'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      },
      rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones: zones() }] },
    },
    {
      // Cycles only inside src-main (the renderer's are Vite's business; keeps lint fast).
      files: ['src-main/**/*.ts'],
      rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
    },
    {
      files: ['src-main/**/*.ts'],
      ignores: ['src-main/electron/**'],
      rules: {
        'no-restricted-imports': [
          'error',
          { paths: [{ name: 'electron', message: 'Only the shell (src-main/electron/) imports Electron.' }] },
        ],
      },
    },
  ];
}
