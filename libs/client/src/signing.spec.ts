import {
  constantTimeEqual,
  hmacHex,
  portableHmacHex,
  signRequest,
  signaturePayload,
  signedHeaders,
  verifySignature,
} from './signing';

describe('request signing', () => {
  it('signs timestamp + METHOD + path + body with HMAC-SHA256 (RFC 4231 vector)', () => {
    expect(signRequest('Jefe', 0, 'GET', '/', '')).toBe(hmacHex('Jefe', '0GET/'));
    const payload = signaturePayload(0, '', '', 'what do ya want for nothing?');
    expect(payload).toBe('0what do ya want for nothing?');
    expect(signRequest('Jefe', 1, '', '', '')).not.toBe(signRequest('Jefe', 2, '', '', ''));
  });

  it('is HMAC-SHA256: the RFC 4231 test case 2 value', () => {
    // with an empty method, path and body the payload is the timestamp alone; so use hmacHex directly
    expect(hmacHex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it("signs the same bytes with Node's crypto as with the portable implementation browsers run", () => {
    // on this Node (20.16+), hmacHex is the native one
    expect(hmacHex).not.toBe(portableHmacHex);
    expect(portableHmacHex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const alphabet = 'abcXYZ019{}":,/?=&é€𝄞\u0000 ';
    const text = (max: number) =>
      Array.from({ length: rand(max) }, () => [...alphabet][rand([...alphabet].length)]).join('');
    for (let i = 0; i < 500; i++) {
      const secret = text(100);
      const payload = text(300);
      expect(hmacHex(secret, payload)).toBe(portableHmacHex(secret, payload));
    }
  });

  it('verifies what it signed and nothing else', () => {
    const sig = signRequest('secret', 1_700_000_000_000, 'post', '/v1/orders', '{"a":1}');
    expect(verifySignature('secret', sig, 1_700_000_000_000, 'POST', '/v1/orders', '{"a":1}')).toBe(true);
    expect(
      verifySignature('secret', sig.toUpperCase(), 1_700_000_000_000, 'POST', '/v1/orders', '{"a":1}'),
    ).toBe(true);
    expect(verifySignature('secret', sig, 1_700_000_000_001, 'POST', '/v1/orders', '{"a":1}')).toBe(false);
    expect(verifySignature('secret', sig, 1_700_000_000_000, 'POST', '/v1/orders', '{"a":2}')).toBe(false);
    expect(verifySignature('other', sig, 1_700_000_000_000, 'POST', '/v1/orders', '{"a":1}')).toBe(false);
    expect(verifySignature('secret', sig, 1_700_000_000_000, 'POST', '/v1/orders?x=1', '{"a":1}')).toBe(
      false,
    );
  });

  it('builds the three headers, plus the receive window when given', () => {
    const h = signedHeaders('ak_1', 's', 5, 'GET', '/v1/x', '', 1000);
    expect(Object.keys(h).sort()).toEqual([
      'x-api-key',
      'x-api-recv-window',
      'x-api-signature',
      'x-api-timestamp',
    ]);
    expect(h['x-api-signature']).toBe(signRequest('s', 5, 'GET', '/v1/x', ''));
  });

  it('compares in constant time', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
  });
});
