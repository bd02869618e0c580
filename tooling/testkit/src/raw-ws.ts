import { randomBytes } from "node:crypto";
import net from "node:net";

/**
 * A minimal WebSocket client over node:net, for the load generator only: it can bind a source
 * address (28k ephemeral ports per source address, so several 127.0.0.x spread 19k+ sockets) and
 * costs a socket plus a few closures — far lighter than a full WebSocket object per connection.
 * Handles unfragmented text frames, ping → pong and close; client frames are masked (zero key).
 */
export type RawWs = { send: (text: string) => void; close: () => void; socket: net.Socket };

export type RawWsOptions = {
  host: string;
  port: number;
  path: string;
  localAddress?: string;
  onOpen: () => void;
  onText: (text: string) => void;
  onClose: (code: number) => void;
};

export function openRawWs(options: RawWsOptions): RawWs {
  const socket = net.connect({ host: options.host, port: options.port, localAddress: options.localAddress });
  socket.setNoDelay(true);
  let buffer: Buffer | null = null;
  let upgraded = false;
  let closed = false;
  const finish = (code: number) => {
    if (closed) return;
    closed = true;
    options.onClose(code);
  };

  socket.on("connect", () => {
    socket.write(
      `GET ${options.path} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\n` +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    );
  });
  socket.on("data", (chunk: Buffer) => {
    buffer = buffer && buffer.length > 0 ? Buffer.concat([buffer, chunk]) : chunk;
    if (!upgraded) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      if (!buffer.subarray(0, 12).toString().includes("101")) {
        socket.destroy();
        finish(-1);
        return;
      }
      upgraded = true;
      buffer = buffer.subarray(end + 4);
      options.onOpen();
    }
    let offset = 0;
    while (buffer.length - offset >= 2) {
      const b0 = buffer[offset] ?? 0;
      const b1 = buffer[offset + 1] ?? 0;
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buffer.length - offset < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (buffer.length - offset < 10) break;
        length = Number(buffer.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (buffer.length - offset < header + length) break;
      const payload = buffer.subarray(offset + header, offset + header + length);
      offset += header + length;
      const opcode = b0 & 0x0f;
      if (opcode === 1) options.onText(payload.toString());
      else if (opcode === 9) writeFrame(socket, 0xa, payload);
      else if (opcode === 8) {
        finish(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
        socket.end();
      }
    }
    buffer = offset === buffer.length ? null : buffer.subarray(offset);
  });
  socket.on("close", () => finish(1006));
  socket.on("error", () => finish(1006));
  return {
    socket,
    send: (text) => writeFrame(socket, 0x1, Buffer.from(text)),
    close: () => {
      writeFrame(socket, 0x8, Buffer.from([0x03, 0xe8]));
      socket.end();
    },
  };
}

const ZERO_MASK = Buffer.alloc(4);

function writeFrame(socket: net.Socket, opcode: number, payload: Buffer): void {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, 0x80 | length]);
  } else if (length < 65_536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  // A zero mask key leaves the payload as is: fine for a load generator talking to our own server.
  socket.write(Buffer.concat([header, ZERO_MASK, payload]));
}
