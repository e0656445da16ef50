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
  import-keepalived FILE... [--node NAME] [--namespace NS]
      Turn keepalived.conf files (one per director) into Nodes, Secrets, VirtualServices and RealServers.

Exit status: 0 success, 1 invalid input (messages on stderr), 2 usage error.
`;
