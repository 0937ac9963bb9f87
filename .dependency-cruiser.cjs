/**
 * The direction dependencies take: handler → provider → ports. `npm test` runs this
 * (`npm run deps`) and fails on any violation. The map of what lives where is docs/layout.md.
 */
const CORE = '^shared/(core|providers|apps|crypto|secrets|util)/';
const OUTSIDE_CORE =
  '^shared/(adapters|http|log)/|^functions/|^local/|^infra/|^scripts/|^bench/|^test/|^packages/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle ties modules together so neither can change or be tested alone.',
      from: { path: '^(shared|functions|infra|local|packages/simulators/src)/' },
      to: { circular: true },
    },
    {
      name: 'core-takes-its-dependencies',
      severity: 'error',
      comment:
        'The core (providers and what they build on) gets AWS, the environment and HTTP through ports; only adapters and handlers touch them.',
      from: { path: CORE },
      to: { path: OUTSIDE_CORE },
    },
    {
      name: 'apps-below-providers',
      comment: 'What an app record may hold is the vocabulary providers build on, never the other way.',
      severity: 'error',
      from: { path: '^shared/(apps|core|crypto|secrets|util)/' },
      to: { path: '^shared/providers/' },
    },
    {
      name: 'core-uses-no-aws-sdk',
      severity: 'error',
      comment: 'AWS SDK clients belong in shared/adapters/.',
      from: { path: CORE },
      to: { path: '@aws-sdk|@aws-lambda-powertools|@middy' },
    },
    {
      name: 'core-reads-no-lambda-events',
      severity: 'error',
      comment: 'API Gateway events are read in shared/http/, not in the domain.',
      from: { path: CORE },
      to: { path: 'aws-lambda' },
    },
    {
      name: 'product-stands-alone',
      severity: 'error',
      comment: 'The product code never reaches into the local runtime, the tests or the simulators.',
      from: { path: '^(shared|functions|infra)/' },
      to: { path: '^(local|test|scripts|bench)/|^packages/simulators/|@secpass/simulators' },
    },
    {
      name: 'handlers-are-entry-points',
      severity: 'error',
      comment: 'Nothing in the product imports a handler; the gateway emulator and CDK load them by path.',
      from: { path: '^(shared|infra)/' },
      to: { path: '^functions/' },
    },
    {
      name: 'simulators-stand-alone',
      severity: 'error',
      comment: 'A simulator built from our own code would only agree with our own reading.',
      from: { path: '^packages/simulators/' },
      to: { path: '^(shared|functions|infra|local|test|scripts|bench)/' },
    },
    {
      name: 'infra-is-declarative',
      severity: 'error',
      comment: 'The CDK app reads tables and configuration, never the domain at work or the adapters.',
      from: { path: '^infra/' },
      to: { path: '^shared/(providers|http)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|\\.local)/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
