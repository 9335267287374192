import type { UsageLatencyRow } from '@shared/types';
import { formatCount, formatMs } from './format';

/** Time to first token and total time per model, over each model's newest succeeded runs. */
export function LatencyTable({ rows }: { rows: UsageLatencyRow[] }) {
  return (
    <section className="usage-section" aria-labelledby="usage-latency-title">
      <h3 id="usage-latency-title">Speed by model</h3>
      {rows.length === 0 ? (
        <p className="muted">No successful request in this range.</p>
      ) : (
        <table className="usage-table" aria-label="Speed by model">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">First token p50</th>
              <th scope="col">First token p95</th>
              <th scope="col">Total p50</th>
              <th scope="col">Total p95</th>
              <th scope="col">Requests measured</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.providerId}/${r.model}`}>
                <th scope="row">
                  {r.model} ({r.providerName})
                </th>
                <td>{formatMs(r.ttftP50Ms)}</td>
                <td>{formatMs(r.ttftP95Ms)}</td>
                <td>{formatMs(r.totalP50Ms)}</td>
                <td>{formatMs(r.totalP95Ms)}</td>
                <td>{formatCount(r.samples)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted usage-note">Successful requests only; each model&apos;s newest 1,000 in the range at most.</p>
    </section>
  );
}
