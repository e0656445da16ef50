// The seed topology through a real kube-apiserver: the controller and the in-cluster agents
// (test/e2e/driver/cluster-main.ts), with the API server on the host (control-plane.ts, from the
// envtest binaries). About 5 min on 2 cores under TCG. See suite.ts.
import { CLUSTER_NAMES } from './driver/cluster-names.js';
import { e2eSuite } from './suite.js';

e2eSuite('the controller and agents through a real API server (seed topology, test/e2e)', CLUSTER_NAMES, {
  LVS_E2E_APISERVER: '1',
  LVS_E2E_DRIVER: 'test/e2e/driver/cluster-main.ts',
  // a deleted VirtualService's VIP leaves the real servers' lo after this (k9)
  LVS_E2E_DRAIN_TIMEOUT: '30',
});
