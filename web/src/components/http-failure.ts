import { ApiError } from '../api/client.ts';

/** The API's error envelope from a raw (streamed) response, as the client's ApiError. */
export async function toHttpFailure(res: Response): Promise<ApiError> {
  let body: { error?: { code?: string; message?: string; requestId?: string } } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // Not JSON (a proxy page): the status line below is all there is.
  }
  return new ApiError(
    res.status,
    body.error?.code ?? 'http_error',
    body.error?.message ?? `Export failed (${res.status})`,
    body.error?.requestId ?? res.headers.get('X-Request-Id') ?? undefined,
  );
}
