import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** Where to connect instead of the target (127.0.0.1). */
  readonly port: number;
  /** Nothing passes either way, and new connections are held: a server that hangs, not one that is down. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/**
 * A TCP relay in front of a server (a database, Redis, a subgraph), to make it hang for the
 * processes behind the relay and no one else.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const held: Array<() => void> = [];
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  /** Bytes pass only while thawed; what comes while frozen waits for the thaw. */
  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (!frozen) to.write(chunk);
      else held.push(() => to.write(chunk));
    });
    from.once('close', () => to.destroy());
  };
  const server = createServer((client) => {
    track(client);
    const connect = () => {
      const upstream = createConnection(target);
      track(upstream);
      relay(client, upstream);
      relay(upstream, client);
    };
    if (frozen) {
      client.pause();
      held.push(() => {
        client.resume();
        connect();
      });
    } else connect();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const release of held.splice(0)) release();
    },
    stop: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
