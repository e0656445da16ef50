// What keepalived itself makes of a config, value by value (lib/parser.c, check/check_parser.c,
// vrrp/vrrp_parser.c, vrrp/vrrp.c): the import must give what keepalived ran, and say so at the
// line, where a reader would expect otherwise. Each case once was silently wrong.
import { describe, expect, it } from 'vitest';
import type { RealServer, VirtualService } from '../../../src/core/api/objects.js';
import { VRRP_PASSWORD_RULE } from '../../../src/core/api/vrrp.js';
import { configError, importTexts, lineOf, template } from './helpers.js';

type Objects = ReturnType<typeof importTexts>['objects'];
const service = (objects: Objects) => objects.find((o): o is VirtualService => o.kind === 'VirtualService')!;
const realServer = (objects: Objects) => objects.find((o): o is RealServer => o.kind === 'RealServer')!;

/** Imports `text` as a.conf; the warnings without the one about other directors' priorities. */
function importOne(text: string) {
  const { objects, warnings } = importTexts({ 'a.conf': text });
  return { objects, warnings: warnings.filter((w) => !w.includes('VRRP priority is known')) };
}

describe('keyword values are compared case-sensitively, as keepalived does', () => {
  it('lb_kind dr is NAT: keepalived logs an unknown routing method', () => {
    const text = template().replace('lb_kind DR', 'lb_kind dr');
    const { objects, warnings } = importOne(text);
    expect(service(objects).spec.forwarding).toBe('NAT');
    expect(warnings).toEqual([
      `a.conf:${lineOf(text, 'lb_kind dr')}: lb_kind "dr" is not NAT, DR or TUN (keepalived compares case-sensitively): keepalived logs an unknown routing method and keeps the previous one (NAT by default), and so does the import`,
    ]);
  });

  it('auth_type pass is no authentication: no Secret, no authSecretRef', () => {
    const text = template({ vrrp: 'authentication {\n auth_type pass\n auth_pass secret\n }' });
    const { objects, warnings } = importOne(text);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    expect(service(objects).spec.vrrp?.authSecretRef).toBeUndefined();
    expect(warnings).toEqual([
      `a.conf:${lineOf(text, 'auth_type pass')}: auth_type "pass" is not PASS or AH (keepalived compares case-sensitively): keepalived logs an unknown authentication type and sends no authentication, and so does the import`,
      `a.conf:${lineOf(text, 'auth_pass')}: auth_pass without auth_type PASS: keepalived sends no authentication, and so does the import`,
    ]);
  });

  it('state master is BACKUP: so nopreempt stays (keepalived drops it only for MASTER)', () => {
    const lower = template({ vrrp: 'state master\n nopreempt' });
    const { objects, warnings } = importOne(lower);
    expect(service(objects).spec.vrrp?.preempt).toBe(false);
    expect(warnings).toEqual([
      `a.conf:${lineOf(lower, 'state master')}: state "master" is not MASTER or BACKUP (keepalived compares case-sensitively): keepalived logs an unknown state and starts as BACKUP, and so does the import`,
    ]);
    const upper = importOne(template({ vrrp: 'state MASTER\n nopreempt' }));
    expect(service(upper.objects).spec.vrrp?.preempt).toBe(true);
  });

  it('inhibit_on_failure YES is ignored: keepalived reads only lower-case booleans', () => {
    const text = template({ rs: 'inhibit_on_failure YES' });
    const { objects, warnings } = importOne(text);
    expect(service(objects).spec.healthCheck?.onFailure).toBe('Remove');
    expect(warnings).toEqual([
      `a.conf:${lineOf(text, 'inhibit_on_failure')}: inhibit_on_failure "YES" is not on|off|true|false|yes|no (keepalived compares case-sensitively): keepalived logs an invalid parameter and ignores the line, and so does the import`,
    ]);
  });
});

describe("keepalived's defaults and syntax", () => {
  it('persistence_granularity alone is persistence of 360 s (check_parser.c pgr_handler)', () => {
    const text = template({ vs: 'persistence_granularity 255.255.255.0' });
    const { objects, warnings } = importOne(text);
    expect(service(objects).spec.persistence).toEqual({ timeout: 360, netmask: '255.255.255.0' });
    expect(warnings).toEqual([
      `a.conf:${lineOf(text, 'persistence_granularity')}: persistence_granularity without persistence_timeout: keepalived makes the service persistent for 360 s, and so does the import`,
    ]);
  });

  it('\\# and \\! in a value are the characters; a lone quote is an ordinary character', () => {
    const text = template({
      global: "notification_email_from o'brien@example.com\n notification_email {\n  ops'team@example.com\n }",
      check: 'virtualhost www\\#1\\!.example.com # the comment',
    });
    const { objects, warnings } = importOne(text);
    expect(service(objects).spec.healthCheck?.host).toBe('www#1!.example.com');
    expect(warnings).toEqual([]);
  });

  it.each([
    ['auth_pass ab\\!cd', 'ab!cd'],
    ['auth_pass "a b"', 'a b'],
    ['auth_pass "a{b}#\'"', "a{b}#'"],
  ])('%s is the password %j (the renderer quotes it back)', (statement, password) => {
    const text = template({ vrrp: `authentication {\n auth_type PASS\n ${statement}\n }` });
    expect(importOne(text).objects.find((o) => o.kind === 'Secret')).toMatchObject({ stringData: { password } });
  });

  it.each([
    ['auth_pass "a b\\\\"', 'ends in a backslash'],
    ['auth_pass "a\tb"', 'a tab'],
    ['auth_pass "pä ss"', 'not ASCII, with a blank'],
  ])('refuses %s at its line, by the rule the planner applies (%s)', (statement) => {
    const text = template({ vrrp: `authentication {\n auth_type PASS\n ${statement}\n }` });
    expect(configError(() => importTexts({ 'a.conf': text })).message).toBe(
      `a.conf:${lineOf(text, 'auth_pass')}: auth_pass cannot be carried over: ${VRRP_PASSWORD_RULE} (of the first 8, which keepalived uses)`,
    );
  });

  it('a password keepalived cuts at 8 characters is checked on those 8', () => {
    const text = template({ vrrp: 'authentication {\n auth_type PASS\n auth_pass 12345678\\!\n }' });
    const { objects } = importOne(text);
    expect(objects.find((o) => o.kind === 'Secret')).toMatchObject({ stringData: { password: '12345678!' } });
  });

  it('accepts the standard multicast groups, refuses another one at its line', () => {
    const standard = template({ global: 'vrrp_mcast_group4 224.0.0.18\n vrrp_mcast_group6 FF02::12' });
    expect(importOne(standard).warnings).toEqual([]);
    const other = template({ global: 'vrrp_mcast_group4 224.0.0.19' });
    expect(configError(() => importTexts({ 'a.conf': other })).message).toBe(
      `a.conf:${lineOf(other, 'vrrp_mcast_group4')}: vrrp_mcast_group4 224.0.0.19 is not supported: lvs-operator sends VRRP to the standard group 224.0.0.18`,
    );
  });

  it('a VIP listed twice in one instance is imported once, with a warning naming the VIP and both lines', () => {
    const text = template().replace('        10.0.0.1\n', '        10.0.0.1\n        10.0.0.1/32\n');
    const { objects, warnings } = importOne(text);
    expect(service(objects).spec.address).toBe('10.0.0.1');
    expect(warnings).toEqual([
      `a.conf:${lineOf(text, '10.0.0.1/32')}: VIP 10.0.0.1 is listed again (first at a.conf:${lineOf(text, '        10.0.0.1')}): keepalived holds it once, and so does the import`,
    ]);
  });
});

describe('a VIP listed again on another device', () => {
  it('is still refused at its line: it would be a second address, not a repetition', () => {
    const text = template().replace('        10.0.0.1\n', '        10.0.0.1\n        10.0.0.1 dev eth9\n');
    expect(configError(() => importTexts({ 'a.conf': text })).message).toBe(
      `a.conf:${lineOf(text, 'dev eth9')}: VIP 10.0.0.1 is listed again with other options (first at a.conf:${lineOf(text, '        10.0.0.1')}): keepalived would hold a second address; lvs-operator holds a VIP once`,
    );
  });
});

describe('refused with the reason at the line', () => {
  it.each(['virtual_server 10.0.0.1 0', 'virtual_server 10.0.0.1'])('%s (all ports)', (head) => {
    const text = template().replace('virtual_server 10.0.0.1 80', head);
    expect(configError(() => importTexts({ 'a.conf': text })).message).toBe(
      `a.conf:${lineOf(text, 'virtual_server')}: a virtual_server without a port or on port 0 (all ports, persistent) is not supported`,
    );
  });
});

describe('words after a value', () => {
  it("are comments after # or !, and ignored otherwise, as keepalived's handlers ignore them", () => {
    const commented = template().replace('lb_kind DR', 'lb_kind DR # direct routing ! really');
    expect(importOne(commented).warnings).toEqual([]);
    const text = template({ check: 'delay_loop 10 seconds' }).replace('lb_kind DR', 'lb_kind DR // direct routing');
    const { objects, warnings } = importOne(text);
    expect(service(objects).spec).toMatchObject({ forwarding: 'DR', healthCheck: { interval: 10 } });
    expect(warnings).toEqual([
      `a.conf:${lineOf(text, 'lb_kind')}: lb_kind DR: keepalived ignores what follows ("// direct routing", it logs an invalid tunnel option), and so does the import`,
      `a.conf:${lineOf(text, 'delay_loop')}: delay_loop: keepalived reads only 10 and ignores "seconds", and so does the import`,
    ]);
  });

  it('still refuse a tunnel lvs-operator cannot build', () => {
    const text = template().replace('lb_kind DR', 'lb_kind TUN type gue port 6080');
    expect(configError(() => importTexts({ 'a.conf': text })).message).toContain('lvs-operator tunnels with ipip only');
  });
});

describe('alpha', () => {
  it('is not dropped silently: a warning at each line that turns it on', () => {
    const text = template({ vs: 'alpha', rs: 'alpha on', check: 'alpha off' });
    const { objects, warnings } = importOne(text);
    expect(realServer(objects).spec.address).toBe('10.0.0.2');
    const message =
      'alpha is not carried over: keepalived starts these real servers down until their first check passes; lvs-operator has no such setting and counts a real server up until its check fails (keepalived without alpha)';
    expect(warnings).toEqual([
      `a.conf:${lineOf(text, '    alpha')}: ${message}`,
      `a.conf:${lineOf(text, 'alpha on')}: ${message}`,
    ]);
  });
});
