// The cluster users install, on real kubelets: each host of the seed that is a Node runs
// containerd, a kubelet and kube-proxy in its own network namespace in the VM (kube-node.sh), the
// control plane on the host adds kube-controller-manager and kube-scheduler, and the driver
// (test/e2e/driver/pods-main.ts) installs the chart with helm and the seed's objects with kubectl,
// then runs the seed's checks through the pods. The image is built from the Dockerfile first.
import { PODS_NAMES } from './driver/pods-names.js';
import { e2eSuite } from './suite.js';

e2eSuite('the chart on real kubelets: agents and controller as pods (seed topology, test/e2e)', PODS_NAMES, {
  LVS_E2E_APISERVER: '1',
  LVS_E2E_IMAGE: '1',
  LVS_E2E_KUBELETS: 'lvs01,lvs02,nginx01,nginx02',
  LVS_E2E_DRIVER: 'test/e2e/driver/pods-main.ts',
  // four nodes' runtimes, kubelets and images (about 1.5 GB in the VM's tmpfs) beside the topology
  LVS_E2E_MEM: '6144',
});
