// Every refused keyword is an error naming its file and line; every ignored one imports cleanly.
import { describe, expect, it } from 'vitest';
import { IGNORED_KEYWORDS, REFUSED_KEYWORDS, SCRIPT_KEYWORDS } from '../../../src/core/keepalived/import/index.js';
import { configError, importTexts, lineOf, template } from './helpers.js';

type Slot = 'top' | 'global' | 'vrrp' | 'sync' | 'vs' | 'rs' | 'check' | 'url';

/** Where each refused keyword lives in a keepalived.conf. */
const REFUSED_IN: Record<Slot, string[]> = {
  top: [
    'vrrp_script',
    'vrrp_track_process',
    'vrrp_track_file',
    'track_file',
    'track_group',
    'static_track_group',
    'bfd_instance',
    'static_ipaddress',
    'static_routes',
    'static_rules',
    'interface_up_down_delays',
    'SSL',
  ],
  global: ['vrrp_strict', 'lvs_timeouts', 'net_namespace', 'net_namespace_ipvs'],
  vrrp: [
    'track_script',
    'track_process',
    'track_bfd',
    'track_src_ip',
    'dont_track_primary',
    'use_vmac',
    'vmac_xmit_base',
    'native_ipv6',
    'no_accept',
    'strict_mode',
    'virtual_ipaddress_excluded',
    'virtual_routes',
    'virtual_rules',
    'no_virtual_ipaddress',
    'down_timer_adverts',
  ],
  // in a vrrp_instance track_interface is mapped; a sync group's own is refused
  sync: ['track_interface'],
  vs: ['ops', 'persistence_engine', 'sorry_server_inhibit'],
  rs: ['MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'BFD_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK'],
  check: ['bindto', 'bind_port', 'bind_if', 'fwmark', 'sni_name'],
  url: ['regex', 'regex_no_match', 'regex_options', 'regex_stack', 'regex_min_offset', 'regex_max_offset'],
};

const IGNORED_SLOT: Record<string, Slot> = {
  top: 'top',
  global_defs: 'global',
  vrrp_instance: 'vrrp',
  vrrp_sync_group: 'sync',
  virtual_server: 'vs',
  real_server: 'rs',
  http_check: 'check',
  url: 'url',
};

/** Block keywords get a block, as a real config would write them. */
const statement = (keyword: string): string =>
  /^[A-Z]|_group$|^static_|^vrrp_script$|^track_|^virtual_|^bfd_|^interface_/.test(keyword)
    ? `${keyword} {\n    x 1\n}`
    : `${keyword} 1`;

describe('refused keywords', () => {
  it('the table covers every refused keyword', () => {
    expect(Object.values(REFUSED_IN).flat().sort()).toEqual(Object.keys(REFUSED_KEYWORDS).sort());
  });

  const cases = Object.entries(REFUSED_IN).flatMap(([slot, keywords]) =>
    keywords.map((k) => [k, slot as Slot] as const),
  );
  it.each(cases)('%s (in %s) is an error naming the file and the line', (keyword, slot) => {
    const text = template({ [slot]: statement(keyword) });
    const error = configError(() => importTexts({ 'conf/lvs01.conf': text }));
    expect(error.problems).toHaveLength(1);
    expect(error.message).toBe(
      `conf/lvs01.conf:${lineOf(text, keyword)}: ${keyword} is not supported: ${REFUSED_KEYWORDS[keyword]}`,
    );
  });

  it('an unknown keyword is an error too: nothing is dropped silently', () => {
    const text = template({ vs: 'frobnicate 1' });
    expect(configError(() => importTexts({ 'a.conf': text })).message).toBe(
      `a.conf:${lineOf(text, 'frobnicate')}: unknown keyword "frobnicate" in virtual_server`,
    );
  });
});

describe('ignored keywords', () => {
  it.each(Object.entries(IGNORED_SLOT))(
    'every keyword ignored in %s imports, warning only about scripts',
    (context, slot) => {
      const ignored = IGNORED_KEYWORDS[context as keyof typeof IGNORED_KEYWORDS];
      const text = template({ [slot]: ignored.map((k) => `${k} 1`).join('\n') });
      const { warnings } = importTexts({ 'a.conf': text });
      const scripts = ignored.filter((k) => SCRIPT_KEYWORDS.includes(k));
      expect(warnings.filter((w) => w.includes('runs no keepalived scripts'))).toHaveLength(scripts.length);
    },
  );

  it('ignored blocks are skipped whole, whatever they hold', () => {
    const text = template({ global: 'notification_email {\n  a@b.c\n  track_script x\n}' });
    expect(importTexts({ 'a.conf': text }).objects.length).toBeGreaterThan(0);
  });
});
