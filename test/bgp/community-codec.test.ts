/** wire/communities.ts: COMMUNITIES and LARGE_COMMUNITY values and text forms, at their edges. */
import { expect, test } from 'bun:test';
import {
  decodeCommunities,
  decodeLargeCommunities,
  formatCommunity,
  formatLargeCommunity,
  parseCommunity,
  parseLargeCommunity,
} from '../../agent/bgp/wire/communities.ts';
import { hex } from './hex.ts';

test('COMMUNITIES values: a positive multiple of 4 octets', () => {
  expect(decodeCommunities(hex(''))).toBeUndefined();
  expect(decodeCommunities(hex('fde800'))).toBeUndefined();
  expect(decodeCommunities(hex('fde80064'))).toEqual([0xfde80064]);
  expect(decodeCommunities(hex('fde8006401'))).toBeUndefined();
  expect(decodeCommunities(hex('ffffffff00000001'))).toEqual([0xffffffff, 1]);
});

test('LARGE_COMMUNITY values: a positive multiple of 12 octets', () => {
  const one = '0000fde8' + '00000001' + 'ffffffff';
  expect(decodeLargeCommunities(hex(''))).toBeUndefined();
  expect(decodeLargeCommunities(hex(one.slice(2)))).toBeUndefined();
  expect(decodeLargeCommunities(hex(one))).toEqual([[65000, 1, 0xffffffff]]);
  expect(decodeLargeCommunities(hex(one + '00'))).toBeUndefined();
  expect(decodeLargeCommunities(hex(one + '000000010000000200000003'))).toEqual([
    [65000, 1, 0xffffffff],
    [1, 2, 3],
  ]);
});

test('community text', () => {
  expect(parseCommunity('65000:100')).toBe(0xfde80064);
  expect(parseCommunity(' 1:2 ')).toBe(0x00010002);
  expect(parseCommunity('0:0')).toBe(0);
  expect(parseCommunity('65535:65535')).toBe(0xffffffff);
  expect(parseCommunity('65536:1')).toBeUndefined();
  expect(parseCommunity('1:65536')).toBeUndefined();
  expect(parseCommunity('123456:1')).toBeUndefined();
  expect(parseCommunity('1:2:3')).toBeUndefined();
  expect(parseCommunity('a:b')).toBeUndefined();
  expect(formatCommunity(0xfde80064)).toBe('65000:100');
  expect(formatCommunity(0xffffffff)).toBe('65535:65535');
  expect(formatCommunity(0x00010000)).toBe('1:0');
});

test('large community text', () => {
  expect(parseLargeCommunity('65000:1:2')).toEqual([65000, 1, 2]);
  expect(parseLargeCommunity(' 4294967295:0:4294967295 ')).toEqual([4294967295, 0, 4294967295]);
  expect(parseLargeCommunity('4294967296:0:1')).toBeUndefined();
  expect(parseLargeCommunity('1:4294967296:1')).toBeUndefined();
  expect(parseLargeCommunity('1:1:4294967296')).toBeUndefined();
  expect(parseLargeCommunity('1:2')).toBeUndefined();
  expect(formatLargeCommunity([65000, 1, 2])).toBe('65000:1:2');
});
