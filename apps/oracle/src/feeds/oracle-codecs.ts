import { Inject, Injectable } from '@nestjs/common';
import { ProviderReportCodec, RoundAttestor, addressOfPrivateKey } from '@exchange/oracle';
import { ORACLE_CONFIG, type OracleConfig } from '../config/oracle-config';

/** The EIP-712 codecs of the oracle's domain: provider reports in, signed index rounds out. */
@Injectable()
export class OracleCodecs {
  readonly reports: ProviderReportCodec;
  readonly rounds: RoundAttestor;
  readonly oracleAddress: string;

  constructor(@Inject(ORACLE_CONFIG) config: OracleConfig) {
    this.reports = new ProviderReportCodec(config.domain);
    this.rounds = new RoundAttestor(config.domain);
    this.oracleAddress = addressOfPrivateKey(config.signingKey);
  }
}
