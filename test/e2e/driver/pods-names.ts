// The checks of the cluster users install (real kubelets, the chart, the image), by id:
// test/e2e/driver/pods-main.ts reports them, test/e2e/pods.e2e.test.ts turns each into a test.
export const PODS_NAMES: Record<string, string> = {
  p1: 'p1. the Nodes register themselves from their kubelets and become Ready; they are labelled with kubectl label as the README says; kube-proxy carries the "kubernetes" Service to the API server',
  p2: "p2. helm install of the chart with default values but the image: the agent DaemonSet's pods run on the four labelled Nodes, the controller's two replicas run and one leads",
  p3: "p3. kubectl apply of the seed's objects (no Node objects): the master's ipvsadm -Ln has the service with both real servers, the backup the same, only the master holds the VIP",
  p4: "p4. the real servers' agent pods hold the VIP on lo and set arp_ignore 1 / arp_announce 2 (the host's /proc/sys through the chart's hostPath, unprivileged)",
  p5: "p5. persistence removed with kubectl: curl -s VIP | grep '<h1>' alternates nginx01/nginx02",
  p6: "p6. the master's ipvsadm -Lnc shows the client's connections spread as the answers were",
  p7: 'p7. kubectl get virtualservices: Ready, the master named, 2/2 real servers ready, both directors programmed',
  p16: "p16. a real server's nginx stopped: its RealServer is healthy on 0/2 directors, then 2/2 once started again (the objects are dumped for Argo CD's health at each stage: applied, Ready, this one)",
  p13: "p13. kube-proxy in IPVS mode on the directors, the VIP in its --ipvs-exclude-cidrs: its services (the kubernetes Service, a Service created and deleted) and the agent's share the directors' tables, neither's sync or pass touches the other's, and the agent's service is never deleted (its connection counter never restarts)",
  p15: "p15. the master's agent process killed (SIGKILL) under a request loop: the kubelet restarts the agent container alone, keepalived in the pod's keepalived container keeps running and is adopted, the VIP never moves and no request fails",
  p8: "p8. kubectl delete pod of the master's agent under a request loop: it hands the VIP to the backup (SIGTERM), the DaemonSet brings it back and it takes the VIP back; the VIP serves afterwards; requests counted",
  p10: 'p10. helm upgrade to a new image tag and agent.privileged=true under a request loop: the DaemonSet and the Deployment roll, every pod runs the new image, the agents privileged (a sysctl changed by hand is put back), the VIP serves afterwards; requests counted',
  p12: "p12. helm uninstall, then kubectl apply --server-side -f deploy/manifests/ (the chart rendered, its public image name): the pods come back and serve the seed's objects, which outlived the uninstall",
  p11: "p11. the leading controller's pod killed (no grace): the other replica leads, and a RealServer weight changed after it reaches both directors",
  p14: "p14. a director unlabelled with kubectl under a request loop: its agent pod goes and leaves the node clean (no IPVS service of ours, no VIP, no keepalived, sysctls restored, LVSNode deleted; kube-proxy's services stay), the backup serves and is named master; labelled again, it is a director again",
  p9: 'p9. the master Node dies (kubelet, runtime and pods killed, link down): the backup serves, the status names it master; requests counted',
};
