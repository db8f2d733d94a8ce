import { lookup } from 'node:dns/promises';
import { checkAddress, checkHost } from './address.policy';
import type { ForbiddenReason } from './address-ranges';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name resolution, injectable so tests decide what a name resolves to without DNS. */
export interface HostResolver {
  resolve(hostname: string): Promise<ResolvedAddress[]>;
}

export const HOST_RESOLVER = Symbol('HOST_RESOLVER');

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address it answers. */
export const systemResolver: HostResolver = {
  async resolve(hostname) {
    const answers = await lookup(hostname, { all: true, verbatim: true });
    return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  },
};

export type Destination =
  | { allowed: true; address: string; family: 4 | 6 }
  | { allowed: false; reason: ForbiddenReason; address: string | null };

/**
 * Decides where one delivery attempt may connect. The rule for names with several addresses: if
 * ANY of them is forbidden, the destination is refused. Skipping the bad ones would let whoever
 * controls the DNS answer mix a private address in and hope a retry or another client picks it;
 * a legitimate public receiver has no reason to publish a private address.
 * The address returned is the one the connection must use (pinned: no second lookup).
 */
export class DestinationGuard {
  constructor(
    private readonly resolver: HostResolver,
    private readonly allowPrivate: boolean,
  ) {}

  async check(url: URL): Promise<Destination> {
    const host = checkHost(url.hostname, this.allowPrivate);
    if (host.kind === 'address') {
      const { reason } = host.verdict;
      return reason
        ? { allowed: false, reason, address: host.address }
        : { allowed: true, address: host.address, family: host.family };
    }
    if (host.reason) return { allowed: false, reason: host.reason, address: null };
    const answers = await this.resolver.resolve(host.name);
    if (answers.length === 0) throw new Error(`${host.name} resolved to no address`);
    for (const answer of answers) {
      const { reason } = checkAddress(answer.address, this.allowPrivate);
      if (reason) return { allowed: false, reason, address: answer.address };
    }
    return { allowed: true, address: answers[0].address, family: answers[0].family };
  }
}
