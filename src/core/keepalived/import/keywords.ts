// What the importer does with every keepalived keyword, per block. The lists are the contract
// quoted in the docs: a keyword is mapped to objects, accepted and ignored (it does not change
// which packets go where), or refused with a reason. Anything else is an unknown keyword: also an
// error, because silently dropping a line of someone's load-balancer config is never safe.

export type BlockContext =
  | 'top'
  | 'global_defs'
  | 'vrrp_instance'
  | 'vrrp_sync_group'
  | 'authentication'
  | 'virtual_server'
  | 'real_server'
  | 'tcp_check'
  | 'http_check'
  | 'url';

const CHECK_TIMING = ['connect_timeout', 'retry', 'delay_before_retry', 'delay_loop'] as const;

/** Keywords that become fields of the objects, per block. */
export const MAPPED_KEYWORDS: Readonly<Record<BlockContext, readonly string[]>> = {
  top: ['global_defs', 'vrrp_sync_group', 'vrrp_instance', 'virtual_server', 'virtual_server_group'],
  global_defs: ['router_id', 'lvs_id', 'vrrp_version', 'vrrp_mcast_group4', 'vrrp_mcast_group6'],
  vrrp_instance: [
    'state',
    'interface',
    'virtual_router_id',
    'priority',
    'advert_int',
    'version',
    'authentication',
    'virtual_ipaddress',
    'nopreempt',
    'preempt',
    'preempt_delay',
    'unicast_src_ip',
    'mcast_src_ip',
    'unicast_peer',
    'track_interface',
  ],
  // global_tracking: deprecated in keepalived, and the same as sync_group_tracking_weight
  vrrp_sync_group: ['group', 'sync_group_tracking_weight', 'global_tracking'],
  authentication: ['auth_type', 'auth_pass'],
  virtual_server: [
    'lb_algo',
    'lvs_sched',
    'lb_kind',
    'lvs_method',
    'protocol',
    'persistence_timeout',
    'persistence_granularity',
    'sh-port',
    'sh-fallback',
    'mh-port',
    'mh-fallback',
    'flag-1',
    'flag-2',
    'flag-3',
    'sorry_server',
    'sorry_server_lvs_method',
    'quorum',
    'hysteresis',
    'inhibit_on_failure',
    'weight',
    'virtualhost',
    ...CHECK_TIMING,
    'real_server',
  ],
  real_server: [
    'weight',
    'uthreshold',
    'lthreshold',
    'inhibit_on_failure',
    'lvs_method',
    'virtualhost',
    ...CHECK_TIMING,
    'TCP_CHECK',
    'HTTP_GET',
    'SSL_GET',
  ],
  tcp_check: ['connect_ip', 'connect_port', 'nb_get_retry', ...CHECK_TIMING],
  http_check: ['connect_ip', 'connect_port', 'nb_get_retry', ...CHECK_TIMING, 'virtualhost', 'url'],
  url: ['path', 'status_code', 'digest', 'virtualhost'],
};

const NOTIFY_VRRP = [
  'notify_master',
  'notify_backup',
  'notify_fault',
  'notify_stop',
  'notify',
  'notify_master_rx_lower_pri',
  'notify_priority_changes',
];
const GARP_INSTANCE = [
  'garp_master_delay',
  'garp_master_repeat',
  'garp_lower_prio_delay',
  'garp_lower_prio_repeat',
  'garp_master_refresh',
  'garp_master_refresh_repeat',
  'garp_interval',
  'gna_interval',
  'garp_extra_if',
  'garp_extra_if_vmac',
];

/**
 * Accepted and ignored: mail, SNMP, D-Bus, logging, process and script management, gratuitous
 * ARP pacing, and start-up niceties. None of them changes the IPVS table or who holds a VIP.
 */
export const IGNORED_KEYWORDS: Readonly<Record<BlockContext, readonly string[]>> = {
  top: ['linkbeat_interfaces', 'garp_group'],
  global_defs: [
    'notification_email',
    'notification_email_from',
    'smtp_server',
    'smtp_helo_name',
    'smtp_connect_timeout',
    'smtp_alert',
    'smtp_alert_vrrp',
    'smtp_alert_checker',
    'no_email_faults',
    'checker_log_all_failures',
    'enable_script_security',
    'script_user',
    'startup_script',
    'startup_script_timeout',
    'shutdown_script',
    'shutdown_script_timeout',
    'notify_fifo',
    'notify_fifo_script',
    'vrrp_notify_fifo',
    'vrrp_notify_fifo_script',
    'lvs_notify_fifo',
    'lvs_notify_fifo_script',
    'vrrp_notify_priority_changes',
    'vrrp_garp_master_delay',
    'vrrp_garp_master_repeat',
    'vrrp_garp_lower_prio_delay',
    'vrrp_garp_lower_prio_repeat',
    'vrrp_garp_master_refresh',
    'vrrp_garp_master_refresh_repeat',
    'vrrp_garp_interval',
    'vrrp_gna_interval',
    'vrrp_min_garp',
    'vrrp_lower_prio_no_advert',
    'vrrp_higher_prio_send_advert',
    'vrrp_check_unicast_src',
    'vrrp_skip_check_adv_addr',
    'vrrp_startup_delay',
    'vrrp_iptables',
    'vrrp_ipsets',
    'vrrp_nftables',
    'vrrp_no_swap',
    'checker_no_swap',
    'vrrp_priority',
    'checker_priority',
    'vrrp_rt_priority',
    'checker_rt_priority',
    'vrrp_rlimit_rttime',
    'checker_rlimit_rttime',
    'max_auto_priority',
    'min_auto_priority_delay',
    'dynamic_interfaces',
    'default_interface',
    'process_names',
    'process_name',
    'vrrp_process_name',
    'checker_process_name',
    'bfd_process_name',
    'use_pid_dir',
    'instance',
    'child_wait_time',
    'linkbeat_use_polling',
    'use_symlink_paths',
    'set_supplementary_groups',
    'tmp_config_directory',
    'config_save_dir',
    'umask',
    'namespace_with_ipsets',
    'local_name',
    'random_seed',
    'snmp_socket',
    'enable_snmp_keepalived',
    'enable_snmp_vrrp',
    'enable_snmp_checker',
    'enable_snmp_rfc',
    'enable_snmp_rfcv2',
    'enable_snmp_rfcv3',
    'enable_traps',
    'enable_dbus',
    'enable_dbus_instance',
    'vrrp_log_unknown_vrids',
    // The IPVS table is never flushed by lvs-operator (it only touches what it manages), and the
    // connection-sync daemon is run per VirtualService (spec.connectionSync, on by default).
    'lvs_flush',
    'lvs_flush_onstop',
    'lvs_sync_daemon',
  ],
  vrrp_instance: [
    ...NOTIFY_VRRP,
    ...GARP_INSTANCE,
    'smtp_alert',
    'debug',
    'lower_prio_no_advert',
    'higher_prio_send_advert',
    'kernel_rx_buf_size',
    'linkbeat_use_polling',
    'unicast_ttl',
    'unicast_fault_no_peer',
    'check_unicast_src',
    'old_unicast_checksum',
    'skip_check_adv_addr',
    'promote_secondaries',
    // keepalived's default (outside strict mode) is to accept packets for the VIP; so is ours.
    'accept',
    'lvs_sync_daemon_interface',
  ],
  vrrp_sync_group: [...NOTIFY_VRRP, 'smtp_alert'],
  authentication: [],
  virtual_server: [
    'ha_suspend',
    'alpha',
    'omega',
    'quorum_up',
    'quorum_down',
    'smtp_alert',
    'snmp_name',
    'warmup',
    // nat_mask has done nothing since Linux 2.6; ip_family only matters for fwmark services.
    'nat_mask',
    'ip_family',
  ],
  real_server: ['notify_up', 'notify_down', 'smtp_alert', 'snmp_name', 'alpha', 'warmup'],
  tcp_check: ['alpha', 'warmup', 'log_all_failures'],
  http_check: ['alpha', 'warmup', 'log_all_failures', 'http_protocol', 'fast_recovery', 'enable_sni', 'tls_compliant'],
  url: ['tls_compliant'],
};

/** Ignored keywords that run a program: we warn about each, since a user may depend on what it did. */
export const SCRIPT_KEYWORDS: readonly string[] = [
  ...NOTIFY_VRRP.filter((k) => k !== 'notify_priority_changes'),
  'notify_up',
  'notify_down',
  'quorum_up',
  'quorum_down',
  'startup_script',
  'shutdown_script',
  'notify_fifo_script',
  'vrrp_notify_fifo_script',
  'lvs_notify_fifo_script',
];

const TRACKING =
  'lvs-operator tracks interfaces only (track_interface in a vrrp_instance): the VIP moves on director failure, priority and tracked interfaces';
const HOST_NETWORK = 'it configures host networking beyond the VIP, which lvs-operator does not manage';
const ONE_CHECK = 'lvs-operator checks real servers with TCP, HTTP or HTTPS only';

/**
 * Every keepalived LVS/VRRP keyword the importer refuses, with the reason the error gives.
 * (`virtual_server fwmark N` and `virtual_server group NAME` are refused too: they are arguments.)
 */
export const REFUSED_KEYWORDS: Readonly<Record<string, string>> = {
  // top level
  vrrp_script: TRACKING,
  vrrp_track_process: TRACKING,
  vrrp_track_file: TRACKING,
  track_file: TRACKING,
  track_group: TRACKING,
  static_track_group: TRACKING,
  bfd_instance: 'BFD is not supported',
  static_ipaddress: HOST_NETWORK,
  static_routes: HOST_NETWORK,
  static_rules: HOST_NETWORK,
  interface_up_down_delays: 'VRRP interface debouncing is not supported',
  SSL: 'client certificates for SSL_GET are not supported (HTTPS checks present none)',
  // global_defs
  vrrp_strict: 'strict mode (firewall rules that drop traffic to VIPs, no authentication) is not supported',
  lvs_timeouts: 'IPVS connection timeouts (ipvsadm --set) are not managed by lvs-operator',
  net_namespace: 'running in another network namespace is not supported',
  net_namespace_ipvs: 'running IPVS in another network namespace is not supported',
  // vrrp_instance
  // in a vrrp_instance track_interface is mapped; here it is the sync group's own
  track_interface: 'a sync group’s track_interface is not supported: put it in each of its vrrp_instances',
  track_script: TRACKING,
  track_process: TRACKING,
  track_bfd: TRACKING,
  track_src_ip: TRACKING,
  dont_track_primary: TRACKING,
  use_vmac: 'VRRP virtual MAC interfaces are not supported',
  vmac_xmit_base: 'VRRP virtual MAC interfaces are not supported',
  native_ipv6: 'VRRP virtual MAC interfaces are not supported',
  no_accept: 'lvs-operator directors always accept packets for the VIP',
  strict_mode: 'strict mode is not supported',
  virtual_ipaddress_excluded: 'lvs-operator moves only the VIPs of VirtualServices',
  virtual_routes: HOST_NETWORK,
  virtual_rules: HOST_NETWORK,
  no_virtual_ipaddress: 'a VRRP instance without a VIP has nothing to move',
  down_timer_adverts: 'lvs-operator uses the standard master-down interval (3 adverts)',
  // virtual_server
  ops: 'one-packet scheduling is not supported',
  persistence_engine: 'persistence engines (sip) are not supported',
  sorry_server_inhibit: 'inhibiting the sorry server is not supported',
  // real_server
  MISC_CHECK: ONE_CHECK,
  SMTP_CHECK: ONE_CHECK,
  DNS_CHECK: ONE_CHECK,
  BFD_CHECK: ONE_CHECK,
  UDP_CHECK: ONE_CHECK,
  PING_CHECK: ONE_CHECK,
  FILE_CHECK: ONE_CHECK,
  // checkers
  bindto: 'health checks leave from the director’s own address; a source address is not supported',
  bind_port: 'a health-check source port is not supported',
  bind_if: 'a health-check source interface is not supported',
  fwmark: 'marking health-check packets is not supported',
  sni_name: 'a TLS server name other than the host is not supported',
  // url: the status and the body's MD5 digest are checked, but not a regex over the body
  regex: 'lvs-operator checks the status and the body’s MD5 digest, not a regex over the body',
  regex_no_match: 'lvs-operator checks the status and the body’s MD5 digest, not a regex over the body',
  regex_options: 'lvs-operator checks the status and the body’s MD5 digest, not a regex over the body',
  regex_stack: 'lvs-operator checks the status and the body’s MD5 digest, not a regex over the body',
  regex_min_offset: 'lvs-operator checks the status and the body’s MD5 digest, not a regex over the body',
  regex_max_offset: 'lvs-operator checks the status and the body’s MD5 digest, not a regex over the body',
};

export type KeywordClass = 'mapped' | 'ignored' | 'refused' | 'unknown';

export function classifyKeyword(context: BlockContext, keyword: string): KeywordClass {
  if (MAPPED_KEYWORDS[context].includes(keyword)) return 'mapped';
  if (IGNORED_KEYWORDS[context].includes(keyword)) return 'ignored';
  if (Object.hasOwn(REFUSED_KEYWORDS, keyword)) return 'refused';
  return 'unknown';
}

/** The kernel's IPVS schedulers, all of which keepalived passes through. */
export const LB_ALGOS = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'mh',
  'fo',
  'ovf',
  'twos',
] as const;
export type LbAlgo = (typeof LB_ALGOS)[number];
