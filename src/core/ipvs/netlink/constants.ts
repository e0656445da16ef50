// The numbers of the kernel's IPVS generic netlink family (include/uapi/linux/ip_vs.h) and of the
// generic netlink controller (include/uapi/linux/genetlink.h) that this project uses. The kernel
// assigns the IPVS family's id at boot; the controller's is fixed (GENL_ID_CTRL).

export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD_NEWFAMILY = 1;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

export const IPVS_CMD = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_INFO: 14,
  GET_INFO: 15,
} as const;

export const IPVS_CMD_ATTR = { SERVICE: 1, DEST: 2, DAEMON: 3 } as const;

export const IPVS_SVC_ATTR = {
  AF: 1,
  PROTOCOL: 2,
  ADDR: 3,
  PORT: 4,
  FWMARK: 5,
  SCHED_NAME: 6,
  FLAGS: 7,
  TIMEOUT: 8,
  NETMASK: 9,
  STATS: 10,
  PE_NAME: 11,
  STATS64: 12,
} as const;

export const IPVS_DEST_ATTR = {
  ADDR: 1,
  PORT: 2,
  FWD_METHOD: 3,
  WEIGHT: 4,
  U_THRESH: 5,
  L_THRESH: 6,
  ACTIVE_CONNS: 7,
  INACT_CONNS: 8,
  PERSIST_CONNS: 9,
  STATS: 10,
  ADDR_FAMILY: 11,
  STATS64: 12,
  TUN_TYPE: 13,
  TUN_PORT: 14,
  TUN_FLAGS: 15,
} as const;

export const IPVS_DAEMON_ATTR = { STATE: 1, MCAST_IFN: 2, SYNC_ID: 3 } as const;

/** In STATS the packet and connection counters are u32 and the byte counters u64; in STATS64 all are u64. */
export const IPVS_STATS_ATTR = { CONNS: 1, INPKTS: 2, OUTPKTS: 3, INBYTES: 4, OUTBYTES: 5 } as const;

export const IPVS_INFO_ATTR = { VERSION: 1, CONN_TAB_SIZE: 2 } as const;

export const IP_VS_SVC_F_PERSISTENT = 0x1;
/** Set by the kernel on every service it has hashed: dumps show it, nobody asks for it. */
export const IP_VS_SVC_F_HASHED = 0x2;
export const IP_VS_SVC_F_ONEPACKET = 0x4;
/** IP_VS_SVC_F_SCHED1..3: the scheduler flags (flag-1 .. flag-3). */
export const IP_VS_SVC_F_SCHED = [0x8, 0x10, 0x20] as const;

/** IP_VS_CONN_F_MASQ, _TUNNEL, _DROUTE: the forwarding method in the low 3 bits. */
export const IP_VS_CONN_F_FWD_MASK = 0x7;
export const FORWARDING_CODE = { NAT: 0, TUN: 2, DR: 3 } as const;

export const TUNNEL_TYPE_CODE = { ipip: 0, gue: 1, gre: 2 } as const;
/** IP_VS_TUNNEL_ENCAP_FLAG_*: nocsum is no bit. */
export const TUNNEL_FLAG = { nocsum: 0, csum: 0x1, remcsum: 0x2 } as const;

/** IP_VS_STATE_MASTER / _BACKUP. */
export const DAEMON_STATE = { master: 1, backup: 2 } as const;

export const AF_INET = 2;
export const AF_INET6 = 10;
export const PROTOCOL_NUMBER = { TCP: 6, UDP: 17, SCTP: 132 } as const;
