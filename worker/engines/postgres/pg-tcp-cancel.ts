/**
 * PostgreSQL's out-of-band cancel: a CancelRequest (process id + secret key from BackendKeyData)
 * sent on a second, short-lived socket, because the busy connection itself reads nothing until its
 * statement ends. pg's own `Client.cancel` waits for the plain `connect` event, which never comes on
 * a TLS connection, so the few bytes are written here directly over `cloudflare:sockets`.
 */
import { connect } from 'cloudflare:sockets';

export interface BackendKey {
  processID: number;
  secretKey: number;
}

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;

function packet(...ints: number[]): Uint8Array {
  const bytes = new Uint8Array(ints.length * 4);
  const view = new DataView(bytes.buffer);
  for (const [i, n] of ints.entries()) view.setInt32(i * 4, n);
  return bytes;
}

/**
 * Asks the server to cancel whatever `key`'s backend is running. Best effort, as in libpq: the
 * server answers nothing, and a failure here leaves the statement to its own statement_timeout.
 */
export async function cancelBackend(
  address: { hostname: string; port: number },
  key: BackendKey,
  tls: boolean,
): Promise<void> {
  let socket = connect(address, { secureTransport: tls ? 'starttls' : 'off', allowHalfOpen: false });
  try {
    if (tls) {
      // A TLS-only server still takes the cancel in the clear after refusing SSL ('N'), as libpq does.
      const writer = socket.writable.getWriter();
      await writer.write(packet(8, SSL_REQUEST));
      writer.releaseLock();
      const reader = socket.readable.getReader();
      const { value } = await reader.read();
      reader.releaseLock();
      if (value?.[0] === 0x53 /* 'S' */) socket = socket.startTls();
    }
    const writer = socket.writable.getWriter();
    await writer.write(packet(16, CANCEL_REQUEST, key.processID, key.secretKey));
    await writer.close().catch(() => {});
  } finally {
    await socket.close().catch(() => {});
  }
}
