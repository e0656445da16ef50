export const USAGE = `Usage: lvs-operator <command> [options]

Commands:
  validate --manifests DIR
      Check every object in DIR (YAML/JSON: Nodes, VirtualServices, RealServers, Secrets).
  plan --manifests DIR --node NAME [--output yaml|json]
      Print the node's LVSNode: the IPVS services, VRRP instances, sysctls and addresses it must hold.
  render ipvs --manifests DIR --node NAME
      Print the node's IPVS table as \`ipvsadm -S -n\` prints it.
  render keepalived --manifests DIR --node NAME
      Print the node's keepalived.conf (VRRP only).
  local --manifests DIR [NODE AGENT FLAGS]
      Run the node agent from files: plan for NAME and apply it (IPVS, keepalived VRRP, sysctls,
      addresses, health checks) on every change of DIR and every resync. SIGTERM/SIGINT stop it and
      hand the VIP over; SIGUSR2 stops it leaving keepalived and the data plane for the next agent.
      A real server removed from the plan stays at weight 0 while it has connections, for at most
      the drain timeout. Prometheus metrics on http://ADDRESS/metrics (IPVS counters of the services
      it owns, VRRP states, health checks, passes), /healthz; an IPv6 host goes in brackets. The
      status goes to the status file (default STATE_DIR/status.json) and stdout.
  controller [--kubeconfig FILE] [--no-leader-elect] [--lease-namespace NS] [--lease-name NAME]
        [--resync-seconds 30] [--watch-quiet-seconds 150] [--metrics-address 0.0.0.0:8080|off]
      Run the controller: watch VirtualServices, RealServers and Nodes, write each node's LVSNode
      spec (server-side apply), and the VirtualServices' and RealServers' status, finalizers and
      Events. Replicas elect a leader with a Lease (namespace: --lease-namespace, else
      $POD_NAMESPACE, else lvs-operator-system). A watch quiet for longer than
      --watch-quiet-seconds is taken for dead and its resource listed again. Metrics (reconciles,
      leadership, writes) on http://ADDRESS/metrics, /healthz.
  agent [--kubeconfig FILE] [--node-labels KEY,...] [NODE AGENT FLAGS]
      Run the node agent in the cluster: apply the node's LVSNode as local does, and write its
      status (also to --status-file and stdout when given). The last plan is kept in the state dir
      and stays applied while the API server is unreachable. Signals and metrics as for local.
      With --node-labels (the labels that place the agent, as the chart's DaemonSet does), a
      SIGTERM on a node that carries none of them with the value "true" any more is for good: the
      agent waits up to 15 s for the controller's emptied plan, applies it (VIP handed over, its
      IPVS services, addresses and sysctls gone), then exits.
  import-keepalived FILE... [--node NAME] [--namespace NS]
      Turn keepalived.conf files (one per director) into Nodes, Secrets, VirtualServices and RealServers.
  --version
      Print the release (lvs-operator X.Y.Z).

Node agent flags, the same for local and agent:
  --node NAME                          default: $NODE_NAME
  --state-dir DIR                      default: /var/lib/lvs-operator (state, kept plan, keepalived's files)
  --proc-sys DIR                       default: /proc/sys (in a pod, where the host's is mounted)
  --status-file FILE                   also write the status here; local: default STATE_DIR/status.json
  --resync-seconds N                   default: 10
  --drain-timeout-seconds N            default: 300
  --metrics-address HOST:PORT|off      default: 0.0.0.0:9641
  --ipvs netlink|ipvsadm               default: netlink (generic netlink; ipvsadm: the tool, as before)
  --keepalived agent|container         default: agent (it starts keepalived daemonized); container:
                                       the pod's keepalived container does (the chart's default)

Exit status: 0 success, 1 invalid input (messages on stderr), 2 usage error.
`;
