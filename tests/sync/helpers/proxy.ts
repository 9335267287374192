/**
 * A TCP relay in front of the team server, so a test can take the network away and give it back
 * (the real server keeps running: it is shared by other test files). Stopping closes the port and
 * cuts every relayed connection, as a server or network going down would.
 */
import net from 'node:net';

export interface TcpRelay {
  port: number;
  /** `url` with its host and port replaced by the relay's. */
  through(url: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      if (server) return resolve();
      const s = net.createServer((inbound) => {
        const outbound = net.connect(target.port, target.host);
        sockets.add(inbound);
        sockets.add(outbound);
        const cut = () => {
          inbound.destroy();
          outbound.destroy();
          sockets.delete(inbound);
          sockets.delete(outbound);
        };
        inbound.on('error', cut).on('close', cut);
        outbound.on('error', cut).on('close', cut);
        inbound.pipe(outbound);
        outbound.pipe(inbound);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const stop = async () => {
    const s = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    through(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    stop,
    start: listen,
    close: stop,
  };
}
