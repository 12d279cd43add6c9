import { DEMO_FUTURE_PRODUCT, demoFuture, demoFutureSymbol } from '@exchange/domain';
import { futureSettlementTerms } from '@exchange/settlement';
import { loadDemoDeliveryConfig } from '../src/demo/demo-delivery-config';

const HOUR = 3_600_000;

it('makes the demo future from data: expiry rounded up to the minute, two hours of delivery from expiry', () => {
  const d = demoFuture(Date.UTC(2026, 10, 24, 0, 30, 12), 5 * 60_000);
  const expiryMs = Date.UTC(2026, 10, 24, 0, 36);
  expect(d.symbol).toBe('H100-DEMO-261124-0036');
  expect(d.future).toEqual({
    cadence: 'demo',
    settlement: 'physical',
    expiryMs,
    settlementWindowMs: DEMO_FUTURE_PRODUCT.settlementWindowMs,
    deliveryStartMs: expiryMs,
    deliveryEndMs: expiryMs + 2 * HOUR,
  });
  // a whole minute stays as it is
  expect(demoFuture(Date.UTC(2026, 10, 24, 0, 30), 5 * 60_000).future!.expiryMs).toBe(
    Date.UTC(2026, 10, 24, 0, 35),
  );
  expect(demoFutureSymbol('A100', Date.UTC(2027, 0, 2, 13, 5))).toBe('A100-DEMO-270102-1305');
  // one lot is an 8-GPU node for the delivery window
  expect(futureSettlementTerms(d).gpusPerLot).toBe(8);
  expect(() => demoFuture(Date.UTC(2026, 10, 24), 0)).toThrow(RangeError);
});

it('reads ENGINE_DEMO_EXPIRY_MIN: 5 by default, refuses what is not a whole number of minutes from 5', () => {
  expect(loadDemoDeliveryConfig({})).toEqual({ expiryMin: 5 });
  expect(loadDemoDeliveryConfig({ ENGINE_DEMO_EXPIRY_MIN: '12' })).toEqual({ expiryMin: 12 });
  for (const bad of ['4', '2.5', 'x', '-5', '10081'])
    expect(() => loadDemoDeliveryConfig({ ENGINE_DEMO_EXPIRY_MIN: bad })).toThrow(
      /ENGINE_DEMO_EXPIRY_MIN must be an integer in \[5, 10080\]/,
    );
});
