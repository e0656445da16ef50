// The checks of the cluster path (controller and in-cluster agents through a real API server), by
// id: test/e2e/driver/cluster-main.ts reports them, test/e2e/cluster.e2e.test.ts turns each into a test.
export const CLUSTER_NAMES: Record<string, string> = {
  k1: "k1. kubectl apply of the seed's objects: the controller writes every node's LVSNode, the in-cluster agents program it; the master's ipvsadm -Ln has the service with both real servers, the backup the same, only the master holds the VIP",
  k2: 'k2. the real servers hold the VIP on lo and have arp_ignore 1 / arp_announce 2',
  k3: "k3. persistence removed with kubectl: curl -s VIP | grep '<h1>' alternates nginx01/nginx02",
  k4: "k4. the master's ipvsadm -Lnc shows the client's connections spread as the answers were",
  k5: "k5. the VirtualService's status, written from the agents' reports: Ready, the master named, 2/2 real servers ready, both directors programmed; each RealServer healthy on both directors",
  k6: "k6. a RealServer's weight edited with kubectl reaches both directors' IPVS tables (the time is measured)",
  k7: 'k7. crash of the master: the backup holds the VIP and serves, and the VirtualService status names it master',
  k8: 'k8. the API server unreachable from every node: the data plane serves, health checks still take a dead real server out; once it is back, a change made meanwhile is applied and the status catches up',
  k10: "k10. /metrics of the agents and the controller, scraped as Prometheus does: IPVS connections, packets and bytes per destination, VRRP state per instance, health checks, apply and reconcile figures, with the topology's real values",
  k11: "k11. split brain: VRRP cut between the directors (their switch ports isolated, links up): both hold the VIP and the status is Degraded naming both; on the heal one master (lvs01) remains, the client's ARP entry names it and the client is served (times and lost requests measured)",
  k12: 'k12. the controller crash-looping (SIGKILLed six times, after 0.3 to 6 s of life) while a RealServer is patched: the VIP serves every request meanwhile, and once a controller runs again the change reaches both directors',
  k13: "k13. the master's agent SIGKILLed as kubectl's change reaches it: the VIP stays on lvs01 and serves every request, the restarted agent adopts the same keepalived and applies the change",
  k9: "k9. kubectl delete of the VirtualService: the directors' tables lose it, the VIP leaves the real servers' lo, and the object goes once every agent has cleaned up",
};
