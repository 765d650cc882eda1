/** Live: the explorer's change stream as it arrives, newest first. */
import { useCallback, useState } from 'preact/hooks';
import { Empty } from '../components';
import { date } from '../format';
import { recentBlocks, useBlocks, useStreamState } from '../live';
import type { BlockChanges, Change } from '../types';

const KEEP = 200;

function link(c: Change) {
  const r = (c.record ?? {}) as Record<string, unknown>;
  if (c.type === 'node' && typeof r.nodeId === 'number') return <a href={`#/nodes/${r.nodeId}`}>node {r.nodeId}</a>;
  if (c.type === 'farm' && typeof r.farmId === 'number') return <a href={`#/farms/${r.farmId}`}>farm {r.farmId}</a>;
  if (c.type === 'uptime' && typeof r.nodeId === 'number') return <a href={`#/nodes/${r.nodeId}`}>node {r.nodeId}</a>;
  if (c.type === 'contract' && r.contractId !== undefined) return <>contract {String(r.contractId as number | string)}</>;
  // Keys are zero-padded ids (`0000000006`, `0000000001/0000000042`): shown as numbers.
  return (
    <>
      {c.type}{' '}
      {c.key
        .split('/')
        .map((k) => k.replace(/^0+(?=\d)/, ''))
        .join('/')}
    </>
  );
}

const rowsOf = (b: BlockChanges) => b.changes.map((change: Change) => ({ block: b.block, timestamp: b.timestamp, change }));

export function LivePage() {
  const [rows, setRows] = useState(() => recentBlocks().flatMap(rowsOf).reverse().slice(0, KEEP));
  const state = useStreamState();
  const onBlock = useCallback((b: BlockChanges) => {
    setRows((old) => [...rowsOf(b).reverse(), ...old].slice(0, KEEP));
  }, []);
  useBlocks(onBlock);
  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live</h1>
      <p class="muted">Changes as the explorer indexes finalized blocks (stream {state}).</p>
      {rows.length === 0 ? (
        <Empty>Nothing has changed since this page opened; changes appear here as blocks are finalized.</Empty>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Live changes">
          <table class="live">
            <thead>
              <tr>
                <th scope="col">Block</th>
                <th scope="col">Time</th>
                <th scope="col">What</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody aria-live="polite">
              {rows.map((r, i) => (
                <tr key={`${r.block}-${r.change.type}-${r.change.key}-${i}`} class={`change-${r.change.type}`}>
                  <td>{r.block}</td>
                  <td>{date(r.timestamp)}</td>
                  <td>{link(r.change)}</td>
                  <td>
                    {r.change.type} {r.change.action}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
