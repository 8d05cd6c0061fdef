/** What the server said about a site's manifest on the first request of a page. */
export type ServerAnswer =
  | { kind: 'ok'; candidate: unknown }
  | { kind: 'not-found' }
  | { kind: 'denied' }
  | { kind: 'unreachable'; status?: number };

/** Asks `<server>/api/sites/<address>` once, within `timeoutMs`. The candidate is unverified. */
export async function askServer(server: string, address: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<ServerAnswer> {
  let response: Response;
  try {
    response = await fetchImpl(`${server}/api/sites/${address}`, { cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return { kind: 'unreachable' };
  }
  if (response.status === 451) return { kind: 'denied' };
  if (response.status === 404) return { kind: 'not-found' };
  if (!response.ok) return { kind: 'unreachable', status: response.status };
  return { kind: 'ok', candidate: await response.json().catch(() => undefined) };
}
