/** RFC 8785 canonicalization against the RFC's own vectors. */
import { canonicalize } from '../src/deployment';
import { runInNewContext } from 'node:vm';

const fromBits = (hex: string): number => Buffer.from(hex, 'hex').readDoubleBE(0);

test('RFC 8785 §3.2.2 example: literals, numbers and string escapes', () => {
  const input = JSON.parse(
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
      ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
  );
  expect(canonicalize(input)).toBe(
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );
});

test('RFC 8785 §3.2.3: keys sorted by UTF-16 code units (an emoji surrogate pair before U+FB33)', () => {
  const input = {
    '\u20ac': 'Euro Sign',
    '\r': 'Carriage Return',
    '\ufb33': 'Hebrew Letter Dalet With Dagesh',
    '1': 'One',
    '\ud83d\ude00': 'Emoji: Grinning Face',
    '\u0080': 'Control',
    '\u00f6': 'Latin Small Letter O With Diaeresis',
  };
  expect(canonicalize(input)).toBe(
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
});

test('RFC 8785 Appendix B: number serialization from IEEE 754 bit patterns', () => {
  const vectors: [string, string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'], // -0
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  for (const [bits, text] of vectors) expect([bits, canonicalize(fromBits(bits))]).toEqual([bits, text]);
  expect(canonicalize(-0)).toBe('0');
  expect(canonicalize([1e21, 0.000001, 1e-7])).toBe('[1e+21,0.000001,1e-7]');
});

test('nested values, undefined members left out, no whitespace; what JSON cannot hold is refused', () => {
  expect(canonicalize({ b: [1, { d: true, c: null }], a: 'x', u: undefined })).toBe('{"a":"x","b":[1,{"c":null,"d":true}]}');
  expect(() => canonicalize(NaN)).toThrow(/NaN/);
  expect(() => canonicalize(Infinity)).toThrow(/Infinity/);
  expect(() => canonicalize({ x: 1n })).toThrow(/bigint/);
  expect(() => canonicalize('\ud800')).toThrow(/surrogate/);
  expect(() => canonicalize(new Date(0))).toThrow(/plain object/);
  class Point {
    x = 1;
  }
  expect(() => canonicalize(new Point())).toThrow(/plain object/);
  // An object of another realm (what structuredClone gives inside a vm context) is plain too.
  const other = runInNewContext('({ a: { b: [1, "x"] }, n: null })') as unknown;
  expect(canonicalize(other)).toBe('{"a":{"b":[1,"x"]},"n":null}');
  expect(canonicalize(structuredClone({ z: 1, a: { y: true } }))).toBe('{"a":{"y":true},"z":1}');
});
