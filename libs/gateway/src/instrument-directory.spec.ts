import { InstrumentStatus, listCatalogue } from '@exchange/domain';
import { InstrumentDirectory } from './instrument-directory';

const nowMs = Date.UTC(2026, 10, 23);

describe('instrument directory', () => {
  it("describes listed books with the catalogue's terms, or the engine's for instruments the catalogue lacks", () => {
    const spot = listCatalogue(nowMs).find((d) => d.symbol === 'H100-USDC')!;
    const listedOnly = { ...spot, symbol: 'H100-TEST' }; // terms only the engine knows
    const dir = new InstrumentDirectory(nowMs);
    dir.sync([
      { instrumentId: 1, symbol: 'H100-USDC', status: InstrumentStatus.Trading },
      { instrumentId: 2, symbol: 'H100-TEST', status: InstrumentStatus.Trading, definition: listedOnly },
      { instrumentId: 3, symbol: 'H100-UNKNOWN', status: InstrumentStatus.Trading },
    ]);
    expect(dir.bySymbolName('H100-USDC')?.definition).toEqual(spot);
    expect(dir.bySymbolName('H100-TEST')?.definition).toBe(listedOnly);
    expect(dir.bySymbolName('H100-UNKNOWN')).toBeUndefined(); // no terms to price it with
    expect(dir.all().map((e) => e.instrumentId)).toEqual([1, 2]);
  });
});
