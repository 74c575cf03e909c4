/*
 * The arrows of oss-sync (README "Development"): pure modules import no IO; oss/ and store/ never import each other;
 * nothing imports the entry points (cli/, http/, scheduler/, web/); the simulator never imports what it stands in for.
 * Run by `npm run lint`.
 */
const PURE = '^src/(domain|normalize|validate|rules)/';
module.exports = {
  forbidden: [
    {
      name: 'pure-imports-no-io',
      severity: 'error',
      comment: 'domain, normalize, validate and rules are pure: no IO, no logger, no env, no clock.',
      from: { path: PURE },
      to: { path: '^src/', pathNot: [PURE, '^src/errors\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pure-imports-no-node-io',
      severity: 'error',
      comment: 'pure modules do not touch files, network, processes or the database.',
      from: { path: PURE },
      to: {
        path: [
          '^(node:)?(fs|fs/promises|net|http|https|child_process|worker_threads|os|process)$',
          'node_modules/(pg|knex|axios|pino|exceljs|fastify)/',
        ],
      },
    },
    {
      name: 'oss-not-store',
      severity: 'error',
      comment: 'the OSS client and the store never import each other; sync/ composes them.',
      from: { path: '^src/oss/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'store-not-oss',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/oss/' },
    },
    {
      name: 'no-entry-point-imports',
      severity: 'error',
      comment:
        'cli/, http/, scheduler/ and web/ are thin entry points: only main.ts and other entry points import them.',
      from: { path: '^src/', pathNot: ['^src/(cli|http|scheduler|web)/', '^src/main\\.ts$'] },
      to: { path: '^src/(cli|http|scheduler|web)/' },
    },
    {
      name: 'web-not-http',
      severity: 'error',
      comment: 'http/ mounts the console (web/); the console never reaches back into http/.',
      from: { path: '^src/web/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'web-has-no-sql',
      severity: 'error',
      comment: 'web/ renders pages: it asks store/ and verification/ for data and writes no SQL itself.',
      from: { path: '^src/web/' },
      to: { path: 'node_modules/(pg|knex)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'simulator-is-independent',
      severity: 'error',
      comment: 'the fake never imports what it is there to test (import, normalize, validate, store, sync, oss).',
      from: { path: '^src/simulator/' },
      to: { path: '^src/(import|normalize|validate|store|sync|oss|rules|verification)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.d.ts'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
