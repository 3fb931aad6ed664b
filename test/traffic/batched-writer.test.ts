// A destination that failed is destroyed with its pending lines: a destroyed sonic-boom
// throws on write, and a pending batch arriving later would crash the proxy.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BatchedWriter, type BatchDestination } from '../../src/traffic/batched-writer.js';

class FakeDestination extends EventEmitter implements BatchDestination {
  readonly written: string[] = [];
  destroyed = false;
  write(chunk: string): boolean {
    if (this.destroyed) throw new Error('SonicBoom destroyed');
    this.written.push(chunk);
    return true;
  }
  flush(): void {}
  end(): void {}
  destroy(): void {
    this.destroyed = true;
  }
}

const afterBatchInterval = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('batched writer', () => {
  it('writes what gathered as one batch', async () => {
    const destination = new FakeDestination();
    const writer = new BatchedWriter(destination);
    writer.write('a\n');
    writer.write('b\n');
    await afterBatchInterval();
    expect(destination.written).toEqual(['a\nb\n']);
  });

  it('once destroyed, hands nothing more to its destination: not the pending batch, not later lines, not on exit', async () => {
    const destination = new FakeDestination();
    const writer = new BatchedWriter(destination);
    writer.write('pending\n');
    writer.destroy();
    expect(destination.destroyed).toBe(true);
    writer.write('later\n');
    writer.handOver();
    await afterBatchInterval();
    expect(destination.written).toEqual([]);
  });
});
