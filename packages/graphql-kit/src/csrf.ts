import type { IncomingHttpHeaders } from 'node:http';

/** Headers only a page's own script sets, which makes a browser ask the server first (a CORS preflight); Apollo's pair. */
const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'];

/** Content types a browser sends cross-site without asking first (https://fetch.spec.whatwg.org/#cors-safelisted-request-header). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

export const CSRF_REFUSAL =
  'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF): send it with a JSON content type, ' +
  `or a non-empty ${PREFLIGHT_HEADERS.join(' or ')} header`;

/**
 * Apollo Server's CSRF prevention rule, kept here so that one rule guards every way a request
 * is answered, the response cache's hits included (docs/adr/0013): a request a browser would
 * send cross-site without a preflight (a GET, or a POST of a simple content type, carrying
 * none of the preflight headers) may have been forged by another site, and must not run.
 */
export function mayBeCrossSiteForgery(headers: IncomingHttpHeaders): boolean {
  const contentType = headers['content-type'];
  // A MIME type's essence is its type/subtype, lowercased, without parameters.
  if (contentType !== undefined && !SIMPLE_CONTENT_TYPES.has(contentType.split(';', 1)[0]!.trim().toLowerCase())) return false;
  return !PREFLIGHT_HEADERS.some((name) => {
    const value = headers[name];
    return value !== undefined && value.length > 0;
  });
}
