/** Writes queued chunks to a Bun socket until the kernel pushes back; a partial write keeps its rest at the head. */
export function flushQueue(socket: { write(b: Uint8Array): number }, queue: Uint8Array[]): void {
  while (queue.length) {
    const b = queue[0]!;
    const n = socket.write(b);
    if (n < 0) return;
    if (n < b.length) {
      queue[0] = b.subarray(n);
      return;
    }
    queue.shift();
  }
}
