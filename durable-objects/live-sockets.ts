import type { Connection } from 'partyserver';

/**
 * The room's open sockets, kept as a list in memory. partyserver's own `getConnections()` asks
 * the runtime for every socket and structured-clones each one's attachment on every call, and
 * y-partyserver calls it once per relayed frame: with 100 members that is 100 clones per edit.
 * Here the list is built once per wake-up (hibernation drops memory, the runtime keeps the
 * sockets) and then kept by `add`/`remove` from the room's connect and close handlers.
 */
export class LiveSockets {
  readonly #byId = new Map<string, Connection>();
  #built = false;

  /** The open sockets; `everyOpen` (the runtime's list) is read only the first time after a wake-up. */
  *open(everyOpen: () => Iterable<Connection>): Generator<Connection> {
    this.#build(everyOpen);
    for (const [id, connection] of this.#byId) {
      // A socket the room closed itself may get no close event: drop it on sight.
      if (connection.readyState === WebSocket.OPEN) yield connection;
      else if (connection.readyState === WebSocket.CLOSED) this.#byId.delete(id);
    }
  }

  add(connection: Connection, everyOpen: () => Iterable<Connection>): void {
    this.#build(everyOpen);
    this.#byId.set(connection.id, connection);
  }

  remove(connection: Connection): void {
    this.#byId.delete(connection.id);
  }

  #build(everyOpen: () => Iterable<Connection>): void {
    if (this.#built) return;
    for (const connection of everyOpen()) this.#byId.set(connection.id, connection);
    this.#built = true;
  }
}
