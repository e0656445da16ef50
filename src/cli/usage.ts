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
  local --manifests DIR --node NAME --state-dir DIR [--status-file FILE] [--resync-seconds 10]
        [--drain-timeout-seconds 300]
      Run the node agent from files: plan for NAME and apply it (IPVS, keepalived VRRP, sysctls,
      addresses, health checks) on every change of DIR and every resync. SIGTERM/SIGINT stop it and
      hand the VIP over; SIGUSR2 stops it leaving keepalived and the data plane for the next agent.
      A real server removed from the plan stays at weight 0 while it has connections, for at most
      the drain timeout.
  import-keepalived FILE... [--node NAME] [--namespace NS]
      Turn keepalived.conf files (one per director) into Nodes, Secrets, VirtualServices and RealServers.

Exit status: 0 success, 1 invalid input (messages on stderr), 2 usage error.
`;
