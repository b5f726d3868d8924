import type { EndpointManager } from '../endpoints/endpoint-manager.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { S3Api } from '../s3/s3-api.js';
import type { InvocationHandler } from '../server/http-server.js';
import type { OperationRegistry } from '../server/operation-registry.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Store } from '../store/store.js';

/** One emulated account's resources: what requests signed as that account reach, and what others may share. */
export interface AccountResources {
  readonly accountId: string;
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly objects: ObjectStore;
  readonly s3: S3Api;
  readonly operations: OperationRegistry;
  readonly endpoints: EndpointManager;
  readonly invocations: InvocationHandler;
  close(): Promise<void>;
}

/**
 * The accounts one local server emulates. The default account is the data dir itself; every other account a
 * request names (by its access key id, `slipway-local-<12 digits>`) has its own database, objects, registry
 * and endpoints under `<dataDir>/accounts/<id>/`, opened on its first request (and at start, when it exists).
 */
export class AccountDirectory {
  private readonly opening = new Map<string, Promise<AccountResources>>();
  private readonly open = new Map<string, AccountResources>();
  private main: AccountResources | undefined;

  constructor(private readonly openAccount: (accountId: string) => Promise<AccountResources>) {}

  /** The default account, opened by the server itself. */
  register(main: AccountResources): void {
    this.main = main;
    this.open.set(main.accountId, main);
  }

  /** The account's resources, opening them on first use. */
  async account(accountId: string): Promise<AccountResources> {
    const ready = this.open.get(accountId);
    if (ready) return ready;
    let pending = this.opening.get(accountId);
    if (!pending) {
      pending = this.openAccount(accountId).then((resources) => {
        this.open.set(accountId, resources);
        return resources;
      });
      pending.catch(() => this.opening.delete(accountId));
      this.opening.set(accountId, pending);
    }
    return pending;
  }

  /** An account already opened; undefined for one no request has named (it holds nothing yet). */
  opened(accountId: string): AccountResources | undefined {
    return this.open.get(accountId);
  }

  /** Every opened account, the default first. */
  all(): AccountResources[] {
    return [...this.open.values()];
  }

  /** The account that owns `bucket` (bucket names are global, as in S3), if any. */
  async bucketOwner(bucket: string): Promise<AccountResources | undefined> {
    for (const account of this.open.values()) if (await account.objects.bucketExists(bucket)) return account;
    return undefined;
  }

  /** Closes every account but the default one (its service closes itself). */
  async closeOthers(): Promise<void> {
    await Promise.allSettled([...this.opening.values()]);
    for (const account of this.open.values()) if (account !== this.main) await account.close();
  }
}
