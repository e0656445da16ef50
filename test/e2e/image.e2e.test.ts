// The cluster path again, with every node agent running from the project's image in a real
// container runtime (podman and crun in the VM), as the chart's DaemonSet runs it: hostNetwork,
// root with NET_ADMIN, NET_RAW and SYS_MODULE only, the host's /proc/sys at /host/proc/sys. The
// image is built from the Dockerfile first (scripts/image.sh). See suite.ts and topology.sh's
// agent_container.
import { CLUSTER_NAMES } from './driver/cluster-names.js';
import { e2eSuite } from './suite.js';

e2eSuite('the agents as containers of the image, through a real API server (seed topology, test/e2e)', CLUSTER_NAMES, {
  LVS_E2E_APISERVER: '1',
  LVS_E2E_DRIVER: 'test/e2e/driver/cluster-main.ts',
  LVS_E2E_DRAIN_TIMEOUT: '30',
  LVS_E2E_IMAGE: '1',
});
