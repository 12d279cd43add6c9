/** Registered providers: signing address, stake (bigint micro-USDC) and status. */
export type ProviderStatus = 'active' | 'suspended';

export interface ProviderRecord {
  readonly providerId: string;
  /** Lower-case 0x address that signs the provider's reports. */
  readonly address: string;
  readonly stakeMicros: bigint;
  readonly status: ProviderStatus;
}

export class ProviderRegistry {
  private readonly providers = new Map<string, ProviderRecord>();

  register(record: ProviderRecord): void {
    if (!/^0x[0-9a-fA-F]{40}$/.test(record.address)) throw new RangeError(`bad address ${record.address}`);
    if (record.stakeMicros < 0n) throw new RangeError('stake must not be negative');
    this.providers.set(record.providerId, { ...record, address: record.address.toLowerCase() });
  }

  get(providerId: string): ProviderRecord | undefined {
    return this.providers.get(providerId);
  }

  setStatus(providerId: string, status: ProviderStatus): boolean {
    const record = this.providers.get(providerId);
    if (record === undefined) return false;
    this.providers.set(providerId, { ...record, status });
    return true;
  }

  get size(): number {
    return this.providers.size;
  }

  list(): ProviderRecord[] {
    return [...this.providers.values()];
  }
}
