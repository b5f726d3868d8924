import { describe, expect, it } from '@jest/globals';
import { BlockList, isIP } from 'node:net';
import { inCidr, parseCidr } from '../src/eventbridge/cidr.js';

describe('inCidr (the cidr operator, as EventBridge matches it)', () => {
  it('matches IPv4 and IPv6 addresses inside a block, at its edges, and nothing outside', () => {
    expect(inCidr('10.0.0.0', '10.0.0.0/24')).toBe(true);
    expect(inCidr('10.0.0.255', '10.0.0.0/24')).toBe(true);
    expect(inCidr('10.0.1.0', '10.0.0.0/24')).toBe(false);
    expect(inCidr('192.0.2.7', '192.0.2.7/32')).toBe(true);
    expect(inCidr('203.0.113.9', '0.0.0.0/0')).toBe(true);
    expect(inCidr('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(inCidr('2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::/32')).toBe(true);
    expect(inCidr('2001:db9::', '2001:db8::/32')).toBe(false);
    expect(inCidr('::1', '::1/128')).toBe(true);
  });

  it('never matches across families', () => {
    expect(inCidr('10.0.0.1', '::/0')).toBe(false);
    expect(inCidr('2001:db8::1', '0.0.0.0/0')).toBe(false);
  });

  it('reads a hex IPv4-mapped IPv6 address as the IPv4 address it maps', () => {
    expect(inCidr('::ffff:a00:1', '10.0.0.0/8')).toBe(true);
    expect(inCidr('0:0:0:0:0:ffff:0a00:0001', '10.0.0.0/8')).toBe(true);
    expect(inCidr('::ffff:a00:1', '::/0')).toBe(false);
    // node:net agrees on this one.
    const blocks = new BlockList();
    blocks.addSubnet('10.0.0.0', 8, 'ipv4');
    expect(blocks.check('::ffff:a00:1', 'ipv6')).toBe(true);
  });

  it('treats the mixed notation ::ffff:a.b.c.d as a plain string, where node:net reads an address', () => {
    expect(inCidr('::ffff:10.0.0.1', '10.0.0.0/8')).toBe(false);
    expect(inCidr('::ffff:10.0.0.1', '::/0')).toBe(false);
    expect(parseCidr('::ffff:10.0.0.0/104')).toBeUndefined();
    const blocks = new BlockList();
    blocks.addSubnet('10.0.0.0', 8, 'ipv4');
    expect(blocks.check('::ffff:10.0.0.1', 'ipv6')).toBe(true);
  });

  it('refuses ambiguous leading zeros in values and in blocks', () => {
    expect(inCidr('010.0.0.1', '10.0.0.0/8')).toBe(false);
    expect(inCidr('10.0.0.01', '10.0.0.0/8')).toBe(false);
    expect(parseCidr('010.0.0.0/8')).toBeUndefined();
    expect(isIP('010.0.0.1')).toBe(0);
    // A single 0 is no leading zero.
    expect(inCidr('10.0.0.0', '10.0.0.0/8')).toBe(true);
  });

  it('refuses malformed addresses and blocks', () => {
    for (const block of [
      '10.0.0.0',
      '10.0.0.0/33',
      '10.0.0.0/-1',
      '10.0.0.0/8/8',
      '10.0.0.0/x',
      '256.0.0.0/8',
      '10.0.0/8',
      '2001:db8::/129',
      '2001:db8:::/32',
      '1:2:3:4:5:6:7:8:9/64',
      '1:2:3:4:5:6:7::8/64',
      'g::/16',
      'example.com/8',
    ]) {
      expect(parseCidr(block)).toBeUndefined();
    }
    for (const value of ['10.0.0', '10.0.0.256', '10.0.0.1 ', ' 10.0.0.1', '::g', '1::2::3', '', 'localhost']) {
      expect(inCidr(value, '0.0.0.0/0') || inCidr(value, '::/0')).toBe(false);
    }
  });
});
