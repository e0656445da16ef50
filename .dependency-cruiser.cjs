// The layers of src/, kept by `npm run lint` (depcruise) and proven by test/unit/layers.test.ts,
// which plants one violation of each rule and sees it caught.
//   src/core     pure: API types and validation, planner, IPVS model, keepalived render/import
//   src/kube, src/io   edges both binaries share (Kubernetes client; logs, flags, files, HTTP)
//   src/node     the node agent          src/cluster   the controller
//   src/cli      the dispatcher, which nothing imports
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-only-core',
      comment: 'The pure core reads no files, sockets or processes and knows nothing of the binaries.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(?!core/)' },
    },
    {
      name: 'core-is-pure',
      comment:
        'No I/O in the core. node:path (posix joins in the importer) and node:net (eslint lets only its ' +
        'address predicates isIP/isIPv4/isIPv6 through) are the only Node built-ins it may use.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?(path|net)$' },
    },
    {
      name: 'core-has-no-kubernetes-client-or-metrics',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: 'node_modules/(@kubernetes/client-node|prom-client)/' },
    },
    {
      name: 'node-does-not-import-cluster',
      comment: 'The agent and the controller are two binaries over one core: they share only core, kube and io.',
      severity: 'error',
      from: { path: '^src/node/' },
      to: { path: '^src/cluster/' },
    },
    {
      name: 'cluster-does-not-import-node',
      severity: 'error',
      from: { path: '^src/cluster/' },
      to: { path: '^src/node/' },
    },
    {
      name: 'shared-edges-import-no-binary',
      comment: 'kube and io serve both binaries, so they may import neither.',
      severity: 'error',
      from: { path: '^src/(kube|io)/' },
      to: { path: '^src/(node|cluster)/' },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli(/|\\.ts$)' },
      to: { path: '^src/cli(/|\\.ts$)' },
    },
    {
      name: 'no-cycles',
      comment: 'A cycle between modules is a cycle between folders in the making.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders form layers: if core/plan uses core/api, core/api does not use core/plan.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
