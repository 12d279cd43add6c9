import fc from 'fast-check';
import { CommandType, Dec, OrderType, Side, TimeInForce, listCatalogue } from '@exchange/domain';
import {
  PLACE_ORDER_SCHEMA,
  assetAmountMinor,
  toAmendOrder,
  toPlaceOrder,
  toSteps,
  type PlaceOrderRequest,
} from './order-requests';
import { validate } from './schema';

const spot = listCatalogue(Date.UTC(2026, 0, 1)).find((d) => d.symbol === 'H100-USDC')!.contract;
const base: PlaceOrderRequest = { instrument: 'H100-USDC', side: 'buy', price: '2.5', quantity: '10' };
const place = (r: Partial<PlaceOrderRequest>) => toPlaceOrder({ ...base, ...r }, 1, spot, 7);
const code = (r: Partial<PlaceOrderRequest>) => {
  const c = place(r);
  return c.ok ? 'ok' : `${c.error.code}:${c.error.field}`;
};

describe('decimal strings to ticks and lots', () => {
  it('converts exactly, never rounding user input', () => {
    expect(toSteps('2.5', '0.0001')).toBe(25_000);
    expect(toSteps('2.50005', '0.0001')).toBe('off');
    expect(toSteps('2.500000000000000001', '0.0001')).toBe('off'); // a float would call this on tick
    expect(toSteps('0.0003', '0.0001')).toBe(3);
    expect(toSteps('123456789012345', '5')).toBe(24_691_357_802_469); // 15 digits: integer path
    expect(toSteps('1234567890123456', '2')).toBe(617_283_945_061_728); // 16 digits: decimal.js
  });

  it('agrees with decimal.js on any plain decimal and step', () => {
    const decimal = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.integer({ min: 0, max: 18 }))
      .map(([m, scale]) => new Dec(m.toString()).div(new Dec(10).pow(scale)).toFixed(scale));
    const step = fc
      .tuple(fc.constantFrom(1, 2, 5, 25), fc.integer({ min: 0, max: 8 }))
      .map(([m, scale]) => new Dec(m).div(new Dec(10).pow(scale)).toFixed(scale));
    fc.assert(
      fc.property(decimal, step, (v, s) => {
        const q = new Dec(v).div(s);
        expect(toSteps(v, s)).toBe(q.isInteger() ? q.toNumber() : 'off');
      }),
      { numRuns: 2000 },
    );
  });

  it('builds the engine command from a request', () => {
    const c = place({ clientOrderId: 'c1', postOnly: true });
    expect(c).toEqual({
      ok: true,
      command: expect.objectContaining({
        type: CommandType.PlaceOrder, instrumentId: 1, accountId: 7, side: Side.Buy, orderType: OrderType.Limit,
        timeInForce: TimeInForce.GTC, priceTicks: 25_000, qtyLots: 10, flags: 1, clientOrderId: 'c1',
      }),
    }); // prettier-ignore
    const market = place({ type: 'market', price: undefined });
    expect(market.ok && market.command.timeInForce).toBe(TimeInForce.IOC);
  });

  it('refuses with the engine codes what needs no book to refuse', () => {
    expect(code({ price: '2.50001' })).toBe('PRICE_NOT_ON_TICK:price');
    expect(code({ price: '0' })).toBe('INVALID_PRICE:price');
    expect(code({ price: '100.0001' })).toBe('INVALID_PRICE:price');
    expect(code({ quantity: '0' })).toBe('INVALID_QUANTITY:quantity');
    expect(code({ quantity: '1.5' })).toBe('SIZE_NOT_ON_LOT:quantity');
    expect(code({ quantity: '1000001' })).toBe('SIZE_ABOVE_MAXIMUM:quantity');
    expect(code({ price: undefined })).toBe('INVALID_PRICE:price');
    expect(code({ type: 'market' })).toBe('INVALID_PRICE:price');
    expect(code({ stopPrice: '2' })).toBe('INVALID_STOP_PRICE:stopPrice');
    expect(code({ type: 'stop_limit' })).toBe('INVALID_STOP_PRICE:stopPrice');
    expect(code({ displayQuantity: '11' })).toBe('INVALID_DISPLAY_QUANTITY:displayQuantity');
    expect(code({ timeInForce: 'GTD' })).toBe('INVALID_EXPIRY:expireAtMs');
    expect(code({ expireAtMs: 5 })).toBe('INVALID_EXPIRY:expireAtMs');
    expect(code({ type: 'stop_limit', stopPrice: '2.4' })).toBe('ok');
  });

  it('converts amendments (a missing field keeps its value)', () => {
    const a = toAmendOrder({ quantity: '4' }, 1, spot, 7, { orderId: 99 });
    expect(a).toEqual({
      ok: true,
      command: expect.objectContaining({
        orderId: 99,
        qtyLots: 4,
        priceTicks: 0,
        type: CommandType.AmendOrder,
      }),
    });
    const none = toAmendOrder({}, 1, spot, 7, { orderId: 99 });
    expect(!none.ok && none.error.code).toBe('AMEND_NO_CHANGE');
    const off = toAmendOrder({ price: '1.00001' }, 1, spot, 7, { orderId: 99 });
    expect(!off.ok && off.error.code).toBe('PRICE_NOT_ON_TICK');
  });

  it('converts transfer amounts per asset', () => {
    expect(assetAmountMinor('USDC', '1.5')).toBe(1_500_000n);
    expect(assetAmountMinor('USDC', '0.0000001')).toBeUndefined();
    expect(assetAmountMinor('USDC', '0')).toBeUndefined();
    expect(assetAmountMinor('H100', '12')).toBe(12n);
    expect(assetAmountMinor('H100', '1.5')).toBeUndefined();
  });
});

describe('request validation', () => {
  it('refuses unknown fields, wrong types, JSON numbers for decimals and missing fields', () => {
    const v = (x: unknown) => {
      const r = validate(PLACE_ORDER_SCHEMA, x);
      return r.ok ? 'ok' : `${r.error.code}:${r.error.field}`;
    };
    expect(v(base)).toBe('ok');
    expect(v({ ...base, extra: 1 })).toBe('UNKNOWN_FIELD:extra');
    expect(v({ ...base, price: 2.5 })).toBe('VALIDATION_FAILED:price');
    expect(v({ ...base, price: '2.5e3' })).toBe('VALIDATION_FAILED:price');
    expect(v({ ...base, side: 'long' })).toBe('VALIDATION_FAILED:side');
    expect(v({ ...base, quantity: undefined })).toBe('VALIDATION_FAILED:quantity');
    expect(v({ ...base, clientOrderId: 'é' })).toBe('VALIDATION_FAILED:clientOrderId');
    expect(v({ ...base, expireAtMs: 1.5 })).toBe('VALIDATION_FAILED:expireAtMs');
    expect(v('text')).toBe('VALIDATION_FAILED:body');
    expect(v(null)).toBe('VALIDATION_FAILED:body');
  });
});
