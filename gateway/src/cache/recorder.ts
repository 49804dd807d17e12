import type { ApolloServerPlugin } from '@apollo/server';
import { CACHE_REPORT_EXTENSION, type CacheReport } from '@shop/contracts';
import type { CacheScope } from './store.js';

/** What the response cache learns while one request executes. */
export class CacheRecorder {
  readonly tags = new Set<string>();
  /** As the subgraphs reported them: read with their schemas when purged (tagsInvalidatedByAll). */
  readonly changes: unknown[] = [];
  operation: 'query' | 'mutation' | 'subscription' | null = null;
  policy: { maxAge: number; scope: CacheScope } | null = null;
  /** Set when the operation touches anything access-controlled: its answer is never shared. */
  callerSpecific = false;

  /** Takes a subgraph's report off its response (clients never see it). */
  absorb(extensions: Record<string, unknown> | undefined) {
    const report = extensions?.[CACHE_REPORT_EXTENSION] as CacheReport | undefined;
    if (!report) return;
    delete extensions![CACHE_REPORT_EXTENSION];
    this.record(report);
  }

  record(report: CacheReport) {
    for (const tag of report.tags) this.tags.add(tag);
    this.changes.push(...report.changes);
  }
}

/** Hands the operation's type and the cache policy the subgraphs' hints add up to, to the recorder. */
export function cacheRecorderPlugin<Context extends { cache: CacheRecorder }>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, overallCachePolicy }) {
          contextValue.cache.operation = operation?.operation ?? null;
          const policy = overallCachePolicy.policyIfCacheable();
          contextValue.cache.policy = policy ? { maxAge: policy.maxAge, scope: policy.scope } : null;
        },
      };
    },
  };
}
