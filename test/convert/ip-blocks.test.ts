/** MetalLB address entries to edgelb blocks: a bare address is a host block of its family. */
import { expect, test } from 'bun:test';
import { ipBlockFromMetalLB } from '../../agent/convert/ip-blocks.ts';
import { type ConvertResult, Notes } from '../../agent/convert/types.ts';

function block(text: string) {
  const result: ConvertResult = { objects: [], warnings: [], errors: [] };
  const b = ipBlockFromMetalLB(text, 'spec.addresses[0]', new Notes('IPAddressPool/p', result));
  return { b, errors: result.errors.length };
}

test.each([
  ['10.0.0.1', { cidr: '10.0.0.1/32' }],
  [' fd00::1 ', { cidr: 'fd00::1/128' }],
  ['10.0.0.0/30', { cidr: '10.0.0.0/30' }],
])('%p', (text, want) => {
  expect(block(text)).toEqual({ b: want, errors: 0 });
});

test('a bad bare address is an error', () => {
  expect(block('10.0.0.300')).toEqual({ b: undefined, errors: 1 });
});
