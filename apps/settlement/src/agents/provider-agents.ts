import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { CommandType, DEMO_PROVIDER_ACCOUNTS, type UnsequencedCommand } from '@exchange/domain';
import { FINAL_LEASE_STATES, hashCredential, type Lease } from '@exchange/settlement';
import { SETTLEMENT_CONFIG, type SettlementConfig } from '../config/settlement-config';
import { ChainSettlement } from '../chain/chain-settlement';
import { PROVIDER_COLLATERAL_MINOR, redemptionDemoCommands } from './redemption-demo';
import { DEMO_PROVIDER_WALLETS, type DemoProviderWallets } from './stake-demo';
import {
  SETTLEMENT_CLOCK,
  SETTLEMENT_ENGINE,
  type SettlementClock,
  type SettlementEngine,
} from '../ports/ports';

/** How a simulated provider behaves on a lease. */
export type AgentProfile = 'reliable' | 'never_provisions' | 'weak_hardware' | 'drops_heartbeats';

/**
 * The profile of a lease's provider agent, fixed by the lease id: of every six leases three are
 * delivered in full, one is never provisioned, one attests a benchmark under the threshold and one
 * stops sending heartbeats an hour into delivery, so every failure path shows up in a demo.
 */
export function agentProfile(leaseId: string): AgentProfile {
  let h = 0;
  for (let i = 0; i < leaseId.length; i++) h = (h * 31 + leaseId.charCodeAt(i)) >>> 0;
  const profiles: AgentProfile[] = ['reliable', 'reliable', 'never_provisions', 'reliable', 'weak_hardware', 'drops_heartbeats']; // prettier-ignore
  return profiles[h % profiles.length]!;
}

/**
 * Simulated provider agents (embedded default): for each lease whose delivery has started they
 * provision (an endpoint and a fresh credential, of which only the SHA-256 goes to the exchange),
 * attest a benchmark, and send heartbeats, each as a sequenced command, each according to the
 * lease's profile. They read the clock through the settlement clock port, so tests drive them.
 */
@Injectable()
export class ProviderAgents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ProviderAgents');
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  /** Credentials handed to lessees (in memory only; the engine keeps their hashes). */
  private readonly credentials = new Map<string, string>();
  /** Each lease's state and paid hours as last logged. */
  private readonly logged = new Map<string, string>();
  /** Demo providers whose stake was sent on chain since the start (the bridge credits it at its pass). */
  private readonly staked = new Set<number>();

  constructor(
    @Inject(SETTLEMENT_CONFIG) private readonly config: SettlementConfig,
    @Inject(SETTLEMENT_CLOCK) private readonly clock: SettlementClock,
    @Inject(SETTLEMENT_ENGINE) private readonly engine: SettlementEngine,
    @Optional() private readonly chainSettlement?: ChainSettlement,
    @Optional() @Inject(DEMO_PROVIDER_WALLETS) private readonly wallets?: DemoProviderWallets,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.agents) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      void this.runOnce()
        .catch((err: unknown) => this.logger.error({ msg: 'agents failed', err: String(err) }))
        .finally(() => (this.running = false));
    }, this.config.intervalMs);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The commands every agent sends now (exposed for tests). */
  commands(now: number): UnsequencedCommand[] {
    const out: UnsequencedCommand[] = [];
    const ids = [...this.engine.state.settlement.leases.keys()].sort();
    for (const id of ids) {
      const c = this.next(this.engine.state.settlement.leases.get(id)!, now);
      if (c !== null) out.push(c);
    }
    return out;
  }

  async runOnce(): Promise<number> {
    this.logChanges(); // what happened since the last pass (new leases, the scheduler's ticks)
    const commands = this.commands(this.clock.nowMs());
    if (this.config.redemptionDemo) {
      if (this.wallets !== undefined) await this.stakeOnChain(this.wallets);
      commands.push(...redemptionDemoCommands(this.engine.state, this.wallets !== undefined));
    }
    if (commands.length > 0) await this.engine.submit(commands);
    this.logChanges();
    return commands.length;
  }

  /**
   * With wallets on the embedded chain, each demo provider without stake registers its wallet as its
   * payout address and stakes from it; the chain bridge credits the stake (ChainStake), and the
   * redemption demo commits capacity on it.
   */
  private async stakeOnChain(wallets: DemoProviderWallets): Promise<void> {
    const addresses = this.chainSettlement?.payoutAddresses;
    if (addresses === undefined) return;
    for (const accountId of DEMO_PROVIDER_ACCOUNTS) {
      if (this.staked.has(accountId) || (this.engine.state.account(accountId)?.stakeMinor ?? 0) > 0) continue;
      const reg = await wallets.registration(accountId);
      const current = addresses.get(accountId);
      const refused =
        current === undefined ? addresses.register(accountId, reg.address, reg.signature) : null;
      if (
        refused !== null ||
        (current !== undefined && current.toLowerCase() !== reg.address.toLowerCase())
      ) {
        // the account's payout address is another wallet: a stake from the demo's would not be its
        this.logger.warn({ msg: 'demo provider does not stake: its payout address is not the demo wallet', accountId, refused }); // prettier-ignore
        this.staked.add(accountId);
        continue;
      }
      await wallets.stake(accountId, PROVIDER_COLLATERAL_MINOR);
      this.staked.add(accountId);
      this.logger.log({ msg: 'demo provider staked on chain', accountId, address: addresses.get(accountId), amountMinor: PROVIDER_COLLATERAL_MINOR.toString() }); // prettier-ignore
    }
  }

  /**
   * Logs each lease's state and paid hours when they change, whoever changed them (an agent's
   * command, or time through the scheduler's LeaseTick: completion, a missed heartbeat, a slash).
   * A lease first seen already final (opened before a restart) is not logged.
   */
  private logChanges(): void {
    for (const l of this.engine.state.settlement.leases.values()) {
      const key = `${l.state}:${l.releasedHours}`;
      const last = this.logged.get(l.leaseId);
      if (last === key) continue;
      this.logged.set(l.leaseId, key);
      if (last === undefined && FINAL_LEASE_STATES.has(l.state)) continue;
      this.logger.log({ msg: 'lease', leaseId: l.leaseId, state: l.state.toLowerCase(), failure: l.failureReason?.toLowerCase() ?? null, releasedHours: l.releasedHours, agent: agentProfile(l.leaseId) }); // prettier-ignore
    }
  }

  private next(l: Lease, now: number): UnsequencedCommand | null {
    if (now < l.deliveryStartMs) return null;
    const profile = agentProfile(l.leaseId);
    switch (l.state) {
      case 'ALLOCATED': {
        if (profile === 'never_provisions') return null;
        const credential = randomBytes(24).toString('base64url');
        this.credentials.set(l.leaseId, credential);
        const endpoint = `ssh://gpu-${l.leaseId.toLowerCase()}.provider-${l.providerAccountId}.sim:22`;
        return { type: CommandType.ProvisionLease, leaseId: l.leaseId, endpoint, credentialHash: hashCredential(l.leaseId, credential) }; // prettier-ignore
      }
      case 'PROVISIONED': {
        const score = profile === 'weak_hardware' ? l.referenceScore * 0.6 : l.referenceScore * 1.02;
        return {
          type: CommandType.AttestLease,
          leaseId: l.leaseId,
          suite: l.benchmarkSuite,
          scorePerGpu: score,
        };
      }
      case 'VERIFIED':
      case 'ACTIVE': {
        if (profile === 'drops_heartbeats' && now >= l.deliveryStartMs + 3_600_000) return null;
        if (now - l.lastSeenMs < this.config.agentHeartbeatMs) return null;
        return { type: CommandType.LeaseHeartbeat, leaseId: l.leaseId };
      }
      default:
        return null;
    }
  }
}
